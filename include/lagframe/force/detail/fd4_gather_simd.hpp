// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file fd4_gather_simd.hpp
/// The sums of the fused 4-point-gradient gather (force/particle_mesh.hpp, fd4_gradient_sums)
/// for a float mesh, with SIMD along z. Each mesh row the stencil touches is read as consecutive
/// floats in xsimd batches of float (4 lanes with SSE2, 8 with AVX): from tap 2 (node first)
/// for the rows that only need the z weights, from tap 0 (node first − 2) for the S² central
/// rows the z filter needs. With r(i, j) such a row batch, D_s[r] = r_s − 8 r_{s+1} + 8 r_{s+3}
/// − r_{s+4} the unnormalised 4-point derivative at stencil node s + 2, and w the CIC/TSC
/// weights:
///   g_x = Σ_lanes w_z · Σ_a w_x[a] D_a[Σ_b w_y[b] r(·, b + 2)] / (12Δ),
///   g_y = Σ_lanes w_z · Σ_a w_x[a] Σ_b w_y[b] D_b[r(a + 2, ·)] / (12Δ),
///   g_z = Σ_lanes c_z · Σ_a w_x[a] Σ_b w_y[b] r(a + 2, b + 2) / (12Δ),
/// where w_z and c_z = Σ_s w_z[s] (1, −8, 0, 8, −1 from tap s) are laid out by lane (zero where a
/// batch holds no tap of that stencil). Only the 3S weights are broadcast; the derivatives are
/// differences of whole batches with the constant weights ±1, ±8.
/// This is the same operator as the scalar sums, summed in another order and in float: the
/// mesh is float already, so each φ value carries a relative rounding of 6e-8 before any sum;
/// summing in float adds an error of the same order (unit test: agreement with the double
/// gather to 2e-6 of the largest component; measured 4e-7).
/// `row(i, j)` (i, j = 0 … S + 3: x and y taps counted from first − 2) gives the address of
/// tap 0 (first_z − 2) of that mesh row, from which fd4_simd_floats<S>() floats are read; the
/// taps past S + 3 carry zero weight but must be finite. Only the cross of rows with i or j in
/// [2, S + 2) is read. A stencil that does not wrap reads the mesh in place (corner/stride
/// overload); one that wraps passes the wrapped rows, or copies of them (the caller's job).

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

/// The 4-point derivative stencil [8(φ₊₁ − φ₋₁) − (φ₊₂ − φ₋₂)] seen from tap s − 2 … s + 2 of
/// a node s + 2: coefficients (1, −8, 0, 8, −1) at taps s … s + 4.
constexpr float fd4_tap_coefficient(int offset) {
  return offset == 0 ? 1.0f : offset == 1 ? -8.0f : offset == 3 ? 8.0f : offset == 4 ? -1.0f : 0.0f;
}

/// Lane patterns of fd4_gradient_sums_float_simd: unit[e] is 1 in lane e (the z weight of tap
/// e + 2, counted from tap 2), stencil[e] the derivative stencil from tap e (counted from tap 0).
template <int S>
struct fd4_lane_pattern_table {
  static constexpr std::size_t near_floats = fd4_simd_batches_near<S>() * float_batch::size;
  static constexpr std::size_t all_floats = fd4_simd_batches_all<S>() * float_batch::size;
  alignas(64) float unit[S][near_floats] = {};
  alignas(64) float stencil[S][all_floats] = {};
  constexpr fd4_lane_pattern_table() {
    for (int e = 0; e < S; ++e) {
      unit[e][e] = 1.0f;
      for (std::size_t t = 0; t < all_floats; ++t) stencil[e][t] = fd4_tap_coefficient(static_cast<int>(t) - e);
    }
  }
};
template <int S>
inline constexpr fd4_lane_pattern_table<S> fd4_lane_patterns{};

template <int S, class Rows>
LAGFRAME_INLINE void fd4_gradient_sums_float_simd(const Rows& row, const double (&w)[3][S], const double inv_12dx,
                                                 double (&g)[3]) {
  constexpr std::size_t width = float_batch::size;
  constexpr std::size_t all = fd4_simd_batches_all<S>();    // batches from tap 0 holding every tap
  constexpr std::size_t near = fd4_simd_batches_near<S>();  // batches from tap 2 holding taps 2 … S+1
  const auto load = [](const float* p) { return float_batch::load_unaligned(p); };
  // The derivative along x or y applied to rows r_0 … r_{S+3}: D_s = r_s − 8 r_{s+1} + 8 r_{s+3}
  // − r_{s+4}, the (unnormalised) 4-point derivative at node s + 2 of the stencil.
  const auto derivative = [](const float_batch* r, int s) {
    return (r[s] - r[s + 4]) + float_batch(8.0f) * (r[s + 3] - r[s + 1]);
  };
  float_batch wx[S], wy[S];
  for (int e = 0; e < S; ++e) {
    wx[e] = float_batch(static_cast<float>(w[0][e]));
    wy[e] = float_batch(static_cast<float>(w[1][e]));
  }
  // z weights by lane (from tap 2) and the z filter by lane (from tap 0): Σ_s w_z[s] times a
  // compile-time lane pattern (unit vector, or the stencil shifted by s).
  float_batch wz[near], cz[all];
  for (std::size_t v = 0; v < near; ++v) wz[v] = float_batch(0.0f);
  for (std::size_t v = 0; v < all; ++v) cz[v] = float_batch(0.0f);
  for (int e = 0; e < S; ++e) {
    const float_batch we(static_cast<float>(w[2][e]));
    for (std::size_t v = 0; v < near; ++v)
      wz[v] = xsimd::fma(we, float_batch::load_aligned(fd4_lane_patterns<S>.unit[e] + v * width), wz[v]);
    for (std::size_t v = 0; v < all; ++v)
      cz[v] = xsimd::fma(we, float_batch::load_aligned(fd4_lane_patterns<S>.stencil[e] + v * width), cz[v]);
  }
  float_batch acc_x[near], acc_y[near], acc_z[all];
  for (std::size_t v = 0; v < near; ++v) {
    // x: the y-weighted rows at each x tap, then the x derivative weighted by w_x.
    float_batch r[S + 4];
    for (int t = 0; t < S + 4; ++t) {
      r[t] = wy[0] * load(row(t, 2) + 2 + v * width);
      for (int b = 1; b < S; ++b) r[t] = xsimd::fma(wy[b], load(row(t, b + 2) + 2 + v * width), r[t]);
    }
    acc_x[v] = wx[0] * derivative(r, 0);
    for (int a = 1; a < S; ++a) acc_x[v] = xsimd::fma(wx[a], derivative(r, a), acc_x[v]);
    // y: for each x weight, the y derivative of its rows weighted by w_y.
    acc_y[v] = float_batch(0.0f);
    for (int a = 0; a < S; ++a) {
      for (int t = 0; t < S + 4; ++t) r[t] = load(row(a + 2, t) + 2 + v * width);
      float_batch d = wy[0] * derivative(r, 0);
      for (int b = 1; b < S; ++b) d = xsimd::fma(wy[b], derivative(r, b), d);
      acc_y[v] = xsimd::fma(wx[a], d, acc_y[v]);
    }
  }
  // z: the x- and y-weighted central rows, all taps; the z filter is applied by lane below.
  for (std::size_t v = 0; v < all; ++v) {
    acc_z[v] = float_batch(0.0f);
    for (int a = 0; a < S; ++a) {
      float_batch r = wy[0] * load(row(a + 2, 2) + v * width);
      for (int b = 1; b < S; ++b) r = xsimd::fma(wy[b], load(row(a + 2, b + 2) + v * width), r);
      acc_z[v] = xsimd::fma(wx[a], r, acc_z[v]);
    }
  }
  float_batch sx = acc_x[0] * wz[0], sy = acc_y[0] * wz[0], sz = acc_z[0] * cz[0];
  for (std::size_t v = 1; v < near; ++v) {
    sx = xsimd::fma(acc_x[v], wz[v], sx);
    sy = xsimd::fma(acc_y[v], wz[v], sy);
  }
  for (std::size_t v = 1; v < all; ++v) sz = xsimd::fma(acc_z[v], cz[v], sz);
  g[0] = inv_12dx * static_cast<double>(xsimd::hadd(sx));
  g[1] = inv_12dx * static_cast<double>(xsimd::hadd(sy));
  g[2] = inv_12dx * static_cast<double>(xsimd::hadd(sz));
}

/// The same sums for a stencil that does not wrap, read in place: `corner` points at node
/// (first_x − 2, first_y − 2, first_z − 2); rows are `stride_x` and `stride_y` elements apart.
/// Precondition (the caller checks): first_z − 2 + fd4_simd_floats<S>() ≤ n.
template <int S>
LAGFRAME_INLINE void fd4_gradient_sums_float_simd(const float* const corner, const std::size_t stride_x,
                                                 const std::size_t stride_y, const double (&w)[3][S],
                                                 const double inv_12dx, double (&g)[3]) {
  const auto row = [corner, stride_x, stride_y](int i, int j) {
    return corner + static_cast<std::size_t>(i) * stride_x + static_cast<std::size_t>(j) * stride_y;
  };
  fd4_gradient_sums_float_simd<S>(row, w, inv_12dx, g);
}

}  // namespace lagframe::force::detail
