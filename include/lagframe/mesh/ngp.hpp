// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file ngp.hpp
/// Nearest-grid-point assignment (p = 1): the nearest node gets weight 1 (PHYSICS.md §7.1).

#include <cmath>
#include <string_view>

#include "lagframe/config.hpp"

namespace lagframe::mesh {

struct ngp {
  static constexpr int support = 1;
  static constexpr int order = 1;
  static constexpr std::string_view name = "ngp";

  template <class T>
  static LAGFRAME_INLINE T first_node(T u) {
    using std::floor;
    return floor(u + T(0.5));
  }
  template <class T>
  static LAGFRAME_INLINE void weights(T /*u*/, T /*first*/, T (&w)[1]) {
    w[0] = T(1);
  }
};

}  // namespace lagframe::mesh
