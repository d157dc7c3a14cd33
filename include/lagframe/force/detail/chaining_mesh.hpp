// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file chaining_mesh.hpp
/// The pair search of the P3M short-range sum (force/p3m.hpp): a chaining mesh of n_c³ cells of
/// side h = L/n_c ≥ r_cut/2, particles counting-sorted by cell into structure-of-arrays
/// coordinates, and a traversal that visits every pair closer than r_cut exactly once.
///
/// Layout. Cells are ordered (x, y, z) with z fastest, so the 5 cells of a z-column segment
/// (z offsets −2 … +2, enough since h ≥ r_cut/2) are one contiguous run of particles; inside
/// each cell the particles are ordered by z (ties by id), so such a run is sorted by z. Every
/// x-plane of cells is followed by `pad` sentinel entries (far-away coordinates, never written
/// back), so the SIMD loop may read and write back a partial batch past the end of any run
/// without leaving the plane.
///
/// Pairs (half shell): particle i in cell (cx, cy, cz) meets the columns (dx, dy) with dx > 0
/// (any dy), or dx = 0 and dy > 0, each over z offsets −2 … +2, and its own column over z
/// offsets 0 … +2 with j > i. Each unordered pair of cells with offset v ≠ 0 is met from
/// exactly one side (v or −v), so every pair of particles closer than r_cut is summed once,
/// with Newton's third law; n_c ≥ 5 makes the offsets −2 … +2 distinct cells. The runs of a
/// cell are set up once for all its particles; per i, columns whose rectangle lies farther than
/// r_cut in (x, y) are skipped, and each run is narrowed to |z_j − z_i| < r_cut by two cursors
/// that only move forward (the cell's particles come in increasing z): 1.9 candidates per pair
/// inside r_cut at z = 0 (the kernel's own mask decides; the pruning is conservative).
///
/// Parallelism without atomics: the half shell writes only planes cx … cx + 2. The planes are
/// cut into an even number G of groups of at least 2 planes; a group writes its planes and the
/// first 2 of the next group, so groups of equal parity never write the same plane. Even
/// groups run concurrently (dynamic schedule: clustered states load slabs unevenly), then odd
/// ones; each group is summed by one thread in a fixed order, so the result is bitwise the same
/// for any thread count. The counting sort is stable (chunks in order) and the z order breaks
/// ties by id, so the sorted order is unique too.
///
/// Memory: per particle 3 coordinates, 3 accumulators (Real), a 32-bit id and a 32-bit cell;
/// per cell one offset (n_c³ ≈ (2L/r_cut)³ of them).

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "lagframe/config.hpp"
#include "lagframe/core/aligned_vector.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"

namespace lagframe::force::detail {

/// Neighbour reach of the chaining mesh in cells (cells are at least r_cut / reach wide).
inline constexpr int chaining_reach = 2;

template <class Real>
class chaining_mesh {
 public:
  /// Chaining mesh of a box of side L for pairs closer than r_cut; `pad` sentinel entries
  /// follow every x-plane (≥ the SIMD width − 1). Throws config_error if fewer than
  /// 2·reach + 1 = 5 cells fit per side (r_cut > 2L/5).
  chaining_mesh(double side, double r_cut, std::size_t pad) : side_(side), r_cut_(r_cut), pad_(pad) {
    const double cells = std::floor(side * chaining_reach / r_cut);
    require(cells >= 2 * chaining_reach + 1, "p3m cut-off r_cut (Mpc/h)", r_cut,
            lagframe::detail::concat("at most 2L/5 = ", 2.0 * side / 5.0,
                                     " Mpc/h: the box is too small for the pair search (use a finer mesh, which "
                                     "shrinks r_s and r_cut, or a larger box)"));
    require(cells <= 2048, "p3m chaining mesh cells per side", cells,
            "at most 2048 (r_cut too small for the box: use a coarser split)");
    n_ = static_cast<std::size_t>(cells);
    h_ = side / static_cast<double>(n_);
    inv_h_ = 1.0 / h_;
    cell_start_.resize(n_ * n_ * n_ + 1);
    const std::size_t groups = n_ / 2;
    groups_ = groups - groups % 2;
  }

  [[nodiscard]] std::size_t cells_per_side() const { return n_; }
  [[nodiscard]] double cell_side() const { return h_; }
  [[nodiscard]] std::size_t size() const { return x_.size(); }
  [[nodiscard]] std::span<const std::uint32_t> ids() const { return id_; }

  /// Sort the positions (in [0, L)) by cell into the structure-of-arrays layout and zero the
  /// accumulators. Throws config_error for a position outside [0, L] or not finite.
  void sort(std::span<const vec3<Real>> positions) {
    const std::size_t np = positions.size();
    require(np < std::numeric_limits<std::uint32_t>::max(), "p3m particle count", np, "fewer than 2^32 particles");
    const std::size_t cells = n_ * n_ * n_;
    // A stable sort has one result whatever the chunking, so the chunk count may follow the
    // thread count (memory: chunks × cells counters).
    const std::size_t chunks =
        std::clamp<std::size_t>(np / 16384, 1, static_cast<std::size_t>(omp_get_max_threads()));
    cell_of_.resize(np);
    chunk_count_.assign(chunks * cells, 0);
    std::size_t first_bad = np;
    const auto n = static_cast<long>(n_);
#pragma omp parallel for schedule(static) reduction(min : first_bad)
    for (std::size_t c = 0; c < chunks; ++c) {
      std::uint32_t* count = chunk_count_.data() + c * cells;
      for (std::size_t p = c * np / chunks; p < (c + 1) * np / chunks; ++p) {
        long idx[3];
        for (int d = 0; d < 3; ++d) {
          const double v = static_cast<double>(positions[p][d]);
          if (!(v >= 0.0 && v <= side_)) {
            first_bad = std::min(first_bad, p);
            idx[d] = 0;
            continue;
          }
          idx[d] = std::min(static_cast<long>(v * inv_h_), n - 1);
        }
        const auto key = static_cast<std::uint32_t>((idx[0] * n + idx[1]) * n + idx[2]);
        cell_of_[p] = key;
        ++count[key];
      }
    }
    if (first_bad < np) {
      const auto& x = positions[first_bad];
      throw config_error(lagframe::detail::concat("lagframe: p3m: position[", first_bad, "] = (", x[0], ", ", x[1],
                                                  ", ", x[2], ") Mpc/h is invalid: expected coordinates in [0, L], L = ",
                                                  side_, " Mpc/h"));
    }
    // Offsets in (cell, chunk) order, with `pad` entries after every x-plane.
    std::size_t running = 0;
    plane_end_.resize(n_);
    for (std::size_t cell = 0; cell < cells; ++cell) {
      cell_start_[cell] = running;
      for (std::size_t c = 0; c < chunks; ++c) {
        const std::size_t count = chunk_count_[c * cells + cell];
        chunk_count_[c * cells + cell] = static_cast<std::uint32_t>(running - cell_start_[cell]);
        running += count;
      }
      if ((cell + 1) % (n_ * n_) == 0) {
        plane_end_[cell / (n_ * n_)] = running;
        running += pad_;
      }
    }
    cell_start_[cells] = running;
    resize(running);
    // Sentinels everywhere first (the padding keeps them), then the particles.
    const Real far = static_cast<Real>(1e15);
    std::fill(x_.begin(), x_.end(), far);
    std::fill(y_.begin(), y_.end(), far);
    std::fill(z_.begin(), z_.end(), far);
#pragma omp parallel for schedule(static)
    for (std::size_t c = 0; c < chunks; ++c) {
      std::uint32_t* offset = chunk_count_.data() + c * cells;  // this chunk's next slot in each cell
      for (std::size_t p = c * np / chunks; p < (c + 1) * np / chunks; ++p) {
        const std::uint32_t cell = cell_of_[p];
        const std::size_t s = cell_start_[cell] + offset[cell]++;
        x_[s] = positions[p][0];
        y_[s] = positions[p][1];
        z_[s] = positions[p][2];
        id_[s] = static_cast<std::uint32_t>(p);
      }
    }
    sort_cells_by_z();
    std::fill(ax_.begin(), ax_.end(), Real(0));
    std::fill(ay_.begin(), ay_.end(), Real(0));
    std::fill(az_.begin(), az_.end(), Real(0));
  }

  /// Sum `kernel.run(...)` over every pair closer than r_cut once (see the file comment).
  /// Kernel: run(xs, ys, zs, ax, ay, az, j0, j1, xi − sx, yi − sy, zi − sz, fx, fy, fz, pairs)
  /// adding to the batches fx.. the forces on i and subtracting them from a[j];
  /// Kernel::sum(batch) → the sum of its lanes. Returns the number of pairs inside r_cut.
  template <class Kernel>
  std::size_t for_each_pair(const Kernel& kernel) {
    std::size_t pairs = 0;
    const std::size_t groups = groups_;
    if (groups == 0) {
      for (std::size_t cx = 0; cx < n_; ++cx) pairs += plane_pairs(kernel, cx);
      return pairs;
    }
    for (std::size_t parity = 0; parity < 2; ++parity) {
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : pairs)
      for (std::size_t g = parity; g < groups; g += 2) {
        const std::size_t begin = g * n_ / groups, end = (g + 1) * n_ / groups;
        for (std::size_t cx = begin; cx < end; ++cx) pairs += plane_pairs(kernel, cx);
      }
    }
    return pairs;
  }

  /// Accumulated values in sorted order (sentinel entries hold zeros).
  [[nodiscard]] const Real* ax() const { return ax_.data(); }
  [[nodiscard]] const Real* ay() const { return ay_.data(); }
  [[nodiscard]] const Real* az() const { return az_.data(); }
  /// Sorted index range of cell (cx, cy, cz) and of x-plane cx (particles only).
  [[nodiscard]] std::size_t cell_begin(std::size_t cx, std::size_t cy, std::size_t cz) const {
    return cell_start_[(cx * n_ + cy) * n_ + cz];
  }
  [[nodiscard]] std::size_t plane_begin(std::size_t cx) const { return cell_start_[cx * n_ * n_]; }
  [[nodiscard]] std::size_t plane_end(std::size_t cx) const { return plane_end_[cx]; }

 private:
  /// Order every cell's particles by z (ties by id: the order is unique), so that a column run
  /// of consecutive cells is sorted by z and the pair loop can bound it by binary search.
  void sort_cells_by_z() {
    const std::size_t cells_per_plane = n_ * n_;
#pragma omp parallel
    {
      std::vector<std::pair<Real, std::uint32_t>> keys;
      std::vector<Real> tx, ty;
#pragma omp for schedule(dynamic, 4)
      for (std::size_t plane = 0; plane < n_; ++plane) {
        for (std::size_t c = plane * cells_per_plane; c < (plane + 1) * cells_per_plane; ++c) {
          const std::size_t begin = cell_start_[c];
          const std::size_t end = (c + 1) % cells_per_plane == 0 ? plane_end_[plane] : cell_start_[c + 1];
          const std::size_t count = end - begin;
          if (count < 2) continue;
          keys.resize(count);
          tx.resize(count);
          ty.resize(count);
          for (std::size_t k = 0; k < count; ++k) {
            keys[k] = {z_[begin + k], id_[begin + k]};
            tx[k] = x_[begin + k];
            ty[k] = y_[begin + k];
          }
          // The slot each key came from travels in the id's place until the permutation.
          std::vector<std::uint32_t>& from = slot_scratch();
          from.resize(count);
          for (std::size_t k = 0; k < count; ++k) from[k] = static_cast<std::uint32_t>(k);
          std::sort(from.begin(), from.end(), [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
          for (std::size_t k = 0; k < count; ++k) {
            const std::uint32_t f = from[k];
            z_[begin + k] = keys[f].first;
            id_[begin + k] = keys[f].second;
            x_[begin + k] = tx[f];
            y_[begin + k] = ty[f];
          }
        }
      }
    }
  }
  static std::vector<std::uint32_t>& slot_scratch() {
    thread_local std::vector<std::uint32_t> v;
    return v;
  }

  void resize(std::size_t size) {
    for (auto* v : {&x_, &y_, &z_, &ax_, &ay_, &az_}) v->resize(size);
    id_.resize(size);
  }

  /// One contiguous, z-sorted run of a neighbour column seen from a cell: sorted indices
  /// [begin, end), the periodic shift (sx, sy, sz) of its particles, the column's rectangle in
  /// (x, y) relative to the cell's lower corner, and the window [lo, hi) of the particle being
  /// processed (monotone cursors: the cell's particles come in increasing z).
  struct column_run {
    std::size_t begin, end, lo, hi;
    double sx, sy, sz;
    double x0, x1, y0, y1;  ///< column bounds, unwrapped, in Mpc/h
    bool own;               ///< the cell's own column (only later particles of the own cell)
  };

  /// All pairs whose first particle lies in x-plane cx.
  template <class Kernel>
  std::size_t plane_pairs(const Kernel& kernel, std::size_t cx) {
    std::size_t pairs = 0;
    const long n = static_cast<long>(n_);
    const double rc = r_cut_ * (1.0 + 1e-6);  // conservative pruning; the kernel masks exactly
    constexpr std::size_t max_runs = 2 * ((chaining_reach + 1) * (2 * chaining_reach + 1));
    column_run runs[max_runs];
    const Real* const zs = z_.data();
    for (std::size_t cy = 0; cy < n_; ++cy) {
      for (std::size_t cz = 0; cz < n_; ++cz) {
        const std::size_t begin = cell_begin(cx, cy, cz);
        const std::size_t end = cell_start_[(cx * n_ + cy) * n_ + cz + 1] - ((cz + 1 == n_ && cy + 1 == n_) ? pad_ : 0);
        if (begin == end) continue;
        // The half shell's column runs (see the file comment), split where z wraps.
        std::size_t count = 0;
        for (long dx = 0; dx <= chaining_reach; ++dx) {
          long bx = static_cast<long>(cx) + dx;
          double sx = 0;
          if (bx >= n) bx -= n, sx = side_;
          for (long dy = dx == 0 ? 0 : -chaining_reach; dy <= chaining_reach; ++dy) {
            long by = static_cast<long>(cy) + dy;
            double sy = 0;
            if (by >= n) by -= n, sy = side_;
            if (by < 0) by += n, sy = -side_;
            const bool own = dx == 0 && dy == 0;
            const std::size_t row = (static_cast<std::size_t>(bx) * n_ + static_cast<std::size_t>(by)) * n_;
            long first = static_cast<long>(cz) - (own ? 0 : chaining_reach);
            const long last = static_cast<long>(cz) + chaining_reach;
            while (first <= last) {
              long bz = first;
              double sz = 0;
              if (bz < 0) bz += n, sz = -side_;
              if (bz >= n) bz -= n, sz = side_;
              const long run_cells = std::min(last - first + 1, n - bz);
              std::size_t j1 = cell_start_[row + static_cast<std::size_t>(bz + run_cells)];
              if (static_cast<std::size_t>(bz + run_cells) == n_ && static_cast<std::size_t>(by) + 1 == n_) j1 -= pad_;
              const std::size_t j0 = cell_start_[row + static_cast<std::size_t>(bz)];
              const double x0 = static_cast<double>(static_cast<long>(cx) + dx) * h_;
              const double y0 = static_cast<double>(static_cast<long>(cy) + dy) * h_;
              runs[count++] = column_run{j0, j1, j0, j0, sx, sy, sz, x0, x0 + h_, y0, y0 + h_, own && first == static_cast<long>(cz)};
              first += run_cells;
            }
          }
        }
        for (std::size_t i = begin; i < end; ++i) {
          const double xd = x_[i], yd = y_[i], zd = z_[i];
          typename Kernel::batch fx(Real(0)), fy(Real(0)), fz(Real(0));
          for (std::size_t r = 0; r < count; ++r) {
            column_run& run = runs[r];
            // Smallest distance in (x, y) from i to the column.
            const double gap_x = std::max({0.0, run.x0 - xd, xd - run.x1});
            const double gap_y = std::max({0.0, run.y0 - yd, yd - run.y1});
            const double gap2 = gap_x * gap_x + gap_y * gap_y;
            // Advance the window to z_j − z_i ∈ [−r_cut, r_cut) (monotone in z_i).
            const auto low = static_cast<Real>(zd - run.sz - rc), high = static_cast<Real>(zd - run.sz + rc);
            while (run.lo < run.end && zs[run.lo] < low) ++run.lo;
            if (run.hi < run.lo) run.hi = run.lo;
            while (run.hi < run.end && zs[run.hi] < high) ++run.hi;
            if (gap2 > rc * rc) continue;
            const std::size_t j0 = run.own ? std::max(run.lo, i + 1) : run.lo;
            if (j0 < run.hi) {
              kernel.run(x_.data(), y_.data(), zs, ax_.data(), ay_.data(), az_.data(), j0, run.hi,
                         static_cast<Real>(xd - run.sx), static_cast<Real>(yd - run.sy), static_cast<Real>(zd - run.sz),
                         fx, fy, fz, pairs);
            }
          }
          ax_[i] += Kernel::sum(fx);
          ay_[i] += Kernel::sum(fy);
          az_[i] += Kernel::sum(fz);
        }
      }
    }
    return pairs;
  }

  double side_, r_cut_;
  std::size_t pad_;
  std::size_t n_ = 0, groups_ = 0;
  double h_ = 0, inv_h_ = 0;
  std::vector<std::size_t> cell_start_;  ///< sorted index of each cell's first particle (+ end)
  std::vector<std::size_t> plane_end_;   ///< end of each x-plane's particles (its padding follows)
  std::vector<std::uint32_t> cell_of_;
  std::vector<std::uint32_t> chunk_count_;
  aligned_vector<Real> x_, y_, z_, ax_, ay_, az_;
  std::vector<std::uint32_t> id_;
};

}  // namespace lagframe::force::detail
