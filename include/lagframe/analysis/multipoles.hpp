// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file multipoles.hpp
/// Power-spectrum multipoles in the plane-parallel approximation (docs/mocks.md §7.3), the
/// Legendre-weighted shell averages of the mesh modes
///   P_ℓ(k) = (2ℓ + 1) ⟨ [L³/N_g⁶ |δ̂_k|² − S(k)] L_ℓ(μ) ⟩_shell,   μ = k_∥/|k|,  ℓ = 0, 2, 4,
/// with δ̂ from analysis::density_modes (deconvolution, interlacing, binning and mode weights of
/// docs/physics.md §12.1–12.4) and S(k) the aliased Poisson shot noise of §12.3 when
/// `subtract_shot_noise` is set (subtracted mode by mode, so that the small anisotropy the mesh
/// gives the shot noise does not leak into P₂ and P₄); L₂ = (3μ² − 1)/2,
/// L₄ = (35μ⁴ − 30μ² + 3)/8.
///
/// Kaiser (1987) for a tracer of linear bias b and growth rate f, P_s(k, μ) = (b + fμ²)² P(k):
///   P₀ = (b² + 2bf/3 + f²/5) P,  P₂ = (4bf/3 + 4f²/7) P,  P₄ = (8f²/35) P
/// (Hamilton 1992; Cole, Fisher & Weinberg 1994); kaiser_factors returns the three brackets.
///
/// Threading: as density_modes (OpenMP and FFTW threads); the sums are per x-plane and reduced
/// in a fixed order, so results are identical for any thread count.

#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <span>
#include <vector>

#include "lagframe/analysis/power_spectrum.hpp"

namespace lagframe::analysis {

/// Shell-averaged multipoles ℓ = 0, 2, 4.
struct multipoles_result {
  std::vector<double> k;      ///< mean |k| of the bin, h/Mpc
  std::vector<double> p0;     ///< monopole, (Mpc/h)³
  std::vector<double> p2;     ///< quadrupole, (Mpc/h)³
  std::vector<double> p4;     ///< hexadecapole, (Mpc/h)³
  std::vector<double> modes;  ///< independent modes in the bin
  double shot_noise = 0;      ///< 1/n̄, (Mpc/h)³ (subtracted from the modes only when asked)
};

/// Kaiser (1987) multipole factors (P₀, P₂, P₄)/P_lin for bias b and growth rate f.
[[nodiscard]] inline std::array<double, 3> kaiser_factors(double b, double f) {
  return {b * b + 2.0 * b * f / 3.0 + f * f / 5.0, 4.0 * b * f / 3.0 + 4.0 * f * f / 7.0, 8.0 * f * f / 35.0};
}

namespace detail {

template <class Real>
multipoles_result multipoles_of(const real_field<Real>& modes, int axis, const spectrum_options& opt, double nbar,
                                int order) {
  opt.validate();
  require(axis >= 0 && axis <= 2, "power_multipoles: line-of-sight axis", axis, "0, 1 or 2 (x, y, z)");
  const std::size_t n = modes.size_1d();
  require(n == opt.grid_1d, "power_multipoles: mesh size of the modes", n,
          lagframe::detail::concat("spectrum_options.grid_1d = ", opt.grid_1d));
  if (opt.subtract_shot_noise)
    require(std::isfinite(nbar) && nbar > 0.0, "power_multipoles: number density", nbar,
            "a positive number density in (h/Mpc)^3 when subtracting shot noise");
  const double side = modes.side();
  const binning bins(n, side, opt);
  const double norm = side * side * side / std::pow(static_cast<double>(n), 6);
  const shot_noise_tables shot(n, side, order, opt);
  const bool subtract = opt.subtract_shot_noise;
  const auto* data = modes.complex_data();
  const auto sums = accumulate_bins(n, bins, 3, [&](std::size_t i, std::size_t j, std::size_t k, double w, double* acc) {
    double p = norm * std::norm(std::complex<double>(data[modes.complex_index(i, j, k)]));
    if (subtract) p -= shot.at(i, j, k, opt.interlacing) / nbar;
    const double m[3] = {static_cast<double>(wavenumber_index(i, n)), static_cast<double>(wavenumber_index(j, n)),
                         static_cast<double>(k)};
    const double m2 = m[0] * m[0] + m[1] * m[1] + m[2] * m[2];
    const double mu2 = m[axis] * m[axis] / m2;
    const double l2 = 0.5 * (3.0 * mu2 - 1.0);
    const double l4 = (35.0 * mu2 * mu2 - 30.0 * mu2 + 3.0) / 8.0;
    acc[0] += w * p;
    acc[1] += w * p * l2;
    acc[2] += w * p * l4;
  });
  multipoles_result r;
  r.shot_noise = nbar > 0.0 ? 1.0 / nbar : 0.0;
  for (std::size_t b = 0; b < bins.bins; ++b) {
    const double wsum = sums[0][b];
    if (wsum == 0.0) continue;
    r.k.push_back(sums[1][b] / wsum);
    r.p0.push_back(sums[2][b] / wsum);
    r.p2.push_back(5.0 * sums[3][b] / wsum);
    r.p4.push_back(9.0 * sums[4][b] / wsum);
    r.modes.push_back(0.5 * wsum);
  }
  return r;
}

}  // namespace detail

/// Multipoles of modes from density_modes<A> with the line of sight along `axis` (0, 1, 2);
/// `nbar` = N/V in (h/Mpc)³ (needed to subtract shot noise; reported as shot_noise = 1/n̄).
template <mesh::mass_assignment A, class Real>
multipoles_result power_multipoles_of_modes(const real_field<Real>& modes, int axis, const spectrum_options& opt,
                                            double nbar = 0) {
  return detail::multipoles_of(modes, axis, opt, nbar, A::order);
}

/// Same for modes of a field without an assignment window (built in Fourier space): a
/// subtracted shot noise is the plain 1/n̄.
template <class Real>
multipoles_result power_multipoles_of_modes(const real_field<Real>& modes, int axis, const spectrum_options& opt,
                                            double nbar = 0) {
  return detail::multipoles_of(modes, axis, opt, nbar, 0);
}

/// Multipoles of a particle set already in redshift space (positions in [0, side), Mpc/h), line
/// of sight along `axis`.
template <mesh::mass_assignment A, class Real>
multipoles_result power_multipoles(std::span<const vec3<Real>> positions, double side, int axis,
                                   const spectrum_options& opt) {
  const auto modes = density_modes<A>(positions, side, opt);
  return power_multipoles_of_modes<A>(modes, axis, opt, static_cast<double>(positions.size()) / (side * side * side));
}

}  // namespace lagframe::analysis
