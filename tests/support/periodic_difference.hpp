// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// Differences of two particle sets in a periodic box of side L: each component of a − b is
// taken to its nearest image, in [−L/2, L/2]. Any two indexable sets of vec3 (float or double).

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace lagframe::test {

/// Largest |a − b| over particles and components, nearest image.
template <class A, class B>
double periodic_max_difference(const A& a, const B& b, double side) {
  double worst = 0;
  for (std::size_t i = 0; i < std::size(a); ++i)
    for (int d = 0; d < 3; ++d) {
      double diff = static_cast<double>(a[i][d]) - static_cast<double>(b[i][d]);
      diff -= side * std::round(diff / side);
      worst = std::max(worst, std::abs(diff));
    }
  return worst;
}

/// Root mean square of a − b over particles and components, nearest image.
template <class A, class B>
double periodic_rms_difference(const A& a, const B& b, double side) {
  double sum = 0;
  for (std::size_t i = 0; i < std::size(a); ++i)
    for (int d = 0; d < 3; ++d) {
      double diff = static_cast<double>(a[i][d]) - static_cast<double>(b[i][d]);
      diff -= side * std::round(diff / side);
      sum += diff * diff;
    }
  return std::sqrt(sum / static_cast<double>(3 * std::size(a)));
}

}  // namespace lagframe::test
