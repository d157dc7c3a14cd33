// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file slab_sort.hpp
/// Stable counting sort of particles by the x-slab of their first stencil node, and the
/// even/odd slab groups that let the deposit run in parallel without atomics.
///
/// Slab s holds the particles whose stencil starts on plane x = s (after the periodic wrap);
/// they write planes s … s + support − 1. Slabs are cut into an even number G of groups of at
/// least `support` planes each. Two groups of the same parity are then separated by a whole
/// group of the other parity, so they never write the same plane: all even groups run
/// concurrently, then all odd groups. G depends only on N and the support, and each group is
/// processed by one thread in an order fixed by the sort (slab, then original index; the
/// deposit refines it by row within a slab), so every cell receives its contributions in the
/// same order whatever the number of threads: the deposit is bitwise independent of it.
///
/// The sort itself is parallel over fixed chunks of the particle array (the chunk count does
/// not depend on the thread count either; the stable result is unique anyway).

#include <omp.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/mesh/detail/position_check.hpp"
#include "lagframe/mesh/detail/stencil_block.hpp"

namespace lagframe::mesh::detail {

/// Buffers of the slab sort, reused between calls (they only grow).
struct slab_sort {
  /// order[i]: the input index of sorted position i (the deposit refines it, with the
  /// positions, to cell order: see deposit.hpp)
  std::vector<std::uint32_t> order;
  std::vector<std::size_t> slab_start;    ///< sorted[slab_start[s] .. slab_start[s+1]) is slab s
  std::vector<std::size_t> chunk_offset;  ///< chunks × N histogram, then write offsets
  std::vector<vec3<float>> sorted_float;  ///< positions in slab order (stable), float input
  std::vector<vec3<double>> sorted_double;  ///< the same for double input

  /// The sorted positions for Real input.
  template <class Real>
  std::vector<vec3<Real>>& sorted() {
    if constexpr (std::is_same_v<Real, float>) {
      return sorted_float;
    } else {
      static_assert(std::is_same_v<Real, double>, "lagframe::mesh: Real must be float or double");
      return sorted_double;
    }
  }
};

/// Number of slab groups for an N-plane mesh and a stencil of `support` planes: the largest
/// even number ≤ N/support, or 0 when fewer than two groups fit (the deposit is then serial).
constexpr std::size_t slab_group_count(std::size_t n, int support) {
  const std::size_t g = n / static_cast<std::size_t>(support);
  return g < 2 ? 0 : g - g % 2;
}

/// First slab of group g (g = groups gives N).
constexpr std::size_t slab_group_begin(std::size_t g, std::size_t groups, std::size_t n) {
  return g * n / groups;
}

/// Sort the positions by slab into `s` (a stable counting sort that moves the positions
/// themselves, so the deposit then reads them contiguously) (inv_dx = 1/Δ exactly as the deposit computes it).
/// Throws config_error (before touching any grid)
/// for a non-finite position or one outside [−L, 2L) after adding `shift`.
template <mass_assignment A, bool Simd, class Real>
void sort_by_slab(std::span<const vec3<Real>> positions, const vec3<double>& shift, double side,
                  double inv_dx, std::int32_t n, slab_sort& s) {
  const std::size_t np = positions.size();
  const std::size_t nn = static_cast<std::size_t>(n);
  const std::size_t chunks =
      std::clamp<std::size_t>(np / 16384, 1, 4 * static_cast<std::size_t>(omp_get_max_threads()));

  auto& sorted = s.template sorted<Real>();
  require(np <= std::numeric_limits<std::uint32_t>::max(), "mesh::deposit: number of positions", np,
          "at most 2^32 − 1 per deposit (particle indices are kept as 32-bit integers)");
  sorted.resize(np);
  s.order.resize(np);
  s.slab_start.assign(nn + 1, 0);
  s.chunk_offset.assign(chunks * nn, 0);

  // The slab of each particle in blocks: computed in both passes (the same arithmetic, so
  // the same key) rather than stored, which keeps the sort's memory at the positions' copy
  // and `order`.
  const auto slab_keys = [&](std::size_t b, std::size_t m, std::uint32_t* key, std::size_t& first_bad) {
    alignas(64) double coord[block_size];
    alignas(64) double first[block_size];
    for (std::size_t q = 0; q < m; ++q) {
      const auto& x = positions[b + q];
      const double cx = static_cast<double>(x[0]) + shift[0];
      const double cy = static_cast<double>(x[1]) + shift[1];
      const double cz = static_cast<double>(x[2]) + shift[2];
      const bool ok = coordinate_ok(cx, side) && coordinate_ok(cy, side) && coordinate_ok(cz, side);
      if (!ok) first_bad = std::min(first_bad, b + q);
      coord[q] = ok ? cx : 0.0;
    }
    for (std::size_t q = m; q < padded_count<Simd>(m); ++q) coord[q] = 0.0;
    first_nodes<A, Simd>(coord, padded_count<Simd>(m), inv_dx, first);
    for (std::size_t q = 0; q < m; ++q) key[q] = static_cast<std::uint32_t>(wrap_first_node(first[q], n));
  };

  std::size_t first_bad = np;
#pragma omp parallel for schedule(static) reduction(min : first_bad)
  for (std::size_t c = 0; c < chunks; ++c) {
    const std::size_t begin = c * np / chunks, end = (c + 1) * np / chunks;
    std::size_t* count = s.chunk_offset.data() + c * nn;
    std::uint32_t key[block_size];
    for (std::size_t b = begin; b < end; b += block_size) {
      const std::size_t m = std::min(block_size, end - b);
      slab_keys(b, m, key, first_bad);
      for (std::size_t q = 0; q < m; ++q) ++count[key[q]];
    }
  }
  if (first_bad < np) {
    throw_bad_position("mesh::deposit", first_bad, positions[first_bad], shift, side);
  }

  // Exclusive prefix sum in (slab, chunk) order: chunk c's particles of slab k start after
  // all of slab < k and after earlier chunks' particles of slab k. This is what makes it stable.
  std::size_t running = 0;
  for (std::size_t k = 0; k < nn; ++k) {
    s.slab_start[k] = running;
    for (std::size_t c = 0; c < chunks; ++c) {
      std::size_t& entry = s.chunk_offset[c * nn + k];
      const std::size_t count = entry;
      entry = running;
      running += count;
    }
  }
  s.slab_start[nn] = running;

#pragma omp parallel for schedule(static)
  for (std::size_t c = 0; c < chunks; ++c) {
    const std::size_t begin = c * np / chunks, end = (c + 1) * np / chunks;
    std::size_t* offset = s.chunk_offset.data() + c * nn;
    std::uint32_t key[block_size];
    std::size_t unused = np;
    for (std::size_t b = begin; b < end; b += block_size) {
      const std::size_t m = std::min(block_size, end - b);
      slab_keys(b, m, key, unused);
      for (std::size_t q = 0; q < m; ++q) {
        const std::size_t dst = offset[key[q]]++;
        sorted[dst] = positions[b + q];
        s.order[dst] = static_cast<std::uint32_t>(b + q);
      }
    }
  }
}

}  // namespace lagframe::mesh::detail
