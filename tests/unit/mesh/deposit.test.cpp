// SPDX-License-Identifier: BSD-3-Clause
// Slab-sorted parallel deposit (deposit.hpp) against reference::deposit and docs/physics.md §5.2.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/mesh/deposit.hpp"
#include "lagframe/mesh/reference.hpp"
#include "mesh_test_support.hpp"

using namespace lagframe;
using namespace lagframe::mesh;

#define MESH_STENCILS_AND_REALS                                                                \
  std::pair<ngp, float>, std::pair<ngp, double>, std::pair<cic, float>, std::pair<cic, double>, \
      std::pair<tsc, float>, std::pair<tsc, double>

TEST_CASE_TEMPLATE("deposit conserves mass and matches the reference" * doctest::test_suite("unit.mesh"),
                   T, MESH_STENCILS_AND_REALS) {
  using A = typename T::first_type;
  using Real = typename T::second_type;
  const double side = 50.0;
  for (const std::size_t n : {std::size_t{16}, std::size_t{17}}) {
    CAPTURE(n);
    for (const bool clustered : {false, true}) {
      CAPTURE(clustered);
      const auto x = clustered ? test::clustered_positions<Real>(6000, side, 11)
                               : test::random_positions<Real>(6000, side, 7);
      const std::span<const vec3<Real>> xs(x);
      const Real mass = Real(0.37);
      real_field<Real> fast(n, side), ref(n, side), scalar(n, side);
      deposit_workspace ws;
      deposit<A>(xs, mass, fast, ws);
      deposit_scalar<A>(xs, mass, scalar, ws);
      reference::deposit<A>(xs, mass, ref);
      const double total = static_cast<double>(mass) * static_cast<double>(x.size());
      CHECK(fast.sum() == doctest::Approx(total).epsilon(1e-6));
      // Contributions reach a cell in slab order rather than particle order. In double that
      // is invisible at 1e-6; in float a cell holding K contributions may differ by ~K·ε/2
      // (ε = 1.2e-7): below 1e-6 for the uniform set (≲ 10 per cell), up to ~4e-6 for the
      // clustered one (up to ~140 per cell).
      const double tol = (std::is_same_v<Real, float> && clustered) ? 4e-6 : 1e-6;
      CHECK(test::max_abs_difference(fast, ref) <= tol * test::max_abs(ref));
      CHECK(test::max_abs_difference(fast, scalar) <= 1e-12 * test::max_abs(ref));
    }
  }
}

TEST_CASE_TEMPLATE("deposit is bitwise identical at 1, 2 and 3 threads" * doctest::test_suite("unit.mesh"),
                   T, MESH_STENCILS_AND_REALS) {
  using A = typename T::first_type;
  using Real = typename T::second_type;
  const double side = 100.0;
  const std::size_t n = 32;
  // Enough particles for several sort chunks; clustered so slabs are unevenly filled.
  const auto x = test::clustered_positions<Real>(40000, side, 3);
  const std::span<const vec3<Real>> xs(x);
  const vec3<double> shift{0.5 * side / n, 0.5 * side / n, 0.5 * side / n};
  real_field<Real> one(n, side);
  test::with_threads(1, [&] {
    deposit_workspace ws;
    deposit<A>(xs, Real(1), one, ws, shift);
  });
  for (const int threads : {2, 3}) {
    CAPTURE(threads);
    real_field<Real> many(n, side);
    test::with_threads(threads, [&] {
      deposit_workspace ws;
      deposit<A>(xs, Real(1), many, ws, shift);
    });
    CHECK(test::bitwise_equal(one, many));
  }
}

TEST_CASE_TEMPLATE("particles on nodes, just below L and shifted across the edge" *
                       doctest::test_suite("unit.mesh"),
                   T, MESH_STENCILS_AND_REALS) {
  using A = typename T::first_type;
  using Real = typename T::second_type;
  const std::size_t n = 8;
  const double side = 16.0, dx = side / n;
  deposit_workspace ws;

  SUBCASE("at a cell centre: the weights of docs/physics.md §5.2 at d = 0") {
    // Cell i is centred at (i + 1/2)Δ (mesh/concepts.hpp).
    const std::vector<vec3<Real>> x{{Real(3.5 * dx), Real(5.5 * dx), Real(0.5 * dx)}};
    real_field<Real> g(n, side);
    deposit<A>(std::span<const vec3<Real>>(x), Real(2), g, ws);
    // 1D weights at the node and its neighbours: NGP/CIC put everything on the node, TSC
    // puts 3/4 there and 1/8 on each side.
    const auto w1 = [](int s) { return A::support == 3 ? (s == 0 ? 0.75 : (s == 1 || s == -1 ? 0.125 : 0.0)) : (s == 0 ? 1.0 : 0.0); };
    for (int a = -2; a <= 2; ++a)
      for (int b = -2; b <= 2; ++b)
        for (int c = -2; c <= 2; ++c) {
          const double expected = 2.0 * w1(a) * w1(b) * w1(c);
          const auto value = g((3 + a + n) % n, (5 + b + n) % n, (c + n) % n);
          CHECK(static_cast<double>(value) == doctest::Approx(expected).epsilon(1e-6));
        }
    CHECK(g.sum() == doctest::Approx(2.0).epsilon(1e-6));
  }

  SUBCASE("x just below L sits on the corner shared by cells N-1 and 0") {
    const Real below = std::nextafter(static_cast<Real>(side), Real(0));
    const std::vector<vec3<Real>> x{{below, below, below}};
    real_field<Real> g(n, side), ref(n, side);
    deposit<A>(std::span<const vec3<Real>>(x), Real(1), g, ws);
    reference::deposit<A>(std::span<const vec3<Real>>(x), Real(1), ref);
    CHECK(test::bitwise_equal(g, ref));
    CHECK(g.sum() == doctest::Approx(1.0).epsilon(1e-6));
    // u = N − ε: NGP puts everything in cell N−1; CIC and TSC split each axis half and half
    // between cells N−1 and N ≡ 0, so cell (0, 0, 0) gets 1/8.
    if constexpr (A::support == 1) CHECK(static_cast<double>(g(n - 1, n - 1, n - 1)) == doctest::Approx(1.0).epsilon(1e-5));
    else CHECK(static_cast<double>(g(0, 0, 0)) == doctest::Approx(0.125).epsilon(1e-5));
  }

  SUBCASE("a shift (interlacing) equals depositing explicitly shifted, wrapped positions") {
    auto x = test::random_positions<Real>(500, side, 5);
    x.push_back({Real(0), Real(0), Real(0)});
    x.push_back({std::nextafter(static_cast<Real>(side), Real(0)), Real(0.1), Real(side - 0.01)});
    for (const vec3<double> shift : {vec3<double>{0.5 * dx, 0.5 * dx, 0.5 * dx}, vec3<double>{-0.5 * dx, 0.3 * dx, -side + 0.1}}) {
      CAPTURE(shift[2]);
      real_field<Real> g(n, side), ref(n, side), moved(n, side);
      deposit<A>(std::span<const vec3<Real>>(x), Real(1), g, ws, shift);
      reference::deposit<A>(std::span<const vec3<Real>>(x), Real(1), ref, shift);
      std::vector<vec3<double>> y;
      for (const auto& p : x) {
        vec3<double> q;
        for (int d = 0; d < 3; ++d) q[d] = wrap_periodic(static_cast<double>(p[d]) + shift[d], side);
        y.push_back(q);
      }
      real_field<double> explicit_shift(n, side);
      reference::deposit<A>(std::span<const vec3<double>>(y), 1.0, explicit_shift);
      CHECK(g.sum() == doctest::Approx(static_cast<double>(x.size())).epsilon(1e-6));
      CHECK(test::max_abs_difference(g, ref) <= 1e-6 * test::max_abs(ref));
      double diff = 0.0;
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
          for (std::size_t k = 0; k < n; ++k)
            diff = std::max(diff, std::abs(static_cast<double>(g(i, j, k)) - explicit_shift(i, j, k)));
      CHECK(diff <= 1e-5 * test::max_abs(explicit_shift));
    }
  }
}

TEST_CASE_TEMPLATE("thin meshes (serial fallback) still match the reference" * doctest::test_suite("unit.mesh"),
                   A, ngp, cic, tsc) {
  for (std::size_t n = 2; n <= 7; ++n) {
    CAPTURE(n);
    const double side = 10.0;
    const auto x = test::random_positions<double>(300, side, static_cast<unsigned>(n));
    real_field<double> g(n, side), ref(n, side);
    deposit_workspace ws;
    deposit<A>(std::span<const vec3<double>>(x), 1.5, g, ws, {0.3, -0.2, 0.1});
    reference::deposit<A>(std::span<const vec3<double>>(x), 1.5, ref, {0.3, -0.2, 0.1});
    CHECK(test::max_abs_difference(g, ref) <= 1e-12 * test::max_abs(ref));
  }
}

TEST_CASE("the workspace is reused without reallocating; empty input is a no-op" * doctest::test_suite("unit.mesh")) {
  const double side = 20.0;
  const auto x = test::random_positions<float>(5000, side, 9);
  real_field<float> g(16, side);
  deposit_workspace ws;
  deposit<cic>(std::span<const vec3<float>>(x), 1.0f, g, ws);
  const auto* sorted = ws.bins.sorted_float.data();
  const auto* order = ws.bins.order.data();
  const auto* scratch = ws.threads.at(0).sorted[0].data();
  deposit<cic>(std::span<const vec3<float>>(x), 1.0f, g, ws);
  CHECK(ws.bins.sorted_float.data() == sorted);
  CHECK(ws.bins.order.data() == order);
  CHECK(ws.threads.at(0).sorted[0].data() == scratch);
  CHECK(g.sum() == doctest::Approx(10000.0).epsilon(1e-6));
  deposit<cic>(std::span<const vec3<float>>(), 1.0f, g, ws);
  CHECK(g.sum() == doctest::Approx(10000.0).epsilon(1e-6));
}

TEST_CASE("a bad position is named and leaves the grid untouched" * doctest::test_suite("unit.mesh")) {
  const double side = 20.0;
  auto x = test::random_positions<double>(100, side, 1);
  x[42][1] = std::numeric_limits<double>::quiet_NaN();
  x[77][0] = 3.0 * side;
  real_field<double> g(8, side);
  deposit_workspace ws;
  CHECK_THROWS_WITH_AS(deposit<tsc>(std::span<const vec3<double>>(x), 1.0, g, ws),
                       doctest::Contains("position[42]"), config_error);
  CHECK(test::max_abs(g) == 0.0);
  x[42][1] = 1.0;
  CHECK_THROWS_WITH_AS(deposit<cic>(std::span<const vec3<double>>(x), 1.0, g, ws),
                       doctest::Contains("position[77] = (60"), config_error);
  x[77][0] = 1.0;
  CHECK_THROWS_AS(deposit<cic>(std::span<const vec3<double>>(x), 1.0, g, ws, {0.0, 0.0, 2.0 * side}),
                  config_error);
}

TEST_CASE_TEMPLATE("deposit_replacing equals zeroing then deposit, bit for bit, whatever the grid held" *
                       doctest::test_suite("unit.mesh"),
                   T, MESH_STENCILS_AND_REALS) {
  using A = typename T::first_type;
  using Real = typename T::second_type;
  const double side = 40.0;
  // 2 … 7: the serial path (fewer than two slab groups) for some stencils; 16, 17, 30: the
  // even/odd groups, with groups of unequal thickness for 17 and 30.
  for (const std::size_t n : {std::size_t{2}, std::size_t{5}, std::size_t{7}, std::size_t{16}, std::size_t{17},
                              std::size_t{30}}) {
    CAPTURE(n);
    const auto x = test::clustered_positions<Real>(20000, side, 5);
    const std::span<const vec3<Real>> xs(x);
    const vec3<double> shift{0.25 * side / static_cast<double>(n), -0.1, 0.0};
    real_field<Real> expected(n, side);
    deposit_workspace ws;
    deposit<A>(xs, Real(0.7), expected, ws, shift);
    for (const int threads : {1, 2, 3}) {
      CAPTURE(threads);
      real_field<Real> replaced(n, side);
      // Stale contents everywhere, padding included: NaN would poison any cell not zeroed.
      std::fill(replaced.storage().begin(), replaced.storage().end(), std::numeric_limits<Real>::quiet_NaN());
      test::with_threads(threads, [&] {
        deposit_workspace own;
        deposit_replacing<A>(xs, Real(0.7), replaced, own, shift);
      });
      CHECK(test::bitwise_equal(expected, replaced));
    }
  }
}

TEST_CASE("deposit_replacing: empty input gives a zero grid; a bad position leaves the grid as it was" *
          doctest::test_suite("unit.mesh")) {
  const double side = 20.0;
  real_field<double> g(16, side);
  g.fill(3.0);
  deposit_workspace ws;
  deposit_replacing<cic>(std::span<const vec3<double>>(), 1.0, g, ws);
  CHECK(test::max_abs(g) == 0.0);
  auto x = test::random_positions<double>(100, side, 2);
  x[13][2] = -2.0 * side;
  g.fill(3.0);
  CHECK_THROWS_WITH_AS(deposit_replacing<tsc>(std::span<const vec3<double>>(x), 1.0, g, ws),
                       doctest::Contains("position[13]"), config_error);
  CHECK(g.sum() == doctest::Approx(3.0 * 16 * 16 * 16));
}

TEST_CASE_TEMPLATE("the workspace keeps the deposit's positions in cell order, the same at any thread count" *
                       doctest::test_suite("unit.mesh"),
                   T, MESH_STENCILS_AND_REALS) {
  using A = typename T::first_type;
  using Real = typename T::second_type;
  const double side = 30.0;
  for (const std::size_t n : {std::size_t{5}, std::size_t{24}}) {  // the serial path and the groups
    CAPTURE(n);
    const auto x = test::clustered_positions<Real>(15000, side, 21);
    const std::span<const vec3<Real>> xs(x);
    const vec3<double> shift{0.5 * side / static_cast<double>(n), 0.0, -0.2};
    std::vector<std::uint32_t> first_index;
    for (const int threads : {1, 2, 3}) {
      CAPTURE(threads);
      real_field<Real> g(n, side);
      deposit_workspace ws;
      test::with_threads(threads, [&] { deposit_replacing<A>(xs, Real(1), g, ws, shift); });
      const auto [ordered, index] = ws.cell_order_of<Real>(xs);
      REQUIRE(ordered.size() == x.size());
      REQUIRE(index.size() == x.size());
      // A permutation of the input, each position carried with its index ...
      std::vector<char> seen(x.size(), 0);
      bool carried = true;
      for (std::size_t i = 0; i < x.size(); ++i) {
        REQUIRE(index[i] < x.size());
        seen[index[i]] = 1;
        carried = carried && ordered[i] == x[index[i]];
      }
      CHECK(carried);
      CHECK(std::count(seen.begin(), seen.end(), char{1}) == static_cast<std::ptrdiff_t>(x.size()));
      // ... sorted by (slab, row, column) of the first node after the shift, then by index.
      const auto cell = [&](const vec3<Real>& p) {
        std::array<long, 3> c{};
        for (int d = 0; d < 3; ++d) {
          const double u = (static_cast<double>(p[d]) + shift[d]) / (side / static_cast<double>(n));
          long f = static_cast<long>(A::first_node(u));
          f = ((f % static_cast<long>(n)) + static_cast<long>(n)) % static_cast<long>(n);
          c[static_cast<std::size_t>(d)] = f;
        }
        return c;
      };
      bool in_order = true;
      for (std::size_t i = 1; i < x.size(); ++i) {
        const auto a = cell(ordered[i - 1]), b = cell(ordered[i]);
        in_order = in_order && (a < b || (a == b && index[i - 1] < index[i]));
      }
      CHECK(in_order);
      if (threads == 1) first_index.assign(index.begin(), index.end());
      CHECK(std::equal(index.begin(), index.end(), first_index.begin()));
      // Other positions (even equal values in another array) are not in the workspace.
      const std::vector<vec3<Real>> copy(x);
      CHECK(ws.cell_order_of<Real>(std::span<const vec3<Real>>(copy)).first.empty());
    }
  }
}
