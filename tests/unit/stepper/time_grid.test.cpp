// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>

#include "lagframe/stepper/force_schedule.hpp"
#include "lagframe/stepper/time_grid.hpp"

using namespace lagframe;
using namespace lagframe::stepper;

TEST_CASE("linear and logarithmic grids hit both ends with the right midpoints") {
  const auto lin = time_grid::linear(0.1, 1.0, 9);
  CHECK(lin.steps() == 9);
  CHECK(lin.node(0) == 0.1);
  CHECK(lin.node(9) == 1.0);
  CHECK(lin.node(3) == doctest::Approx(0.4));
  CHECK(lin.midpoint(3) == doctest::Approx(0.45));

  const auto lg = time_grid::logarithmic(0.01, 1.0, 2);
  CHECK(lg.node(1) == doctest::Approx(0.1));
  CHECK(lg.midpoint(0) == doctest::Approx(std::sqrt(0.01 * 0.1)));
  CHECK(lg.node(2) == 1.0);

  const auto user = time_grid::from_list({0.02, 0.5, 0.6, 1.0});
  CHECK(user.steps() == 3);
  CHECK(user.midpoint(0) == doctest::Approx(0.26));
  CHECK(user.node_index(0.6) == 2);
}

TEST_CASE("bad grids are refused with the value named") {
  CHECK_THROWS_WITH_AS(time_grid::linear(0.5, 0.5, 10), doctest::Contains("a_end = 0.5"), config_error);
  CHECK_THROWS_WITH_AS(time_grid::linear(1.0, 0.5, 10), doctest::Contains("a_end = 0.5"), config_error);
  CHECK_THROWS_WITH_AS(time_grid::linear(-0.1, 1.0, 10), doctest::Contains("a_start = -0.1"), config_error);
  CHECK_THROWS_WITH_AS(time_grid::linear(0.1, 1.0, 0), doctest::Contains("steps = 0"), config_error);
  CHECK_THROWS_WITH_AS(time_grid::from_list({0.1, 0.3, 0.2}), doctest::Contains("a = 0.2"), config_error);
  CHECK_THROWS_AS(time_grid::from_list({0.1}), config_error);
  CHECK_THROWS_AS(time_grid::from_list({0.1, std::nan("")}), config_error);
  const auto lin = time_grid::linear(0.1, 1.0, 9);
  CHECK_THROWS_WITH_AS((void)lin.node_index(0.55), doctest::Contains("a = 0.55"), config_error);
}

TEST_CASE("force schedules") {
  const auto all = force_schedule::every_step();
  CHECK(all.count(10) == 11);
  const auto second = force_schedule::every_nth(2);
  CHECK(second.evaluates(0, 5));
  CHECK_FALSE(second.evaluates(1, 5));
  CHECK(second.evaluates(4, 5));
  CHECK(second.evaluates(5, 5));  // the last point is always evaluated
  CHECK(second.count(5) == 4);
  const auto list = force_schedule::at_points({7, 2, 2, 9});
  CHECK(list.count(10) == 3);
  CHECK(list.evaluates(7, 10));
  CHECK_FALSE(list.evaluates(8, 10));
  CHECK_THROWS_WITH_AS(list.validate(8), doctest::Contains("point = 9"), config_error);
  CHECK(force_schedule::never().count(10) == 0);
  CHECK_THROWS_AS(force_schedule::every_nth(0), config_error);
}
