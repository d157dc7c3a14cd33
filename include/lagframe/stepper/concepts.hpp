// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file concepts.hpp
/// Concepts of the stepper family.
///
/// `time_step_factors`: kick and drift factors (see factors.hpp for units):
///   F::name; f.kick(growth, a0, a1, ac) and f.drift(growth, a0, a1, ac) → double.
///
/// `stepper_policy`: owns the time grid, the force schedule and the factors, and advances a
/// system by one step. Required:
///   S::name;  s.grid() → const time_grid&;  s.evaluates_force(j) → bool (kick point j);
///   s.step(j, system, growth): advance positions from node j to node j+1, leaving momenta
///   synchronised with positions. The system (lagframe::simulation's internals) provides
///   ensure_force(j, a), kick(a0, a1, ac, K) and drift(a0, a1, ac, 𝒟).
/// Model: kick_drift_kick.hpp.

#include <concepts>
#include <cstddef>
#include <string_view>

namespace lagframe::cosmology {
class growth;
}

namespace lagframe::stepper {

class time_grid;

template <class F>
concept time_step_factors = requires(const F& f, const cosmology::growth& g, double a) {
  { F::name } -> std::convertible_to<std::string_view>;
  { f.kick(g, a, a, a) } -> std::convertible_to<double>;
  { f.drift(g, a, a, a) } -> std::convertible_to<double>;
};

template <class S>
concept has_time_grid = requires(const S& s, std::size_t j) {
  { s.grid() } -> std::same_as<const time_grid&>;
  { s.evaluates_force(j) } -> std::convertible_to<bool>;
};

template <class S>
concept stepper_policy = has_time_grid<S> && requires {
  { S::name } -> std::convertible_to<std::string_view>;
};

}  // namespace lagframe::stepper
