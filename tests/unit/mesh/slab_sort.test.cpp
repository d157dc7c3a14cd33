// SPDX-License-Identifier: BSD-3-Clause
// The slab sort and the even/odd slab groups behind the atomic-free deposit (detail/slab_sort.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>

#include "lagframe/mesh/detail/slab_sort.hpp"
#include "mesh_test_support.hpp"

using namespace lagframe;
using namespace lagframe::mesh;

TEST_CASE("slab groups: an even count, each at least `support` planes thick" * doctest::test_suite("unit.mesh")) {
  for (int support = 1; support <= 4; ++support) {
    for (std::size_t n = 2; n <= 130; ++n) {
      CAPTURE(support);
      CAPTURE(n);
      const std::size_t groups = mesh::detail::slab_group_count(n, support);
      if (n < 2 * static_cast<std::size_t>(support)) {
        CHECK(groups == 0);
        continue;
      }
      REQUIRE(groups >= 2);
      CHECK(groups % 2 == 0);
      // Two groups that run concurrently (same parity) never write the same plane: group g
      // writes planes [begin_g, begin_{g+1} + support − 1) modulo n.
      for (std::size_t g = 0; g < groups; ++g) {
        const std::size_t begin = mesh::detail::slab_group_begin(g, groups, n);
        const std::size_t end = mesh::detail::slab_group_begin(g + 1, groups, n);
        CHECK(end - begin >= static_cast<std::size_t>(support));
      }
      CHECK(mesh::detail::slab_group_begin(groups, groups, n) == n);
      std::size_t shared_planes = 0;
      for (std::size_t g = 0; g < groups; ++g) {
        for (std::size_t h = g + 2; h < groups; h += 2) {
          const std::size_t gb = mesh::detail::slab_group_begin(g, groups, n);
          const std::size_t ge = mesh::detail::slab_group_begin(g + 1, groups, n) + support - 1;
          const std::size_t hb = mesh::detail::slab_group_begin(h, groups, n);
          const std::size_t he = mesh::detail::slab_group_begin(h + 1, groups, n) + support - 1;
          for (std::size_t p = gb; p < ge; ++p)
            for (std::size_t q = hb; q < he; ++q) shared_planes += (p % n == q % n);
        }
      }
      CHECK(shared_planes == 0);
    }
  }
}

TEST_CASE_TEMPLATE("the slab sort is a stable sort by first-node slab, at any thread count" *
                       doctest::test_suite("unit.mesh"),
                   A, ngp, cic, tsc) {
  const std::size_t n = 24;
  const double side = 48.0;
  const auto x = test::clustered_positions<float>(70000, side, 21);  // several sort chunks
  const vec3<double> shift{-0.7, 0.0, 0.0};
  const double inv_dx = 1.0 / (side / n);
  mesh::detail::slab_sort one;
  test::with_threads(1, [&] {
    mesh::detail::sort_by_slab<A, true>(std::span<const vec3<float>>(x), shift, side, inv_dx,
                                        static_cast<std::int32_t>(n), one);
  });
  // Expected: a stable sort of the positions by slab, done independently here.
  const auto slab_of = [&](const vec3<float>& p) {
    const double first = A::first_node((static_cast<double>(p[0]) + shift[0]) * inv_dx);
    return static_cast<std::size_t>(first - n * std::floor(first / n));
  };
  auto expected = x;
  std::stable_sort(expected.begin(), expected.end(),
                   [&](const auto& a, const auto& b) { return slab_of(a) < slab_of(b); });
  REQUIRE(one.sorted_float.size() == x.size());
  CHECK(one.sorted_float == expected);
  REQUIRE(one.slab_start.size() == n + 1);
  CHECK(one.slab_start[0] == 0);
  CHECK(one.slab_start[n] == x.size());
  for (std::size_t s = 0; s < n; ++s) {
    for (std::size_t r = one.slab_start[s]; r < one.slab_start[s + 1]; ++r) {
      CHECK(slab_of(one.sorted_float[r]) == s);
    }
  }
  for (const int threads : {2, 3}) {
    mesh::detail::slab_sort many;
    test::with_threads(threads, [&] {
      mesh::detail::sort_by_slab<A, false>(std::span<const vec3<float>>(x), shift, side, inv_dx,
                                           static_cast<std::int32_t>(n), many);
    });
    CHECK(many.sorted_float == one.sorted_float);
    CHECK(many.slab_start == one.slab_start);
  }
}
