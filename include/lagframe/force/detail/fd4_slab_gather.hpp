// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file fd4_slab_gather.hpp
/// The fused 4-point-gradient gather of force/particle_mesh.hpp for a float mesh, computed slab
/// by slab for particles visited in the deposit's cell order (x slab, y row, z column of the
/// first stencil node). The operator is the same as the per-particle sums of
/// fd4_gather_simd.hpp: acc = −Σ_nodes W(node − x) (∇₄φ)(node), with
///   (∇₄φ)_x(i, j, k) = [8(φ(i+1) − φ(i−1)) − (φ(i+2) − φ(i−2))]/(12Δ)
/// and likewise along y and z (periodic). Here −∇₄φ is formed once per mesh node, for the S
/// x slabs a particle's stencil touches, into a small ring of slab buffers per thread (nodes
/// as (g_x, g_y, g_z, 0) quadruples, so one 4-float load fetches a node's three components),
/// and each particle then costs S³ loads and multiply-adds, instead of the (2T − S)·S + S²·T
/// row reads of the per-particle sums (CIC: 8 against 32 four-float loads). Particles sorted
/// by slab reuse each slab buffer for all of a slab's particles, so the mesh's gradient is
/// formed about once per evaluation (plus S − 1 slabs at each thread's first particle).
///
/// The nodes' gradients are rounded to float before the weighted sum, so the result differs
/// from the per-particle sums by the float rounding of φ (about 1e-7 of the largest
/// component); it does not depend on the thread count or on which thread formed a slab: every
/// slab buffer holds the same bits whoever computes it, and each particle sums its S³ terms in
/// a fixed order.
///
/// Scratch: threads · (S · n² · 4 + n) floats, which particle_mesh lends from its second mesh
/// (idle in the non-interlaced 4-point path); nothing is allocated per call.

#include <cstddef>
#include <cstdint>
#include <span>

#include <omp.h>
#include <xsimd/xsimd.hpp>

#include "lagframe/config.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/mesh/detail/scalar_floor.hpp"

namespace lagframe::force::detail {

/// Floats of one thread's scratch: S slab buffers of n² · 4 floats, then one row of n floats
/// (rounded up to 64 bytes so that every thread's buffers stay 16-byte aligned).
template <mesh::mass_assignment A>
constexpr std::size_t fd4_slab_thread_floats(std::size_t n) {
  return static_cast<std::size_t>(A::support) * n * n * 4 + (n + 15) / 16 * 16;
}

/// Floats of scratch that gather_fd4_by_slabs needs for `threads` threads on an n³ mesh.
template <mesh::mass_assignment A>
constexpr std::size_t fd4_slab_scratch_floats(std::size_t n, std::size_t threads) {
  return threads * fd4_slab_thread_floats<A>(n);
}

/// Writes −∇₄φ at every node (j, k) of x slab `i` into out[(j n + k) 4 + {0, 1, 2}] (out[… + 3]
/// = 0). `phi` is the real-space mesh with rows `padded_last` floats apart (n ≥ 4); `along_z`
/// is a work row of n floats.
inline void fd4_node_gradient_slab(const float* const phi, const std::size_t n, const std::size_t padded_last,
                                   const std::size_t i, const float inv_12dx, float* const out,
                                   float* const along_z) {
  const auto wrap = [n](std::size_t base, long offset) {
    const long v = static_cast<long>(base) + offset;
    const auto nl = static_cast<long>(n);
    return static_cast<std::size_t>(v < 0 ? v + nl : v >= nl ? v - nl : v);
  };
  const std::size_t plane = n * padded_last;
  const float* const xm2 = phi + wrap(i, -2) * plane;
  const float* const xm1 = phi + wrap(i, -1) * plane;
  const float* const x0 = phi + i * plane;
  const float* const xp1 = phi + wrap(i, 1) * plane;
  const float* const xp2 = phi + wrap(i, 2) * plane;
  // −g = [8(φ₋₁ − φ₊₁) − (φ₋₂ − φ₊₂)]/(12Δ), the sign of the force folded in.
  const auto minus_d4 = [inv_12dx](float m2, float m1, float p1, float p2) {
    return (8.0f * (m1 - p1) - (m2 - p2)) * inv_12dx;
  };
  using quad = xsimd::make_sized_batch_t<float, 4>;
  const quad eight(8.0f), scale(inv_12dx), zero(0.0f);
  const auto load = [](const float* q) { return quad::load_unaligned(q); };
  const auto minus_d4_quad = [&](const float* m2, const float* m1, const float* p1, const float* p2) {
    return (eight * (load(m1) - load(p1)) - (load(m2) - load(p2))) * scale;
  };
  for (std::size_t j = 0; j < n; ++j) {
    const std::size_t r = j * padded_last;
    const float* const ym2 = x0 + wrap(j, -2) * padded_last;
    const float* const ym1 = x0 + wrap(j, -1) * padded_last;
    const float* const yp1 = x0 + wrap(j, 1) * padded_last;
    const float* const yp2 = x0 + wrap(j, 2) * padded_last;
    const float* const c = x0 + r;
    float* const o = out + j * n * 4;
    for (std::size_t k = 2; k + 2 < n; ++k) along_z[k] = minus_d4(c[k - 2], c[k - 1], c[k + 1], c[k + 2]);
    for (const std::size_t k : {std::size_t{0}, std::size_t{1}, n - 2, n - 1})
      along_z[k] = minus_d4(c[wrap(k, -2)], c[wrap(k, -1)], c[wrap(k, 1)], c[wrap(k, 2)]);
    // Four nodes at a time: the x, y and z components of nodes k … k + 3, transposed into
    // (g_x, g_y, g_z, 0) quadruples.
    std::size_t k = 0;
    for (; k + 4 <= n; k += 4) {
      const quad gx = minus_d4_quad(xm2 + r + k, xm1 + r + k, xp1 + r + k, xp2 + r + k);
      const quad gy = minus_d4_quad(ym2 + k, ym1 + k, yp1 + k, yp2 + k);
      const quad gz = load(along_z + k);
      const quad xz_lo = xsimd::zip_lo(gx, gz), xz_hi = xsimd::zip_hi(gx, gz);  // x0 z0 x1 z1, x2 z2 x3 z3
      const quad y0_lo = xsimd::zip_lo(gy, zero), y0_hi = xsimd::zip_hi(gy, zero);  // y0 0 y1 0, y2 0 y3 0
      xsimd::zip_lo(xz_lo, y0_lo).store_unaligned(o + 4 * k);
      xsimd::zip_hi(xz_lo, y0_lo).store_unaligned(o + 4 * k + 4);
      xsimd::zip_lo(xz_hi, y0_hi).store_unaligned(o + 4 * k + 8);
      xsimd::zip_hi(xz_hi, y0_hi).store_unaligned(o + 4 * k + 12);
    }
    for (; k < n; ++k) {
      o[4 * k + 0] = minus_d4(xm2[r + k], xm1[r + k], xp1[r + k], xp2[r + k]);
      o[4 * k + 1] = minus_d4(ym2[k], ym1[k], yp1[k], yp2[k]);
      o[4 * k + 2] = along_z[k];
      o[4 * k + 3] = 0.0f;
    }
  }
}

/// A thread's ring of S slab buffers of −∇₄φ, each tagged with the slab it holds.
template <int S>
struct fd4_slab_ring {
  float* buffer[S];  ///< n² · 4 floats each
  long slab[S];      ///< slab held, −1 for none
  float* along_z;    ///< a work row of n floats

  /// Pointers to the buffers of slabs first, first + 1, … first + S − 1 (mod n), forming those
  /// not held in buffers that hold none of them.
  void hold(const long first, const float* const phi, const std::size_t n, const std::size_t padded_last,
            const float inv_12dx, const float* (&slab_of)[S]) {
    const auto nl = static_cast<long>(n);
    long wanted[S];
    for (int a = 0; a < S; ++a) wanted[a] = first + a >= nl ? first + a - nl : first + a;
    for (int a = 0; a < S; ++a) {
      slab_of[a] = nullptr;
      for (int s = 0; s < S; ++s)
        if (slab[s] == wanted[a]) slab_of[a] = buffer[s];
    }
    for (int a = 0; a < S; ++a) {
      if (slab_of[a] != nullptr) continue;
      int free_slot = -1;  // a buffer holding no wanted slab (exists: S buffers, ≤ S wanted)
      for (int s = 0; s < S && free_slot < 0; ++s) {
        bool in_use = false;
        for (int b = 0; b < S; ++b) in_use = in_use || slab[s] == wanted[b];
        if (!in_use) free_slot = s;
      }
      fd4_node_gradient_slab(phi, n, padded_last, static_cast<std::size_t>(wanted[a]), inv_12dx, buffer[free_slot],
                             along_z);
      slab[free_slot] = wanted[a];
      slab_of[a] = buffer[free_slot];
    }
  }
};

/// acc[index[p]] = −Σ_nodes W(node − x_p) (∇₄φ)(node) for the positions `ordered` (Mpc/h, in
/// [−L, 2L)), best in the deposit's cell order; `scratch` holds fd4_slab_scratch_floats<A>(n,
/// omp_get_max_threads()) floats, 16-byte aligned (nodes are read as aligned quadruples). Returns true if some position was not finite or outside
/// [−L, 2L) (that particle is gathered at the origin).
template <mesh::mass_assignment A>
bool gather_fd4_by_slabs(const float* const phi, const std::size_t n, const std::size_t padded_last,
                         const double side, std::span<const vec3<float>> ordered, const std::uint32_t* const index,
                         std::span<vec3<float>> acc, float* const scratch) {
  constexpr int S = A::support;
  using quad = xsimd::make_sized_batch_t<float, 4>;
  const double dx = side / static_cast<double>(n);
  const double inv_dx = 1.0 / dx;
  const auto inv_12dx = static_cast<float>(1.0 / (12.0 * dx));
  const auto nl = static_cast<long>(n);
  const std::size_t count = ordered.size();
  const std::size_t slab_floats = n * n * 4;
  bool bad_position = false;
#pragma omp parallel reduction(|| : bad_position)
  {
    const auto threads = static_cast<std::size_t>(omp_get_num_threads());
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const std::size_t begin = count * t / threads, end = count * (t + 1) / threads;
    fd4_slab_ring<S> ring{};
    float* const mine = scratch + t * fd4_slab_thread_floats<A>(n);
    for (int s = 0; s < S; ++s) {
      ring.buffer[s] = mine + static_cast<std::size_t>(s) * slab_floats;
      ring.slab[s] = -1;
    }
    ring.along_z = mine + static_cast<std::size_t>(S) * slab_floats;
    const float* slab_of[S] = {};
    long held_first = -1;
    for (std::size_t p = begin; p < end; ++p) {
      double w[3][S];
      long f[3];
      for (int d = 0; d < 3; ++d) {
        double x = static_cast<double>(ordered[p][d]);
        if (!(x >= -side && x < 2.0 * side)) {
          bad_position = true;
          x = 0.0;
        }
        f[d] = mesh::detail::wrapped_first_node_and_weights<A>(x * inv_dx, nl, w[d]);
      }
      if (f[0] != held_first) {
        ring.hold(f[0], phi, n, padded_last, inv_12dx, slab_of);
        held_first = f[0];
      }
      std::size_t column[S];
      for (int c = 0; c < S; ++c) {
        const long k = f[2] + c;
        column[c] = static_cast<std::size_t>(k >= nl ? k - nl : k) * 4;
      }
      float wf[3][S];
      for (int d = 0; d < 3; ++d)
        for (int e = 0; e < S; ++e) wf[d][e] = static_cast<float>(w[d][e]);
      quad sum(0.0f);
      for (int a = 0; a < S; ++a) {
        for (int b = 0; b < S; ++b) {
          const long j = f[1] + b;
          const float* const row = slab_of[a] + static_cast<std::size_t>(j >= nl ? j - nl : j) * n * 4;
          const float wab = wf[0][a] * wf[1][b];
          for (int c = 0; c < S; ++c) sum = xsimd::fma(quad(wab * wf[2][c]), quad::load_aligned(row + column[c]), sum);
        }
      }
      alignas(16) float g[4];
      sum.store_aligned(g);
      acc[index != nullptr ? index[p] : p] = {g[0], g[1], g[2]};
    }
  }
  return bad_position;
}

}  // namespace lagframe::force::detail
