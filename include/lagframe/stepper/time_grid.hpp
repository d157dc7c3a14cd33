// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file time_grid.hpp
/// The scale-factor nodes a_0 < a_1 < … < a_n at which positions are known, and the half-step
/// times a_{i+1/2} at which momenta are known between them (leapfrog KDK, docs/physics.md §8.1).
///
/// Spacing linear in a (L-PICOLA's default), linear in ln a, or a user list. The half-step
/// time is the midpoint in the spacing variable: arithmetic mean for linear and user grids,
/// geometric mean for logarithmic grids.

#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "lagframe/core/error.hpp"

namespace lagframe::stepper {

enum class spacing { linear_a, log_a, user_list };

class time_grid {
 public:
  /// n steps equally spaced in a from a_start to a_end.
  static time_grid linear(double a_start, double a_end, std::size_t steps) {
    check_range(a_start, a_end, steps);
    std::vector<double> nodes(steps + 1);
    for (std::size_t i = 0; i <= steps; ++i)
      nodes[i] = a_start + (a_end - a_start) * static_cast<double>(i) / static_cast<double>(steps);
    nodes.back() = a_end;
    return time_grid(std::move(nodes), spacing::linear_a);
  }
  /// n steps equally spaced in ln a from a_start to a_end.
  static time_grid logarithmic(double a_start, double a_end, std::size_t steps) {
    check_range(a_start, a_end, steps);
    std::vector<double> nodes(steps + 1);
    const double l0 = std::log(a_start), l1 = std::log(a_end);
    for (std::size_t i = 0; i <= steps; ++i)
      nodes[i] = std::exp(l0 + (l1 - l0) * static_cast<double>(i) / static_cast<double>(steps));
    nodes.front() = a_start;
    nodes.back() = a_end;
    return time_grid(std::move(nodes), spacing::log_a);
  }
  /// Nodes given explicitly (strictly increasing, positive, at least two).
  static time_grid from_list(std::vector<double> nodes) {
    require(nodes.size() >= 2, "time grid size", nodes.size(), "at least two scale factors");
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      require(std::isfinite(nodes[i]) && nodes[i] > 0.0, "time grid a", nodes[i],
              "a positive, finite scale factor");
      if (i > 0) {
        require(nodes[i] > nodes[i - 1], "time grid a", nodes[i],
                lagframe::detail::concat("a value above the previous node ", nodes[i - 1],
                               " (nodes must increase strictly)"));
      }
    }
    return time_grid(std::move(nodes), spacing::user_list);
  }

  [[nodiscard]] std::size_t steps() const { return nodes_.size() - 1; }
  [[nodiscard]] double node(std::size_t i) const { return nodes_.at(i); }
  [[nodiscard]] std::span<const double> nodes() const { return nodes_; }
  [[nodiscard]] double a_start() const { return nodes_.front(); }
  [[nodiscard]] double a_end() const { return nodes_.back(); }
  [[nodiscard]] spacing kind() const { return kind_; }

  /// Half-step time a_{i+1/2} of step i (between node i and node i+1).
  [[nodiscard]] double midpoint(std::size_t i) const {
    const double a0 = nodes_.at(i), a1 = nodes_.at(i + 1);
    return kind_ == spacing::log_a ? std::sqrt(a0 * a1) : 0.5 * (a0 + a1);
  }

  /// Index of the node equal to `a` (relative tolerance 1e-10), or throws config_error.
  [[nodiscard]] std::size_t node_index(double a) const {
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (std::abs(nodes_[i] - a) <= 1e-10 * a) return i;
    throw config_error(lagframe::detail::concat("lagframe: output scale factor a = ", a,
                                      " is not a node of the time grid [", a_start(), ", ",
                                      a_end(), "] with ", steps(),
                                      " steps; add it to the grid (stepper time list)"));
  }

 private:
  time_grid(std::vector<double> nodes, spacing kind) : nodes_(std::move(nodes)), kind_(kind) {}

  static void check_range(double a_start, double a_end, std::size_t steps) {
    require(std::isfinite(a_start) && a_start > 0.0, "a_start", a_start,
            "a positive, finite scale factor");
    require(std::isfinite(a_end) && a_end > a_start, "a_end", a_end,
            lagframe::detail::concat("a finite scale factor above a_start = ", a_start));
    require(steps >= 1, "steps", steps, "at least 1");
  }

  std::vector<double> nodes_;
  spacing kind_ = spacing::linear_a;
};

}  // namespace lagframe::stepper
