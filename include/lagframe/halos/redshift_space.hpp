// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file redshift_space.hpp
/// Redshift-space positions (docs/mocks.md §6; Kaiser 1987): the line-of-sight component of the
/// peculiar velocity moves an object along the line of sight n by
///   Δs = (n·v) / (100 a E(a))  Mpc/h,   v in km/s,   equivalently Δs = n·p / (a² E(a))
/// for lagframe's momentum p = a³E dx/da in Mpc/h (docs/physics.md §1.2).
///
/// Lines of sight: plane-parallel along a box axis (the usual choice for periodic boxes; the
/// shifted positions are wrapped), or radial from an observer, n = (x − o)/|x − o| (lightcones;
/// also allowed in a box, then without wrapping unless `side` is given). An open point set
/// (side = 0, a lightcone) has no plane-parallel axis: it needs an observer.
/// Threading: OpenMP over objects; deterministic. Errors: config_error naming the value.

#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/cosmology/background.hpp"
#include "lagframe/cosmology/parameters.hpp"

namespace lagframe::halos {

/// How the line of sight is chosen.
struct redshift_space_options {
  int axis = 2;                            ///< 0, 1, 2: plane-parallel along x, y, z; −1: radial
  double side = 0;                         ///< periodic box side in Mpc/h (wraps the result); 0: open set
  std::optional<vec3<double>> observer{};  ///< required for radial lines of sight and open sets

  /// Throws config_error naming the first impossible value.
  void validate() const {
    require(axis >= -1 && axis <= 2, "redshift_space_options.axis", axis, "0, 1 or 2 (plane-parallel) or -1 (radial)");
    require(std::isfinite(side) && side >= 0.0, "redshift_space_options.side", side,
            "a periodic box side in Mpc/h, or 0 for an open point set");
    require(axis >= 0 || observer.has_value(), "redshift_space_options.observer", "none",
            "an observer position for radial lines of sight");
    require(side > 0.0 || observer.has_value(), "redshift_space_options.observer", "none",
            "an observer position: an open (lightcone-style) point set has no plane-parallel line of sight");
    if (observer)
      for (double v : *observer)
        require(std::isfinite(v), "redshift_space_options.observer", v, "finite coordinates in Mpc/h");
  }
};

/// Redshift-space positions of objects at `positions` (Mpc/h) with peculiar `velocities` (km/s),
/// at scale factor a in cosmology `cosmo`. Radial lines of sight use the observer even when an
/// axis is set.
template <class Real>
std::vector<vec3<Real>> redshift_space_positions(std::span<const vec3<Real>> positions,
                                                 std::span<const vec3<Real>> velocities,
                                                 const cosmology::parameters& cosmo, double a,
                                                 const redshift_space_options& opt) {
  opt.validate();
  require(velocities.size() == positions.size(), "redshift_space_positions: number of velocities", velocities.size(),
          lagframe::detail::concat("one per position (", positions.size(), ")"));
  require(std::isfinite(a) && a > 0.0, "redshift_space_positions: scale factor a", a, "a positive scale factor");
  const double scale = 1.0 / (100.0 * a * cosmology::background(cosmo).e(a));  // Mpc/h per km/s
  const bool radial = opt.axis < 0 || opt.side == 0.0;
  const vec3<double> o = opt.observer.value_or(vec3<double>{0, 0, 0});
  std::vector<vec3<Real>> out(positions.size());
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t ii = 0; ii < static_cast<std::ptrdiff_t>(positions.size()); ++ii) {
    const auto i = static_cast<std::size_t>(ii);
    vec3<double> x{static_cast<double>(positions[i][0]), static_cast<double>(positions[i][1]),
                   static_cast<double>(positions[i][2])};
    const vec3<double> v{static_cast<double>(velocities[i][0]), static_cast<double>(velocities[i][1]),
                         static_cast<double>(velocities[i][2])};
    if (radial) {
      const vec3<double> r{x[0] - o[0], x[1] - o[1], x[2] - o[2]};
      const double len = std::sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
      if (len > 0.0) {
        const double shift = scale * (v[0] * r[0] + v[1] * r[1] + v[2] * r[2]) / len;
        for (std::size_t d = 0; d < 3; ++d) x[d] += shift * r[d] / len;
      }
    } else {
      x[static_cast<std::size_t>(opt.axis)] += scale * v[static_cast<std::size_t>(opt.axis)];
    }
    for (std::size_t d = 0; d < 3; ++d)
      out[i][d] = static_cast<Real>(opt.side > 0.0 ? wrap_periodic(x[d], opt.side) : x[d]);
  }
  return out;
}

/// Same from lagframe momenta p = a³E dx/da (Mpc/h): v = 100 p / a km/s.
template <class Real>
std::vector<vec3<Real>> redshift_space_positions_from_momenta(std::span<const vec3<Real>> positions,
                                                              std::span<const vec3<Real>> momenta,
                                                              const cosmology::parameters& cosmo, double a,
                                                              const redshift_space_options& opt) {
  require(std::isfinite(a) && a > 0.0, "redshift_space_positions: scale factor a", a, "a positive scale factor");
  std::vector<vec3<Real>> v(momenta.size());
  const double f = 100.0 / a;
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t ii = 0; ii < static_cast<std::ptrdiff_t>(momenta.size()); ++ii)
    for (std::size_t d = 0; d < 3; ++d)
      v[static_cast<std::size_t>(ii)][d] = static_cast<Real>(f * static_cast<double>(momenta[static_cast<std::size_t>(ii)][d]));
  return redshift_space_positions<Real>(positions, v, cosmo, a, opt);
}

}  // namespace lagframe::halos
