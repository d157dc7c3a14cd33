// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file position_check.hpp
/// The range check applied to particle positions by the deposit and the interpolation.
/// Positions belong in [0, L); anything in [−L, 2L) (e.g. after an interlacing shift) is
/// wrapped periodically by the stencil code, which is what that code's integer wrap supports.
/// NaN, infinities and farther positions are reported, never clamped.

#include <cstddef>
#include <string_view>

#include "lagframe/config.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"

namespace lagframe::mesh::detail {

/// True when coordinate c (Mpc/h, shift included) is in the accepted range [−L, 2L).
LAGFRAME_INLINE bool coordinate_ok(double c, double side) { return c >= -side && c < 2.0 * side; }

/// Throws config_error naming particle p whose position (plus shift) is outside [−L, 2L).
template <class Real>
[[noreturn]] void throw_bad_position(std::string_view who, std::size_t p, const vec3<Real>& x,
                                     const vec3<double>& shift, double side) {
  throw config_error(lagframe::detail::concat(
      "lagframe: ", who, ": position[", p, "] = (", x[0], ", ", x[1], ", ", x[2], ") Mpc/h",
      (shift[0] != 0.0 || shift[1] != 0.0 || shift[2] != 0.0) ? " (plus the shift)" : "",
      " is invalid: expected coordinates inside [0, L), L = ", side,
      " Mpc/h (finite values within one box length are wrapped)"));
}

}  // namespace lagframe::mesh::detail
