// SPDX-License-Identifier: BSD-3-Clause
// halos::friends_of_friends: the groups equal those of an O(N²) brute-force linking (as sets,
// with the periodic wrap and in the open mode), the Gadget-4 group order, identical results for
// 1, 2 and 3 threads and across runs, the minimum length, and the errors for impossible options.
#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <numbers>
#include <random>
#include <set>
#include <vector>

#include "lagframe/halos/fof.hpp"
#include "unit/halos/fof_test_support.hpp"

using namespace lagframe;

using namespace lagframe::test;


TEST_CASE("FoF groups equal brute-force linking on 5000 clustered points, periodic wrap included" *
          doctest::test_suite("unit.halos")) {
  // (tests/physics/fof_brute_force.test.cpp does the same with 2·10⁴ points.)
  const double side = 60.0;
  const std::size_t n = 5000;
  const auto x = clustered_points(n, side, 11, true);
  const halos::fof_options opt{.linking_length = 0.2, .min_members = 2};
  const auto groups = halos::friends_of_friends<double>(x, side, opt);
  const double link = 0.2 * side / std::cbrt(static_cast<double>(n));
  CHECK(groups.linking_length_mpc_h == doctest::Approx(link).epsilon(1e-14));
  const auto root = brute_force_components(x, side, link, true);
  const auto expected = as_sets(root, 2);
  const auto found = as_sets(groups);
  CHECK(found.size() == expected.size());
  CHECK(found == expected);
  // Some groups must actually wrap: a member within l of a face and one on the far side.
  std::size_t wrapping = 0;
  for (std::size_t g = 0; g < groups.groups(); ++g) {
    bool low = false, high = false;
    for (auto i : groups.members_of(g)) low |= x[i][0] < 1.0, high |= x[i][0] > side - 1.0;
    wrapping += (low && high) ? 1 : 0;
  }
  CHECK(wrapping >= 3);
  // Gadget-4 order: decreasing length, ties by the smallest member; members ascending.
  std::size_t misordered = 0, unsorted = 0, mislabelled = 0;
  for (std::size_t g = 0; g + 1 < groups.groups(); ++g) {
    const auto a = groups.members_of(g), b = groups.members_of(g + 1);
    misordered += (a.size() > b.size() || (a.size() == b.size() && a.front() < b.front())) ? 0 : 1;
  }
  for (std::size_t g = 0; g < groups.groups(); ++g) {
    const auto m = groups.members_of(g);
    unsorted += std::is_sorted(m.begin(), m.end()) ? 0 : 1;
    for (auto i : m) mislabelled += groups.group_of[i] == static_cast<std::int64_t>(g) ? 0 : 1;
  }
  CHECK(misordered == 0);
  CHECK(unsorted == 0);
  CHECK(mislabelled == 0);
  // The default minimum length keeps exactly the brute-force components of ≥ 20 points.
  const auto big = halos::friends_of_friends<double>(x, side, {.linking_length = 0.2});
  CHECK(as_sets(big) == as_sets(root, 20));
  std::size_t in_groups = 0;
  for (auto gid : big.group_of) in_groups += gid >= 0 ? 1 : 0;
  CHECK(in_groups == big.members.size());
}

TEST_CASE("FoF on an open point set equals brute force without wrap" * doctest::test_suite("unit.halos")) {
  // The same kind of set, unwrapped and shifted to negative coordinates (a lightcone cut-out).
  const double side = 50.0;
  const std::size_t n = 4000;
  auto x = clustered_points(n, side, 5, false);
  for (auto& p : x) p[1] -= 1000.0;
  const double spacing = side / std::cbrt(static_cast<double>(n));
  const auto groups = halos::friends_of_friends<double>(
      x, 0.0, {.linking_length = 0.25, .min_members = 3, .periodic = false, .mean_spacing = spacing});
  const auto expected = as_sets(brute_force_components(x, side, 0.25 * spacing, false), 3);
  CHECK(groups.groups() == expected.size());
  CHECK(as_sets(groups) == expected);
  // The periodic finder would link across the faces: different groups.
  std::vector<vec3<double>> inside = x;
  for (auto& p : inside) p[1] += 1000.0;
  const auto periodic = halos::friends_of_friends<double>(inside, side, {.linking_length = 0.25, .min_members = 3});
  CHECK(as_sets(periodic) != expected);
}

TEST_CASE("FoF results are identical for 1, 2 and 3 threads and across runs, float input too" *
          doctest::test_suite("unit.halos")) {
  threads_guard guard;
  const double side = 80.0;
  const auto xd = clustered_points(10000, side, 3, true);
  std::vector<vec3<float>> x(xd.size());
  for (std::size_t i = 0; i < xd.size(); ++i)
    for (int d = 0; d < 3; ++d) x[i][d] = static_cast<float>(xd[i][d]);
  omp_set_num_threads(1);
  const auto one = halos::friends_of_friends<float>(x, side, {.min_members = 5});
  REQUIRE(one.groups() > 10);
  for (int threads : {2, 3, 2}) {
    omp_set_num_threads(threads);
    const auto many = halos::friends_of_friends<float>(x, side, {.min_members = 5});
    CHECK(many.offsets == one.offsets);
    CHECK(many.members == one.members);
    CHECK(many.group_of == one.group_of);
  }
}

TEST_CASE("FoF edge cases: empty input, a lattice with l below the spacing, everything linked" *
          doctest::test_suite("unit.halos")) {
  const std::vector<vec3<double>> none;
  CHECK(halos::friends_of_friends<double>(none, 10.0, {}).groups() == 0);
  // A 10³ lattice of spacing 1: b = 0.9 links nothing, b = 1.05 links everything (through the wrap).
  std::vector<vec3<double>> lattice;
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 10; ++j)
      for (int k = 0; k < 10; ++k) lattice.push_back({i + 0.5, j + 0.5, k + 0.5});
  CHECK(halos::friends_of_friends<double>(lattice, 10.0, {.linking_length = 0.9, .min_members = 2}).groups() == 0);
  const auto all = halos::friends_of_friends<double>(lattice, 10.0, {.linking_length = 1.05});
  REQUIRE(all.groups() == 1);
  CHECK(all.length(0) == 1000);
  // Open set: a 10-point chain with spacing 1 and one point 1.5 away.
  std::vector<vec3<double>> chain;
  for (int i = 0; i < 10; ++i) chain.push_back({static_cast<double>(i), 0, 0});
  chain.push_back({10.5, 0, 0});
  const auto c = halos::friends_of_friends<double>(
      chain, 0.0, {.linking_length = 1.0, .min_members = 2, .periodic = false, .mean_spacing = 1.0});
  REQUIRE(c.groups() == 1);
  CHECK(c.length(0) == 10);
  CHECK(c.group_of[10] == -1);
}

TEST_CASE("FoF rejects impossible options with the value named" * doctest::test_suite("unit.halos")) {
  const std::vector<vec3<double>> x{{1, 1, 1}, {2, 2, 2}};
  CHECK_THROWS_WITH_AS(halos::friends_of_friends<double>(x, 10.0, {.linking_length = 0.0}),
                       doctest::Contains("fof_options.linking_length = 0"), config_error);
  CHECK_THROWS_WITH_AS(halos::friends_of_friends<double>(x, 10.0, {.linking_length = -0.2}),
                       doctest::Contains("fof_options.linking_length = -0.2"), config_error);
  CHECK_THROWS_WITH_AS(halos::friends_of_friends<double>(x, 10.0, {.min_members = 1}),
                       doctest::Contains("fof_options.min_members = 1"), config_error);
  CHECK_THROWS_WITH_AS(halos::friends_of_friends<double>(x, 0.0, {.periodic = false}),
                       doctest::Contains("mean spacing"), config_error);
  CHECK_THROWS_WITH_AS(halos::friends_of_friends<double>(x, 0.0, {}), doctest::Contains("box side = 0"), config_error);
  CHECK_THROWS_WITH_AS(halos::friends_of_friends<double>(x, 10.0, {.linking_length = 4.0}),
                       doctest::Contains("below half the box side"), config_error);
  const std::vector<vec3<double>> bad{{1, 1, 1}, {2, std::nan(""), 2}};
  CHECK_THROWS_WITH_AS(halos::friends_of_friends<double>(bad, 10.0, {}), doctest::Contains("point 1 coordinate 1"),
                       numerical_error);
}
