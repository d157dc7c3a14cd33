// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file ngp.hpp
/// Nearest-grid-point assignment (p = 1): the cell containing the particle (cell i spans
/// u ∈ [i, i + 1), centred at i + ½; mesh/concepts.hpp) gets weight 1 (docs/physics.md §5.2).

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
    return floor(u);
  }
  template <class T>
  static LAGFRAME_INLINE void weights(T /*u*/, T /*first*/, T (&w)[1]) {
    w[0] = T(1);
  }
};

}  // namespace lagframe::mesh
