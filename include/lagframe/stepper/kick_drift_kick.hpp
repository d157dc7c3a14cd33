// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file kick_drift_kick.hpp
/// Leapfrog kick–drift–kick with a time grid, kick/drift factors and a force schedule
/// (docs/physics.md §8.1, §8.7).
///
/// Step j (node a_j → a_{j+1}, half-step time a_m = a_{j+1/2}):
///   1. if kick point j is scheduled: kick [a_j, a_m] with the force at a_j,
///   2. drift [a_j, a_{j+1}] with the momentum at a_m,
///   3. if kick point j+1 is scheduled: kick [a_m, a_{j+1}] with the force at a_{j+1}.
/// The force at a node is evaluated once and reused by the two half kicks around it (the
/// system caches it), so n steps with every point scheduled cost n + 1 force evaluations and the
/// momenta are synchronised with the positions after every step (outputs need no extra work).
/// On a point that is not scheduled the residual kick is zero: frame semantics.

#include <cstddef>
#include <string_view>
#include <utility>

#include "lagframe/cosmology/growth.hpp"
#include "lagframe/stepper/concepts.hpp"
#include "lagframe/stepper/factors.hpp"
#include "lagframe/stepper/force_schedule.hpp"
#include "lagframe/stepper/time_grid.hpp"

namespace lagframe::stepper {

/// Options of kick_drift_kick: where the run goes and which kick points evaluate the force.
struct kdk_options {
  time_grid grid = time_grid::linear(0.02, 1.0, 10);
  force_schedule schedule = force_schedule::every_step();
};

/// Factors: factors::frame_default (COLA in a moving frame, FastPM without one), or quinn,
/// fastpm, cola explicitly (cola needs a moving frame: the simulation refuses it otherwise).
template <time_step_factors Factors = factors::frame_default>
class kick_drift_kick {
 public:
  static constexpr std::string_view name = "kick_drift_kick";
  using options_type = kdk_options;
  using factors_type = Factors;

  explicit kick_drift_kick(kdk_options options, Factors factors = {})
      : options_(std::move(options)), factors_(factors) {
    options_.schedule.validate(options_.grid.steps());
    if constexpr (requires { factors_.validate(); }) factors_.validate();
  }

  [[nodiscard]] const time_grid& grid() const { return options_.grid; }
  [[nodiscard]] const force_schedule& schedule() const { return options_.schedule; }
  [[nodiscard]] const Factors& factors() const { return factors_; }
  /// Called by the simulation: whether its frame moves (factors::frame_default picks from it).
  void bind_frame(bool frame_moves) {
    if constexpr (requires { factors_.bind_frame(frame_moves); }) factors_.bind_frame(frame_moves);
  }
  [[nodiscard]] bool evaluates_force(std::size_t j) const {
    return options_.schedule.evaluates(j, options_.grid.steps());
  }
  [[nodiscard]] std::size_t force_evaluations() const {
    return options_.schedule.count(options_.grid.steps());
  }

  /// Advance `system` from node j to node j+1 (see the file comment).
  template <class System>
  void step(std::size_t j, System& system, const cosmology::growth& g) const {
    const auto& grid = options_.grid;
    const double a0 = grid.node(j), a1 = grid.node(j + 1), am = grid.midpoint(j);
    if (evaluates_force(j)) {
      system.ensure_force(j, a0);
      system.kick(a0, am, a0, factors_.kick(g, a0, am, a0));
    }
    system.drift(a0, a1, am, factors_.drift(g, a0, a1, am));
    if (evaluates_force(j + 1)) {
      system.ensure_force(j + 1, a1);
      system.kick(am, a1, a1, factors_.kick(g, am, a1, a1));
    }
  }

 private:
  kdk_options options_;
  Factors factors_;
};

}  // namespace lagframe::stepper
