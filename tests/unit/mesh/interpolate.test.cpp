// SPDX-License-Identifier: BSD-3-Clause
// Parallel SIMD interpolation (interpolate.hpp) against reference::interpolate, and its
// adjointness with deposit (deposit.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <span>
#include <vector>

#include "lagframe/mesh/deposit.hpp"
#include "lagframe/mesh/interpolate.hpp"
#include "lagframe/mesh/reference.hpp"
#include "mesh_test_support.hpp"

using namespace lagframe;
using namespace lagframe::mesh;

#define MESH_STENCILS_AND_REALS                                                                \
  std::pair<ngp, float>, std::pair<ngp, double>, std::pair<cic, float>, std::pair<cic, double>, \
      std::pair<tsc, float>, std::pair<tsc, double>

namespace {
template <class Real>
real_field<Real> random_field(std::size_t n, double side, unsigned seed) {
  real_field<Real> f(n, side);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) f(i, j, k) = static_cast<Real>(1.0 + g(rng));
  return f;
}
}  // namespace

TEST_CASE_TEMPLATE("interpolation matches the reference; the three overloads agree" *
                       doctest::test_suite("unit.mesh"),
                   T, MESH_STENCILS_AND_REALS) {
  using A = typename T::first_type;
  using Real = typename T::second_type;
  const std::size_t n = 16;
  const double side = 40.0;
  auto x = test::random_positions<Real>(3001, side, 4);
  x.push_back({Real(0), Real(side / 2), std::nextafter(static_cast<Real>(side), Real(0))});
  const std::span<const vec3<Real>> xs(x);
  const auto gx = random_field<Real>(n, side, 1), gy = random_field<Real>(n, side, 2),
             gz = random_field<Real>(n, side, 3);
  std::vector<Real> ref(x.size()), fast(x.size()), scalar(x.size());
  reference::interpolate<A>(gx, xs, std::span<Real>(ref));
  interpolate<A>(gx, xs, std::span<Real>(fast));
  interpolate_scalar<A>(gx, xs, std::span<Real>(scalar));
  double max_ref = 0.0, diff = 0.0, diff_scalar = 0.0;
  for (std::size_t p = 0; p < x.size(); ++p) {
    max_ref = std::max(max_ref, std::abs(static_cast<double>(ref[p])));
    diff = std::max(diff, std::abs(static_cast<double>(fast[p]) - static_cast<double>(ref[p])));
    diff_scalar = std::max(diff_scalar, std::abs(static_cast<double>(fast[p]) - static_cast<double>(scalar[p])));
  }
  CHECK(diff <= 1e-6 * max_ref);
  CHECK(diff_scalar <= 1e-12 * max_ref);

  std::vector<vec3<Real>> by_component(x.size(), vec3<Real>{Real(-7), Real(-7), Real(-7)});
  interpolate<A>(gy, xs, std::span<vec3<Real>>(by_component), 1);
  for (std::size_t p = 0; p < x.size(); ++p) {
    CHECK(by_component[p][0] == Real(-7));  // other components untouched
    CHECK(by_component[p][2] == Real(-7));
  }
  interpolate<A>(gx, xs, std::span<vec3<Real>>(by_component), 0);
  interpolate_scalar<A>(gz, xs, std::span<vec3<Real>>(by_component), 2);
  std::vector<vec3<Real>> together(x.size()), together_scalar(x.size());
  interpolate<A>(gx, gy, gz, xs, std::span<vec3<Real>>(together));
  interpolate_scalar<A>(gx, gy, gz, xs, std::span<vec3<Real>>(together_scalar));
  for (std::size_t p = 0; p < x.size(); ++p) {
    CHECK(together[p][0] == fast[p]);
    for (int d = 0; d < 3; ++d) {
      CHECK(static_cast<double>(together[p][d]) == doctest::Approx(static_cast<double>(by_component[p][d])).epsilon(1e-12));
      CHECK(static_cast<double>(together_scalar[p][d]) == doctest::Approx(static_cast<double>(together[p][d])).epsilon(1e-12));
    }
  }
}

TEST_CASE_TEMPLATE("a constant grid interpolates to the constant" * doctest::test_suite("unit.mesh"),
                   T, MESH_STENCILS_AND_REALS) {
  using A = typename T::first_type;
  using Real = typename T::second_type;
  const double side = 30.0;
  real_field<Real> g(8, side);
  g.fill(Real(2.5));
  auto x = test::random_positions<Real>(1000, side, 8);
  x.push_back({Real(0), Real(0), Real(0)});
  x.push_back({std::nextafter(static_cast<Real>(side), Real(0)), Real(side / 8), Real(0)});
  std::vector<Real> out(x.size());
  interpolate<A>(g, std::span<const vec3<Real>>(x), std::span<Real>(out));
  const double tol = std::is_same_v<Real, float> ? 1e-6 : 1e-13;
  for (const Real v : out) CHECK(static_cast<double>(v) == doctest::Approx(2.5).epsilon(tol));
}

TEST_CASE_TEMPLATE("interpolation is bitwise identical at 1, 2 and 3 threads" * doctest::test_suite("unit.mesh"),
                   T, MESH_STENCILS_AND_REALS) {
  using A = typename T::first_type;
  using Real = typename T::second_type;
  const double side = 40.0;
  const auto g = random_field<Real>(16, side, 5);
  const auto x = test::random_positions<Real>(5000, side, 6);
  std::vector<vec3<Real>> one(x.size()), many(x.size());
  test::with_threads(1, [&] { interpolate<A>(g, g, g, std::span<const vec3<Real>>(x), std::span<vec3<Real>>(one)); });
  for (const int threads : {2, 3}) {
    test::with_threads(threads, [&] { interpolate<A>(g, g, g, std::span<const vec3<Real>>(x), std::span<vec3<Real>>(many)); });
    CHECK(one == many);
  }
}

TEST_CASE_TEMPLATE("deposit and interpolation are adjoint: <D w, g> = <w, I g>" *
                       doctest::test_suite("unit.mesh"),
                   A, ngp, cic, tsc) {
  const std::size_t n = 16;
  const double side = 25.0;
  const auto x = test::clustered_positions<double>(4000, side, 12);
  const auto g = random_field<double>(n, side, 13);
  // w: particle weights 1, 2, 3, 4 in four interleaved groups (deposit takes one mass per call).
  real_field<double> rho(n, side);
  deposit_workspace ws;
  std::vector<double> w(x.size());
  for (int group = 0; group < 4; ++group) {
    std::vector<vec3<double>> part;
    for (std::size_t p = group; p < x.size(); p += 4) {
      part.push_back(x[p]);
      w[p] = 1.0 + group;
    }
    deposit<A>(std::span<const vec3<double>>(part), 1.0 + group, rho, ws);
  }
  std::vector<double> ig(x.size());
  interpolate<A>(g, std::span<const vec3<double>>(x), std::span<double>(ig));
  double lhs = 0.0, rhs = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) {
        lhs += rho(i, j, k) * g(i, j, k);
        scale += std::abs(rho(i, j, k) * g(i, j, k));
      }
  for (std::size_t p = 0; p < x.size(); ++p) rhs += w[p] * ig[p];
  CHECK(std::abs(lhs - rhs) <= 1e-6 * scale);
  CHECK(std::abs(lhs - rhs) <= 1e-12 * scale);  // in double it is exact up to rounding
}

TEST_CASE("interpolation validates its arguments" * doctest::test_suite("unit.mesh")) {
  const double side = 10.0;
  real_field<double> g(8, side);
  auto x = test::random_positions<double>(200, side, 2);
  std::vector<double> out(x.size());
  std::vector<double> short_out(3);
  CHECK_THROWS_WITH_AS(interpolate<cic>(g, std::span<const vec3<double>>(x), std::span<double>(short_out)),
                       doctest::Contains("output size = 3"), config_error);
  std::vector<vec3<double>> out3(x.size());
  CHECK_THROWS_WITH_AS(interpolate<cic>(g, std::span<const vec3<double>>(x), std::span<vec3<double>>(out3), 3),
                       doctest::Contains("component = 3"), config_error);
  real_field<double> other(16, side);
  CHECK_THROWS_AS(interpolate<cic>(g, other, g, std::span<const vec3<double>>(x), std::span<vec3<double>>(out3)),
                  config_error);
  x[150][2] = -std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH_AS(interpolate<tsc>(g, std::span<const vec3<double>>(x), std::span<double>(out)),
                       doctest::Contains("position[150]"), config_error);
}
