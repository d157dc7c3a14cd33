// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file lightcone_halos.hpp
/// Haloes and galaxies on the past lightcone (docs/mocks.md §6.1). The crossings of a lightcone
/// (lightcone/crossing.hpp: positions in the coordinates of the replica they were recorded in,
/// total momenta, the crossing scale factor) are an open point set about the observer:
///   * friends-of-friends links them with the box's mean particle spacing d̄ = L/N_p (an open
///     set cannot infer it); a halo cut by the lightcone's outer or inner edge is kept as found;
///   * each halo is evaluated at its members' mean crossing scale factor a_h: the members'
///     velocities are 100 p_i/a_i, and M_200c uses ρ_crit(a_h) (halo_options::point_a);
///   * sky coordinates about the observer o, for haloes and galaxies alike: r = x − o,
///     χ = |r|, RA = atan2(r_y, r_x) in [0°, 360°), Dec = asin(r_z/χ) (the lightcone's own
///     convention, lightcone/lightcone.hpp), the cosmological redshift z_cos = 1/a(χ) − 1 on the
///     lightcone/distance.hpp table, and the observed redshift with the radial peculiar velocity,
///       1 + z_obs = (1 + z_cos)(1 + v·r̂/c)  (the product of the cosmological and the Doppler factor, v ≪ c; Davis & Scrimgeour 2014),
///     whose distance χ_obs = χ(z_obs) is the radial redshift-space distance.
/// Units: Mpc/h, Msun/h, km/s, degrees. Errors: config_error naming the value (a missing
/// observer, mean spacing or particle mass included).

#include <cmath>
#include <cstddef>
#include <numbers>
#include <optional>
#include <span>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/cosmology/background.hpp"
#include "lagframe/cosmology/parameters.hpp"
#include "lagframe/halos/fof.hpp"
#include "lagframe/halos/properties.hpp"
#include "lagframe/lightcone/crossing.hpp"
#include "lagframe/lightcone/distance.hpp"

namespace lagframe::halos {

/// Speed of light in km/s.
inline constexpr double speed_of_light_km_s = 299792.458;

/// Positions of objects on the sky of an observer (one entry per object).
struct sky_coordinates {
  std::vector<double> ra_deg, dec_deg;  ///< degrees
  std::vector<double> chi;              ///< comoving distance, Mpc/h
  std::vector<double> z_cos, z_obs;     ///< cosmological and observed redshift
  std::vector<double> chi_obs;          ///< χ(z_obs): the radial redshift-space distance, Mpc/h

  [[nodiscard]] std::size_t size() const { return ra_deg.size(); }
};

/// Sky coordinates of objects at `positions` (Mpc/h, in the observer's frame of replicas) with
/// peculiar `velocities` (km/s), seen from `observer` (see the file comment).
template <class Real>
sky_coordinates sky_coordinates_of(std::span<const vec3<Real>> positions, std::span<const vec3<Real>> velocities,
                                   const vec3<double>& observer, const lightcone::comoving_distance& distance) {
  require(velocities.size() == positions.size(), "sky_coordinates_of: number of velocities", velocities.size(),
          lagframe::detail::concat("one per position (", positions.size(), ")"));
  for (double v : observer) require(std::isfinite(v), "sky_coordinates_of: observer", v, "finite coordinates in Mpc/h");
  const std::size_t n = positions.size();
  const double chi_far = distance.max_distance();
  sky_coordinates s;
  for (auto* v : {&s.ra_deg, &s.dec_deg, &s.chi, &s.z_cos, &s.z_obs, &s.chi_obs}) v->resize(n);
  constexpr double deg = 180.0 / std::numbers::pi;
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t ii = 0; ii < static_cast<std::ptrdiff_t>(n); ++ii) {
    const auto i = static_cast<std::size_t>(ii);
    const vec3<double> r{static_cast<double>(positions[i][0]) - observer[0],
                         static_cast<double>(positions[i][1]) - observer[1],
                         static_cast<double>(positions[i][2]) - observer[2]};
    const double chi = std::sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
    double ra = (r[0] == 0.0 && r[1] == 0.0) ? 0.0 : std::atan2(r[1], r[0]) * deg;
    if (ra < 0.0) ra += 360.0;
    const double v_r = chi > 0.0 ? (static_cast<double>(velocities[i][0]) * r[0] + static_cast<double>(velocities[i][1]) * r[1] +
                                    static_cast<double>(velocities[i][2]) * r[2]) / chi
                                 : 0.0;
    s.ra_deg[i] = ra;
    s.dec_deg[i] = chi > 0.0 ? std::asin(std::clamp(r[2] / chi, -1.0, 1.0)) * deg : 0.0;
    s.chi[i] = chi;
    s.z_cos[i] = chi < chi_far ? 1.0 / distance.scale_factor(chi) - 1.0 : std::nan("");
    s.z_obs[i] = (1.0 + s.z_cos[i]) * (1.0 + v_r / speed_of_light_km_s) - 1.0;
    const double a_obs = 1.0 / (1.0 + s.z_obs[i]);
    s.chi_obs[i] = a_obs >= distance.a_min() && a_obs <= 1.0 ? distance(a_obs) : -distance.derivative(1.0) * (1.0 - a_obs);
  }
  return s;
}

/// What find_lightcone_halos needs besides the crossings.
struct lightcone_halo_options {
  double linking_length = 0.2;  ///< b, in mean particle spacings
  std::size_t min_members = 20;
  double mean_spacing = 0;      ///< d̄ = L/N_p of the box, Mpc/h (required)
  double particle_mass = 0;     ///< Msun/h (required: Ω_m ρ_crit,0 L³/N_p)
  cosmology::parameters cosmology{};
  halo_centre centre = halo_centre::potential_minimum;
  bool spherical_overdensity = true;
  std::optional<vec3<double>> observer{};  ///< Mpc/h (required)

  void validate() const {
    require(observer.has_value(), "lightcone_halo_options.observer", "none",
            "the observer's position in Mpc/h (the lightcone's own observer)");
    require(std::isfinite(mean_spacing) && mean_spacing > 0.0, "lightcone_halo_options.mean_spacing", mean_spacing,
            "the box's mean particle spacing L/N_p in Mpc/h (an open point set cannot infer it)");
    require(std::isfinite(particle_mass) && particle_mass > 0.0, "lightcone_halo_options.particle_mass", particle_mass,
            "the particle mass in Msun/h (Omega_m rho_crit L^3 / N_p)");
  }
};

/// Groups, their catalogue (halos.scale_factor: each halo's a_h) and the haloes' sky coordinates.
struct lightcone_halo_result {
  fof_groups groups;
  halo_catalogue halos;
  sky_coordinates sky;
};

/// Haloes of the crossings `points` (see the file comment). Deterministic for a given order of
/// the crossings (shells hand them out sorted by id, then replica).
inline lightcone_halo_result find_lightcone_halos(std::span<const lightcone::crossing> points,
                                                  const lightcone_halo_options& opt) {
  opt.validate();
  const std::size_t n = points.size();
  std::vector<vec3<double>> x(n), p(n);
  std::vector<double> a(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = points[i].position, p[i] = points[i].momentum, a[i] = points[i].a;
  lightcone_halo_result out;
  out.groups = friends_of_friends<double>(x, 0.0,
                                          {.linking_length = opt.linking_length, .min_members = opt.min_members,
                                           .periodic = false, .mean_spacing = opt.mean_spacing});
  halo_options h;
  h.cosmology = opt.cosmology;
  h.a = 1.0;  // replaced by each halo's a_h
  h.particle_mass = opt.particle_mass;
  h.centre = opt.centre;
  h.spherical_overdensity = opt.spherical_overdensity;
  h.point_a = a;
  out.halos = halo_properties<double>(x, p, 0.0, out.groups, h);
  const lightcone::comoving_distance distance(cosmology::background(opt.cosmology), 0.01);
  out.sky = sky_coordinates_of<double>(out.halos.position, out.halos.velocity, *opt.observer, distance);
  return out;
}

}  // namespace lagframe::halos
