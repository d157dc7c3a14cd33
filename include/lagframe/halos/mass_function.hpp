// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file mass_function.hpp
/// Halo mass function: measured dn/d ln M in logarithmic mass bins, and the fits of Sheth &
/// Tormen (1999) and Tinker et al. (2008) computed from the linear power spectrum
/// (docs/mocks.md §7.1):
///
///   dn/d ln M = f(σ) (ρ̄_m / M) |d ln σ / d ln M|,   σ(M, a) = D₁(a) σ_R(R = (3M / 4πρ̄_m)^{1/3}),
///
/// with ρ̄_m = Ω_m ρ_crit,0 (comoving), σ_R from cosmology::linear_power::sigma_r, and
///   Sheth & Tormen (1999, MNRAS 308, 119), with ν = δ_c/σ, δ_c = 1.686:
///     f = A √(2a/π) [1 + (aν²)^{−p}] ν exp(−aν²/2),  A = 0.3222, a = 0.707, p = 0.3;
///   Tinker et al. (2008, ApJ 688, 709; eqs. 3, 5–8, Table 2), for an overdensity Δ with respect
///   to the mean density (200 ≤ Δ ≤ 3200):
///     f = A [(σ/b)^{−a} + 1] exp(−c/σ²),  A = A₀(1+z)^{−0.14}, a = a₀(1+z)^{−0.06},
///     b = b₀(1+z)^{−α}, log₁₀ α = −[0.75 / log₁₀(Δ/75)]^{1.2},
///   (A₀, a₀, b₀, c) interpolated linearly in ln Δ between the rows of Table 2 (Tinker et al.
///   interpolate with a spline; at Δ = 200, 300, … the values are the table's).
/// d ln σ / d ln M is the centred difference over ±1 % in M.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <span>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/cosmology/growth.hpp"
#include "lagframe/cosmology/linear_power.hpp"
#include "lagframe/cosmology/parameters.hpp"
#include "lagframe/halos/properties.hpp"

namespace lagframe::halos {

/// Measured mass function in logarithmic bins.
struct mass_function_result {
  std::vector<double> m_low, m_high;  ///< bin edges, Msun/h
  std::vector<double> m_centre;       ///< geometric centre √(m_low m_high)
  std::vector<double> m_mean;         ///< mean mass of the halos in the bin (0 if empty)
  std::vector<double> count;          ///< halos in the bin
  std::vector<double> dn_dlnm;        ///< count / (V Δln M), (h/Mpc)³
  std::vector<double> error;          ///< Poisson: √count / (V Δln M)
};

/// dn/d ln M of `masses` (Msun/h) in a volume (Mpc/h)³, `bins` logarithmic bins over [m_min, m_max).
inline mass_function_result measure_mass_function(std::span<const double> masses, double volume, double m_min,
                                                  double m_max, std::size_t bins) {
  require(std::isfinite(volume) && volume > 0.0, "measure_mass_function: volume", volume, "a positive volume in (Mpc/h)^3");
  require(std::isfinite(m_min) && m_min > 0.0, "measure_mass_function: m_min", m_min, "a positive mass in Msun/h");
  require(std::isfinite(m_max) && m_max > m_min, "measure_mass_function: m_max", m_max,
          lagframe::detail::concat("a mass above m_min = ", m_min));
  require(bins >= 1, "measure_mass_function: bins", bins, "at least one bin");
  mass_function_result r;
  const double dl = std::log(m_max / m_min) / static_cast<double>(bins);
  std::vector<double> sum(bins, 0.0);
  r.count.assign(bins, 0.0);
  for (const double m : masses) {
    if (!(m >= m_min && m < m_max)) continue;
    const auto b = std::min(bins - 1, static_cast<std::size_t>(std::log(m / m_min) / dl));
    r.count[b] += 1.0;
    sum[b] += m;
  }
  for (std::size_t b = 0; b < bins; ++b) {
    const double lo = m_min * std::exp(dl * static_cast<double>(b)), hi = m_min * std::exp(dl * static_cast<double>(b + 1));
    r.m_low.push_back(lo);
    r.m_high.push_back(hi);
    r.m_centre.push_back(std::sqrt(lo * hi));
    r.m_mean.push_back(r.count[b] > 0 ? sum[b] / r.count[b] : 0.0);
    r.dn_dlnm.push_back(r.count[b] / (volume * dl));
    r.error.push_back(std::sqrt(r.count[b]) / (volume * dl));
  }
  return r;
}

/// The fitting functions f of the file comment.
enum class mass_function_fit { sheth_tormen, tinker08 };

/// Sheth & Tormen (1999) multiplicity f(ν), ν = δ_c/σ.
[[nodiscard]] inline double sheth_tormen_f(double nu) {
  constexpr double big_a = 0.3222, a = 0.707, p = 0.3;
  const double an2 = a * nu * nu;
  return big_a * std::sqrt(2.0 * a / std::numbers::pi) * (1.0 + std::pow(an2, -p)) * nu * std::exp(-0.5 * an2);
}

/// Tinker et al. (2008) f(σ) for overdensity Δ (mean density) at redshift z.
[[nodiscard]] inline double tinker08_f(double sigma, double delta_mean, double z) {
  static constexpr std::array<double, 9> deltas{200, 300, 400, 600, 800, 1200, 1600, 2400, 3200};
  static constexpr std::array<double, 9> big_a{0.186, 0.200, 0.212, 0.218, 0.248, 0.255, 0.260, 0.260, 0.260};
  static constexpr std::array<double, 9> small_a{1.47, 1.52, 1.56, 1.61, 1.87, 2.13, 2.30, 2.53, 2.66};
  static constexpr std::array<double, 9> small_b{2.57, 2.25, 2.05, 1.87, 1.59, 1.51, 1.46, 1.44, 1.41};
  static constexpr std::array<double, 9> small_c{1.19, 1.27, 1.34, 1.45, 1.58, 1.80, 1.97, 2.24, 2.44};
  require(std::isfinite(delta_mean) && delta_mean >= 200.0 && delta_mean <= 3200.0, "tinker08_f: Delta", delta_mean,
          "an overdensity with respect to the mean density in [200, 3200] (Tinker et al. 2008, Table 2)");
  std::size_t i = 0;
  while (i + 2 < deltas.size() && delta_mean > deltas[i + 1]) ++i;
  const double t = std::log(delta_mean / deltas[i]) / std::log(deltas[i + 1] / deltas[i]);
  const auto lerp = [&](const std::array<double, 9>& v) { return v[i] + t * (v[i + 1] - v[i]); };
  const double alpha = std::pow(10.0, -std::pow(0.75 / std::log10(delta_mean / 75.0), 1.2));
  const double A = lerp(big_a) * std::pow(1.0 + z, -0.14);
  const double a = lerp(small_a) * std::pow(1.0 + z, -0.06);
  const double b = lerp(small_b) * std::pow(1.0 + z, -alpha);
  const double c = lerp(small_c);
  return A * (std::pow(sigma / b, -a) + 1.0) * std::exp(-c / (sigma * sigma));
}

/// Theoretical mass functions at scale factor a for a linear spectrum normalised at a = 1.
class mass_function_theory {
 public:
  mass_function_theory(const cosmology::linear_power& power, const cosmology::parameters& p, double a)
      : power_(&power), rho_(p.omega_m * rho_crit_msun_h_per_mpc_h3), a_(a) {
    p.validate();
    require(std::isfinite(a) && a > 1e-3 && a <= 2.0, "mass_function_theory: scale factor a", a, "a in (1e-3, 2]");
    const cosmology::growth g(p, std::min(1e-3, 0.5 * a), 2.0);
    d1_ = g.d1(a);
    omega_m_a_ = g.bg().omega_m_of_a(a);
  }

  /// σ(M, a) for M in Msun/h.
  [[nodiscard]] double sigma(double m) const {
    return d1_ * power_->sigma_r(std::cbrt(3.0 * m / (4.0 * std::numbers::pi * rho_)));
  }
  /// d ln σ / d ln M (negative), centred difference over ±1 % in M.
  [[nodiscard]] double dlnsigma_dlnm(double m) const {
    const double h = 0.01;
    return (std::log(sigma(m * std::exp(h))) - std::log(sigma(m * std::exp(-h)))) / (2.0 * h);
  }
  /// dn/d ln M in (h/Mpc)³ for the fit; `delta_mean` is Tinker's Δ (mean density; ignored by ST).
  [[nodiscard]] double dn_dlnm(double m, mass_function_fit fit, double delta_mean = 200.0) const {
    const double s = sigma(m);
    const double f = fit == mass_function_fit::sheth_tormen ? sheth_tormen_f(delta_c / s)
                                                           : tinker08_f(s, delta_mean, 1.0 / a_ - 1.0);
    return f * rho_ / m * std::abs(dlnsigma_dlnm(m));
  }
  /// dn/d ln M averaged over the bin [lo, hi) in ln M (what a binned measurement compares
  /// with): 6-point Gauss–Legendre in ln M.
  [[nodiscard]] double bin_average(double lo, double hi, mass_function_fit fit, double delta_mean = 200.0) const {
    require(std::isfinite(lo) && lo > 0.0 && std::isfinite(hi) && hi > lo, "mass_function_theory::bin_average: bin",
            lagframe::detail::concat("[", lo, ", ", hi, ")"), "masses 0 < lo < hi in Msun/h");
    static constexpr double x[6] = {-0.9324695142031521, -0.6612093864662645, -0.2386191860831969,
                                    0.2386191860831969,  0.6612093864662645,  0.9324695142031521};
    static constexpr double w[6] = {0.1713244923791704, 0.3607615730481386, 0.4679139345726910,
                                    0.4679139345726910, 0.3607615730481386, 0.1713244923791704};
    const double a = std::log(lo), b = std::log(hi);
    double sum = 0;
    for (int i = 0; i < 6; ++i) sum += w[i] * dn_dlnm(std::exp(0.5 * (a + b) + 0.5 * (b - a) * x[i]), fit, delta_mean);
    return 0.5 * sum;
  }
  /// The mean-density overdensity equivalent to 200 ρ_crit(a): 200/Ω_m(a).
  [[nodiscard]] double delta_mean_of_200c() const { return 200.0 / omega_m_a_; }
  /// Comoving mean matter density, (Msun/h)/(Mpc/h)³.
  [[nodiscard]] double rho_mean() const { return rho_; }

  static constexpr double delta_c = 1.686;

 private:
  const cosmology::linear_power* power_;
  double rho_, a_, d1_ = 1, omega_m_a_ = 1;
};

}  // namespace lagframe::halos
