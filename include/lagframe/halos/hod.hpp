// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file hod.hpp
/// Galaxies from halos with a halo occupation distribution (docs/mocks.md §5).
///
/// Occupation (Zheng, Coil & Zehavi 2007, ApJ 667, 760; five parameters, masses in Msun/h):
///   ⟨N_cen(M)⟩ = ½ [1 + erf((log₁₀M − log₁₀M_min)/σ_logM)],
///   ⟨N_sat(M)⟩ = ((M − M₀)/M₁)^α for M > M₀, else 0,
/// optionally multiplied by ⟨N_cen(M)⟩ (`satellites_follow_centrals`, as some later analyses
/// do, so that satellites come with a central on average). A halo has a central with
/// probability ⟨N_cen⟩ (Bernoulli) and a Poisson number of satellites of mean ⟨N_sat⟩.
///
/// Placement: the central at the halo centre with the halo's mean velocity; satellites on an NFW
/// profile (Navarro, Frenk & White 1997) truncated at the halo radius R, r_s = R/c, with the
/// concentration–mass relation of Duffy et al. (2008, MNRAS 390, L64, Table 1, full sample,
/// z = 0–2): c = A (M / 2·10¹² Msun/h)^B (1 + z)^C for the mass definition of R (200c, 200m or
/// virial). A satellite's radius solves m(r/r_s) = u·m(c), m(x) = ln(1 + x) − x/(1 + x), in closed
/// form with the Lambert W function (x = −1/W₀(−e^{−1−u·m(c)}) − 1; Robotham & Howlett 2018,
/// RNAAS 2, 55), its direction is isotropic, its velocity the halo's plus an isotropic Gaussian
/// of 1D dispersion σ (the halo's measured dispersion, or the virial estimate √(GM/2R) for
/// halos without one).
///
/// Randomness: one counter-based stream per halo (random_stream.hpp, object = halo index), drawn
/// in the order: central (1 uniform), satellite count (one per 16 of mean), then per satellite
/// radius, cos θ, φ, three normals. The catalogue — galaxies ordered by halo, central first — is
/// therefore identical at any thread count. Threading: OpenMP over halos (two passes: counts,
/// then placement); call from outside parallel regions. Errors: config_error naming the value.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/halos/properties.hpp"
#include "lagframe/halos/random_stream.hpp"

namespace lagframe::halos {

/// The five parameters of Zheng et al. (2007); masses in Msun/h. The defaults are the
/// Mr < −21.5 SDSS sample of Zehavi et al. (2011, ApJ 736, 59, Table 3).
struct hod_parameters {
  double log_m_min = 13.38;    ///< log₁₀ M_min: ⟨N_cen⟩ = ½ at M_min
  double sigma_log_m = 0.69;   ///< σ_logM > 0: width of the central step
  double log_m0 = 13.35;       ///< log₁₀ M₀: satellite cut-off
  double log_m1 = 14.20;       ///< log₁₀ M₁: ⟨N_sat⟩ = 1 at M = M₀ + M₁
  double alpha = 1.09;         ///< α ≥ 0: satellite power-law slope
  bool satellites_follow_centrals = false;  ///< multiply ⟨N_sat⟩ by ⟨N_cen⟩

  /// Throws config_error naming the first value outside its domain.
  void validate() const {
    auto logm = [](double v) { return std::isfinite(v) && v > 0.0 && v < 20.0; };
    require(logm(log_m_min), "hod_parameters.log_m_min", log_m_min, "log10 of a mass in Msun/h, in (0, 20)");
    require(std::isfinite(sigma_log_m) && sigma_log_m > 0.0, "hod_parameters.sigma_log_m", sigma_log_m,
            "a positive width sigma_logM");
    require(logm(log_m0), "hod_parameters.log_m0", log_m0, "log10 of a mass in Msun/h, in (0, 20)");
    require(logm(log_m1), "hod_parameters.log_m1", log_m1, "log10 of a mass in Msun/h, in (0, 20)");
    require(std::isfinite(alpha) && alpha >= 0.0 && alpha <= 10.0, "hod_parameters.alpha", alpha,
            "a satellite slope alpha in [0, 10]");
  }

  /// ⟨N_cen(M)⟩, M in Msun/h (0 for M ≤ 0).
  [[nodiscard]] double mean_centrals(double m) const {
    if (!(m > 0.0)) return 0.0;
    return 0.5 * (1.0 + std::erf((std::log10(m) - log_m_min) / sigma_log_m));
  }
  /// ⟨N_sat(M)⟩, M in Msun/h.
  [[nodiscard]] double mean_satellites(double m) const {
    const double m0 = std::pow(10.0, log_m0), m1 = std::pow(10.0, log_m1);
    if (!(m > m0)) return 0.0;
    const double n = std::pow((m - m0) / m1, alpha);
    return satellites_follow_centrals ? n * mean_centrals(m) : n;
  }
};

/// Mass definitions of the Duffy et al. (2008) concentration fits (NFW, full sample, z = 0–2).
enum class concentration_model { duffy08_200c, duffy08_200m, duffy08_virial };

/// c(M, z) = A (M / 2·10¹² Msun/h)^B (1 + z)^C, Duffy et al. (2008) Table 1 (full sample):
/// 200c: (5.71, −0.084, −0.47); virial: (7.85, −0.081, −0.71); 200m: (10.14, −0.081, −1.01).
[[nodiscard]] inline double concentration(concentration_model model, double m_msun_h, double z) {
  double a = 5.71, b = -0.084, c = -0.47;
  if (model == concentration_model::duffy08_virial) a = 7.85, b = -0.081, c = -0.71;
  if (model == concentration_model::duffy08_200m) a = 10.14, b = -0.081, c = -1.01;
  return a * std::pow(m_msun_h / 2e12, b) * std::pow(1.0 + z, c);
}

/// NFW enclosed-mass shape m(x) = ln(1 + x) − x/(1 + x).
[[nodiscard]] inline double nfw_mass_shape(double x) { return std::log1p(x) - x / (1.0 + x); }

/// Principal branch W₀(z) of the Lambert function, W e^W = z, for z ≥ −1/e (used on [−1/e, 0)).
[[nodiscard]] inline double lambert_w0(double z) {
  const double e = std::numbers::e;
  if (z <= -1.0 / e) return -1.0;
  if (z == 0.0) return 0.0;
  // Series about the branch point (p ∈ [0, √2) on this domain), then Halley's iteration.
  const double p = std::sqrt(2.0 * (e * z + 1.0));
  double w = z > 0.0 ? std::log1p(z) : -1.0 + p - p * p / 3.0 + 11.0 / 72.0 * p * p * p;
  for (int it = 0; it < 30; ++it) {
    const double ew = std::exp(w);
    const double f = w * ew - z;
    const double denom = ew * (w + 1.0) - (w + 2.0) * f / (2.0 * w + 2.0);
    if (denom == 0.0) break;
    const double step = f / denom;
    w -= step;
    if (std::abs(step) <= 1e-15 * (1.0 + std::abs(w))) break;
  }
  return w;
}

/// r/r_s of an NFW profile truncated at concentration c, for the cumulative fraction u ∈ [0, 1]:
/// the solution of m(x) = u·m(c).
[[nodiscard]] inline double nfw_inverse_cdf(double u, double c) {
  const double q = u * nfw_mass_shape(c);
  const double w = lambert_w0(-std::exp(-1.0 - q));
  return std::clamp(-1.0 / w - 1.0, 0.0, c);
}

/// The halos an HOD populates: spans of equal length (velocity_dispersion may be empty).
struct hod_halos {
  std::span<const vec3<double>> position;       ///< centre, Mpc/h
  std::span<const vec3<double>> velocity;       ///< mean peculiar velocity, km/s
  std::span<const double> mass;                 ///< Msun/h, in the definition of `radius`
  std::span<const double> radius;               ///< NFW truncation radius R_Δ, comoving Mpc/h
  std::span<const double> velocity_dispersion;  ///< 1D, km/s (empty: virial estimate)
  std::span<const double> scale_factor{};       ///< a of each halo (lightcones; empty: populate_hod's a)
};

/// Halo masses and radii the HOD uses from a catalogue.
enum class hod_mass { m200m, m200c, fof };

/// The hod_halos view of a catalogue: centres, velocities, the masses and radii of `which`
/// (fof: the FoF mass with R_200m of that mass) and the measured dispersions. The view refers
/// to the catalogue's arrays (and to `storage` for the fof radii): keep both alive.
inline hod_halos hod_halos_of(const halo_catalogue& c, hod_mass which, std::vector<double>& storage) {
  hod_halos h{c.position, c.velocity, c.m200m, c.r200m, c.velocity_dispersion, c.scale_factor};
  if (which != hod_mass::fof)
    require(c.has_spherical_overdensity, "hod_halos_of: mass definition", which == hod_mass::m200m ? "m200m" : "m200c",
            "a catalogue with spherical-overdensity masses (halo_options.spherical_overdensity = true)");
  if (which == hod_mass::m200c) h.mass = c.m200c, h.radius = c.r200c;
  if (which == hod_mass::fof) {
    const double rho = 200.0 * c.cosmology.omega_m * rho_crit_msun_h_per_mpc_h3;
    storage.resize(c.size());
    for (std::size_t g = 0; g < c.size(); ++g) storage[g] = std::cbrt(3.0 * c.mass[g] / (4.0 * std::numbers::pi * rho));
    h.mass = c.mass;
    h.radius = storage;
  }
  return h;
}

/// Options of populate_hod.
struct hod_options {
  std::uint64_t seed = 1;                                        ///< random_stream seed
  concentration_model concentration = concentration_model::duffy08_200m;  ///< match the mass definition
  bool use_measured_dispersion = true;  ///< satellites' σ from hod_halos::velocity_dispersion when given
};

/// A galaxy catalogue, ordered by halo (central first), structure of arrays.
struct galaxy_catalogue {
  std::vector<vec3<double>> position;   ///< real space, Mpc/h (wrapped into [0, L) in a box)
  std::vector<vec3<double>> velocity;   ///< peculiar, km/s
  std::vector<std::uint64_t> halo;      ///< index of the host halo
  std::vector<std::uint8_t> central;    ///< 1 for centrals, 0 for satellites
  [[nodiscard]] std::size_t size() const { return position.size(); }
  [[nodiscard]] std::size_t centrals() const {
    std::size_t n = 0;
    for (auto c : central) n += c;
    return n;
  }
};

namespace detail {

/// Draws the occupation of halo h from its stream: (has central, satellites).
inline std::pair<bool, std::uint64_t> draw_occupation(random_stream& rng, const hod_parameters& hod, double m) {
  const bool cen = rng.bernoulli(hod.mean_centrals(m));
  const std::uint64_t sat = rng.poisson(hod.mean_satellites(m));
  return {cen, sat};
}

}  // namespace detail

/// Populates the halos with galaxies (see the file comment). `a` is the scale factor (for the
/// concentration's redshift and the virial dispersion), `side` the periodic box side in Mpc/h
/// (0: an open set, no wrapping).
inline galaxy_catalogue populate_hod(const hod_halos& halos, const hod_parameters& hod, const hod_options& opt,
                                     double a, double side) {
  hod.validate();
  const std::size_t n = halos.position.size();
  require(halos.velocity.size() == n && halos.mass.size() == n && halos.radius.size() == n,
          "populate_hod: halo arrays (velocity, mass, radius)", halos.velocity.size(),
          lagframe::detail::concat("one entry per halo position (", n, ")"));
  require(halos.velocity_dispersion.empty() || halos.velocity_dispersion.size() == n,
          "populate_hod: halo velocity dispersions", halos.velocity_dispersion.size(),
          lagframe::detail::concat("none or one per halo (", n, ")"));
  require(halos.scale_factor.empty() || halos.scale_factor.size() == n, "populate_hod: halo scale factors",
          halos.scale_factor.size(), lagframe::detail::concat("none or one per halo (", n, ")"));
  for (double v : halos.scale_factor)
    require(std::isfinite(v) && v > 0.0, "populate_hod: a halo's scale factor", v, "a positive scale factor");
  require(std::isfinite(a) && a > 0.0, "populate_hod: scale factor a", a, "a positive scale factor");
  require(std::isfinite(side) && side >= 0.0, "populate_hod: box side", side, "a periodic side in Mpc/h, or 0");
  constexpr double newton_g = 4.30091727e-9;  // G in Mpc (km/s)² / Msun
  std::vector<std::uint64_t> first(n + 1, 0);
#pragma omp parallel for schedule(dynamic, 256)
  for (std::ptrdiff_t hh = 0; hh < static_cast<std::ptrdiff_t>(n); ++hh) {
    const auto h = static_cast<std::size_t>(hh);
    random_stream rng(opt.seed, h);
    const auto [cen, sat] = detail::draw_occupation(rng, hod, halos.mass[h]);
    first[h + 1] = (cen ? 1u : 0u) + sat;
  }
  for (std::size_t h = 0; h < n; ++h) first[h + 1] += first[h];
  galaxy_catalogue out;
  const std::size_t total = first[n];
  out.position.resize(total);
  out.velocity.resize(total);
  out.halo.resize(total);
  out.central.resize(total);
#pragma omp parallel for schedule(dynamic, 256)
  for (std::ptrdiff_t hh = 0; hh < static_cast<std::ptrdiff_t>(n); ++hh) {
    const auto h = static_cast<std::size_t>(hh);
    if (first[h] == first[h + 1]) continue;
    random_stream rng(opt.seed, h);
    const auto [cen, sat] = detail::draw_occupation(rng, hod, halos.mass[h]);
    std::size_t g = first[h];
    const auto& x0 = halos.position[h];
    const auto& v0 = halos.velocity[h];
    if (cen) {
      out.position[g] = x0;
      out.velocity[g] = v0;
      out.halo[g] = h;
      out.central[g] = 1;
      ++g;
    }
    if (sat == 0) continue;
    const double m = halos.mass[h], r = halos.radius[h];
    const double a_h = halos.scale_factor.empty() ? a : halos.scale_factor[h];
    const double c = concentration(opt.concentration, m, 1.0 / a_h - 1.0);
    const double rs = r / c;
    double sigma = 0;
    if (opt.use_measured_dispersion && !halos.velocity_dispersion.empty() && halos.velocity_dispersion[h] > 0.0) {
      sigma = halos.velocity_dispersion[h];
    } else if (r > 0.0) {
      sigma = std::sqrt(newton_g * m / (2.0 * a_h * r));  // physical R = a·r/h, M/h: h cancels
    }
    for (std::uint64_t s = 0; s < sat; ++s, ++g) {
      const double radius = rs * nfw_inverse_cdf(rng.uniform(), c);
      const double mu = 2.0 * rng.uniform() - 1.0;
      const double phi = 2.0 * std::numbers::pi * rng.uniform();
      const double st = std::sqrt(std::max(0.0, 1.0 - mu * mu));
      const vec3<double> dir{st * std::cos(phi), st * std::sin(phi), mu};
      for (std::size_t d = 0; d < 3; ++d) {
        double x = x0[d] + radius * dir[d];
        if (side > 0.0) x = wrap_periodic(x, side);
        out.position[g][d] = x;
      }
      for (std::size_t d = 0; d < 3; ++d) out.velocity[g][d] = v0[d] + sigma * rng.normal();
      out.halo[g] = h;
      out.central[g] = 0;
    }
  }
  return out;
}

/// The mean occupation of a galaxy catalogue per bin of halo mass, beside the model's: what one
/// checks an HOD catalogue with. Bin b covers log₁₀ M in [log_m_low + b·dex, log_m_low + (b+1)·dex).
struct occupation_table {
  std::vector<double> mass_centre;        ///< 10^(bin centre), Msun/h
  std::vector<double> halos;              ///< haloes in the bin
  std::vector<double> centrals, satellites;              ///< measured mean per halo
  std::vector<double> centrals_model, satellites_model;  ///< model mean over the bin's haloes
  std::vector<double> centrals_error, satellites_error;  ///< Poisson error of the mean, √max(N_model, 1)/haloes
};

/// `halo_mass`: the masses the HOD read (hod_halos::mass), indexed as galaxy_catalogue::halo.
inline occupation_table measure_occupation(std::span<const double> halo_mass, const galaxy_catalogue& gal,
                                           const hod_parameters& hod, double log_m_low, double dex, std::size_t bins) {
  hod.validate();
  require(std::isfinite(log_m_low), "measure_occupation: log_m_low", log_m_low, "a finite log10 mass");
  require(std::isfinite(dex) && dex > 0.0, "measure_occupation: bin width", dex, "a positive width in dex");
  require(bins > 0, "measure_occupation: bins", bins, "at least one bin");
  occupation_table t;
  for (auto* v : {&t.mass_centre, &t.halos, &t.centrals, &t.satellites, &t.centrals_model, &t.satellites_model,
                  &t.centrals_error, &t.satellites_error})
    v->assign(bins, 0.0);
  const auto bin_of = [&](double m) -> std::ptrdiff_t {
    if (!(m > 0.0)) return -1;
    const double b = std::floor((std::log10(m) - log_m_low) / dex);
    return b >= 0.0 && b < static_cast<double>(bins) ? static_cast<std::ptrdiff_t>(b) : -1;
  };
  for (double m : halo_mass) {
    const auto b = bin_of(m);
    if (b < 0) continue;
    t.halos[b] += 1;
    t.centrals_model[b] += hod.mean_centrals(m);
    t.satellites_model[b] += hod.mean_satellites(m);
  }
  for (std::size_t g = 0; g < gal.size(); ++g) {
    require(gal.halo[g] < halo_mass.size(), "measure_occupation: host halo of a galaxy", gal.halo[g],
            lagframe::detail::concat("an index below the number of halo masses (", halo_mass.size(), ")"));
    const auto b = bin_of(halo_mass[gal.halo[g]]);
    if (b >= 0) (gal.central[g] ? t.centrals : t.satellites)[b] += 1;
  }
  for (std::size_t b = 0; b < bins; ++b) {
    t.mass_centre[b] = std::pow(10.0, log_m_low + dex * (static_cast<double>(b) + 0.5));
    const double h = std::max(t.halos[b], 1.0);
    t.centrals_error[b] = std::sqrt(std::max(t.centrals_model[b], 1.0)) / h;
    t.satellites_error[b] = std::sqrt(std::max(t.satellites_model[b], 1.0)) / h;
    t.centrals[b] /= h, t.satellites[b] /= h, t.centrals_model[b] /= h, t.satellites_model[b] /= h;
  }
  return t;
}

}  // namespace lagframe::halos
