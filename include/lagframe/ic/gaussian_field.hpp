// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file gaussian_field.hpp
/// The linear density contrast δ0 at a = 1 on the Lagrangian particle grid, synthesised from
/// real-space white noise (docs/physics.md §4.2):
///
///     δ_k^FFT = ŵ(k) · √(P(k) N³ / V),    ŵ = Σ_x w(x) e^{−ik·x},  ⟨|ŵ|²⟩ = N³,
///
/// with optional fixed amplitudes (Angulo & Pontzen 2016, arXiv 1603.05253: ŵ → √N³ ŵ/|ŵ|) and
/// pairing (ŵ → −ŵ). The physical transform is δ(k) = Δ³ δ_k^FFT (Δ = L/N), so
/// ⟨|δ(k)|²⟩/V = P(k) (docs/physics.md §1.3).
///
/// Mode treatment:
///   * k = 0 is set to zero.
///   * The Nyquist planes (any index equal to N/2) are kept. The transform of real noise is
///     already Hermitian and the factor √P(|k|) (or √N³/|ŵ|) is real and even in k, so the output
///     is the half-complex transform of a real field; self-conjugate modes stay real. Operators
///     that need it (odd derivatives, lpt.hpp) drop Nyquist components themselves.
///   * "Corner" modes with |k| > k_Ny are kept too.
///
/// Reproducibility: the field is a function of (seed, N, L, P, mode, inverted) only. White noise is
/// counter-based (white_noise.hpp), P is evaluated on the calling thread, the per-mode scaling is
/// elementwise, and the one FFT is an FFTW_ESTIMATE plan, whose OpenMP threads split independent
/// loops: the result is bit-identical for any thread count on a given build (checked in
/// tests/unit/ic/gaussian_field.test.cpp at 1, 2 and 3 threads).

#include <cmath>
#include <complex>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/ic/white_noise.hpp"

namespace lagframe::ic {

/// A linear power spectrum usable by the IC generator: P(k) in (Mpc/h)³ at a = 1 for k in h/Mpc.
template <class P>
concept power_spectrum_callable = requires(const P& p, double k) {
  { p(k) } -> std::convertible_to<double>;
};

/// How the amplitudes |δ_k| are drawn.
enum class amplitude {
  gaussian,  ///< Gaussian random field: |ŵ| Rayleigh distributed.
  fixed      ///< Angulo & Pontzen 2016: |ŵ| set to √N³, random phase kept (not Gaussian!).
};

/// Realisation options of linear_density_modes.
struct field_options {
  std::uint64_t seed = 1;                ///< white-noise seed (white_noise.hpp contract)
  amplitude mode = amplitude::gaussian;  ///< Gaussian or fixed amplitudes
  bool inverted = false;                 ///< paired partner: ŵ → −ŵ, i.e. δ → −δ
};

namespace detail {

/// True when index i is the Nyquist index of an n-point axis (only for even n).
[[nodiscard]] constexpr bool is_nyquist(std::size_t i, std::size_t n) { return 2 * i == n; }

/// Squared integer wavenumber |m|² = m_i² + m_j² + m_k² of Fourier element (i, j, k).
[[nodiscard]] constexpr std::size_t mode_norm2(std::size_t i, std::size_t j, std::size_t k,
                                               std::size_t n) {
  const long a = wavenumber_index(i, n);
  const long b = wavenumber_index(j, n);
  const long c = wavenumber_index(k, n);
  return static_cast<std::size_t>(a * a + b * b + c * c);
}

/// √(P(k) N³ / V) tabulated on every |m|² present on the grid (index |m|², k = k_f √|m|²).
/// P is called once per distinct |k|, on the calling thread, and must be finite and ≥ 0.
template <class PowerSpectrum>
[[nodiscard]] std::vector<double> amplitude_table(const box& b, const PowerSpectrum& power) {
  const std::size_t n = b.particles_1d;
  const std::size_t h = n / 2;  // largest |m_i| on each axis
  std::vector<char> present(3 * h * h + 1, 0);
  for (std::size_t a = 0; a <= h; ++a)
    for (std::size_t c = 0; c <= h; ++c)
      for (std::size_t e = 0; e <= h; ++e) present[a * a + c * c + e * e] = 1;

  const double k_f = 2.0 * std::numbers::pi / b.side_mpc_h;
  const double cells = static_cast<double>(b.particle_count());
  const double norm = cells / b.volume();
  std::vector<double> table(present.size(), 0.0);
  for (std::size_t m2 = 1; m2 < present.size(); ++m2) {
    if (present[m2] == 0) continue;
    const double k = k_f * std::sqrt(static_cast<double>(m2));
    const double p = static_cast<double>(power(k));
    if (!std::isfinite(p)) {
      throw numerical_error(lagframe::detail::concat("lagframe: power spectrum P(k = ", k,
                                                     " h/Mpc) = ", p, " is not finite"));
    }
    require(p >= 0.0, lagframe::detail::concat("power spectrum P(k = ", k, " h/Mpc)"), p,
            "P(k) >= 0 in (Mpc/h)^3");
    table[m2] = std::sqrt(p * norm);
  }
  return table;
}

}  // namespace detail

/// Linear density δ0 (a = 1) on the N³ particle grid (N = b.particles_1d), returned in Fourier
/// space, unnormalised FFT convention: δ0(x) = backward(modes)/N³, modes = ŵ √(P(k) N³/V),
/// physical δ(k) = (L/N)³ · modes. See the file comment for k = 0, Nyquist and reproducibility.
/// Memory: one N³ real_field (the result) plus a table of ~¾N² doubles.
/// Throws config_error for an invalid box or P(k) < 0, numerical_error for a non-finite P(k).
template <class Real, class PowerSpectrum>
  requires power_spectrum_callable<PowerSpectrum>
[[nodiscard]] real_field<Real> linear_density_modes(const box& b, const PowerSpectrum& power,
                                                    const field_options& opt) {
  b.validate();
  const std::size_t n = b.particles_1d;
  const std::vector<double> amp = detail::amplitude_table(b, power);

  real_field<Real> modes(n, b.side_mpc_h);
  fill_white_noise(modes, opt.seed);
  const fft::r2c_plan<Real> plan(n, fft::planning::estimate);
  plan.forward(modes);

  const std::size_t nk = modes.complex_last();
  const double sqrt_cells = std::sqrt(static_cast<double>(b.particle_count()));
  const double sign = opt.inverted ? -1.0 : 1.0;
  const bool fixed = (opt.mode == amplitude::fixed);
  using complex_type = std::complex<Real>;
#pragma omp parallel for collapse(2) schedule(static)
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      complex_type* row = &modes.mode(i, j, 0);
      for (std::size_t k = 0; k < nk; ++k) {
        const std::size_t m2 = detail::mode_norm2(i, j, k, n);
        std::complex<double> w(static_cast<double>(row[k].real()),
                               static_cast<double>(row[k].imag()));
        if (fixed) {
          const double mag = std::abs(w);
          // |ŵ| = 0 has probability zero; give it phase 0 rather than dividing by zero.
          w = mag > 0.0 ? w * (sqrt_cells / mag) : std::complex<double>(sqrt_cells, 0.0);
        }
        w *= sign * amp[m2];  // amp[0] = 0 zeroes k = 0
        row[k] = complex_type(static_cast<Real>(w.real()), static_cast<Real>(w.imag()));
      }
    }
  }
  return modes;
}

}  // namespace lagframe::ic
