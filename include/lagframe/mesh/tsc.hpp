// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file tsc.hpp
/// Triangular-shaped-cloud assignment (p = 3) (docs/physics.md §5.2). Mesh cell i is centred at
/// u = i + ½ (mesh/concepts.hpp): with i = ⌊u⌋ the nearest centre and d = u − ½ − i, weights
/// ½(½ − d)², ¾ − d², ½(½ + d)² at i − 1, i, i + 1.

#include <cmath>
#include <string_view>

#include "lagframe/config.hpp"

namespace lagframe::mesh {

struct tsc {
  static constexpr int support = 3;
  static constexpr int order = 3;
  static constexpr std::string_view name = "tsc";

  template <class T>
  static LAGFRAME_INLINE T first_node(T u) {
    using std::floor;
    return floor(u) - T(1);
  }
  template <class T>
  static LAGFRAME_INLINE void weights(T u, T first, T (&w)[3]) {
    const T d = u - T(0.5) - (first + T(1));
    const T a = T(0.5) - d;
    const T b = T(0.5) + d;
    w[0] = T(0.5) * a * a;
    w[1] = T(0.75) - d * d;
    w[2] = T(0.5) * b * b;
  }
};

}  // namespace lagframe::mesh
