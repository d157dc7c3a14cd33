// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file lightcone_plan.hpp
/// How far each sCOLA tile must run for a lightcone (docs/physics.md §16.7), known before any
/// tile runs. Tile t's core particles start on the lattice points q of its core cube and move by
/// at most
///   R_t = max_{q ∈ core} [D1(a_end)|ψ1(q)| + |D2(a_end)||ψ2(q)|] + margin,
/// the largest LPT displacement of its core at the end of the time grid (D1 and |D2| grow with a,
/// so it bounds every earlier time) plus a margin for the displacement the N-body residual adds
/// around LPT. The default margin is the largest LPT displacement of the whole box (at least
/// one particle spacing Δq),
///   margin = max(Δq, max_{all q} [D1(a_end)|ψ1| + |D2(a_end)||ψ2|]):
/// measured in tCOLA runs (64³ and 128³ particles in 64–256 Mpc/h, 10 and 40 steps) the largest
/// residual |x − x_LPT| of any particle is 14–20 Mpc/h, at most 0.73 of that margin, and the
/// largest |x − q| in a core exceeds the core's LPT maximum by at most 4.8 Mpc/h (cores of
/// 16–128 Mpc/h), a quarter of it or less. The lightcone's crossing window of the core cube grown by R_t
/// (lightcone/crossing_window.hpp) gives the last possible crossing a_last; the tile runs
/// until the first node a_k ≥ a_last (a crossing in the drift [a_{j}, a_{j+1}] has a_j < a_cross
/// ≤ a_last ≤ a_k, so that drift is run). A tile whose window is empty, or lies outside the time
/// grid, does not run at all. With final_state (the particles are wanted at a_end) every tile
/// runs to a_end and the plan says so.
///
/// The plan counts the work as tile-steps and particle-steps (evolved core + buffer particles ×
/// steps), against every tile run to a_end.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/cosmology/growth.hpp"
#include "lagframe/ic/lpt.hpp"
#include "lagframe/lightcone/crossing_window.hpp"
#include "lagframe/lightcone/lightcone.hpp"
#include "lagframe/scola/tiling.hpp"
#include "lagframe/stepper/time_grid.hpp"

namespace lagframe::scola {

/// What one tile will do.
struct tile_plan {
  std::size_t tile = 0;
  std::size_t steps = 0;         ///< steps it runs (0: it does not run)
  double a_stop = 0;             ///< the node it stops at (the start of the grid if it does not run)
  double a_last = 0;             ///< last possible crossing of a core particle (0: none possible)
  double reach_mpc_h = 0;        ///< R_t, the bound on |x − q| of its core particles
  std::size_t particle_steps = 0;  ///< evolved (core + buffer) particles × steps
};

/// What all tiles will do, against every tile run to the end of the time grid.
struct work_plan {
  std::vector<tile_plan> tiles;
  std::size_t steps_full = 0;        ///< steps of the time grid
  std::size_t evolved_per_tile = 0;  ///< core + buffer particles per tile
  double margin_mpc_h = 0;           ///< the margin in R_t (0 without a lightcone)

  [[nodiscard]] std::size_t tile_steps() const {
    std::size_t n = 0;
    for (const auto& t : tiles) n += t.steps;
    return n;
  }
  [[nodiscard]] std::size_t tile_steps_full() const { return tiles.size() * steps_full; }
  [[nodiscard]] std::size_t particle_steps() const { return tile_steps() * evolved_per_tile; }
  [[nodiscard]] std::size_t particle_steps_full() const { return tile_steps_full() * evolved_per_tile; }
  [[nodiscard]] std::size_t tiles_running() const {
    std::size_t n = 0;
    for (const auto& t : tiles) n += t.steps > 0 ? 1 : 0;
    return n;
  }
  /// Predicted work as a fraction of every tile run to the end.
  [[nodiscard]] double fraction() const {
    return tile_steps_full() == 0 ? 0.0 : static_cast<double>(tile_steps()) / static_cast<double>(tile_steps_full());
  }
};

/// D1(a)|ψ1| + |D2(a)||ψ2| of particle id: a bound on its LPT displacement at any time up to a.
template <class Real>
[[nodiscard]] double lpt_displacement_bound(const ic::lpt_fields<Real>& fields, std::size_t id, double d1, double d2) {
  double p1 = 0, p2 = 0;
  for (int d = 0; d < 3; ++d) {
    p1 += static_cast<double>(fields.psi1[id][d]) * static_cast<double>(fields.psi1[id][d]);
    if (fields.order == 2) p2 += static_cast<double>(fields.psi2[id][d]) * static_cast<double>(fields.psi2[id][d]);
  }
  return d1 * std::sqrt(p1) + std::abs(d2) * std::sqrt(p2);
}

/// The plan of a tiled run: `cone` null (no lightcone) or final_state: every tile to the end;
/// otherwise each tile to its lightcone stop. `margin` < 0: the default margin (above).
template <class Real>
[[nodiscard]] work_plan plan_tiles(const tiling& tiles, const ic::lpt_fields<Real>& fields, const cosmology::growth& g,
                                   const stepper::time_grid& grid, const lightcone::lightcone* cone, double margin,
                                   bool final_state) {
  work_plan plan;
  plan.steps_full = grid.steps();
  const std::size_t ev = tiles.tile_1d();
  plan.evolved_per_tile = ev * ev * ev;
  plan.tiles.resize(tiles.tile_count());
  for (std::size_t t = 0; t < plan.tiles.size(); ++t) {
    auto& p = plan.tiles[t];
    p.tile = t;
    p.steps = plan.steps_full;
    p.a_stop = grid.a_end();
  }
  if (cone == nullptr) {
    for (auto& p : plan.tiles) p.particle_steps = p.steps * plan.evolved_per_tile;
    return plan;
  }
  const box& b = tiles.domain();
  const double a_end = grid.a_end(), d1 = g.d1(a_end), d2 = g.d2(a_end);
  // The largest LPT displacement of each core, and of the box (the default margin).
  std::vector<double> core_max(tiles.tile_count(), 0.0);
  double box_max = 0;
  for (std::size_t id = 0; id < b.particle_count(); ++id) {
    const double r = lpt_displacement_bound(fields, id, d1, d2);
    auto& m = core_max[tiles.core_tile(id)];
    m = std::max(m, r);
    box_max = std::max(box_max, r);
  }
  if (margin < 0) margin = std::max(box_max, b.lagrangian_spacing());
  plan.margin_mpc_h = margin;
  const double dq = b.lagrangian_spacing();
  const auto n_core = static_cast<double>(tiles.core_1d());
  for (auto& p : plan.tiles) {
    p.reach_mpc_h = core_max[p.tile] + margin;
    const auto ti = tiles.tile_index(p.tile);
    vec3<double> lo, hi;
    for (int d = 0; d < 3; ++d) {
      lo[d] = static_cast<double>(ti[d]) * n_core * dq;
      hi[d] = lo[d] + (n_core - 1.0) * dq;  // the last lattice point of the core
    }
    const auto w = lightcone::region_window(*cone, lo, hi, p.reach_mpc_h);
    if (w.possible) p.a_last = w.a_last;
    if (!final_state) {
      if (!w.possible || w.a_last < grid.a_start() || w.a_first > a_end) {
        p.steps = 0;
        p.a_stop = grid.a_start();
      } else {
        std::size_t k = 1;
        while (k < grid.steps() && grid.node(k) < w.a_last) ++k;
        p.steps = k;
        p.a_stop = grid.node(k);
      }
    }
    p.particle_steps = p.steps * plan.evolved_per_tile;
  }
  return plan;
}

}  // namespace lagframe::scola
