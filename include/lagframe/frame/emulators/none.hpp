// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file none.hpp
/// The null emulator: p_ML ≡ 0 at all times on any grid, so frame::emulated<Base, none> is
/// exactly (bitwise) Base — tCOLA for Base = lpt<2> (docs/physics.md §10.4).

#include <array>
#include <limits>
#include <span>
#include <string_view>

#include "lagframe/core/box.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/frame/emulators/concepts.hpp"

namespace lagframe::frame::emulators {

template <class Real = float>
struct none {
  using real_type = Real;
  static constexpr std::string_view name = "none";
  static constexpr bool identically_zero = true;

  void momenta(std::span<vec3<Real>> out, double /*a*/) const {
    for (auto& p : out) p = vec3<Real>{Real(0), Real(0), Real(0)};
  }
  [[nodiscard]] std::array<double, 2> time_range() const {
    return {0.0, std::numeric_limits<double>::infinity()};
  }
  void validate(const box& /*grid*/, double /*a_start*/, double /*a_end*/) const {}
};

}  // namespace lagframe::frame::emulators
