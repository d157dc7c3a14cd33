// SPDX-License-Identifier: BSD-3-Clause
// FoF exactness at the size the mock-catalogue issue asks for: on 2·10⁴ clustered points (a
// quarter of the clumps across the periodic faces) the groups of halos::friends_of_friends
// equal, as sets, the connected components of an O(N²) brute-force linking, for b = 0.2 and
// b = 0.28, periodic and open; the results are identical for 1 and 2 threads and across runs.
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <vector>

#include "lagframe/halos/fof.hpp"
#include "unit/halos/fof_test_support.hpp"

using namespace lagframe;
using namespace lagframe::test;

TEST_CASE("FoF equals brute force on 2e4 clustered points, 1 and 2 threads" * doctest::test_suite("physics.halos")) {
  threads_guard guard;
  const double side = 100.0;
  const std::size_t n = 20000;
  const auto x = clustered_points(n, side, 2024, true);
  const double spacing = side / std::cbrt(static_cast<double>(n));
  for (const double b : {0.2, 0.28}) {
    CAPTURE(b);
    const auto root = brute_force_components(x, side, b * spacing, true);
    omp_set_num_threads(1);
    const auto one = halos::friends_of_friends<double>(x, side, {.linking_length = b, .min_members = 2});
    omp_set_num_threads(2);
    const auto two = halos::friends_of_friends<double>(x, side, {.linking_length = b, .min_members = 2});
    const auto again = halos::friends_of_friends<double>(x, side, {.linking_length = b, .min_members = 2});
    const auto expected = as_sets(root, 2);
    MESSAGE("b = ", b, ": ", expected.size(), " groups of >= 2 points, largest ", one.length(0));
    CHECK(as_sets(one) == expected);
    CHECK(one.members == two.members);
    CHECK(one.offsets == two.offsets);
    CHECK(one.group_of == two.group_of);
    CHECK(again.members == two.members);
    CHECK(again.offsets == two.offsets);
  }
  // Open mode: the same points, not wrapped, must equal brute force without the minimum image.
  const auto open = halos::friends_of_friends<double>(
      x, 0.0, {.linking_length = 0.2, .min_members = 2, .periodic = false, .mean_spacing = spacing});
  CHECK(as_sets(open) == as_sets(brute_force_components(x, side, 0.2 * spacing, false), 2));
}
