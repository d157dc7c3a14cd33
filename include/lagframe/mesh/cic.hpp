// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file cic.hpp
/// Cloud-in-cell assignment (p = 2) (docs/physics.md §5.2). Mesh cell i is centred at u = i + ½
/// (mesh/concepts.hpp): with i0 = ⌊u − ½⌋ and d = u − ½ − i0, weights (1 − d, d) at (i0, i0 + 1).

#include <cmath>
#include <string_view>

#include "lagframe/config.hpp"

namespace lagframe::mesh {

struct cic {
  static constexpr int support = 2;
  static constexpr int order = 2;
  static constexpr std::string_view name = "cic";

  template <class T>
  static LAGFRAME_INLINE T first_node(T u) {
    using std::floor;
    return floor(u - T(0.5));
  }
  template <class T>
  static LAGFRAME_INLINE void weights(T u, T first, T (&w)[2]) {
    const T d = u - T(0.5) - first;
    w[0] = T(1) - d;
    w[1] = d;
  }
};

}  // namespace lagframe::mesh
