// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file deposit.hpp
/// Particle → mesh deposit with a mass_assignment stencil (docs/physics.md §5.4): every particle
/// adds mass · W_x·W_y·W_z to the support³ nodes around it, indices wrapped periodically.
///
/// Algorithm (no atomics): particles are stably bin-sorted by the x-slab of their first
/// stencil node (detail/slab_sort.hpp), slabs are cut into an even number of groups at least
/// `support` planes thick, and the even groups are deposited concurrently, then the odd ones.
/// Each group is deposited by one thread, slab by slab: a slab's particles are re-sorted by
/// the y row, then the z column, of their first node (cell order; the workspace keeps it for
/// a gather, see deposit_workspace) into thread-owned structure-of-arrays coordinates (so
/// that consecutive particles write the same few rows, which stay in L1), then deposited in
/// blocks of 64 (detail/stencil_block.hpp): stencils computed with SIMD, then scattered one
/// particle at a time with scalar adds.
///
/// Determinism: the order in which a cell receives its contributions (slab, row, column, then
/// particle index) depends only on the positions and N, never on the number of threads, so
/// results are bitwise identical for any OMP_NUM_THREADS. They differ from reference::deposit
/// only by that summation order (each contribution mass·w_x·w_y·w_z is computed with the
/// reference's double arithmetic).
///
/// Threading: spawns an OpenMP team (omp_get_max_threads()); do not call it from inside a
/// parallel region. For meshes thinner than 2·support planes it runs serially.

#include <omp.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <span>
#include <type_traits>
#include <vector>

#include "lagframe/config.hpp"
#include "lagframe/core/aligned_vector.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/mesh/detail/slab_sort.hpp"
#include "lagframe/mesh/detail/stencil_block.hpp"

namespace lagframe::mesh {

namespace detail {

/// One thread's buffers for depositing a slab (≈ 60 bytes per particle of the fullest slab):
/// one coordinate axis at a time and its first nodes, the rows and columns of the first
/// nodes, the cell-order permutation, all coordinates (shift added) in that order as
/// structure of arrays, and the slab's positions while they are put back in that order.
struct slab_scratch {
  aligned_vector<double> axis;
  aligned_vector<double> sorted[3];
  std::vector<std::uint32_t> row, column, by_z, by_cell;
  std::vector<std::size_t> row_offset;
  std::vector<vec3<float>> held_float;
  std::vector<vec3<double>> held_double;

  template <class Real>
  std::vector<vec3<Real>>& held() {
    if constexpr (std::is_same_v<Real, float>) {
      return held_float;
    } else {
      return held_double;
    }
  }

  /// Grow (never shrink) to hold `count` particles of an N-row mesh plus SIMD padding.
  template <class Real>
  void reserve(std::size_t count, std::size_t n) {
    const std::size_t size = count + block_size;
    const auto grow = [size](auto& v) {
      if (v.size() < size) v.resize(size);
    };
    for (auto& v : sorted) grow(v);
    grow(axis);
    grow(row);
    grow(column);
    grow(by_z);
    grow(by_cell);
    grow(held<Real>());
    if (row_offset.size() < n + 1) row_offset.resize(n + 1);
  }
};

}  // namespace detail

/// Reusable buffers of the deposit, kept between calls so that, once they have grown to the
/// particle count and mesh size, a deposit allocates nothing: the positions in cell order and
/// their input indices (4 + 3·sizeof(Real) bytes per particle), per-chunk slab histograms, and
/// per-thread buffers for one slab (≈ 60 bytes per particle of the fullest slab). Not
/// thread-safe: one workspace per concurrent deposit.
///
/// After a deposit the workspace holds that call's positions in cell order: by the x slab, y
/// row and z column of each particle's first stencil node (after the shift), then by input
/// index. A gather that visits particles in this order reads the mesh row by row, as the
/// deposit writes it, instead of jumping between distant rows as neighbours in the input
/// order may (force::particle_mesh uses it).
struct deposit_workspace {
  detail::slab_sort bins;                      ///< internal: the slab sort
  std::vector<detail::slab_scratch> threads;  ///< internal: one per OpenMP thread

  /// The last deposit's positions in cell order and, for each, its index in the input, if
  /// that deposit was of `positions` (the same array and size; the caller must not have
  /// changed them since); empty spans otherwise.
  template <class Real>
  [[nodiscard]] std::pair<std::span<const vec3<Real>>, std::span<const std::uint32_t>> cell_order_of(
      std::span<const vec3<Real>> positions) const {
    if (positions.empty() || ordered_source != static_cast<const void*>(positions.data()) ||
        ordered_count != positions.size()) {
      return {};
    }
    const auto& sorted = const_cast<detail::slab_sort&>(bins).template sorted<Real>();
    return {std::span<const vec3<Real>>(sorted.data(), ordered_count),
            std::span<const std::uint32_t>(bins.order.data(), ordered_count)};
  }

  const void* ordered_source = nullptr;  ///< internal: the positions of the last deposit
  std::size_t ordered_count = 0;         ///< internal: their number
};

namespace detail {

/// Scatter one block's stencils: grid(node) += mass · w_x w_y w_z for particles [0, m).
template <mass_assignment A, class Real>
LAGFRAME_INLINE void scatter_block(const stencil_block<A>& sb, std::size_t m, double mass,
                                   real_field<Real>& grid) {
  constexpr int S = A::support;
  const auto n = static_cast<std::int32_t>(grid.size_1d());
  const std::size_t nn = grid.size_1d();
  const std::size_t pl = grid.padded_last();
  Real* const data = grid.data();
  for (std::size_t q = 0; q < m; ++q) {
    std::size_t ii[S], jj[S], kk[S];
    stencil_nodes<S>(sb.node[0][q], n, ii);
    stencil_nodes<S>(sb.node[1][q], n, jj);
    stencil_nodes<S>(sb.node[2][q], n, kk);
    for (int a = 0; a < S; ++a) {
      Real* const plane = data + ii[a] * nn * pl;
      const double wa = sb.weight[0][a][q];
      for (int c = 0; c < S; ++c) {
        Real* const row = plane + jj[c] * pl;
        // Same association as reference::deposit: (mass · (w_x w_y)) · w_z.
        const double mw = mass * (wa * sb.weight[1][c][q]);
        for (int e = 0; e < S; ++e) row[kk[e]] += static_cast<Real>(mw * sb.weight[2][e][q]);
      }
    }
  }
}

/// Deposit all particles serially, in their storage order.
template <mass_assignment A, bool Simd, class Real>
void deposit_in_order(std::span<const vec3<Real>> positions, double mass, const vec3<double>& shift,
                      real_field<Real>& grid) {
  const auto n = static_cast<std::int32_t>(grid.size_1d());
  const double inv_dx = 1.0 / grid.spacing();
  stencil_block<A> sb;
  for (std::size_t b = 0; b < positions.size(); b += block_size) {
    const std::size_t m = std::min(block_size, positions.size() - b);
    for (std::size_t q = 0; q < m; ++q) {
      const auto& x = positions[b + q];
      for (int d = 0; d < 3; ++d) sb.coord[d][q] = static_cast<double>(x[d]) + shift[d];
    }
    sb.template pad<Simd>(m);
    sb.template compute<Simd>(m, inv_dx, n);
    scatter_block(sb, m, mass, grid);
  }
}

/// Stable counting sort of keys[0..count) (values < n): out[...] = the indices `in` in
/// order of their key (the order of `in` kept among equal keys).
inline void counting_sort_indices(const std::uint32_t* in, const std::uint32_t* keys, std::size_t count,
                                  std::size_t n, std::size_t* offset, std::uint32_t* out) {
  std::fill(offset, offset + n + 1, std::size_t{0});
  for (std::size_t r = 0; r < count; ++r) ++offset[keys[in[r]] + 1];
  for (std::size_t j = 0; j < n; ++j) offset[j + 1] += offset[j];
  for (std::size_t r = 0; r < count; ++r) out[offset[keys[in[r]]]++] = in[r];
}

/// Deposit the `count` particles x[0..count) of one slab (input indices order[0..count)):
/// put them in cell order, i.e. by the y row of their first node, then by its z column, then
/// by input index (two stable counting sorts, z first), and write them back in that order to
/// x and order (force::particle_mesh's gather visits them so); then deposit them block by
/// block from structure-of-arrays coordinates (shift added), so that consecutive particles
/// write the same few rows, which stay in L1.
template <mass_assignment A, bool Simd, class Real>
void deposit_slab(vec3<Real>* x, std::uint32_t* order, std::size_t count, double mass, const vec3<double>& shift,
                  real_field<Real>& grid, slab_scratch& sc) {
  if (count == 0) return;
  const auto n = static_cast<std::int32_t>(grid.size_1d());
  const std::size_t nn = grid.size_1d();
  const double inv_dx = 1.0 / grid.spacing();
  const std::size_t padded = padded_count<Simd>(count);
  std::uint32_t* const row = sc.row.data();
  std::uint32_t* const column = sc.column.data();
  std::uint32_t* const by_z = sc.by_z.data();
  std::uint32_t* const by_cell = sc.by_cell.data();
  // The wrapped first node along y (rows), then z (columns), through one buffer (first_nodes
  // works in place).
  double* const axis = sc.axis.data();
  for (int d = 1; d <= 2; ++d) {
    for (std::size_t r = 0; r < count; ++r) axis[r] = static_cast<double>(x[r][d]) + shift[d];
    for (std::size_t r = count; r < padded; ++r) axis[r] = 0.0;
    first_nodes<A, Simd>(axis, padded, inv_dx, axis);
    std::uint32_t* const key = d == 1 ? row : column;
    for (std::size_t r = 0; r < count; ++r) key[r] = static_cast<std::uint32_t>(wrap_first_node(axis[r], n));
  }
  for (std::size_t r = 0; r < count; ++r) by_z[r] = static_cast<std::uint32_t>(r);
  counting_sort_indices(by_z, column, count, nn, sc.row_offset.data(), by_cell);
  counting_sort_indices(by_cell, row, count, nn, sc.row_offset.data(), by_z);

  // by_z now holds the cell order; by_cell is free for the input indices in that order.
  double* const sorted[3] = {sc.sorted[0].data(), sc.sorted[1].data(), sc.sorted[2].data()};
  auto& held = sc.template held<Real>();
  std::uint32_t* const held_order = by_cell;
  for (std::size_t r = 0; r < count; ++r) {
    const std::uint32_t src = by_z[r];
    for (int d = 0; d < 3; ++d) sorted[d][r] = static_cast<double>(x[src][d]) + shift[d];
    held[r] = x[src];
    held_order[r] = order[src];
  }
  std::copy(held.begin(), held.begin() + static_cast<std::ptrdiff_t>(count), x);
  std::copy(held_order, held_order + count, order);
  for (double* v : sorted) std::fill(v + count, v + count + block_size, 0.0);

  stencil_block<A> sb;
  for (std::size_t b = 0; b < count; b += block_size) {
    const std::size_t m = std::min(block_size, count - b);
    const double* const src[3] = {sorted[0] + b, sorted[1] + b, sorted[2] + b};
    sb.template compute<Simd>(src, m, inv_dx, n);
    scatter_block(sb, m, mass, grid);
  }
}

/// The slab-sorted, even/odd-parallel deposit (see the file comment). With `replace`, the
/// grid's previous contents are discarded: each plane is zeroed by the thread that writes it
/// first, just before that write (see deposit_replacing).
template <mass_assignment A, bool Simd, class Real>
void deposit_sorted(std::span<const vec3<Real>> positions, Real mass, real_field<Real>& grid,
                    deposit_workspace& ws, const vec3<double>& shift, bool replace = false) {
  ws.ordered_source = nullptr;
  ws.ordered_count = 0;
  if (positions.empty()) {
    if (replace) grid.fill(Real(0));
    return;
  }
  const std::size_t nn = grid.size_1d();
  const double inv_dx = 1.0 / grid.spacing();
  sort_by_slab<A, Simd>(positions, shift, grid.side(), inv_dx, static_cast<std::int32_t>(nn),
                        ws.bins);
  vec3<Real>* const sorted = ws.bins.template sorted<Real>().data();
  std::uint32_t* const order = ws.bins.order.data();
  const std::size_t* const start = ws.bins.slab_start.data();
  std::size_t largest_slab = 0;
  for (std::size_t s = 0; s < nn; ++s) {
    largest_slab = std::max(largest_slab, start[s + 1] - start[s]);
  }
  // All allocation happens here, outside the parallel region.
  const auto threads = static_cast<std::size_t>(omp_get_max_threads());
  if (ws.threads.size() < threads) ws.threads.resize(threads);
  for (auto& sc : ws.threads) sc.template reserve<Real>(largest_slab, nn);

  const double m = static_cast<double>(mass);
  const std::size_t groups = slab_group_count(nn, A::support);
  if (groups == 0) {
    if (replace) grid.fill(Real(0));
    for (std::size_t s = 0; s < nn; ++s) {
      deposit_slab<A, Simd>(sorted + start[s], order + start[s], start[s + 1] - start[s], m, shift, grid, ws.threads[0]);
    }
    ws.ordered_source = positions.data();
    ws.ordered_count = positions.size();
    return;
  }
  // Zeroing for `replace`. Slab s writes planes s … s + S − 1 (mod N), and a group [b, e)
  // writes planes b … e + S − 2. An even group runs first, so it zeroes every plane it
  // writes: [b, e + S − 1). An odd group finds its first S − 1 planes already written by the
  // even group before it and zeroes [b + S − 1, e); the planes it writes past e belong to the
  // next even group, which has run. Each plane is zeroed just before the first slab that
  // writes it, so it is still in cache when the deposit reads it back.
  constexpr std::size_t S = A::support;
  const std::size_t plane = nn * grid.padded_last();
  Real* const data = grid.data();
  const auto zero_plane = [&](std::size_t p) {
    std::fill_n(data + (p % nn) * plane, plane, Real(0));
  };
#pragma omp parallel
  {
    slab_scratch& sc = ws.threads[static_cast<std::size_t>(omp_get_thread_num())];
    for (std::size_t parity = 0; parity < 2; ++parity) {
      // The implicit barrier at the end of the loop separates the two parities.
#pragma omp for schedule(dynamic, 1)
      for (std::size_t h = 0; h < groups / 2; ++h) {
        const std::size_t g = 2 * h + parity;
        const std::size_t begin = slab_group_begin(g, groups, nn), end = slab_group_begin(g + 1, groups, nn);
        const bool even = parity == 0;
        if (replace && even) {
          for (std::size_t p = begin; p + 1 < begin + S; ++p) zero_plane(p);
        }
        for (std::size_t s = begin; s < end; ++s) {
          if (replace && (even || s + S - 1 < end)) zero_plane(s + S - 1);
          deposit_slab<A, Simd>(sorted + start[s], order + start[s], start[s + 1] - start[s], m, shift, grid, sc);
        }
      }
    }
  }
  ws.ordered_source = positions.data();
  ws.ordered_count = positions.size();
}

/// Serial deposit in the particles' own order, without sorting (benchmark baseline to show
/// what the sort buys). Throws config_error for a position outside [−L, 2L) after the shift.
template <mass_assignment A, bool Simd, class Real>
void deposit_unsorted(std::span<const vec3<Real>> positions, Real mass, real_field<Real>& grid,
                      const vec3<double>& shift = {0.0, 0.0, 0.0}) {
  const double side = grid.side();
  for (std::size_t p = 0; p < positions.size(); ++p) {
    const auto& x = positions[p];
    for (int d = 0; d < 3; ++d) {
      if (!coordinate_ok(static_cast<double>(x[d]) + shift[d], side)) {
        throw_bad_position("mesh::deposit", p, x, shift, side);
      }
    }
  }
  deposit_in_order<A, Simd>(positions, static_cast<double>(mass), shift, grid);
}

}  // namespace detail

/// grid(node) += mass · W(node − (x + shift)/Δ) for every particle (accumulates; does not zero
/// `grid`). Positions in Mpc/h inside [0, L); `shift` (Mpc/h) is added to each position
/// (interlacing) and the result wrapped periodically (anything in [−L, 2L) is accepted).
/// Throws config_error naming the first particle with a non-finite or out-of-range position,
/// before the grid is modified. Deterministic: bitwise independent of the thread count.
template <mass_assignment A, class Real>
void deposit(std::span<const vec3<Real>> positions, Real mass, real_field<Real>& grid,
             deposit_workspace& workspace, const vec3<double>& shift = {0.0, 0.0, 0.0}) {
  detail::deposit_sorted<A, true>(positions, mass, grid, workspace, shift);
}

/// grid = the deposit of deposit() (the previous contents, whatever they are, are discarded).
/// The result is bitwise that of grid.fill(0) followed by deposit(), but each mesh plane is
/// zeroed by the thread that deposits into it, just before its first write, so the plane is
/// still in cache when the deposit adds to it instead of coming back from memory. Throws as
/// deposit() does, before the grid is modified.
template <mass_assignment A, class Real>
void deposit_replacing(std::span<const vec3<Real>> positions, Real mass, real_field<Real>& grid,
                       deposit_workspace& workspace, const vec3<double>& shift = {0.0, 0.0, 0.0}) {
  detail::deposit_sorted<A, true>(positions, mass, grid, workspace, shift, true);
}

/// Same as deposit() with the stencils computed by scalar code instead of xsimd batches
/// (same algorithm, same results up to floating-point contraction; kept for comparison).
template <mass_assignment A, class Real>
void deposit_scalar(std::span<const vec3<Real>> positions, Real mass, real_field<Real>& grid,
                    deposit_workspace& workspace, const vec3<double>& shift = {0.0, 0.0, 0.0}) {
  detail::deposit_sorted<A, false>(positions, mass, grid, workspace, shift);
}

}  // namespace lagframe::mesh
