// SPDX-License-Identifier: BSD-3-Clause
// Force schedules (stepper/force_schedule.hpp), in particular the placement for few evaluations.

#include <doctest/doctest.h>

#include <vector>

#include "lagframe/stepper/force_schedule.hpp"

using lagframe::stepper::force_schedule;

namespace {
std::vector<std::size_t> points(const force_schedule& s, std::size_t steps) {
  std::vector<std::size_t> out;
  for (std::size_t j = 0; j <= steps; ++j)
    if (s.evaluates(j, steps)) out.push_back(j);
  return out;
}
}  // namespace

TEST_CASE("spread_late: evenly spaced, ending at the last kick point before the final node") {
  using v = std::vector<std::size_t>;
  CHECK(points(force_schedule::spread_late(8), 10) == v{2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(points(force_schedule::spread_late(4), 10) == v{3, 5, 7, 9});
  CHECK(points(force_schedule::spread_late(3), 10) == v{3, 6, 9});
  CHECK(points(force_schedule::spread_late(2), 10) == v{4, 9});
  CHECK(points(force_schedule::spread_late(1), 10) == v{9});
  CHECK(points(force_schedule::spread_late(10), 10) == v{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(points(force_schedule::spread_late(50), 10) == v{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(points(force_schedule::spread_late(0), 10).empty());
  for (std::size_t n_f = 1; n_f <= 16; ++n_f) CHECK(force_schedule::spread_late(n_f).count(16) == n_f);
}

TEST_CASE("the other schedules") {
  using v = std::vector<std::size_t>;
  CHECK(points(force_schedule::every_step(), 3) == v{0, 1, 2, 3});
  CHECK(points(force_schedule::every_nth(2), 5) == v{0, 2, 4, 5});
  CHECK(points(force_schedule::at_points({4, 1, 1}), 5) == v{1, 4});
  CHECK(points(force_schedule::never(), 5).empty());
  CHECK_THROWS_WITH_AS(force_schedule::at_points({7}).validate(5), doctest::Contains("force schedule point"),
                       lagframe::config_error);
  CHECK_THROWS_AS(force_schedule::every_nth(0), lagframe::config_error);
}

TEST_CASE("interior: every kick point but the first and the last") {
  using v = std::vector<std::size_t>;
  CHECK(points(force_schedule::interior(), 9) == v{1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(force_schedule::interior().count(9) == 8);
  CHECK(force_schedule::interior().count(17) == 16);
  CHECK(points(force_schedule::interior(), 1).empty());
}
