// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file fd4_gather_simd.hpp
/// The sums of the fused 4-point-gradient gather (force/particle_mesh.hpp, fd4_gradient_sums)
/// for a float mesh, with SIMD along z. Each mesh row the stencil touches is read as
/// consecutive floats starting at tap 0 (node first − 2), in xsimd batches of float (4 lanes
/// with SSE2, 8 with AVX). The row batches are accumulated with their scalar x–y coefficients,
/// and the z weights are applied once at the end, as one dot product per component:
///   g_x = Σ_lanes (Σ_{t,b} c_x[t] w_y[b] row(t, b)) · w_z,
///   g_y = Σ_lanes (Σ_{a,t} w_x[a] c_y[t] row(a, t)) · w_z,
///   g_z = Σ_lanes (Σ_{a,b} w_x[a] w_y[b] row(a, b)) · c_z,
/// with w_z and c_z laid out by tap from the row's first float read (zero where a batch holds no
/// tap of that stencil).
/// This is the same operator as the scalar sums, summed in another order and in float: the
/// mesh is float already, so each φ value carries a relative rounding of 6e-8 before any sum;
/// summing in float adds an error of the same order (unit test: agreement with the double
/// sums to 1e-5 of the largest component).
/// `corner` points at node (first_x − 2, first_y − 2, first_z − 2); rows are `stride_x` and
/// `stride_y` elements apart. Precondition (the caller checks): no tap wraps, and the batches
/// stay inside each row's n values: first_z − 2 + fd4_simd_floats<S>() ≤ n.

#include <cstddef>

#include "lagframe/config.hpp"
#include "lagframe/mesh/detail/simd.hpp"

namespace lagframe::force::detail {

using float_batch = xsimd::batch<float>;

/// Batches covering the S + 4 taps from tap 0, and the S weighted taps from tap 2.
template <int S>
constexpr std::size_t fd4_simd_batches_all() {
  return (static_cast<std::size_t>(S + 4) + float_batch::size - 1) / float_batch::size;
}
template <int S>
constexpr std::size_t fd4_simd_batches_near() {
  return (static_cast<std::size_t>(S) + float_batch::size - 1) / float_batch::size;
}

/// How far past tap 0 the batches of a row reach (floats).
template <int S>
constexpr std::size_t fd4_simd_floats() {
  const std::size_t all = fd4_simd_batches_all<S>() * float_batch::size;
  const std::size_t near = 2 + fd4_simd_batches_near<S>() * float_batch::size;
  return all > near ? all : near;
}

template <int S>
LAGFRAME_INLINE void fd4_gradient_sums_float_simd(const float* const corner, const std::size_t stride_x,
                                                 const std::size_t stride_y, const double (&w)[3][S],
                                                 const double (&c)[3][S + 4], double (&g)[3]) {
  constexpr int T = S + 4;
  constexpr std::size_t width = float_batch::size;
  constexpr std::size_t all = fd4_simd_batches_all<S>();    // batches from tap 0 holding every tap
  constexpr std::size_t near = fd4_simd_batches_near<S>();  // batches from tap 2 holding taps 2 … S+1
  // Tap-indexed z coefficients, zero outside their stencils.
  alignas(64) float wz[near * width] = {};
  alignas(64) float cz[all * width] = {};
  for (int e = 0; e < S; ++e) wz[e] = static_cast<float>(w[2][e]);  // indexed from tap 2
  for (int t = 0; t < T; ++t) cz[t] = static_cast<float>(c[2][t]);
  const auto row = [corner, stride_x, stride_y](int i, int j) {
    return corner + static_cast<std::size_t>(i) * stride_x + static_cast<std::size_t>(j) * stride_y;
  };
  // Scalar coefficients, broadcast once: 2S + 2T of them instead of the 2ST + S² products.
  float_batch wx[S], wy[S], cx[T], cy[T];
  for (int e = 0; e < S; ++e) {
    wx[e] = float_batch(static_cast<float>(w[0][e]));
    wy[e] = float_batch(static_cast<float>(w[1][e]));
  }
  for (int t = 0; t < T; ++t) {
    cx[t] = float_batch(static_cast<float>(c[0][t]));
    cy[t] = float_batch(static_cast<float>(c[1][t]));
  }
  const auto load = [](const float* p) { return float_batch::load_unaligned(p); };
  float_batch acc_x[near], acc_y[near], acc_z[all];
  for (std::size_t v = 0; v < near; ++v) acc_x[v] = acc_y[v] = float_batch(0.0f);
  for (std::size_t v = 0; v < all; ++v) acc_z[v] = float_batch(0.0f);
  // x: for each x tap, the y-weighted pair of rows, then the x filter.
  for (int t = 0; t < T; ++t)
    for (std::size_t v = 0; v < near; ++v) {
      float_batch r = wy[0] * load(row(t, 2) + 2 + v * width);
      for (int b = 1; b < S; ++b) r = xsimd::fma(wy[b], load(row(t, b + 2) + 2 + v * width), r);
      acc_x[v] = xsimd::fma(cx[t], r, acc_x[v]);
    }
  // y: for each x weight, the y-filtered rows; z: the y-weighted rows, all taps.
  for (int a = 0; a < S; ++a) {
    for (std::size_t v = 0; v < near; ++v) {
      float_batch r = cy[0] * load(row(a + 2, 0) + 2 + v * width);
      for (int t = 1; t < T; ++t) r = xsimd::fma(cy[t], load(row(a + 2, t) + 2 + v * width), r);
      acc_y[v] = xsimd::fma(wx[a], r, acc_y[v]);
    }
    for (std::size_t v = 0; v < all; ++v) {
      float_batch r = wy[0] * load(row(a + 2, 2) + v * width);
      for (int b = 1; b < S; ++b) r = xsimd::fma(wy[b], load(row(a + 2, b + 2) + v * width), r);
      acc_z[v] = xsimd::fma(wx[a], r, acc_z[v]);
    }
  }
  float_batch sx(0.0f), sy(0.0f), sz(0.0f);
  for (std::size_t v = 0; v < near; ++v) {
    const auto wv = float_batch::load_aligned(wz + v * width);
    sx = xsimd::fma(acc_x[v], wv, sx);
    sy = xsimd::fma(acc_y[v], wv, sy);
  }
  for (std::size_t v = 0; v < all; ++v) sz = xsimd::fma(acc_z[v], float_batch::load_aligned(cz + v * width), sz);
  g[0] = static_cast<double>(xsimd::hadd(sx));
  g[1] = static_cast<double>(xsimd::hadd(sy));
  g[2] = static_cast<double>(xsimd::hadd(sz));
}

}  // namespace lagframe::force::detail
