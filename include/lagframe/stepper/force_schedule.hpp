// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file force_schedule.hpp
/// Which kick points evaluate the force.
///
/// A run of n steps has n + 1 kick points j = 0 … n, one at every node a_j of the time grid: the
/// kick at point j spans [a_{j−1/2}, a_{j+1/2}] (half-open at the two ends of the run) with the
/// force evaluated at a_j. When point j is not scheduled the residual kick is zero: the particle
/// keeps its momentum relative to the frame and follows the frame's own motion (PHYSICS.md §4.2,
/// "skipped force"). With an inertial frame that means coasting.

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "lagframe/core/error.hpp"

namespace lagframe::stepper {

class force_schedule {
 public:
  /// Force at every kick point (the default).
  static force_schedule every_step() { return force_schedule(kind::every, 1, {}); }
  /// Force at kick points j with j % n == 0 (and always at the last point).
  static force_schedule every_nth(std::size_t n) {
    require(n >= 1, "force schedule period", n, "at least 1");
    return force_schedule(kind::every, n, {});
  }
  /// Force exactly at the listed kick points (0 … steps); an empty list never evaluates it.
  static force_schedule at_points(std::vector<std::size_t> points) {
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    return force_schedule(kind::list, 0, std::move(points));
  }
  /// Never evaluate the force: particles follow the frame.
  static force_schedule never() { return at_points({}); }

  /// Throws config_error if a listed point is beyond the run's last kick point.
  void validate(std::size_t steps) const {
    for (std::size_t p : points_)
      require(p <= steps, "force schedule point", p,
              lagframe::detail::concat("a kick point between 0 and the number of steps (", steps, ")"));
  }

  /// Does kick point j (of a run with `steps` steps) evaluate the force?
  [[nodiscard]] bool evaluates(std::size_t j, std::size_t steps) const {
    if (kind_ == kind::every) return j % period_ == 0 || j == steps;
    return std::binary_search(points_.begin(), points_.end(), j);
  }

  /// Number of force evaluations over a run of `steps` steps.
  [[nodiscard]] std::size_t count(std::size_t steps) const {
    std::size_t c = 0;
    for (std::size_t j = 0; j <= steps; ++j) c += evaluates(j, steps) ? 1 : 0;
    return c;
  }

 private:
  enum class kind { every, list };
  force_schedule(kind k, std::size_t period, std::vector<std::size_t> points)
      : kind_(k), period_(period), points_(std::move(points)) {}

  kind kind_ = kind::every;
  std::size_t period_ = 1;
  std::vector<std::size_t> points_;
};

}  // namespace lagframe::stepper
