// SPDX-License-Identifier: BSD-3-Clause
// lagframe-run: run a simulation described by a TOML file.
//
//   lagframe-run CONFIG.toml [--set section.key=value]... [--check]
//
// Every key is checked before anything runs: an unknown key, a wrong type or an impossible
// value prints one line naming the key, its line and what was expected, and exits with status 2
// without writing anything. Outputs (per requested redshift): P(k) table and plot, projected
// density slice (PNG); and a run summary (config echo, version, timings, peak memory).
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <cmath>
#include <utility>
#include <fstream>
#include <lagframe/io/npy.hpp>
#include <lagframe/io/png.hpp>
#include <lagframe/io/gadget2_binary.hpp>
#include <lagframe/ic/lpt_from_particles.hpp>
#if defined(LAGFRAME_RUN_HAS_HDF5)
#include <lagframe/io/gadget_hdf5.hpp>
#include <lagframe/io/gadget_ic.hpp>
#endif
#include <lagframe/force/p3m.hpp>
#include <lagframe/lagframe.hpp>
#include <lagframe/scola/executors.hpp>
#include <lagframe/scola/tiled_run.hpp>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "run_config.hpp"

namespace {
namespace lf = lagframe;
using lagframe_run::run_config;
/// tCOCA: the second-order LPT frame plus a fourier_linear emulator ([frame] type = "coca").
using coca_frame = lf::frame::emulated<lf::frame::lpt<2, float>, lf::frame::emulators::fourier_linear<float>>;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}
double peak_memory_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}
std::string redshift_tag(double z) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "z%.3f", z);
  return buf;
}

/// Time grid: linear or logarithmic nodes from a_start to the last output, with every output
/// time added as a node (so outputs never fall between steps).
lf::stepper::time_grid make_grid(const run_config& c) {
  const double a_start = 1.0 / (1.0 + c.z_start);
  double a_end = 0;
  std::vector<double> outputs;
  for (double z : c.output_redshifts) {
    outputs.push_back(1.0 / (1.0 + z));
    a_end = std::max(a_end, outputs.back());
  }
  const auto base = c.spacing == "log" ? lf::stepper::time_grid::logarithmic(a_start, a_end, c.steps)
                                       : lf::stepper::time_grid::linear(a_start, a_end, c.steps);
  std::vector<double> nodes(base.nodes().begin(), base.nodes().end());
  for (double a : outputs) {
    bool present = false;
    for (double n : nodes) present = present || std::abs(n - a) <= 1e-10 * a;
    if (!present) nodes.push_back(a);
  }
  std::sort(nodes.begin(), nodes.end());
  return lf::stepper::time_grid::from_list(nodes);
}

lf::stepper::force_schedule make_schedule(const run_config& c) {
  if (c.schedule == "every_nth") return lf::stepper::force_schedule::every_nth(c.schedule_every);
  if (c.schedule == "points") return lf::stepper::force_schedule::at_points(c.schedule_points);
  if (c.schedule == "interior") return lf::stepper::force_schedule::interior();
  if (c.schedule == "spread_late") return lf::stepper::force_schedule::spread_late(c.schedule_forces);
  return lf::stepper::force_schedule::every_step();
}

lf::cosmology::linear_power make_power(const run_config& c) {
  if (c.power_spectrum == "file")
    return lf::cosmology::linear_power::from_file(c.power_file, c.power_layout, c.cosmology, c.normalise_file_to_sigma8);
  return lf::cosmology::linear_power::from_eisenstein_hu(
      c.cosmology, c.power_spectrum == "eisenstein_hu" ? lf::cosmology::wiggles::bao : lf::cosmology::wiggles::no_wiggle);
}

/// Positions and total momenta of an earlier run's snapshot at a (lagframe units).
std::pair<std::vector<lf::vec3<float>>, std::vector<lf::vec3<float>>> read_restart_state(const run_config& c, double a) {
  const std::string tag = redshift_tag(c.restart_redshift);
  const std::size_t n = c.box.particle_count();
  std::vector<lf::vec3<float>> x, p;
  if (c.restart_format == "npy") {
    x = lf::io::read_npy_vec3<float>(c.restart_directory / ("positions_" + tag + ".npy"));
    p = lf::io::read_npy_vec3<float>(c.restart_directory / ("momenta_" + tag + ".npy"));
  } else {
#if defined(LAGFRAME_RUN_HAS_HDF5)
    const auto snap = lf::io::read_gadget_snapshot(c.restart_directory / ("snapshot_" + tag));
    x.resize(snap.positions.size());
    p.resize(snap.velocities.size());
    // Gadget velocities are v_pec/sqrt(a) in km/s; lagframe's p = a v_pec / (100 km/s).
    const double to_p = std::pow(a, 1.5) / 100.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const std::size_t id = snap.ids[i];
      if (id >= x.size()) throw lf::io_error("lagframe-run: restart snapshot id " + std::to_string(id) + " out of range");
      for (int d = 0; d < 3; ++d) {
        x[id][d] = static_cast<float>(snap.positions[i][d]);
        p[id][d] = static_cast<float>(snap.velocities[i][d] * to_p);
      }
    }
#endif
  }
  if (x.size() != n || p.size() != n) {
    throw lf::config_error("lagframe-run: the restart snapshot holds " + std::to_string(x.size()) +
                           " particles, the configuration " + std::to_string(n));
  }
  return {std::move(x), std::move(p)};
}

struct phase_times {
  double setup = 0, initial_conditions = 0, evolution = 0, outputs = 0;
};

/// P(k) (table and plot), snapshot and slice of one output time, as the configuration asks.
template <class Assignment>
void write_outputs(const run_config& c, const std::string& script_dir, const lf::snapshot_view<float>& s,
                   const lf::cosmology::linear_power& power, double d1, double z) {
  const std::string tag = redshift_tag(z);
  if (c.write_power_spectrum) {
    const lf::analysis::spectrum_options opt{.grid_1d = c.power_grid_1d > 0 ? c.power_grid_1d : c.pm.grid_1d,
                                             .interlacing = true, .deconvolve = true, .subtract_shot_noise = true};
    const auto pk = lf::analysis::power_spectrum<Assignment>(s.positions, c.box.side_mpc_h, opt);
    std::vector<double> lin(pk.k.size());
    for (std::size_t i = 0; i < lin.size(); ++i) lin[i] = d1 * d1 * power(pk.k[i]);
    const auto path = c.directory / ("pk_" + tag + ".txt");
    lf::io::write_text_table(path, {"k[h/Mpc]", "P[(Mpc/h)^3]", "P_lin[(Mpc/h)^3]", "modes"},
                             {pk.k, pk.power, lin, pk.modes},
                             {"lagframe-run power spectrum at z = " + std::to_string(z),
                              "interlaced, window-deconvolved, shot noise subtracted"});
    std::printf("wrote %s\n", path.c_str());
    if (c.plots) {
      const auto png = c.directory / ("pk_" + tag + ".png");
      const std::string cmd = "/usr/bin/python3 '" + script_dir + "/plot_power_spectrum.py' '" + path.string() +
                              "' '" + png.string() + "' > /dev/null 2>&1";
      if (std::system(cmd.c_str()) == 0) {
        std::printf("wrote %s\n", png.c_str());
      } else {
        std::printf("P(k) plot skipped: /usr/bin/python3 with matplotlib is not available (apt-get install python3-matplotlib)\n");
      }
    }
  }
  if (c.snapshot == "npy") {
    const auto pos = c.directory / ("positions_" + tag + ".npy");
    const auto mom = c.directory / ("momenta_" + tag + ".npy");
    lf::io::write_npy(pos, s.positions);
    lf::io::write_npy(mom, s.momenta);
    std::printf("wrote %s and %s (Mpc/h; momentum p = a^3 E dx/da in Mpc/h)\n", pos.c_str(), mom.c_str());
  }
#if defined(LAGFRAME_RUN_HAS_HDF5)
  if (c.snapshot == "gadget_hdf5") {
    const auto base = c.directory / ("snapshot_" + tag);
    lf::io::write_gadget_snapshot(base, s, {.files = c.snapshot_files, .double_precision = c.snapshot_double});
    std::printf("wrote %s (Gadget-4 HDF5 layout, %d file%s)\n", base.c_str(), c.snapshot_files,
                c.snapshot_files == 1 ? "" : "s");
  }
#endif
  if (c.write_slice) {
    const auto image = lf::analysis::projected_density(s.positions, c.box.side_mpc_h, c.slice_pixels, 0.0,
                                                       c.slice_thickness_mpc_h);
    const auto path = c.directory / ("slice_" + tag + ".png");
    const int px = static_cast<int>(c.slice_pixels);
    lf::io::write_png(path, px, px, 3, lf::analysis::render_log_density(image));
    std::printf("wrote %s\n", path.c_str());
  }
}

template <class Frame, class Force, class Factors>
phase_times run(const run_config& c, const std::string& script_dir, const lf::io::ic_particles* file_ics) {
  using Assignment = typename Force::assignment;
  phase_times times;
  auto t0 = clock_type::now();
  if (!c.wisdom_file.empty()) lf::fft::import_wisdom(c.wisdom_file);
  using sim_t = lf::simulation<Frame, Force, lf::stepper::kick_drift_kick<Factors>>;
  Factors factors{};
  if constexpr (std::is_same_v<Factors, lf::stepper::factors::cola>) factors.n_lpt = c.n_lpt;
  const auto grid = make_grid(c);
  auto force = [&] {
    if constexpr (std::is_same_v<Force, lf::force::p3m<Assignment>>) {
      Force f(c.box, c.p3m);
      const auto& k = f.kernel();
      std::printf("P3M force: %s, mesh %zu^3, r_s = %.3f Mpc/h, r_cut = %.3f Mpc/h, softening %.4f Mpc/h, chaining mesh %zu^3\n",
                  std::string(Assignment::name).c_str(), c.pm.grid_1d, k.split(), k.cutoff(), k.softening(),
                  f.chaining_cells());
      return f;
    } else {
      return Force(c.box, c.pm);
    }
  }();
  sim_t sim{c.cosmology, c.box, std::move(force),
            lf::stepper::kick_drift_kick<Factors>({.grid = grid, .schedule = make_schedule(c)}, factors)};
  if (!c.wisdom_file.empty()) lf::fft::export_wisdom(c.wisdom_file);
  if constexpr (std::is_same_v<Frame, coca_frame>) {
    const lf::frame::emulators::fourier_linear<float> emulator(std::make_shared<const lf::frame::emulators::fourier_linear_model>(
        lf::frame::emulators::fourier_linear_model::load(c.emulator_file)));
    emulator.validate(c.box, grid.a_start(), grid.a_end());
    sim.set_frame_options({emulator, c.integration == "as_particles" ? lf::frame::ml_integration::as_particles
                                                                     : lf::frame::ml_integration::as_lpt});
    std::printf("tCOCA frame: fourier_linear emulator %s (%s)\n", c.emulator_file.c_str(), c.integration.c_str());
  }
  times.setup = seconds_since(t0);

  t0 = clock_type::now();
  const auto power = make_power(c);
  {
    if (file_ics != nullptr) {
      // ICs from a file: rebuild the LPT frame from the displacements (the iteration of
      // ic/lpt_from_particles.hpp) and report how far the file's velocities are from LPT.
      const auto rec = lf::ic::lpt_from_particles<double>(file_ics->grid, file_ics->positions, file_ics->momenta,
                                                          file_ics->a, sim.growth(), c.lpt_order);
      std::printf("LPT frame rebuilt from %s in %d iterations; velocities vs LPT: rms %.2e, max %.2e (relative)%s\n",
                  c.ic_file.c_str(), rec.iterations, rec.velocity_rms_relative_error, rec.velocity_max_relative_error,
                  rec.velocity_rms_relative_error > 0.05 ? "  <- large: check the cosmology and the units" : "");
      lf::ic::lpt_fields<float> fields;
      fields.grid = rec.fields.grid;
      fields.order = rec.fields.order;
      const std::size_t n = c.box.particle_count();
      fields.psi1.resize(n);
      fields.psi2.resize(n);
      std::vector<lf::vec3<float>> x(n), p(n);
      for (std::size_t i = 0; i < n; ++i)
        for (int d = 0; d < 3; ++d) {
          fields.psi1[i][d] = static_cast<float>(rec.fields.psi1[i][d]);
          fields.psi2[i][d] = rec.fields.psi2.empty() ? 0.0f : static_cast<float>(rec.fields.psi2[i][d]);
          x[i][d] = static_cast<float>(file_ics->positions[i][d]);
          p[i][d] = static_cast<float>(file_ics->momenta[i][d]);
        }
      sim.set_state(std::move(fields), std::move(x), std::move(p));
      std::printf("initial conditions from %s at z = %.3f", c.ic_file.c_str(), c.z_start);
    } else {
    const auto modes = lf::ic::linear_density_modes<float>(
        c.box, power, {.seed = c.seed, .mode = c.amplitude, .inverted = c.inverted});
    auto fields = lf::ic::lpt_displacements(c.box, modes, c.lpt_order);
    if (c.restart_directory.empty()) {
      sim.set_initial_conditions(std::move(fields));
      std::printf("initial conditions at z = %.2f", c.z_start);
    } else {
      // Restart: the frame's fields come from the same seed, the state from the snapshot.
      const double a = 1.0 / (1.0 + c.restart_redshift);
      auto [x, p] = read_restart_state(c, a);
      sim.set_state(std::move(fields), std::move(x), std::move(p), a);
      std::printf("restarted at z = %.3f from %s", c.restart_redshift, c.restart_directory.c_str());
    }
    }
  }
  times.initial_conditions = seconds_since(t0);
  std::printf(": %.2f s\n", times.initial_conditions);

  const auto run_start = clock_type::now();
  double output_seconds = 0;
  sim.set_progress_observer([&](const lf::step_report& r) {
    const double elapsed = seconds_since(run_start) - output_seconds;
    const double eta = elapsed / static_cast<double>(r.step) * static_cast<double>(r.steps - r.step);
    std::printf("step %3zu/%zu  a = %.4f  z = %7.3f  force %s  %6.2f s  elapsed %7.1f s  left ~%7.1f s\n", r.step,
                r.steps, r.a, 1.0 / r.a - 1.0, r.force_evaluated ? "on " : "off", r.seconds, elapsed, eta);
    std::fflush(stdout);
  });

  std::vector<double> zs = c.output_redshifts;
  std::sort(zs.begin(), zs.end(), std::greater<>());
  for (double z : zs) {
    if (!c.restart_directory.empty() && z >= c.restart_redshift) continue;  // before the restart
    sim.run_until(1.0 / (1.0 + z), [&](const lf::snapshot_view<float>& s) {
      const auto out_start = clock_type::now();
      write_outputs<Assignment>(c, script_dir, s, power, sim.growth().d1(s.a), z);
      output_seconds += seconds_since(out_start);
    });
  }
  times.outputs = output_seconds;
  times.evolution = seconds_since(run_start) - output_seconds;
  std::printf("%zu force evaluations over %zu steps\n", sim.force_evaluations(), grid.steps());
  return times;
}

/// [scola]: the box as independent tiles (scola/tiled_run.hpp); a rerun skips finished tiles.
template <class Frame, class Assignment, class Factors>
phase_times run_scola(const run_config& c, const std::string& script_dir) {
  phase_times times;
  auto t0 = clock_type::now();
  const auto power = make_power(c);
  const auto modes = lf::ic::linear_density_modes<float>(c.box, power,
                                                         {.seed = c.seed, .mode = c.amplitude, .inverted = c.inverted});
  auto fields = lf::ic::lpt_displacements(c.box, modes, c.lpt_order);
  times.initial_conditions = seconds_since(t0);
  t0 = clock_type::now();
  Factors factors{};
  if constexpr (std::is_same_v<Factors, lf::stepper::factors::cola>) factors.n_lpt = c.n_lpt;
  lf::scola::scola_options so;
  so.tiling = c.scola_tiling;
  so.boundary = c.scola_boundary == "lpt_linear" ? lf::scola::boundary_potential::lpt_linear
                                                 : lf::scola::boundary_potential::lpt_expanded;
  so.follow_bulk_flow = c.scola_follow_bulk_flow;
  so.dirichlet.greens = c.scola_greens == "exact" ? lf::force::greens_function::exact
                                                  : lf::force::greens_function::finite_difference;
  so.directory = c.scola_tile_directory;
  std::ostringstream name;
  name << "lagframe-run seed " << c.seed << " amplitude " << static_cast<int>(c.amplitude) << " inverted " << c.inverted
       << " power " << c.power_spectrum << " " << c.power_file << " omega_m " << c.cosmology.omega_m << " sigma_8 "
       << c.cosmology.sigma_8 << " h " << c.cosmology.h << " n_s " << c.cosmology.n_s << " n_lpt " << c.n_lpt;
  so.run_name = name.str();
  using stepper_t = lf::stepper::kick_drift_kick<Factors>;
  lf::scola::tiled_run<Frame, Assignment, stepper_t> run(
      c.cosmology, c.box, std::move(fields), stepper_t({.grid = make_grid(c), .schedule = make_schedule(c)}, factors), so);
  times.setup = seconds_since(t0);
  std::printf("initial conditions at z = %.2f: %.2f s\n", c.z_start, times.initial_conditions);
  std::printf("sCOLA: %zu^3 tiles, %zu^3 particles each (core %zu, buffer %zu, LPT shell %zu per side), "
              "tile mesh %zu^3, %.1f MB per tile; tile files in %s\n",
              run.tiles().tiles_per_side(), run.tiles().particles_1d(), run.tiles().core_1d(), run.tiles().buffer_1d(),
              run.tiles().shell_1d(), run.tiles().mesh(0).cells, run.tile_memory_bytes() / 1e6,
              so.directory.c_str());
  std::fflush(stdout);
  std::size_t finished = 0;
  std::mutex progress;
  run.set_tile_hook([&](std::size_t t) {
    std::lock_guard lock(progress);
    std::printf("tile %zu/%zu starting (%zu started so far)\n", t + 1, run.tile_count(), ++finished);
    std::fflush(stdout);
  });
  const auto run_start = clock_type::now();
  const auto report = c.scola_executor == "sequential" ? lf::scola::run_sequential(run) : lf::scola::run_openmp(run);
  std::printf("%zu tiles run, %zu already done (verified): %.2f s; %zu particle-evaluations outside their tile mesh "
              "(moved with the frame)\n",
              report.ran.size(), report.skipped.size(), report.seconds, report.outside_events);
  const auto state = run.assemble();
  times.evolution = seconds_since(run_start);
  const auto out_start = clock_type::now();
  const lf::snapshot_view<float> view{state.a, make_grid(c).steps(), &c.box, &c.cosmology, state.positions,
                                      state.momenta};
  write_outputs<Assignment>(c, script_dir, view, power, run.growth().d1(state.a), c.output_redshifts.front());
  times.outputs = seconds_since(out_start);
  return times;
}

using ics_ptr = const lf::io::ic_particles*;
template <class Frame, class Force>
phase_times dispatch_run_factors(const run_config& c, const std::string& scripts, ics_ptr ics) {
  if (c.factors == "quinn") return run<Frame, Force, lf::stepper::factors::quinn>(c, scripts, ics);
  if (c.factors == "fastpm") return run<Frame, Force, lf::stepper::factors::fastpm>(c, scripts, ics);
  return run<Frame, Force, lf::stepper::factors::cola>(c, scripts, ics);
}
template <class Frame, class Assignment>
phase_times dispatch_force(const run_config& c, const std::string& scripts, ics_ptr ics) {
  if (c.force_type == "p3m") return dispatch_run_factors<Frame, lf::force::p3m<Assignment>>(c, scripts, ics);
  return dispatch_run_factors<Frame, lf::force::particle_mesh<Assignment>>(c, scripts, ics);
}
template <class Frame, class Assignment>
phase_times dispatch_factors(const run_config& c, const std::string& scripts, ics_ptr ics) {
  if constexpr (!std::is_same_v<Frame, lf::frame::inertial<float>> && !std::is_same_v<Frame, coca_frame>) {
    if (c.scola) {
      if (c.factors == "quinn") return run_scola<Frame, Assignment, lf::stepper::factors::quinn>(c, scripts);
      if (c.factors == "fastpm") return run_scola<Frame, Assignment, lf::stepper::factors::fastpm>(c, scripts);
      return run_scola<Frame, Assignment, lf::stepper::factors::cola>(c, scripts);
    }
  }
  return dispatch_force<Frame, Assignment>(c, scripts, ics);
}
template <class Frame>
phase_times dispatch_assignment(const run_config& c, const std::string& scripts, ics_ptr ics) {
  if (c.assignment == "tsc") return dispatch_factors<Frame, lf::mesh::tsc>(c, scripts, ics);
  return dispatch_factors<Frame, lf::mesh::cic>(c, scripts, ics);
}
phase_times dispatch(const run_config& c, const std::string& scripts, ics_ptr ics) {
  if (c.frame == "inertial") return dispatch_assignment<lf::frame::inertial<float>>(c, scripts, ics);
  if (c.frame == "lpt1") return dispatch_assignment<lf::frame::lpt<1, float>>(c, scripts, ics);
  if (c.frame == "coca") return dispatch_assignment<coca_frame>(c, scripts, ics);
  return dispatch_assignment<lf::frame::lpt<2, float>>(c, scripts, ics);
}

/// Read an IC file named by the configuration and adopt its box and starting time. Errors
/// here are configuration errors (exit status 2, nothing written).
lf::io::ic_particles load_ic_file(run_config& c) {
  const auto convention =
      c.id_convention == "zero_based" ? lf::io::id_convention::zero_based : lf::io::id_convention::one_based;
  lf::io::ic_particles ics;
  if (c.ic_format == "gadget2") {
    ics = lf::io::read_gadget2_ic(c.ic_file, convention, c.ic_length_unit_mpc_h);
  } else {
#if defined(LAGFRAME_RUN_HAS_HDF5)
    ics = lf::io::read_gadget_hdf5_ic(c.ic_file, convention);
#endif
  }
  if (ics.grid.particles_1d != c.box.particles_1d || std::abs(ics.grid.side_mpc_h - c.box.side_mpc_h) > 1e-6 * c.box.side_mpc_h) {
    throw lf::config_error("config: the IC file " + c.ic_file.string() + " holds " + std::to_string(ics.grid.particles_1d) +
                           "^3 particles in " + std::to_string(ics.grid.side_mpc_h) + " Mpc/h; box says " +
                           std::to_string(c.box.particles_1d) + "^3 in " + std::to_string(c.box.side_mpc_h) + " Mpc/h");
  }
  c.z_start = 1.0 / ics.a - 1.0;
  for (double z : c.output_redshifts)
    if (!(z < c.z_start))
      throw lf::config_error("config: output redshift " + std::to_string(z) + " is not after the IC file's z = " +
                             std::to_string(c.z_start));
  return ics;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lagframe-run: run a lagframe simulation described by a TOML file"};
  std::string config_path;
  std::vector<std::string> overrides;
  bool check_only = false;
  std::string scripts = LAGFRAME_SCRIPTS_DIR;
  app.add_option("config", config_path, "TOML configuration (see configs/quickstart.toml)")->required();
  app.add_option("--set", overrides, "override a value: section.key=value (TOML syntax; repeatable)");
  app.add_flag("--check", check_only, "check the configuration and exit");
  app.add_option("--scripts", scripts, "folder of plot_power_spectrum.py");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  run_config config;
  toml::table root;
  try {
    if (!std::filesystem::exists(config_path)) {
      throw lf::config_error("config: file '" + config_path + "' does not exist");
    }
    try {
      root = toml::parse_file(config_path);
    } catch (const toml::parse_error& e) {
      std::ostringstream msg;
      msg << "config: " << config_path << " line " << e.source().begin.line << ": " << e.description();
      throw lf::config_error(msg.str());
    }
    for (const auto& o : overrides) lagframe_run::apply_override(root, o);
    config = lagframe_run::read_config(root);
  } catch (const lf::error& e) {
    std::fprintf(stderr, "lagframe-run: %s\n", e.what());
    return 2;
  }
  lf::io::ic_particles file_ics;
  if (!config.ic_file.empty()) {
    try {
      file_ics = load_ic_file(config);
    } catch (const lf::error& e) {
      std::fprintf(stderr, "lagframe-run: %s\n", e.what());
      return 2;
    }
  }
  if (check_only) {
    std::printf("lagframe-run: %s is valid\n", config_path.c_str());
    return 0;
  }

  try {
    std::filesystem::create_directories(config.directory);
    const auto t0 = clock_type::now();
    const phase_times times = dispatch(config, scripts, config.ic_file.empty() ? nullptr : &file_ics);
    const double total = seconds_since(t0);
    std::ostringstream summary;
    summary << "# lagframe-run summary\n# lagframe " << lf::version_string << "\n"
            << "# timings [s]: setup " << times.setup << ", initial conditions " << times.initial_conditions
            << ", evolution " << times.evolution << ", outputs " << times.outputs << ", total " << total << "\n"
            << "# peak memory: " << peak_memory_mib() << " MiB\n"
            << "# configuration (after command-line overrides):\n"
            << root << "\n";
    lf::io::write_atomically(config.directory / "run_summary.txt", [&](const std::filesystem::path& tmp) {
      std::ofstream out(tmp);
      out << summary.str();
      if (!out) throw lf::io_error("lagframe-run: cannot write " + tmp.string());
    });
    std::printf("done in %.1f s (peak memory %.0f MiB); summary in %s\n", total, peak_memory_mib(),
                (config.directory / "run_summary.txt").c_str());
  } catch (const lf::config_error& e) {
    std::fprintf(stderr, "lagframe-run: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lagframe-run: %s\n", e.what());
    return 1;
  }
  return 0;
}
