// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file fof.hpp
/// Friends-of-friends groups (Davis, Efstathiou, Frenk & White 1985, ApJ 292, 371): two points
/// are friends when their separation is at most the linking length l = b·d̄ (d̄ the mean
/// inter-particle spacing, b = 0.2 by default), and a group is a connected component of the
/// friendship graph with at least `min_members` points. docs/mocks.md §2 states the algorithm.
///
/// Geometry: a periodic box of side L (separations by the minimum image; l < L/2 required), or
/// an open point set (a lightcone shell, a cut-out): no wrapping, the grid covers the points'
/// bounding box, and the mean spacing must be given because it cannot be inferred.
///
/// Algorithm (exact; docs/mocks.md §2.2):
///   1. points are counting-sorted into cubic cells of side s ≤ l/√3, so any two points of one
///      cell are friends and a cell is one node of the graph; cells are stored sparsely, as
///      runs inside (x, y) columns (a dense column table of n_x·n_y entries);
///   2. every occupied cell meets the occupied cells of the half of its 5³ neighbourhood
///      (offsets ≤ 2 per axis; the cells that can hold a friend), found by walking the
///      neighbour columns with monotone cursors; a pair of cells already in one component is
///      skipped, otherwise their points are compared until one friendly pair is found, and the
///      two cells are united;
///   3. a lock-free union–find over cells (CAS linking of the larger root under the smaller,
///      path halving) runs the cell pairs concurrently on OpenMP threads.
/// Connected components do not depend on the order in which links are found, and each
/// component's root is its smallest cell index, so the partition is the same for any thread
/// count. Groups are then numbered like Gadget-4's FoF: by decreasing length, ties by the
/// smallest point index; members are listed in increasing point index. Results are therefore
/// identical for any OMP_NUM_THREADS and any run.
///
/// Cost: O(N) sort and memory (at most ≈ 70 bytes per point plus 8 per column); the link phase
/// visits at most 62 neighbour cells per occupied cell, most of them skipped by the component
/// test in dense regions. benchmarks/RESULTS.md has the measured time.
///
/// Threading: spawns its own OpenMP team; call it from outside parallel regions. Allocates its
/// work arrays per call. Errors: config_error for impossible options (b ≤ 0, min_members < 2,
/// no mean spacing for an open set, l ≥ L/2), numerical_error for a non-finite coordinate.

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"

namespace lagframe::halos {

/// Options of the friends-of-friends group finder.
struct fof_options {
  double linking_length = 0.2;   ///< b: the linking length in units of the mean spacing d̄
  std::size_t min_members = 20;  ///< smallest group kept (≥ 2)
  bool periodic = true;          ///< periodic box (side given to the call) or an open point set
  double mean_spacing = 0;       ///< d̄ in Mpc/h; 0 → L/N^{1/3} (periodic only; required for open sets)

  /// Throws config_error naming the first impossible value.
  void validate() const {
    require(std::isfinite(linking_length) && linking_length > 0.0, "fof_options.linking_length", linking_length,
            "a positive linking length b in units of the mean spacing (e.g. 0.2)");
    require(min_members >= 2, "fof_options.min_members", min_members, "at least 2 members per group");
    require(std::isfinite(mean_spacing) && mean_spacing >= 0.0, "fof_options.mean_spacing", mean_spacing,
            "a mean spacing ≥ 0 in Mpc/h (0: L/N^(1/3) for a periodic box)");
    require(periodic || mean_spacing > 0.0, "fof_options.mean_spacing", mean_spacing,
            "a positive mean spacing in Mpc/h for an open (non-periodic, lightcone-style) point set, whose "
            "volume cannot be inferred");
  }
};

/// Groups found by friends_of_friends: group g has the points members[offsets[g]] …
/// members[offsets[g+1] − 1], in increasing point index; groups are ordered by decreasing
/// length, ties by their smallest point index (group 0 is the largest).
struct fof_groups {
  std::vector<std::size_t> offsets{0};    ///< groups() + 1 entries
  std::vector<std::size_t> members;       ///< point indices, grouped
  std::vector<std::int64_t> group_of;     ///< per point: its group, or −1 (in no kept group)
  double linking_length_mpc_h = 0;        ///< l = b·d̄ used, Mpc/h
  double mean_spacing_mpc_h = 0;          ///< d̄ used, Mpc/h
  std::size_t min_members = 0;            ///< the minimum length applied

  [[nodiscard]] std::size_t groups() const { return offsets.size() - 1; }
  [[nodiscard]] std::size_t length(std::size_t g) const { return offsets[g + 1] - offsets[g]; }
  [[nodiscard]] std::span<const std::size_t> members_of(std::size_t g) const {
    return std::span<const std::size_t>(members).subspan(offsets[g], length(g));
  }
};

namespace detail {

/// Lock-free union–find over cells: parent[x] ≤ x always, roots are the smallest index of
/// their component. Path halving by CAS; every write replaces a parent by one of its
/// ancestors, so concurrent finds and unions stay correct (atomic_ref on plain storage).
inline std::uint32_t uf_find(std::uint32_t* parent, std::uint32_t x) {
  while (true) {
    std::atomic_ref<std::uint32_t> px(parent[x]);
    std::uint32_t p = px.load(std::memory_order_relaxed);
    if (p == x) return x;
    const std::uint32_t g = std::atomic_ref<std::uint32_t>(parent[p]).load(std::memory_order_relaxed);
    if (g != p) px.compare_exchange_weak(p, g, std::memory_order_relaxed);
    x = g;
  }
}

/// Unites the components of a and b (the larger root is linked under the smaller).
inline void uf_unite(std::uint32_t* parent, std::uint32_t a, std::uint32_t b) {
  while (true) {
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a == b) return;
    if (a < b) std::swap(a, b);
    std::uint32_t expected = a;
    if (std::atomic_ref<std::uint32_t>(parent[a]).compare_exchange_strong(expected, b, std::memory_order_relaxed))
      return;
  }
}

/// The cell grid of one call: n cells per axis of side `cell`, from `origin`.
struct fof_grid {
  std::array<std::size_t, 3> n{};
  std::array<double, 3> origin{};
  double cell = 0;
  double side = 0;  // periodic side (0 for open sets)
  bool periodic = true;

  [[nodiscard]] std::size_t index(double x, int axis) const {
    const double u = std::floor((x - origin[axis]) / cell);
    if (u <= 0.0) return 0;
    const auto i = static_cast<std::size_t>(u);
    return i >= n[axis] ? n[axis] - 1 : i;
  }
};

}  // namespace detail

/// Friends-of-friends groups of `points` (Mpc/h). `side` is the periodic box side (required
/// when opt.periodic; ignored otherwise). See the file comment for the algorithm, the group
/// order and the guarantees.
template <class Real>
fof_groups friends_of_friends(std::span<const vec3<Real>> points, double side, const fof_options& opt) {
  opt.validate();
  const std::size_t count = points.size();
  require(count < std::numeric_limits<std::uint32_t>::max(), "friends_of_friends: number of points", count,
          "fewer than 2^32 − 1 points");
  if (opt.periodic) {
    require(std::isfinite(side) && side > 0.0, "friends_of_friends: box side", side,
            "a positive periodic box side in Mpc/h (or fof_options.periodic = false for an open point set)");
  }
  fof_groups out;
  out.min_members = opt.min_members;
  out.group_of.assign(count, -1);
  if (count == 0) return out;
  const double spacing =
      opt.mean_spacing > 0.0 ? opt.mean_spacing : side / std::cbrt(static_cast<double>(count));
  const double link = opt.linking_length * spacing;
  out.linking_length_mpc_h = link;
  out.mean_spacing_mpc_h = spacing;
  if (opt.periodic) {
    require(link < 0.5 * side, "fof_options.linking_length", opt.linking_length,
            lagframe::detail::concat("a linking length b·d̄ = ", link, " Mpc/h below half the box side ", side));
  }

  // Bounding box (serial scan); a non-finite coordinate is reported with its point and axis.
  std::array<double, 3> lo{0, 0, 0}, hi{0, 0, 0};
  {
    bool finite = true;
    std::array<double, 3> mn{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::infinity()};
    std::array<double, 3> mx{-mn[0], -mn[1], -mn[2]};
    for (std::size_t i = 0; i < count; ++i) {
      for (int d = 0; d < 3; ++d) {
        const double v = static_cast<double>(points[i][d]);
        if (!std::isfinite(v)) finite = false;
        mn[d] = std::min(mn[d], v);
        mx[d] = std::max(mx[d], v);
      }
    }
    if (!finite) {
      for (std::size_t i = 0; i < count; ++i)
        for (int d = 0; d < 3; ++d)
          if (!std::isfinite(static_cast<double>(points[i][d])))
            throw numerical_error(lagframe::detail::concat("lagframe: friends_of_friends: point ", i, " coordinate ", d,
                                                           " is not finite (", points[i][d], ")"));
    }
    lo = mn;
    hi = mx;
  }

  // Cells of side ≤ l/√3 (shrunk by 1e-9 so that rounding in the cell index can never put two
  // points more than l apart into one cell).
  const double target = link / std::sqrt(3.0) / (1.0 + 1e-9);
  detail::fof_grid grid;
  grid.periodic = opt.periodic;
  if (opt.periodic) {
    const double cells = std::ceil(side / target);
    require(cells <= 1e9, "friends_of_friends: cells per side", cells, "at most 1e9 (linking length too small)");
    const auto nc = static_cast<std::size_t>(cells);
    grid.n = {nc, nc, nc};
    grid.cell = side / static_cast<double>(nc);
    grid.side = side;
  } else {
    grid.cell = target;
    for (int d = 0; d < 3; ++d) {
      const double cells = std::floor((hi[d] - lo[d]) / target) + 1.0;
      require(cells <= 1e9, "friends_of_friends: extent of the point set in cells", cells,
              "at most 1e9 linking-length cells per axis");
      grid.n[static_cast<std::size_t>(d)] = static_cast<std::size_t>(cells);
      grid.origin[static_cast<std::size_t>(d)] = lo[d];
    }
  }
  const std::size_t nx = grid.n[0], ny = grid.n[1], nz = grid.n[2];
  const double column_entries = static_cast<double>(nx) * static_cast<double>(ny);
  require(column_entries <= std::max(8.0 * static_cast<double>(count), 4194304.0),
          "friends_of_friends: (x, y) columns of the cell grid", column_entries,
          lagframe::detail::concat("at most max(8 N, 2^22) = ", std::max(8.0 * static_cast<double>(count), 4194304.0),
                                   " for N = ", count, " points (the point set is too sparse for its extent: split it)"));
  require(column_entries < 4294967295.0, "friends_of_friends: (x, y) columns of the cell grid", column_entries,
          "fewer than 2^32 - 1");
  const std::size_t columns = nx * ny;

  // 1. Column and z cell of every point; counting sort by column (stable in the point index),
  //    then by z cell inside each column: key = (iz << 32) | point.
  std::vector<std::uint32_t> column_of(count);
  std::vector<std::uint32_t> iz_of(count);
  const auto coordinate = [&](std::size_t i, int d) -> double {
    const double v = static_cast<double>(points[i][d]);
    return (!opt.periodic || (v >= 0.0 && v < side)) ? v : wrap_periodic(v, side);
  };
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t ii = 0; ii < static_cast<std::ptrdiff_t>(count); ++ii) {
    const auto i = static_cast<std::size_t>(ii);
    const std::size_t ix = grid.index(coordinate(i, 0), 0);
    const std::size_t iy = grid.index(coordinate(i, 1), 1);
    column_of[i] = static_cast<std::uint32_t>(ix * ny + iy);
    iz_of[i] = static_cast<std::uint32_t>(grid.index(coordinate(i, 2), 2));
  }
  std::vector<std::uint32_t> column_start(columns + 1, 0);
  for (std::size_t i = 0; i < count; ++i) ++column_start[column_of[i] + 1];
  for (std::size_t c = 0; c < columns; ++c) column_start[c + 1] += column_start[c];
  std::vector<std::uint64_t> key(count);
  {
    std::vector<std::uint32_t> cursor(column_start.begin(), column_start.end() - 1);
    for (std::size_t i = 0; i < count; ++i)
      key[cursor[column_of[i]]++] = (static_cast<std::uint64_t>(iz_of[i]) << 32) | static_cast<std::uint64_t>(i);
  }
  std::vector<std::uint32_t>().swap(column_of);
  std::vector<std::uint32_t>().swap(iz_of);

  // Cells: runs of one z index inside a column. cell_count_of[c] first counts a column's cells.
  std::vector<std::uint32_t> column_cells(columns + 1, 0);
#pragma omp parallel for schedule(dynamic, 4096)
  for (std::ptrdiff_t cc = 0; cc < static_cast<std::ptrdiff_t>(columns); ++cc) {
    const auto c = static_cast<std::size_t>(cc);
    auto* first = key.data() + column_start[c];
    auto* last = key.data() + column_start[c + 1];
    const std::ptrdiff_t len = last - first;
    if (len == 0) continue;
    if (len <= 16) {
      for (auto* p = first + 1; p < last; ++p) {  // insertion sort: short columns are the rule
        const std::uint64_t v = *p;
        auto* q = p;
        while (q > first && *(q - 1) > v) {
          *q = *(q - 1);
          --q;
        }
        *q = v;
      }
    } else {
      std::sort(first, last);
    }
    std::uint32_t runs = 1;
    for (auto* p = first + 1; p < last; ++p) runs += ((*p >> 32) != (*(p - 1) >> 32)) ? 1u : 0u;
    column_cells[c + 1] = runs;
  }
  for (std::size_t c = 0; c < columns; ++c) column_cells[c + 1] += column_cells[c];
  const std::size_t cells = column_cells[columns];
  std::vector<std::uint32_t> cell_begin(cells + 1);
  std::vector<std::uint32_t> cell_iz(cells);
  std::vector<std::uint32_t> order(count);
  std::vector<vec3<Real>> xs(count);
  cell_begin[cells] = static_cast<std::uint32_t>(count);
#pragma omp parallel for schedule(dynamic, 4096)
  for (std::ptrdiff_t cc = 0; cc < static_cast<std::ptrdiff_t>(columns); ++cc) {
    const auto c = static_cast<std::size_t>(cc);
    std::size_t k = column_cells[c];
    for (std::size_t p = column_start[c]; p < column_start[c + 1]; ++p) {
      const auto iz = static_cast<std::uint32_t>(key[p] >> 32);
      const auto i = static_cast<std::uint32_t>(key[p] & 0xffffffffu);
      if (p == column_start[c] || iz != static_cast<std::uint32_t>(key[p - 1] >> 32)) {
        cell_begin[k] = static_cast<std::uint32_t>(p);
        cell_iz[k] = iz;
        ++k;
      }
      order[p] = i;
      for (int d = 0; d < 3; ++d) xs[p][static_cast<std::size_t>(d)] = static_cast<Real>(coordinate(i, d));
    }
  }
  std::vector<std::uint64_t>().swap(key);

  // 2–3. Link cells. Half of the 5³ neighbourhood: columns (0, 0) with dz ∈ {1, 2}, (0, 1..2)
  // and (1..2, −2..2) with dz ∈ [−2, 2].
  std::vector<std::uint32_t> parent(cells);
  for (std::size_t k = 0; k < cells; ++k) parent[k] = static_cast<std::uint32_t>(k);
  const double link2 = link * link;
  std::array<std::array<int, 2>, 13> neighbours{};
  {
    std::size_t m = 0;
    neighbours[m++] = {0, 0};
    neighbours[m++] = {0, 1};
    neighbours[m++] = {0, 2};
    for (int dx = 1; dx <= 2; ++dx)
      for (int dy = -2; dy <= 2; ++dy) neighbours[m++] = {dx, dy};
  }
  std::uint32_t* const par = parent.data();
  // Cells a and b, b's points moved by (sx, sy, sz) (its periodic image next to a). `ra` is a
  // root a had at some time (a snapshot: roots only merge, so finding it as b's root proves the
  // cells connected). Pairs of one or two points each are compared first (one distance is
  // cheaper than two finds); larger cells look up their roots first, to skip the pair loop.
  const auto friends = [&](std::size_t a, std::size_t b, double sx, double sy, double sz) {
    for (std::size_t p = cell_begin[a]; p < cell_begin[a + 1]; ++p) {
      const double px = static_cast<double>(xs[p][0]) - sx;
      const double py = static_cast<double>(xs[p][1]) - sy;
      const double pz = static_cast<double>(xs[p][2]) - sz;
      for (std::size_t q = cell_begin[b]; q < cell_begin[b + 1]; ++q) {
        const double dx = static_cast<double>(xs[q][0]) - px;
        const double dy = static_cast<double>(xs[q][1]) - py;
        const double dz = static_cast<double>(xs[q][2]) - pz;
        if (dx * dx + dy * dy + dz * dz <= link2) return true;
      }
    }
    return false;
  };
  const auto try_link = [&](std::size_t a, std::uint32_t& ra, std::size_t b, double sx, double sy, double sz) {
    const std::size_t pairs = static_cast<std::size_t>(cell_begin[a + 1] - cell_begin[a]) *
                              static_cast<std::size_t>(cell_begin[b + 1] - cell_begin[b]);
    if (pairs <= 2) {
      if (!friends(a, b, sx, sy, sz)) return;
      if (detail::uf_find(par, static_cast<std::uint32_t>(b)) == ra) return;
      detail::uf_unite(par, ra, static_cast<std::uint32_t>(b));
      ra = detail::uf_find(par, ra);
      return;
    }
    if (std::atomic_ref<std::uint32_t>(par[b]).load(std::memory_order_relaxed) == ra) return;  // one load
    const std::uint32_t rb = detail::uf_find(par, static_cast<std::uint32_t>(b));
    if (rb == ra) return;
    ra = detail::uf_find(par, ra);
    if (rb == ra) return;
    if (friends(a, b, sx, sy, sz)) {
      detail::uf_unite(par, ra, rb);
      ra = detail::uf_find(par, ra);
    }
  };
  const long nzl = static_cast<long>(nz);
  // The neighbour columns of one A column: their cells, the shift of their image, a cursor.
  struct neighbour_column {
    std::size_t first = 0, last = 0, cursor = 0;
    double sx = 0, sy = 0;
    long dz_lo = -2;
  };
#pragma omp parallel for schedule(dynamic, 256)
  for (std::ptrdiff_t cc = 0; cc < static_cast<std::ptrdiff_t>(columns); ++cc) {
    const auto c = static_cast<std::size_t>(cc);
    const std::size_t a_first = column_cells[c], a_last = column_cells[c + 1];
    if (a_first == a_last) continue;
    const long ix = static_cast<long>(c / ny), iy = static_cast<long>(c % ny);
    std::array<neighbour_column, 13> cols;
    std::size_t used = 0;
    for (const auto& nb : neighbours) {
      long bx = ix + nb[0], by = iy + nb[1];
      double sx = 0, sy = 0;  // the shift that moves column B's image next to column A
      if (opt.periodic) {
        if (bx >= static_cast<long>(nx)) bx -= static_cast<long>(nx), sx = side;
        if (by >= static_cast<long>(ny)) by -= static_cast<long>(ny), sy = side;
        if (by < 0) by += static_cast<long>(ny), sy = -side;
      } else if (bx >= static_cast<long>(nx) || by >= static_cast<long>(ny) || by < 0) {
        continue;
      }
      const std::size_t b_col = static_cast<std::size_t>(bx) * ny + static_cast<std::size_t>(by);
      if (column_cells[b_col] == column_cells[b_col + 1]) continue;
      cols[used++] = {column_cells[b_col], column_cells[b_col + 1], column_cells[b_col], sx, sy,
                      (nb[0] == 0 && nb[1] == 0) ? 1L : -2L};
    }
    for (std::size_t a = a_first; a < a_last; ++a) {
      std::uint32_t ra = detail::uf_find(par, static_cast<std::uint32_t>(a));
      const long iz = static_cast<long>(cell_iz[a]);
      for (std::size_t k = 0; k < used; ++k) {
        auto& col = cols[k];
        const long lo_z = iz + col.dz_lo, hi_z = iz + 2;
        while (col.cursor < col.last && static_cast<long>(cell_iz[col.cursor]) < lo_z) ++col.cursor;
        for (std::size_t b = col.cursor; b < col.last && static_cast<long>(cell_iz[b]) <= hi_z; ++b)
          try_link(a, ra, b, col.sx, col.sy, 0.0);
        if (opt.periodic) {
          if (lo_z < 0) {  // cells near the top of column B, one period below
            for (std::size_t b = col.last; b > col.first && static_cast<long>(cell_iz[b - 1]) >= lo_z + nzl; --b)
              try_link(a, ra, b - 1, col.sx, col.sy, -side);
          }
          if (hi_z >= nzl) {  // cells near the bottom of column B, one period above
            for (std::size_t b = col.first; b < col.last && static_cast<long>(cell_iz[b]) <= hi_z - nzl; ++b)
              try_link(a, ra, b, col.sx, col.sy, side);
          }
        }
      }
    }
  }

  // Components: roots (smallest cell of each), lengths, smallest point index.
  std::vector<std::uint32_t> root(cells);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t kk = 0; kk < static_cast<std::ptrdiff_t>(cells); ++kk)
    root[static_cast<std::size_t>(kk)] = detail::uf_find(par, static_cast<std::uint32_t>(kk));
  std::vector<std::uint32_t>().swap(parent);
  std::vector<std::uint32_t> length(cells, 0);
  std::vector<std::uint32_t> smallest(cells, std::numeric_limits<std::uint32_t>::max());
  for (std::size_t k = 0; k < cells; ++k) {
    const std::uint32_t r = root[k];
    length[r] += cell_begin[k + 1] - cell_begin[k];
    smallest[r] = std::min(smallest[r], order[cell_begin[k]]);  // a cell's points are in index order
  }
  struct candidate {
    std::uint32_t length, smallest, root;
  };
  std::vector<candidate> kept;
  for (std::size_t k = 0; k < cells; ++k)
    if (root[k] == k && length[k] >= opt.min_members)
      kept.push_back({length[k], smallest[k], static_cast<std::uint32_t>(k)});
  std::sort(kept.begin(), kept.end(), [](const candidate& x, const candidate& y) {
    return x.length != y.length ? x.length > y.length : x.smallest < y.smallest;
  });
  std::vector<std::int64_t> group_of_root(cells, -1);
  out.offsets.assign(kept.size() + 1, 0);
  for (std::size_t g = 0; g < kept.size(); ++g) {
    group_of_root[kept[g].root] = static_cast<std::int64_t>(g);
    out.offsets[g + 1] = out.offsets[g] + kept[g].length;
  }
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t kk = 0; kk < static_cast<std::ptrdiff_t>(cells); ++kk) {
    const auto k = static_cast<std::size_t>(kk);
    const std::int64_t g = group_of_root[root[k]];
    if (g < 0) continue;
    for (std::size_t p = cell_begin[k]; p < cell_begin[k + 1]; ++p) out.group_of[order[p]] = g;
  }
  out.members.resize(out.offsets.back());
  std::vector<std::size_t> fill(out.offsets.begin(), out.offsets.end() - 1);
  for (std::size_t i = 0; i < count; ++i) {
    const std::int64_t g = out.group_of[i];
    if (g >= 0) out.members[fill[static_cast<std::size_t>(g)]++] = i;
  }
  return out;
}

}  // namespace lagframe::halos
