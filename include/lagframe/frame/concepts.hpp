// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file concepts.hpp
/// The `frame_policy` concept: the moving frame of reference particles are integrated in
/// (docs/design.md §2; docs/physics.md §9.1, §10).
///
/// A particle's state is its position x (wrapped into the box) and its momentum π relative to
/// the frame; its total momentum is p = π + p_frame(q, a). A model F provides:
///   - `F::real_type`, `F::name`;
///   - construction `F(const cosmology::growth&, ic::lpt_fields<Real>)`: the frame takes the LPT
///     fields it needs (and drops the rest);
///   - `f.kick(π, acc, kick_interval)`: π += force_scale·acc − (the frame's own momentum change
///     over the kick). acc is −∇φ (∇²φ = δ) from the force policy; force_scale = (3/2)Ω_m·K.
///     Only called on kick points that evaluate the force.
///   - `f.drift(x, π, drift_interval)`: x ← wrap(x + 𝒟·π + Δx_frame(a0 → a1)).
///   - `f.add_momentum(p, a, sign)`: p += sign · p_frame(a) (enter/leave the frame).
/// All three loop over every particle with OpenMP (static schedule: deterministic), do not
/// allocate and may not be called concurrently. Models: inertial.hpp, lpt.hpp.

#include <concepts>
#include <cstddef>
#include <span>
#include <string_view>

#include "lagframe/core/vec3.hpp"

namespace lagframe::frame {

/// One kick: momentum from a0 to a1, force evaluated at ac, kick factor `factor` (factors.hpp),
/// and force_scale = (3/2)Ω_m·factor, the multiplier of −∇φ.
struct kick_interval {
  double a0 = 0, a1 = 0, ac = 0, factor = 0, force_scale = 0;
};

/// One drift: positions from a0 to a1 with the momentum at ac and drift factor `factor`.
struct drift_interval {
  double a0 = 0, a1 = 0, ac = 0, factor = 0;
};

template <class F>
concept has_frame_identity = requires {
  typename F::real_type;
  { F::name } -> std::convertible_to<std::string_view>;
};

template <class F>
concept moves_particles =
    requires(const F& f, std::span<vec3<typename F::real_type>> v,
             std::span<const vec3<typename F::real_type>> cv, const kick_interval& k,
             const drift_interval& d, double a) {
      f.kick(v, cv, k);
      f.drift(v, cv, d);
      f.add_momentum(v, a, 1.0);
    };

template <class F>
concept frame_policy = has_frame_identity<F> && moves_particles<F>;

/// Whether F carries particles along a trajectory of its own (LPT, LPT + emulator) rather than
/// leaving them in the inertial comoving frame. Declared as `static constexpr bool moving`;
/// a frame that does not declare it counts as moving. The stepper's default factors follow it
/// (stepper::factors::frame_default), and COLA factors are refused without a moving frame.
template <class F>
inline constexpr bool is_moving = [] {
  if constexpr (requires { F::moving; }) {
    return static_cast<bool>(F::moving);
  } else {
    return true;
  }
}();

}  // namespace lagframe::frame
