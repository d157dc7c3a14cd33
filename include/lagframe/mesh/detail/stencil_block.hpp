// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file stencil_block.hpp
/// Stencils of a block of particles at once, in structure-of-arrays form (docs/physics.md §5.2).
///
/// A block holds up to `block_size` particles. The caller gathers their coordinates (Mpc/h,
/// shift already added) into `coord[axis][q]` (or points to SoA arrays); `compute` evaluates,
/// lane-wise, the grid coordinate u = coord/Δ, the first node A::first_node(u) and the
/// weights A::weights(u, first, w) (xsimd batches or scalar doubles, see simd.hpp), and
/// finally the periodically wrapped first node as an integer. The arithmetic is the same as
/// reference.hpp's, operation for operation, so each weight is bitwise the reference's.
///
/// Coordinates must lie in [−L, 2L) (the callers check this); then first ∈ [−2N, 3N) and two
/// conditional shifts by N wrap it, without an integer division.

#include <cstddef>
#include <cstdint>

#include "lagframe/config.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/mesh/detail/simd.hpp"

namespace lagframe::mesh::detail {

/// Particles per block; a multiple of every SIMD width so blocks need no scalar tail.
inline constexpr std::size_t block_size = 64;

/// Periodic wrap of an integral-valued node index in [−2n, 3n) into [0, n).
LAGFRAME_INLINE std::int32_t wrap_first_node(double first, std::int32_t n) {
  std::int32_t i = static_cast<std::int32_t>(first);
  i += (i < 0) ? n : 0;
  i += (i < 0) ? n : 0;
  i -= (i >= n) ? n : 0;
  i -= (i >= n) ? n : 0;
  return i;
}

/// First stencil node of `count` coordinates (count rounded up to the lane width; the
/// padding entries of `coord` must hold valid numbers). Shared by the slab sort and the
/// stencil so both see bitwise the same node for every particle.
template <mass_assignment A, bool Simd>
LAGFRAME_INLINE void first_nodes(const double* coord, std::size_t count, double inv_dx,
                                 double* first) {
  using L = lane<Simd>;
  const auto inv = L::broadcast(inv_dx);
  for (std::size_t q = 0; q < count; q += L::width) {
    const auto u = L::load(coord + q) * inv;
    L::store(first + q, A::first_node(u));
  }
}

/// Number of entries to compute for `count` particles (rounded up to the lane width).
template <bool Simd>
constexpr std::size_t padded_count(std::size_t count) {
  constexpr std::size_t w = lane<Simd>::width;
  return (count + w - 1) / w * w;
}

/// Structure-of-arrays stencils of one block of particles (thread-private, on the stack).
template <mass_assignment A>
struct stencil_block {
  static constexpr int support = A::support;
  alignas(64) double coord[3][block_size];              ///< x + shift, Mpc/h
  alignas(64) double first[3][block_size];              ///< first node, unwrapped
  alignas(64) double weight[3][A::support][block_size];  ///< w[axis][node offset][particle]
  alignas(64) std::int32_t node[3][block_size];         ///< first node wrapped into [0, N)

  /// Zero the coordinates of the padding entries [count, padded_count) so the lanes beyond
  /// the last particle compute on harmless numbers.
  template <bool Simd>
  void pad(std::size_t count) {
    for (int d = 0; d < 3; ++d)
      for (std::size_t q = count; q < padded_count<Simd>(count); ++q) coord[d][q] = 0.0;
  }

  /// Fill first, weight and node for particles [0, count) from coordinates src[axis][q]
  /// (padded_count<Simd>(count) readable, finite entries per axis).
  template <bool Simd>
  LAGFRAME_INLINE void compute(const double* const (&src)[3], std::size_t count, double inv_dx,
                               std::int32_t n) {
    using L = lane<Simd>;
    const std::size_t padded = padded_count<Simd>(count);
    const auto inv = L::broadcast(inv_dx);
    for (int d = 0; d < 3; ++d) {
      first_nodes<A, Simd>(src[d], padded, inv_dx, first[d]);
      for (std::size_t q = 0; q < padded; q += L::width) {
        const auto u = L::load(src[d] + q) * inv;
        const auto f = L::load(first[d] + q);
        typename L::type w[A::support];
        A::weights(u, f, w);
        for (int s = 0; s < A::support; ++s) L::store(weight[d][s] + q, w[s]);
      }
      for (std::size_t q = 0; q < count; ++q) node[d][q] = wrap_first_node(first[d][q], n);
    }
  }

  /// Same, from this block's own `coord` (padded with `pad` first).
  template <bool Simd>
  LAGFRAME_INLINE void compute(std::size_t count, double inv_dx, std::int32_t n) {
    const double* const src[3] = {coord[0], coord[1], coord[2]};
    compute<Simd>(src, count, inv_dx, n);
  }
};

/// Node indices first, first+1, … (already wrapped first) of one axis, wrapped into [0, n).
template <int S>
LAGFRAME_INLINE void stencil_nodes(std::int32_t first, std::int32_t n, std::size_t (&idx)[S]) {
  std::int32_t i = first;
  for (int s = 0; s < S; ++s) {
    idx[s] = static_cast<std::size_t>(i);
    i = (i + 1 == n) ? 0 : i + 1;
  }
}

}  // namespace lagframe::mesh::detail
