// SPDX-License-Identifier: BSD-3-Clause
// lagframe-run with [scola]: the box as independent tiles (scola/tiled_run.hpp); a rerun skips
// the tiles whose files verify.

#include <algorithm>
#include <filesystem>
#include <map>
#include <vector>
#include <mutex>
#include <sstream>

#include <lagframe/io/text_table.hpp>
#include <lagframe/scola/executors.hpp>
#include <lagframe/scola/tiled_run.hpp>

#include "simulate.hpp"

namespace lagframe_run {

namespace {

/// directory/tile_work.txt: each tile's planned stop and work and, once measured, its seconds
/// (−1 before the run, or for a tile verified from an earlier run).
template <class Run>
void write_tile_work(const Run& run, const std::filesystem::path& directory, const lf::scola::run_report* report) {
  const auto& plan = run.plan();
  std::vector<std::vector<double>> cols(7);
  std::vector<double> seconds(plan.tiles.size(), -1.0);
  if (report != nullptr)
    for (std::size_t k = 0; k < report->ran.size(); ++k) seconds[report->ran[k]] = report->tile_seconds[k];
  for (const auto& t : plan.tiles) {
    cols[0].push_back(static_cast<double>(t.tile));
    cols[1].push_back(static_cast<double>(t.steps));
    cols[2].push_back(t.a_stop);
    cols[3].push_back(t.a_last);
    cols[4].push_back(t.reach_mpc_h);
    cols[5].push_back(static_cast<double>(t.particle_steps));
    cols[6].push_back(seconds[t.tile]);
  }
  lf::io::write_text_table(directory / "tile_work.txt",
                           {"tile", "steps", "a_stop", "a_last", "reach_mpc_h", "particle_steps", "seconds"}, cols,
                           {lf::detail::concat("sCOLA lightcone work per tile: ", plan.tiles_running(), " of ",
                                               plan.tiles.size(), " tiles run, ", plan.tile_steps(), " of ",
                                               plan.tile_steps_full(), " tile-steps (every tile to the end)"),
                            "steps 0: the tile cannot cross the lightcone and does not run; a_last 0: no crossing "
                            "possible; seconds -1: not measured (before the run, or verified from an earlier run)"});
}

/// Before the run: what each tile will do with a lightcone (scola/lightcone_plan.hpp).
template <class Run>
void report_plan(const Run& run) {
  const auto& plan = run.plan();
  std::map<std::size_t, std::size_t> by_steps;  // steps -> tiles
  double a_last_min = 1.0, a_last_max = 0.0;
  for (const auto& t : plan.tiles) {
    ++by_steps[t.steps];
    if (t.a_last > 0.0) {
      a_last_min = std::min(a_last_min, t.a_last);
      a_last_max = std::max(a_last_max, t.a_last);
    }
  }
  std::printf("lightcone plan: %zu of %zu tiles run", plan.tiles_running(), plan.tiles.size());
  if (a_last_max > 0.0) std::printf("; their last possible crossings at a = %.3f-%.3f", a_last_min, a_last_max);
  std::printf("; tiles x steps:");
  for (auto it = by_steps.rbegin(); it != by_steps.rend(); ++it) std::printf(" %zu x %zu", it->second, it->first);
  std::printf("\npredicted work: %zu of %zu tile-steps, %.3g of %.3g particle-steps (%.1f %% of every tile to the "
              "end); margin %.1f Mpc/h\n",
              plan.tile_steps(), plan.tile_steps_full(), static_cast<double>(plan.particle_steps()),
              static_cast<double>(plan.particle_steps_full()), 100.0 * plan.fraction(), plan.margin_mpc_h);
}

/// After the run: the measured tile-seconds, and every tile to the end at the same cost per step.
template <class Run>
void report_saving(const Run& run, const lf::scola::run_report& report) {
  std::size_t steps = 0;
  for (const auto n : report.tile_steps) steps += n;
  const double seconds = report.total_tile_seconds();
  if (steps == 0 || report.ran.empty()) {
    std::printf("measured: no tile ran in this call (%zu verified from earlier runs)\n", report.skipped.size());
    return;
  }
  const double per_step = seconds / static_cast<double>(steps);
  // The tiles of this call (all but those verified from an earlier run), each to the end.
  const std::size_t tiles = run.plan().tiles.size() - report.skipped.size();
  const auto full = static_cast<double>(tiles * run.plan().steps_full);
  std::printf("measured: %.2f tile-seconds for %zu tile-steps (%.3f s per tile-step); these %zu tiles each to the end "
              "at that rate: %.2f tile-seconds, saving %.1f %%\n",
              seconds, steps, per_step, tiles, per_step * full, 100.0 * (1.0 - seconds / (per_step * full)));
}

template <class Frame, class Assignment, class Factors>
void run_tiles(run_context& ctx) {
  const run_config& c = ctx.config;
  ctx.memory.enter(run_phase::initial_conditions);
  auto t0 = clock_type::now();
  auto modes = lf::ic::linear_density_modes<float>(c.box, *ctx.inputs.power,
                                                         {.seed = c.seed, .mode = c.amplitude, .inverted = c.inverted});
  auto fields = lf::ic::lpt_displacements(c.box, modes, c.lpt_order);
  modes = lf::real_field<float>();  // the density modes are not needed any more
  ctx.times.initial_conditions = seconds_since(t0);
  lf::io::throw_if_interrupted();
  ctx.memory.enter(run_phase::setup);
  t0 = clock_type::now();
  lf::scola::scola_options so;
  so.tiling = c.scola_tiling;
  so.boundary = c.scola_boundary;
  so.follow_bulk_flow = c.scola_follow_bulk_flow;
  so.dirichlet.greens = c.scola_greens;
  so.directory = c.scola_tile_directory;
  std::ostringstream name;
  name << "lagframe-run seed " << c.seed << " amplitude " << static_cast<int>(c.amplitude) << " inverted " << c.inverted
       << " power " << name_of(power_kinds, c.power) << " " << c.power_file.string() << " normalised "
       << c.normalise_to_sigma8 << " omega_m " << c.cosmology.omega_m << " sigma_8 " << c.cosmology.sigma_8 << " h "
       << c.cosmology.h << " n_s " << c.cosmology.n_s << " n_lpt " << c.n_lpt;
  so.run_name = name.str();
#if defined(LAGFRAME_RUN_HAS_HDF5)
  if (c.lightcone) {
    so.lightcone = c.lightcone_options;
    so.final_state = !c.lightcone_only;
  }
#endif
  using stepper_t = lf::stepper::kick_drift_kick<Factors>;
  const auto grid = make_grid(c);
  lf::scola::tiled_run<Frame, Assignment, stepper_t> run(
      c.cosmology, c.box, std::move(fields), stepper_t({.grid = grid, .schedule = make_schedule(c)}, make_factors<Factors>(c)),
      so);
  ctx.times.setup = seconds_since(t0);
  std::printf("initial conditions at z = %.2f: %.2f s\n", c.z_start, ctx.times.initial_conditions);
  std::printf("sCOLA: %zu^3 tiles, %zu^3 particles each (core %zu, buffer %zu, LPT shell %zu per side), "
              "tile mesh %zu^3, %.1f MB per tile; tile files in %s\n",
              run.tiles().tiles_per_side(), run.tiles().particles_1d(), run.tiles().core_1d(), run.tiles().buffer_1d(),
              run.tiles().shell_1d(), run.tiles().mesh(0).cells, run.tile_memory_bytes() / 1e6, so.directory.c_str());
  if (so.lightcone) {
    report_plan(run);
    write_tile_work(run, c.directory, nullptr);
    std::printf("each tile's plan: %s\n", (c.directory / "tile_work.txt").c_str());
  }
  std::fflush(stdout);
  std::size_t started = 0;
  std::mutex progress;
  ctx.steps = run.tile_count();
  run.set_tile_hook([&](std::size_t t) {
    lf::io::throw_if_interrupted();  // the executors hand it back after the tiles in progress
    std::lock_guard lock(progress);
    std::printf("tile %zu/%zu starting (%zu started so far)\n", t + 1, run.tile_count(), ++started);
    std::fflush(stdout);
  });
  ctx.memory.enter(run_phase::evolution);
  const auto run_start = clock_type::now();
  const auto report =
      c.scola_executor == executor_kind::sequential ? lf::scola::run_sequential(run) : lf::scola::run_openmp(run);
  std::printf("%zu tiles run, %zu already done (verified): %.2f s; %zu particle-evaluations outside their tile mesh "
              "(moved with the frame)\n",
              report.ran.size(), report.skipped.size(), report.seconds, report.outside_events);
  ctx.step = ctx.steps;
  lf::io::throw_if_interrupted();
#if defined(LAGFRAME_RUN_HAS_HDF5)
  if (so.lightcone) {
    report_saving(run, report);
    write_tile_work(run, c.directory, &report);
    const auto info = lf::io::lightcone_info(*run.cone(), c.cosmology);
    // Streamed: one tile's crossings in memory at a time (io/lightcone_stream.hpp).
    lf::io::lightcone_stream stream(*run.cone(), c.directory, "lightcone", info);
    run.assemble_lightcone(
        [&](std::size_t s, std::vector<lf::lightcone::crossing>&& crossings) { stream.append(s, crossings); },
        [&](lf::lightcone::shell&& s) { write_lightcone_shell_files(c, *run.cone(), info, std::move(s), &stream); });
    if (c.lightcone_only) {
      ctx.times.evolution = seconds_since(run_start);
      std::printf("lightcone only: no final state (no P(k), slice or snapshot)\n");
      return;
    }
  }
#endif
  const auto state = run.assemble();
  ctx.times.evolution = seconds_since(run_start);
  ctx.memory.enter(run_phase::outputs);
  const auto out_start = clock_type::now();
  const lf::snapshot_view<float> view{state.a, grid.steps(), &c.box, &c.cosmology, state.positions, state.momenta};
  write_outputs(ctx, view, run.growth().d1(state.a), c.output_redshifts.front());
  ctx.times.outputs = seconds_since(out_start);
}

template <class Frame, class Assignment>
void scola_with_factors(run_context& ctx) {
  switch (ctx.config.factors) {
    case factors_kind::quinn: return run_tiles<Frame, Assignment, lf::stepper::factors::quinn>(ctx);
    case factors_kind::fastpm: return run_tiles<Frame, Assignment, lf::stepper::factors::fastpm>(ctx);
    case factors_kind::cola:
    case factors_kind::automatic: return run_tiles<Frame, Assignment, lf::stepper::factors::cola>(ctx);
  }
}

template <class Frame>
void scola_with_assignment(run_context& ctx) {
  if (ctx.config.assignment == assignment_kind::tsc) return scola_with_factors<Frame, lf::mesh::tsc>(ctx);
  return scola_with_factors<Frame, lf::mesh::cic>(ctx);
}

}  // namespace

void run_scola(run_context& ctx) {
  if (ctx.config.frame == frame_kind::lpt1) return scola_with_assignment<lf::frame::lpt<1, float>>(ctx);
  return scola_with_assignment<lf::frame::lpt<2, float>>(ctx);
}

}  // namespace lagframe_run
