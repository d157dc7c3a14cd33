// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// The simulation of a lagframe-run configuration. Templates over the frame, the force and the
// time-step factors, instantiated only for combinations the library accepts (COLA factors need
// a moving frame): run_pm.cpp and run_p3m.cpp instantiate them for one force type each, and
// run_sheet.cpp for the sheet source, so they compile in parallel; run_scola.cpp runs sCOLA
// tiles.

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include <lagframe/ic/lpt_from_particles.hpp>
#include <lagframe/io/interrupt.hpp>
#include <lagframe/lagframe.hpp>

#include "emulator.hpp"
#include "outputs.hpp"
#include "run.hpp"
#if defined(LAGFRAME_RUN_HAS_HDF5)
#include "lightcone_output.hpp"
#endif

namespace lagframe_run {

/// The merged time grid of the configuration: the library's own linear or logarithmic grid
/// when no output node was added.
inline lf::stepper::time_grid make_grid(const run_config& c) {
  if (c.grid_is_plain) {
    return c.spacing == spacing_kind::log ? lf::stepper::time_grid::logarithmic(c.nodes.front(), c.nodes.back(), c.steps)
                                          : lf::stepper::time_grid::linear(c.nodes.front(), c.nodes.back(), c.steps);
  }
  return lf::stepper::time_grid::from_list(c.nodes);
}

inline lf::stepper::force_schedule make_schedule(const run_config& c) {
  return lf::stepper::force_schedule::at_points(c.force_points);
}

template <class Factors>
Factors make_factors(const run_config& c) {
  Factors f{};
  if constexpr (std::is_same_v<Factors, lf::stepper::factors::cola>) f.n_lpt = c.n_lpt;
  return f;
}

/// Float LPT fields from an IC file's particles (the frame rebuilt from their displacements).
template <class Growth>
lf::ic::lpt_fields<float> fields_from_file(const run_config& c, const lf::io::ic_particles& ics, const Growth& growth) {
  const auto rec = lf::ic::lpt_from_particles<double>(ics.grid, ics.positions, ics.momenta, ics.a, growth, c.lpt_order);
  std::printf("LPT frame rebuilt from %s in %d iterations; velocities vs LPT: rms %.2e, max %.2e (relative)%s\n",
              c.ic_file.c_str(), rec.iterations, rec.velocity_rms_relative_error, rec.velocity_max_relative_error,
              rec.velocity_rms_relative_error > 0.05 ? "  <- large: check the cosmology and the units" : "");
  lf::ic::lpt_fields<float> fields;
  fields.grid = rec.fields.grid;
  fields.order = rec.fields.order;
  const std::size_t n = c.box.particle_count();
  fields.psi1.resize(n);
  fields.psi2.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    for (int d = 0; d < 3; ++d) {
      fields.psi1[i][d] = static_cast<float>(rec.fields.psi1[i][d]);
      fields.psi2[i][d] = rec.fields.psi2.empty() ? 0.0f : static_cast<float>(rec.fields.psi2[i][d]);
    }
  return fields;
}

/// The force's particle-mesh part: the force itself, or P3M's long-range mesh.
template <class Force>
auto& mesh_part(Force& f) {
  if constexpr (requires { f.long_range(); }) {
    return f.long_range();
  } else {
    return f;
  }
}

/// Lends the force's work meshes and deposit buffers to the P(k) of the outputs while the
/// simulation lives (memory_budget.hpp: power_in_force_meshes).
class lend_force_storage {
 public:
  template <class Force>
  lend_force_storage(run_context& ctx, Force& force) : ctx_(ctx) {
    if (!power_in_force_meshes(ctx.config)) return;
    auto& pm = mesh_part(force);
    ctx.analysis.meshes[0] = &pm.work_mesh(0);
    ctx.analysis.meshes[1] = &pm.work_mesh(1);
    ctx.analysis.workspace = &pm.deposit_workspace();
  }
  ~lend_force_storage() {
    ctx_.analysis.meshes[0] = ctx_.analysis.meshes[1] = nullptr;
    ctx_.analysis.workspace = nullptr;
  }
  lend_force_storage(const lend_force_storage&) = delete;
  lend_force_storage& operator=(const lend_force_storage&) = delete;

 private:
  run_context& ctx_;
};

template <class Frame, class Force, class Factors>
void run_one(run_context& ctx) {
  const run_config& c = ctx.config;
  run_inputs& in = ctx.inputs;
  using stepper_t = lf::stepper::kick_drift_kick<Factors>;
  using sim_t = lf::simulation<Frame, Force, stepper_t>;
  ctx.memory.enter(run_phase::setup);
  auto t0 = clock_type::now();
  if (!c.wisdom_file.empty()) lf::fft::import_wisdom(c.wisdom_file.string());
  const auto grid = make_grid(c);
  auto force = [&] {
    if constexpr (Force::name == std::string_view("p3m")) {
      typename Force::options_type o;
      o.mesh = c.pm;
      o.split_cells = c.split_cells;
      o.cutoff_split = c.cutoff_split;
      o.softening_spacing = c.softening_spacing;
      Force f(c.box, o);
      const auto& k = f.kernel();
      std::printf("P3M force: %s, mesh %zu^3, r_s = %.3f Mpc/h, r_cut = %.3f Mpc/h, softening %.4f Mpc/h, chaining mesh %zu^3\n",
                  std::string(Force::assignment::name).c_str(), c.pm.grid_1d, k.split(), k.cutoff(), k.softening(),
                  f.chaining_cells());
      return f;
    } else {
      return Force(c.box, c.pm);
    }
  }();
  if constexpr (std::is_same_v<typename std::remove_cvref_t<decltype(mesh_part(force))>::source_type, lf::source::sheet>)
    std::printf("density source: the Lagrangian sheet, %zu^3 samples per particle, policy %s, %s interpolant\n",
                c.pm.source.resample, std::string(name_of(sheet_policies, c.pm.source.policy)).c_str(),
                std::string(name_of(sheet_interpolants, c.pm.source.interpolant)).c_str());
  sim_t sim{c.cosmology, c.box, std::move(force), stepper_t({.grid = grid, .schedule = make_schedule(c)}, make_factors<Factors>(c))};
  if (!c.wisdom_file.empty()) lf::fft::export_wisdom(c.wisdom_file.string());
  if constexpr (std::is_same_v<Frame, coca_frame>) {
    sim.set_frame_options(lf::frame::emulated_options<any_emulator>(*in.emulator, c.integration));
    std::printf("tCOCA frame: %s (%s)\n", in.emulator->description().c_str(), std::string(name_of(integrations, c.integration)).c_str());
  }
  const lend_force_storage lent(ctx, sim.force());
  ctx.times.setup = seconds_since(t0);

  ctx.memory.enter(run_phase::initial_conditions);
  t0 = clock_type::now();
  const bool restart = in.restart.has_value();
  {
    // Everything of the initial conditions lives in this block: the density modes and the LPT
    // work fields are released inside lpt_displacements' caller, the fields and the particles
    // are handed to the simulation.
    lf::ic::lpt_fields<float> fields;
    std::vector<lf::vec3<float>> x, p;
    if (in.ics) {
      fields = fields_from_file(c, *in.ics, sim.growth());
      x.resize(in.ics->positions.size());
      p.resize(x.size());
      for (std::size_t i = 0; i < x.size(); ++i)
        for (int d = 0; d < 3; ++d) {
          x[i][d] = static_cast<float>(in.ics->positions[i][d]);
          p[i][d] = static_cast<float>(in.ics->momenta[i][d]);
        }
      in.ics.reset();
    } else {
      fields = [&] {
        const auto modes = lf::ic::linear_density_modes<float>(c.box, *in.power,
                                                               {.seed = c.seed, .mode = c.amplitude, .inverted = c.inverted});
        return lf::ic::lpt_displacements(c.box, modes, c.lpt_order);
      }();
    }
    if (restart) {
      // The frame's fields from the seed (or the IC file), the state from the snapshot.
      sim.set_state(std::move(fields), std::move(in.restart->positions), std::move(in.restart->momenta), in.restart->a);
      in.restart.reset();
      std::printf("restarted at z = %.3f from %s", c.restart_redshift, c.restart_directory.c_str());
    } else if (!x.empty()) {
      sim.set_state(std::move(fields), std::move(x), std::move(p));
      std::printf("initial conditions from %s at z = %.3f", c.ic_file.c_str(), c.z_start);
    } else {
      sim.set_initial_conditions(std::move(fields));
      std::printf("initial conditions at z = %.2f", c.z_start);
    }
  }
  ctx.times.initial_conditions = seconds_since(t0);
  std::printf(": %.2f s\n", ctx.times.initial_conditions);
  std::fflush(stdout);
  ctx.step = sim.current_step();
  ctx.steps = grid.steps();
  lf::io::throw_if_interrupted();

  // [lightcone]: the drift observer, continued from the earlier run's shells on a restart; the
  // shells in progress are saved with each snapshot.
#if defined(LAGFRAME_RUN_HAS_HDF5)
  std::optional<lightcone_recorder> cone;
  if constexpr (!std::is_same_v<Frame, coca_frame>) {
    if (c.lightcone) {
      cone.emplace(c);
      if (restart) cone->resume(c.restart_directory, 1.0 / (1.0 + c.restart_redshift));
      sim.set_drift_observer([&cone](const lf::drift_view<float>& v) { (*cone)(v); });
      std::printf("lightcone: %zu shell(s) from z = %g to %g, observer at (%g, %g, %g) Mpc/h\n", cone->shells(),
                  c.lightcone_options.z_min, c.lightcone_options.z_max, c.lightcone_options.observer[0],
                  c.lightcone_options.observer[1], c.lightcone_options.observer[2]);
      if (c.snapshot != snapshot_format::none) ctx.after_commit = [&cone] { cone->save_pending(); };
    }
  }
  struct forget_hook {
    run_context& ctx;
    ~forget_hook() { ctx.after_commit = nullptr; }
  } forget{ctx};
#endif

  const auto run_start = clock_type::now();
  const std::size_t first_step = sim.current_step();
  double output_seconds = 0;
  // A test aid (docs/user_guide.md §2.6): LAGFRAME_RUN_INTERRUPT_AFTER_STEP=n acts as a SIGTERM
  // received during step n.
  std::size_t interrupt_after = 0;
  if (const char* v = std::getenv("LAGFRAME_RUN_INTERRUPT_AFTER_STEP"); v != nullptr && *v != '\0')
    interrupt_after = static_cast<std::size_t>(std::strtoull(v, nullptr, 10));
  sim.set_progress_observer([&](const lf::step_report& r) {
    ctx.step = r.step;
    // The sheet source's global switch (docs/physics.md §15.3) is reported once, when it happens.
    if constexpr (requires { sim.force().density_source().used_sheet(); }) {
      const auto& s = sim.force().density_source();
      if (c.pm.source.policy == lf::source::multistream_policy::global_switch && ctx.sheet_switch.empty() &&
          r.force_evaluated && !s.used_sheet()) {
        char text[200];
        std::snprintf(text, sizeof text,
                      "the particles from step %zu (a = %.4f, z = %.3f): %.2f %% of them are multi-stream "
                      "(force.switch_threshold = %g)",
                      r.step, r.a, 1.0 / r.a - 1.0, 100.0 * s.multistream_fraction(), c.pm.source.switch_threshold);
        ctx.sheet_switch = text;
        std::printf("density source: %s\n", ctx.sheet_switch.c_str());
      }
    }
    const double elapsed = seconds_since(run_start) - output_seconds;
    const double eta = elapsed / static_cast<double>(r.step - first_step) * static_cast<double>(r.steps - r.step);
    std::printf("step %3zu/%zu  a = %.4f  z = %7.3f  force %s  %6.2f s  elapsed %7.1f s  left ~%7.1f s\n", r.step, r.steps,
                r.a, 1.0 / r.a - 1.0, r.force_evaluated ? "on " : "off", r.seconds, elapsed, eta);
    std::fflush(stdout);
    if (interrupt_after > 0 && r.step == interrupt_after) lf::io::request_interrupt(SIGTERM);
    lf::io::throw_if_interrupted();
  });

  ctx.memory.enter(run_phase::evolution);
  const bool momenta_needed = c.snapshot != snapshot_format::none || c.halos;
  for (double z : c.output_redshifts) {
    if (restart && z >= c.restart_redshift) continue;  // before the restart (or its own snapshot)
    sim.run_until(1.0 / (1.0 + z));
    ctx.memory.enter(run_phase::outputs);
    const auto out_start = clock_type::now();
    {
      // The total momenta are made only for a snapshot or the haloes (one more array of the particles).
      const std::vector<lf::vec3<float>> momenta = momenta_needed ? sim.momenta() : std::vector<lf::vec3<float>>{};
      const lf::snapshot_view<float> view{sim.a(), sim.current_step(), &sim.domain(), &sim.cosmology(), sim.positions(),
                                          momenta};
      write_outputs(ctx, view, sim.growth().d1(view.a), z);
    }
    output_seconds += seconds_since(out_start);
    std::fflush(stdout);
    ctx.memory.enter(run_phase::evolution);
  }
#if defined(LAGFRAME_RUN_HAS_HDF5)
  if (cone) cone->finish();
#endif
  ctx.times.outputs = output_seconds;
  ctx.times.evolution = seconds_since(run_start) - output_seconds;
  ctx.force_evaluations = sim.force_evaluations();
  std::printf("%zu force evaluations over %zu steps\n", sim.force_evaluations(), grid.steps() - first_step);
  if constexpr (requires { sim.force().times(); }) {
    ctx.force_times = sim.force().times();
    std::printf("force time: %s\n", force_time_text(*ctx.force_times).c_str());
  }
}

/// The frame and the factors of the configuration, for one force type. COLA factors are
/// compiled only with moving frames (the library refuses them without one).
template <class Frame, class Force>
void run_with_factors(run_context& ctx) {
  switch (ctx.config.factors) {
    case factors_kind::quinn: return run_one<Frame, Force, lf::stepper::factors::quinn>(ctx);
    case factors_kind::fastpm: return run_one<Frame, Force, lf::stepper::factors::fastpm>(ctx);
    case factors_kind::cola:
    case factors_kind::automatic:
      if constexpr (lf::frame::is_moving<Frame>) {
        return run_one<Frame, Force, lf::stepper::factors::cola>(ctx);
      } else {
        throw lf::config_error("config: stepper.factors = \"cola\" needs a moving frame");  // refused when loading
      }
  }
}

/// force::particle_mesh of the particles (the force fixed16 frame fields are compiled for).
template <class Force>
inline constexpr bool pm_of_particles = false;
template <lf::mesh::mass_assignment Assignment>
inline constexpr bool pm_of_particles<lf::force::particle_mesh<Assignment, float, lf::source::particles>> = true;

template <class Force>
void run_with_force(run_context& ctx) {
  switch (ctx.config.frame) {
    case frame_kind::inertial: return run_with_factors<lf::frame::inertial<float>, Force>(ctx);
    case frame_kind::lpt1: return run_with_factors<lf::frame::lpt<1, float>, Force>(ctx);
    case frame_kind::lpt2:
      // fixed16 fields: tCOLA with the PM force of the particles only (refused otherwise when loading).
      if constexpr (pm_of_particles<Force>) {
        if (ctx.config.frame_fields == frame_fields_kind::fixed16)
          return run_one<lf::frame::lpt<2, float, lf::frame::fixed16>, Force, lf::stepper::factors::cola>(ctx);
      }
      return run_with_factors<lf::frame::lpt<2, float>, Force>(ctx);
    case frame_kind::coca: return run_with_factors<coca_frame, Force>(ctx);
  }
}

}  // namespace lagframe_run
