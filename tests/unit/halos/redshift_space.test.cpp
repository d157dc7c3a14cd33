// SPDX-License-Identifier: BSD-3-Clause
// halos::redshift_space_positions: the plane-parallel shift Δs = v_∥/(100 a E(a)) with the
// periodic wrap, the momentum form Δs = n·p/(a²E), radial lines of sight from an observer, and
// the errors for an open (lightcone-style) point set without an observer.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "lagframe/cosmology/background.hpp"
#include "lagframe/halos/redshift_space.hpp"

using namespace lagframe;

TEST_CASE("plane-parallel shifts along each axis, wrapped" * doctest::test_suite("unit.halos")) {
  const cosmology::parameters cosmo{};
  const double a = 0.5, side = 100.0;
  const double e = cosmology::background(cosmo).e(a);
  const std::vector<vec3<double>> x{{10, 20, 30}, {99.5, 0.2, 50}};
  const std::vector<vec3<double>> v{{300, -200, 100}, {500, -400, 0}};
  for (int axis = 0; axis < 3; ++axis) {
    const auto s = halos::redshift_space_positions<double>(x, v, cosmo, a, {.axis = axis, .side = side});
    for (std::size_t i = 0; i < x.size(); ++i)
      for (int d = 0; d < 3; ++d) {
        const double expected = wrap_periodic(x[i][d] + (d == axis ? v[i][d] / (100.0 * a * e) : 0.0), side);
        CHECK(s[i][d] == doctest::Approx(expected).epsilon(1e-14));
      }
  }
  // 500 km/s at a = 0.5 moves 99.5 past the face: it comes back near 0.
  const auto s = halos::redshift_space_positions<double>(x, v, cosmo, a, {.axis = 0, .side = side});
  CHECK(s[1][0] < 10.0);
  // Momentum form: p = a v / 100 gives the same positions, Δs = p/(a²E).
  std::vector<vec3<double>> p(v.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    for (int d = 0; d < 3; ++d) p[i][d] = a * v[i][d] / 100.0;
  const auto sp = halos::redshift_space_positions_from_momenta<double>(x, p, cosmo, a, {.axis = 0, .side = side});
  for (std::size_t i = 0; i < x.size(); ++i)
    for (int d = 0; d < 3; ++d) CHECK(sp[i][d] == doctest::Approx(s[i][d]).epsilon(1e-12));
  CHECK(sp[0][0] == doctest::Approx(10.0 + p[0][0] / (a * a * e)).epsilon(1e-12));
}

TEST_CASE("radial lines of sight from an observer (lightcone-style sets)" * doctest::test_suite("unit.halos")) {
  const cosmology::parameters cosmo{};
  const double a = 1.0;
  const vec3<double> o{-100, 0, 0};
  const std::vector<vec3<double>> x{{0, 0, 0}, {-100, 50, 0}};
  const std::vector<vec3<double>> v{{100, 300, 0}, {100, 300, 0}};  // first: n = x̂; second: n = ŷ
  const auto s = halos::redshift_space_positions<double>(x, v, cosmo, a, {.axis = -1, .side = 0.0, .observer = o});
  CHECK(s[0][0] == doctest::Approx(1.0));  // 100 km/s at a = 1, E = 1: 1 Mpc/h
  CHECK(s[0][1] == 0.0);
  CHECK(s[1][0] == doctest::Approx(-100.0));
  CHECK(s[1][1] == doctest::Approx(53.0));
  // An open set with an observer is radial even if an axis is left at its default.
  const auto t = halos::redshift_space_positions<double>(x, v, cosmo, a, {.axis = 2, .side = 0.0, .observer = o});
  CHECK(t == s);
}

TEST_CASE("an open set without an observer, and other impossible options, are rejected" *
          doctest::test_suite("unit.halos")) {
  const cosmology::parameters cosmo{};
  const std::vector<vec3<double>> x{{1, 2, 3}}, v{{0, 0, 0}};
  CHECK_THROWS_WITH_AS(halos::redshift_space_positions<double>(x, v, cosmo, 1.0, {}),
                       doctest::Contains("open (lightcone-style) point set has no plane-parallel line of sight"),
                       config_error);
  CHECK_THROWS_WITH_AS(halos::redshift_space_positions<double>(x, v, cosmo, 1.0, {.axis = -1, .side = 10.0}),
                       doctest::Contains("observer position for radial lines of sight"), config_error);
  CHECK_THROWS_WITH_AS(halos::redshift_space_positions<double>(x, v, cosmo, 1.0, {.axis = 3, .side = 10.0}),
                       doctest::Contains("redshift_space_options.axis = 3"), config_error);
  CHECK_THROWS_WITH_AS(halos::redshift_space_positions<double>(x, {}, cosmo, 1.0, {.side = 10.0}),
                       doctest::Contains("number of velocities = 0"), config_error);
}
