// SPDX-License-Identifier: BSD-3-Clause
// lightcone/crossing_window.hpp against brute force: points sampled in every periodic image of a
// box grown by R (inside the ball around each sampled box point), filtered by the recorded range
// and the footprint exactly as the lightcone files a crossing. The window must contain every
// such point's distance (never too early), be exact on the full sky, and be empty only when no
// point qualifies. Bad regions are refused.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include "lagframe/lightcone/crossing_window.hpp"
#include "lagframe/lightcone/lightcone.hpp"

using namespace lagframe;

namespace {

struct sampled {
  bool any = false;
  double near = 1e30, far = 0;
};

/// Distances of points within `reach` of the box [lo, hi] in every image that the cone would
/// record (range and footprint as in lightcone::solve).
sampled brute_force(const lightcone::lightcone& cone, const vec3<double>& lo, const vec3<double>& hi, double reach,
                    std::mt19937_64& rng, int samples) {
  const auto& o = cone.options();
  const double side = cone.domain().side_mpc_h;
  const double an = std::sqrt(o.axis[0] * o.axis[0] + o.axis[1] * o.axis[1] + o.axis[2] * o.axis[2]);
  const double cos_open = std::cos(o.opening_deg * std::numbers::pi / 180.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> g;
  sampled s;
  const int span = static_cast<int>(std::ceil((cone.chi_max() + reach) / side)) + 2;
  for (int i = -span; i <= span; ++i)
    for (int j = -span; j <= span; ++j)
      for (int k = -span; k <= span; ++k) {
        const int m[3] = {i, j, k};
        const auto consider = [&](const vec3<double>& x) {
          double r2 = 0, along = 0;
          for (int d = 0; d < 3; ++d) {
            r2 += (x[d] - o.observer[d]) * (x[d] - o.observer[d]);
            along += (x[d] - o.observer[d]) * o.axis[d] / an;
          }
          const double r = std::sqrt(r2);
          if (r < cone.chi_min() || r >= cone.chi_max()) return;
          if (o.shape == lightcone::footprint::cone && along < cos_open * r) return;
          if (o.shape == lightcone::footprint::rectangle) {
            // Right ascension and declination about the observer, in degrees.
            const double dz = x[2] - o.observer[2];
            const double dec = std::asin(dz / r) * 180.0 / std::numbers::pi;
            const double ra = std::fmod(std::atan2(x[1] - o.observer[1], x[0] - o.observer[0]) * 180.0 / std::numbers::pi + 360.0, 360.0);
            if (dec < o.dec_deg[0] || dec > o.dec_deg[1] || ra < o.ra_deg[0] || ra > o.ra_deg[1]) return;
          }
          s.any = true;
          s.near = std::min(s.near, r);
          s.far = std::max(s.far, r);
        };
        // The nearest and farthest points of the grown box: the box's nearest point moved R
        // towards the observer, its farthest corner moved R away.
        vec3<double> near, far;
        double dn = 0, df = 0;
        for (int d = 0; d < 3; ++d) {
          const double a = lo[d] + side * m[d], bb = hi[d] + side * m[d];
          near[d] = std::clamp(o.observer[d], a, bb);
          far[d] = std::abs(a - o.observer[d]) > std::abs(bb - o.observer[d]) ? a : bb;
          dn += (o.observer[d] - near[d]) * (o.observer[d] - near[d]);
          df += (far[d] - o.observer[d]) * (far[d] - o.observer[d]);
        }
        dn = std::sqrt(dn);
        df = std::sqrt(df);
        for (int d = 0; d < 3; ++d) {
          if (dn > 0) near[d] += (o.observer[d] - near[d]) * std::min(reach, dn) / dn;
          far[d] += (far[d] - o.observer[d]) * reach / df;
        }
        consider(near);
        consider(far);
        for (int n = 0; n < samples; ++n) {
          // A point of the box (corners and faces often), moved by up to `reach` in a random direction.
          vec3<double> p, dir;
          double norm = 0;
          for (int d = 0; d < 3; ++d) {
            const double t = u(rng);
            const double f = t < 0.2 ? 0.0 : (t > 0.8 ? 1.0 : u(rng));
            p[d] = lo[d] + f * (hi[d] - lo[d]) + side * m[d];
            dir[d] = g(rng);
            norm += dir[d] * dir[d];
          }
          const double len = reach * (u(rng) < 0.5 ? 1.0 : u(rng)) / std::sqrt(norm);
          for (int d = 0; d < 3; ++d) p[d] += dir[d] * len;
          consider(p);
        }
      }
  return s;
}

}  // namespace

TEST_CASE("crossing window of a grown box against sampled points" * doctest::test_suite("unit.lightcone")) {
  const cosmology::parameters cosmo{};
  const box b{.side_mpc_h = 100.0, .particles_1d = 4};
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  int empty = 0, checked = 0;
  for (int trial = 0; trial < 24; ++trial) {
    lightcone::lightcone_options opt{.observer = {100 * u(rng), 100 * u(rng), 100 * u(rng)},
                                     .z_min = 0.02 * u(rng), .z_max = 0.05 + 0.03 * u(rng)};
    const bool cone_shape = trial % 3 != 0;
    if (cone_shape && trial % 4 == 1) {
      // A rectangle in RA and Dec, from a few degrees to a large part of the sky.
      opt.shape = lightcone::footprint::rectangle;
      const double ra0 = 300.0 * u(rng), dec0 = -90.0 + 150.0 * u(rng);
      opt.ra_deg = {ra0, std::min(360.0, ra0 + (trial % 8 == 1 ? 6.0 : 20.0 + 200.0 * u(rng)))};
      opt.dec_deg = {dec0, std::min(90.0, dec0 + (trial % 8 == 1 ? 6.0 : 10.0 + 80.0 * u(rng)))};
    } else if (cone_shape) {
      opt.shape = lightcone::footprint::cone;
      opt.axis = {u(rng) - 0.5, u(rng) - 0.5, u(rng) - 0.5};
      opt.opening_deg = trial % 2 == 0 ? 4.0 : 30.0 + 100.0 * u(rng);
    }
    const lightcone::lightcone cone(cosmo, b, opt);
    const vec3<double> lo{100 * u(rng), 100 * u(rng), 100 * u(rng)};
    const vec3<double> hi{lo[0] + 25.0 * u(rng), lo[1] + 25.0 * u(rng), lo[2] + 25.0};
    const double reach = trial % 4 == 0 ? 0.0 : 20.0 * u(rng);
    const auto w = lightcone::region_window(cone, lo, hi, reach);
    const auto s = brute_force(cone, lo, hi, reach, rng, 400);
    CAPTURE(trial);
    if (!w.possible) {
      ++empty;
      CHECK_FALSE(s.any);  // an empty window: no sampled point is ever recorded
      continue;
    }
    ++checked;
    CHECK(w.a_first <= w.a_last);
    CHECK(w.a_last == doctest::Approx(cone.a_at(w.chi_near)).epsilon(1e-12));
    CHECK(w.chi_near >= cone.chi_min() - 1e-9);
    CHECK(w.chi_far <= cone.chi_max() + 1e-9);
    if (!s.any) continue;
    // Never too early: every recordable point lies inside [χ_near, χ_far].
    CHECK(s.near >= w.chi_near - 1e-9);
    CHECK(s.far <= w.chi_far + 1e-9);
    if (!cone_shape) {
      // The full-sky window is exact: the nearest and farthest points of the grown box reach it
      // (or the range's ends, where the window is clipped).
      CHECK((s.near - w.chi_near < 1e-6 || w.chi_near - cone.chi_min() < 1e-6));
      CHECK((w.chi_far - s.far < 1e-6 || cone.chi_max() - w.chi_far < 1e-6));
    }
  }
  MESSAGE("windows checked: " << checked << ", empty: " << empty);
  CHECK(checked >= 12);
  CHECK(empty >= 1);
}

TEST_CASE("crossing window: bad regions are refused" * doctest::test_suite("unit.lightcone")) {
  const cosmology::parameters cosmo{};
  const box b{.side_mpc_h = 100.0, .particles_1d = 4};
  const lightcone::lightcone cone(cosmo, b, {.observer = {50.0, 50.0, 50.0}, .z_max = 0.05});
  CHECK_THROWS_WITH_AS((void)lightcone::region_window(cone, {0, 0, 0}, {1, 1, 1}, -2.0), doctest::Contains("reach"),
                       config_error);
  CHECK_THROWS_WITH_AS((void)lightcone::region_window(cone, {0, 5, 0}, {1, 1, 1}, 2.0), doctest::Contains("upper corner"),
                       config_error);
}
