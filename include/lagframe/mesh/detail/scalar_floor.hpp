// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file scalar_floor.hpp
/// A plain double whose floor() is inline arithmetic. Without SSE4.1 (no -march), std::floor on
/// double is a libm call; the fused PM gather needs three per particle. Passing this type to
/// A::first_node (which finds floor by argument-dependent lookup, like simd_double in simd.hpp)
/// rounds with the same trick: add and subtract 1.5·2^52, then subtract one where that
/// overshot, without a branch. Exact for |u| < 2^51; under -ffast-math std::floor is used instead.

#include <cmath>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "lagframe/config.hpp"

namespace lagframe::mesh::detail {

struct scalar_double {
  double v;

  LAGFRAME_INLINE scalar_double(double x) : v(x) {}  // NOLINT: implicit, as T(0.5) in first_node

  friend LAGFRAME_INLINE scalar_double operator+(scalar_double a, scalar_double b) { return a.v + b.v; }
  friend LAGFRAME_INLINE scalar_double operator-(scalar_double a, scalar_double b) { return a.v - b.v; }
  friend LAGFRAME_INLINE scalar_double operator*(scalar_double a, scalar_double b) { return a.v * b.v; }
  friend LAGFRAME_INLINE scalar_double floor(scalar_double a) {
#if defined(__FAST_MATH__) || defined(__SSE4_1__) || !defined(__SSE2__)
    return std::floor(a.v);  // one roundsd instruction with SSE4.1
#else
    // SSE2 intrinsics rather than plain C++: the fractional parts of particle coordinates are
    // random, and g++ compiles `nearest - (nearest > x)` into a branch that is then mispredicted
    // half of the time (measured: ~10 ns per gather point).
    const __m128d x = _mm_set_sd(a.v);
    const __m128d magic = _mm_set_sd(0x1.8p52);
    const __m128d nearest = _mm_sub_sd(_mm_add_sd(x, magic), magic);
    const __m128d overshoot = _mm_and_pd(_mm_cmpgt_sd(nearest, x), _mm_set_sd(1.0));
    return _mm_cvtsd_f64(_mm_sub_sd(nearest, overshoot));
#endif
  }
};

/// floor(u) through A's first-node rule, e.g. floor(u − ½) for CIC, without a libm call.
template <class A>
LAGFRAME_INLINE double first_node_inline(double u) {
  return A::first_node(scalar_double(u)).v;
}

/// A's weights w at grid coordinate u (a position over the spacing) and its first node,
/// wrapped into [0, n): for u ∈ [−n − 1, 2n + 1) (positions in [−L − Δ, 2L + Δ)) the first
/// node lies in [−n − 2, 2n]; one conditional shift by n brings it into [−2, n], a second pair
/// into [0, n). Branch-free, no libm call, no integer division.
template <class A>
LAGFRAME_INLINE long wrapped_first_node_and_weights(double u, long n, double (&w)[A::support]) {
  const double first = first_node_inline<A>(u);
  A::weights(u, first, w);
  auto f = static_cast<long>(first);
  f += f < 0 ? n : 0;
  f -= f >= n ? n : 0;
  f += f < 0 ? n : 0;
  return f;
}

}  // namespace lagframe::mesh::detail
