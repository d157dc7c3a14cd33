// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file crossing_window.hpp
/// When can the lightcone record a particle that never leaves a known region? (docs/physics.md
/// §16.7.) The region is an axis-aligned box [lo, hi] (Mpc/h, unwrapped coordinates) grown by a
/// distance R in every direction (the Minkowski sum of the box and a ball of radius R): an sCOLA
/// tile's core lattice and a bound on its particles' displacements. For every periodic image
/// lo + mL of the region the distances from the observer range over
///   d_near(m) = max(0, |nearest point of the box| − R),  d_far(m) = |farthest point| + R
/// (exact for the grown box). An image counts when [d_near, d_far] meets the recorded range
/// [χ_min, χ_max) and its bounding sphere meets the footprint's bounding cone (the angle between
/// the axis and the sphere's centre is at most θ plus the sphere's angular radius). A particle of the
/// region is then recorded only while the front χ(a) lies in
///   [χ_near, χ_far],  χ_near = min_m max(d_near, χ_min),  χ_far = max_m min(d_far, χ_max),
/// i.e. for a in [a(χ_far), a(χ_near)]: after a_last = a(χ_near) the front is nearer than every
/// point the region's particles can reach, so f(a) = χ(a) − |x + nL − o| < 0 for all of them
/// (docs/physics.md §16.2) and none can be counted any more. Conservative by construction
/// (bounding spheres, R in every direction), never too early as long as R bounds the
/// displacements.

#include <algorithm>
#include <cmath>
#include <numbers>

#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/lightcone/lightcone.hpp"

namespace lagframe::lightcone {

/// The window of fronts (and scale factors) in which a region's particles can be recorded.
struct crossing_window {
  bool possible = false;            ///< false: the region never meets the recorded lightcone
  double chi_near = 0, chi_far = 0;  ///< Mpc/h: the front distances at which it can be recorded
  double a_first = 0, a_last = 0;    ///< a(chi_far) ≤ a(chi_near): the first and last possible crossing
};

/// The crossing window of the box [lo, hi] grown by `reach` (Mpc/h), for `cone`'s observer,
/// footprint, recorded range and box (any periodic image of the region).
[[nodiscard]] inline crossing_window region_window(const lightcone& cone, const vec3<double>& lo,
                                                   const vec3<double>& hi, double reach) {
  require(std::isfinite(reach) && reach >= 0.0, "lightcone region reach", reach, "a distance >= 0 in Mpc/h");
  for (int d = 0; d < 3; ++d)
    require(std::isfinite(lo[d]) && std::isfinite(hi[d]) && hi[d] >= lo[d], "lightcone region upper corner", hi[d],
            lagframe::detail::concat("a coordinate >= the lower corner's ", lo[d], " Mpc/h"));
  const auto& opt = cone.options();
  const double side = cone.domain().side_mpc_h;
  const double chi_lo = cone.chi_min(), chi_hi = cone.chi_max();
  const auto axis = cone.bounding_axis();
  const double theta = cone.bounding_opening_deg() * std::numbers::pi / 180.0;
  const bool whole_sky = cone.bounding_opening_deg() >= 180.0;
  double half_diagonal = 0;
  for (int d = 0; d < 3; ++d) half_diagonal += 0.25 * (hi[d] - lo[d]) * (hi[d] - lo[d]);
  const double radius = std::sqrt(half_diagonal) + reach;  // bounding sphere of the grown box
  // Images whose nearest point can be within χ_max: |m| up to (χ_max + R + extent)/L + 1.
  double extent = 0;
  for (int d = 0; d < 3; ++d) extent = std::max(extent, hi[d] - lo[d]);
  const int span = static_cast<int>(std::ceil((chi_hi + reach + extent) / side)) + 1;
  crossing_window w;
  w.chi_near = chi_hi;
  w.chi_far = chi_lo;
  for (int i = -span; i <= span; ++i)
    for (int j = -span; j <= span; ++j)
      for (int k = -span; k <= span; ++k) {
        const int m[3] = {i, j, k};
        double near2 = 0, far2 = 0, centre[3], centre2 = 0;
        for (int d = 0; d < 3; ++d) {
          const double a = lo[d] + side * m[d] - opt.observer[d], b = hi[d] + side * m[d] - opt.observer[d];
          const double near = a > 0 ? a : (b < 0 ? -b : 0.0);
          const double far = std::max(std::abs(a), std::abs(b));
          near2 += near * near;
          far2 += far * far;
          centre[d] = 0.5 * (a + b);
          centre2 += centre[d] * centre[d];
        }
        const double d_near = std::max(0.0, std::sqrt(near2) - reach), d_far = std::sqrt(far2) + reach;
        if (d_far < chi_lo || d_near >= chi_hi) continue;
        if (!whole_sky) {
          const double c = std::sqrt(centre2);
          if (c > radius) {
            const double along = (centre[0] * axis[0] + centre[1] * axis[1] + centre[2] * axis[2]) / c;
            const double angle = std::acos(std::clamp(along, -1.0, 1.0));
            if (angle - std::asin(radius / c) > theta) continue;
          }
        }
        w.possible = true;
        w.chi_near = std::min(w.chi_near, std::max(d_near, chi_lo));
        w.chi_far = std::max(w.chi_far, std::min(d_far, chi_hi));
      }
  if (!w.possible) return w;
  w.a_first = cone.a_at(w.chi_far);
  w.a_last = cone.a_at(w.chi_near);
  return w;
}

}  // namespace lagframe::lightcone
