// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file concepts.hpp
/// The `frame_emulator` concept: the machine-learned part of a COCA frame (docs/physics.md §10;
/// docs/design.md §3.2).
///
/// An emulator predicts the COLA residual momentum relative to the LPT frame,
///     p_ML(q_i, a) ≈ p_true − p_LPT,
/// for every particle i (Lagrangian id order, core/box.hpp) at any scale factor a in its time
/// range. frame::emulated<Base, E> (frame/emulated.hpp) turns it into a frame of reference. A
/// model E provides:
///   - `E::real_type`, `E::name`;
///   - `e.momenta(out, a)`: fills out[i] = p_ML(q_i, a) (Mpc/h, the momentum convention of
///     docs/physics.md §1.2) for out.size() particles; throws config_error if a is outside its time range
///     or out.size() is not its particle count;
///   - `e.validate(grid, a_start, a_end)`: throws config_error naming the first mismatch between
///     the emulator and a run on `grid` (particle grid size, box side) from a_start to a_end (time
///     range), and returns normally otherwise;
///   - `e.time_range()`: {a_min, a_max}, the scale factors it can predict (both ends included).
/// Optional: `e.knots()` (increasing scale factors, convertible to std::span<const double>,
/// between which p_ML is linear in a, as for an emulator that interpolates stored times): the
/// emulated frame then integrates the frame's displacement exactly and takes its acceleration
/// as the slope of the interpolant (frame/emulated.hpp).
/// Optional: `e.weighted_momenta(out, times, weights)` (out = Σ_m weights[m]·p_ML(times[m]), spans
/// of double): for an emulator linear in its stored coefficients one evaluation instead of one
/// per time (fourier_linear); the frame's exact drift integral uses it.
/// Optional: `E::identically_zero` (a constexpr bool; true lets the frame skip all work, so
/// emulated<Base, none> is bitwise Base) and `e.base_frame()` (the name of the frame whose
/// residual momenta it predicts, e.g. "lpt<2>"; the emulated frame refuses another Base) and
/// `e.bind(lpt_fields)` (an emulator that predicts from the run's LPT fields receives them from
/// the emulated frame's constructor, before the frame takes them).
/// Models: none.hpp, recorded.hpp, fourier_linear.hpp, torchscript.hpp (optional, libtorch).

#include <array>
#include <concepts>
#include <span>
#include <string_view>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/vec3.hpp"

namespace lagframe::frame {

template <class E>
concept frame_emulator =
    requires { typename E::real_type; { E::name } -> std::convertible_to<std::string_view>; } &&
    requires(const E& e, std::span<vec3<typename E::real_type>> out, const box& grid, double a) {
      e.momenta(out, a);
      e.validate(grid, a, a);
      { e.time_range() } -> std::convertible_to<std::array<double, 2>>;
    };

namespace detail {
/// True when the emulator declares that it always predicts p_ML ≡ 0.
template <class E>
constexpr bool emulator_is_zero() {
  if constexpr (requires { E::identically_zero; }) {
    return static_cast<bool>(E::identically_zero);
  } else {
    return false;
  }
}
/// The emulator's knots (`e.knots()`, see above) as a vector; empty when it declares none.
template <class E>
std::vector<double> emulator_knots(const E& e) {
  if constexpr (requires { { e.knots() } -> std::convertible_to<std::span<const double>>; }) {
    const std::span<const double> k = e.knots();
    return {k.begin(), k.end()};
  } else {
    return {};
  }
}
}  // namespace detail

}  // namespace lagframe::frame
