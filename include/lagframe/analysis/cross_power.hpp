// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file cross_power.hpp
/// Cross power spectrum and cross-correlation coefficient of two particle sets on the same
/// mesh (docs/physics.md §12.5; L-PICOLA paper §7.1):
///   P_ab = ⟨L³/N_g⁶ Re(δ̂_a δ̂_b*)⟩_shell,   r(k) = P_ab / √(P_a P_b),
/// with the binning, deconvolution and interlacing of power_spectrum.hpp. r is always computed
/// from the auto spectra *without* shot-noise subtraction (so r = 1 for a set with itself);
/// with opt.subtract_shot_noise, p_a and p_b are reported with their shot noise removed (the
/// cross spectrum of distinct sets has none).

#include <cmath>
#include <complex>
#include <cstddef>
#include <span>
#include <vector>

#include "lagframe/analysis/power_spectrum.hpp"

namespace lagframe::analysis {

/// Shell-averaged cross and auto spectra of two particle sets.
struct cross_spectrum_result {
  std::vector<double> k;     ///< mean |k| of the modes in the bin, h/Mpc
  std::vector<double> p_ab;  ///< cross power, (Mpc/h)³
  std::vector<double> p_a;   ///< auto power of a, (Mpc/h)³
  std::vector<double> p_b;   ///< auto power of b, (Mpc/h)³
  std::vector<double> r;     ///< P_ab / √(P_a P_b), shot noise never subtracted
  std::vector<double> modes; ///< number of independent modes
};

/// Cross spectrum of particle sets a and b (any sizes) in a box of side `side` (Mpc/h).
template <mesh::mass_assignment A, class Real>
cross_spectrum_result cross_power(std::span<const vec3<Real>> a, std::span<const vec3<Real>> b, double side,
                                  const spectrum_options& opt) {
  const auto ma = density_modes<A>(a, side, opt);
  const auto mb = density_modes<A>(b, side, opt);
  const std::size_t n = opt.grid_1d;
  const detail::binning bins(n, side, opt);
  const double norm = side * side * side / std::pow(static_cast<double>(n), 6);
  const detail::shot_noise_tables shot(n, side, A::order, opt);
  const double volume = side * side * side;
  const double nbar_a = static_cast<double>(a.size()) / volume;
  const double nbar_b = static_cast<double>(b.size()) / volume;
  const auto* da = ma.complex_data();
  const auto* db = mb.complex_data();
  const auto sums = detail::accumulate_bins(n, bins, 4, [&](std::size_t i, std::size_t j, std::size_t k, double w,
                                                            double* acc) {
    const std::size_t idx = ma.complex_index(i, j, k);
    const std::complex<double> va(da[idx]), vb(db[idx]);
    acc[0] += w * norm * (va * std::conj(vb)).real();
    acc[1] += w * norm * std::norm(va);
    acc[2] += w * norm * std::norm(vb);
    acc[3] += w * shot.at(i, j, k, opt.interlacing);
  });
  cross_spectrum_result r;
  for (std::size_t bin = 0; bin < bins.bins; ++bin) {
    const double wsum = sums[0][bin];
    if (wsum == 0.0) continue;
    const double pab = sums[2][bin] / wsum, pa = sums[3][bin] / wsum, pb = sums[4][bin] / wsum;
    const double sn = sums[5][bin] / wsum;
    r.k.push_back(sums[1][bin] / wsum);
    r.p_ab.push_back(pab);
    r.r.push_back(pab / std::sqrt(pa * pb));
    r.p_a.push_back(opt.subtract_shot_noise ? pa - sn / nbar_a : pa);
    r.p_b.push_back(opt.subtract_shot_noise ? pb - sn / nbar_b : pb);
    r.modes.push_back(0.5 * wsum);
  }
  return r;
}

}  // namespace lagframe::analysis
