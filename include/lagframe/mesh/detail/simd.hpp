// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file simd.hpp
/// The one place lagframe includes xsimd (8.1 API only: batch<T>, batch::size,
/// load_unaligned, store_unaligned, select, floor). It exposes a "lane" type that lets the stencil
/// kernels be written once and instantiated either over xsimd batches of double or over plain
/// double (the scalar path kept for comparison and tests).
///
/// Without -march the batch is SSE2 (2 doubles); with -march=x86-64-v3 it is AVX2 (4 doubles).
/// Stencil arithmetic is always in double: a float grid coordinate u ≈ 256 keeps only
/// 2^-16 of fractional resolution, which would cost ~1e-5 relative accuracy in the weights.

#include <cstddef>

#include <xsimd/xsimd.hpp>

#include "lagframe/config.hpp"

namespace lagframe::mesh::detail {

/// xsimd::batch<double> with the arithmetic the stencils use (+, −, ×, construction from a
/// constant) and a floor() found by argument-dependent lookup from A::first_node. xsimd 8.1's
/// own floor on SSE2 goes through an emulated double → int64 conversion, which made the
/// stencil slower than scalar code; this one is exact for |u| < 2^51 (grid coordinates are
/// far smaller) and costs four instructions: add and subtract 1.5·2^52 to round to the
/// nearest integer, then subtract one where that overshot. It relies on IEEE arithmetic, so
/// under -ffast-math (which could fold the add/subtract) xsimd's floor is used instead.
struct simd_double {
  using batch = xsimd::batch<double>;
  static constexpr std::size_t size = batch::size;
  batch v;

  simd_double() = default;
  explicit LAGFRAME_INLINE simd_double(double x) : v(x) {}
  explicit LAGFRAME_INLINE simd_double(const batch& b) : v(b) {}

  friend LAGFRAME_INLINE simd_double operator+(const simd_double& a, const simd_double& b) {
    return simd_double(a.v + b.v);
  }
  friend LAGFRAME_INLINE simd_double operator-(const simd_double& a, const simd_double& b) {
    return simd_double(a.v - b.v);
  }
  friend LAGFRAME_INLINE simd_double operator*(const simd_double& a, const simd_double& b) {
    return simd_double(a.v * b.v);
  }
  friend LAGFRAME_INLINE simd_double floor(const simd_double& a) {
#if defined(__FAST_MATH__)
    return simd_double(xsimd::floor(a.v));
#else
    const batch magic(0x1.8p52);
    const batch nearest = (a.v + magic) - magic;
    return simd_double(xsimd::select(nearest > a.v, nearest - batch(1.0), nearest));
#endif
  }
};

/// lane<true>: a SIMD batch of doubles; lane<false>: one double. Same interface.
template <bool Simd>
struct lane;

template <>
struct lane<true> {
  using type = simd_double;
  static constexpr std::size_t width = type::size;
  static LAGFRAME_INLINE type load(const double* p) {
    return type(type::batch::load_unaligned(p));
  }
  static LAGFRAME_INLINE void store(double* p, const type& x) { x.v.store_unaligned(p); }
  static LAGFRAME_INLINE type broadcast(double x) { return type(x); }
};

template <>
struct lane<false> {
  using type = double;
  static constexpr std::size_t width = 1;
  static LAGFRAME_INLINE type load(const double* p) { return *p; }
  static LAGFRAME_INLINE void store(double* p, type x) { *p = x; }
  static LAGFRAME_INLINE type broadcast(double x) { return x; }
};

/// Lanes of the SIMD batch in this build (what benchmarks report as "lanes").
inline constexpr std::size_t simd_lanes = lane<true>::width;

}  // namespace lagframe::mesh::detail
