// SPDX-License-Identifier: BSD-3-Clause
// scola_lightcone: a lightcone-only sCOLA run (docs/physics.md §16.7, docs/lightcones.md). The
// observer sits at the centre of the box; each tile records the crossings of its core particles,
// stops at the first node after which none of them can cross the lightcone, and does not run at
// all when none can; the shells are then assembled into the same files a full-box run writes.
// Printed: the predicted work (tile-steps and particle-steps of every tile, before anything
// runs) against every tile run to z = 0, and the measured tile-seconds.
//
//   scola_lightcone [--out scola_lightcone_out] [--particles 128] [--side 256] [--tiles 4]
//                   [--buffer 32] [--steps 10] [--z-min 0] [--z-max 0.3] [--opening 30]
//                   [--nside 128] [--fraction 0.1] [--seed 42] [--full] [--compare]
//
// --full also runs every tile to z = 0 (final_state = true, the same lightcone) and reports its
// tile-seconds and whether the crossings are identical; --compare also runs the full-box tCOLA
// lightcone and compares a shell with scripts/compare_lightcones.py (P(k), C_ell).

#include <lagframe/io/lightcone_hdf5.hpp>
#include <lagframe/lagframe.hpp>
#include <lagframe/scola/executors.hpp>
#include <lagframe/scola/tiled_run.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#ifndef LAGFRAME_SCRIPTS_DIR
#define LAGFRAME_SCRIPTS_DIR "scripts"
#endif

namespace lf = lagframe;

namespace {

struct options {
  std::filesystem::path out = "scola_lightcone_out";
  std::size_t particles = 128, tiles = 4, steps = 10;
  double side = 256.0, buffer = 32.0, z_min = 0.0, z_max = 0.3, opening = 30.0, fraction = 0.1;
  std::int64_t nside = 128;
  std::uint64_t seed = 42;
  bool full = false, compare = false;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw lf::config_error(lf::detail::concat("scola_lightcone: ", a, " needs a value"));
      return argv[++i];
    };
    const auto number = [&]() {
      const std::string v = value();
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0')
        throw lf::config_error(lf::detail::concat("scola_lightcone: ", a, " = \"", v, "\" is not a number"));
      return x;
    };
    if (a == "--out") o.out = value();
    else if (a == "--particles") o.particles = static_cast<std::size_t>(number());
    else if (a == "--side") o.side = number();
    else if (a == "--tiles") o.tiles = static_cast<std::size_t>(number());
    else if (a == "--buffer") o.buffer = number();
    else if (a == "--steps") o.steps = static_cast<std::size_t>(number());
    else if (a == "--z-min") o.z_min = number();
    else if (a == "--z-max") o.z_max = number();
    else if (a == "--opening") o.opening = number();
    else if (a == "--nside") o.nside = static_cast<std::int64_t>(number());
    else if (a == "--fraction") o.fraction = number();
    else if (a == "--seed") o.seed = static_cast<std::uint64_t>(number());
    else if (a == "--full") o.full = true;
    else if (a == "--compare") o.compare = true;
    else throw lf::config_error(lf::detail::concat("scola_lightcone: unknown option '", a, "'"));
  }
  return o;
}

using frame_t = lf::frame::lpt<2>;
using stepper_t = lf::stepper::kick_drift_kick<>;
using run_t = lf::scola::tiled_run<frame_t, lf::mesh::cic, stepper_t>;
using key = std::tuple<std::uint64_t, int, int, int>;

/// Writes the assembled shells of `run` into `dir` and returns its crossings by key.
std::map<key, lf::lightcone::crossing> write_shells(const run_t& run, const lf::cosmology::parameters& cosmo,
                                                    const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const auto info = lf::io::lightcone_info(*run.cone(), cosmo);
  std::map<key, lf::lightcone::crossing> all;
  run.assemble_lightcone([&](lf::lightcone::shell&& s) {
    for (const auto& c : s.particles) all.emplace(key{c.id, c.replica[0], c.replica[1], c.replica[2]}, c);
    lf::io::write_lightcone_shell(lf::io::lightcone_shell_path(dir, "lightcone", s.index), s, info);
  });
  return all;
}

int run(const options& o) {
  const lf::cosmology::parameters cosmo{};
  const lf::box box{.side_mpc_h = o.side, .particles_1d = o.particles};
  box.validate();
  const auto power = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  const auto fields = lf::ic::lpt_displacements(box, lf::ic::linear_density_modes<float>(box, power, {.seed = o.seed}), 2);
  const lf::stepper::kdk_options kdk{.grid = lf::stepper::time_grid::linear(0.02, 1.0, o.steps)};
  lf::lightcone::lightcone_options lc{.observer = {0.5 * o.side, 0.5 * o.side, 0.5 * o.side}, .z_min = o.z_min,
                                      .z_max = o.z_max, .healpix_nside = o.nside, .particle_fraction = o.fraction};
  if (o.opening < 180.0) {
    lc.shape = lf::lightcone::footprint::cone;
    lc.axis = {0.0, 0.0, 1.0};
    lc.opening_deg = o.opening;
  }
  {
    // Three shells: the nearest quarter, the next quarter and the far half of the range.
    const lf::lightcone::lightcone probe(cosmo, box, lc);
    const double lo = probe.chi_min(), hi = probe.chi_max();
    lc.shell_edges = {lo + 0.25 * (hi - lo), lo + 0.5 * (hi - lo)};
  }
  lf::scola::scola_options so{.tiling = {.tiles_per_side = o.tiles, .buffer_mpc_h = o.buffer, .mesh_per_particle = 2},
                              .directory = o.out / "tiles_lightcone"};
  so.run_name = lf::detail::concat("scola_lightcone seed ", o.seed);
  so.lightcone = lc;
  so.final_state = false;
  run_t stopped(cosmo, box, fields, kdk, so);
  const auto& plan = stopped.plan();
  std::printf("sCOLA lightcone: %zu^3 particles in %.0f Mpc/h, %zu^3 tiles (core %zu, buffer %zu, LPT shell %zu per side), "
              "%zu steps; observer at the centre, %s to z = %.2f (%.0f Mpc/h)\n",
              o.particles, o.side, o.tiles, stopped.tiles().core_1d(), stopped.tiles().buffer_1d(),
              stopped.tiles().shell_1d(), o.steps,
              o.opening < 180.0 ? lf::detail::concat("a ", o.opening, " degree cone along z").c_str() : "the full sky",
              o.z_max, stopped.cone()->chi_max());
  // The prediction, before anything runs.
  std::map<std::size_t, std::size_t> by_steps;
  for (const auto& t : plan.tiles) ++by_steps[t.steps];
  double first = 1.0, last = 0.0;
  for (const auto& t : plan.tiles)
    if (t.a_last > 0) {
      first = std::min(first, t.a_last);
      last = std::max(last, t.a_last);
    }
  std::printf("predicted: %zu of %zu tiles run; last possible crossings a_last = %.3f-%.3f; tiles by steps run:",
              plan.tiles_running(), plan.tiles.size(), first, last);
  for (const auto& [steps, n] : by_steps) std::printf(" %zu x %zu", n, steps);
  std::printf("\npredicted work: %zu of %zu tile-steps, %.3g of %.3g particle-steps (%.1f %% of every tile to z = 0); "
              "margin %.1f Mpc/h\n",
              plan.tile_steps(), plan.tile_steps_full(), static_cast<double>(plan.particle_steps()),
              static_cast<double>(plan.particle_steps_full()), 100.0 * plan.fraction(), plan.margin_mpc_h);
  std::fflush(stdout);
  const auto report = lf::scola::run_openmp(stopped);
  std::printf("measured: %zu tiles run (%zu already done) in %.1f s wall, %.1f tile-seconds\n", report.ran.size(),
              report.skipped.size(), report.seconds, report.total_tile_seconds());
  const auto tiles = write_shells(stopped, cosmo, o.out / "scola");
  std::printf("%zu kept crossings written to %s\n", tiles.size(), (o.out / "scola").c_str());

  if (o.full) {
    auto every = so;
    every.final_state = true;
    every.directory = o.out / "tiles_full";
    run_t full(cosmo, box, fields, kdk, every);
    const auto r = lf::scola::run_openmp(full);
    const auto all = write_shells(full, cosmo, o.out / "scola_full");
    std::size_t differ = 0;
    for (const auto& [k, c] : all) {
      const auto it = tiles.find(k);
      if (it == tiles.end() || it->second.a != c.a || it->second.position != c.position) ++differ;
    }
    std::printf("every tile to z = 0: %.1f s wall, %.1f tile-seconds; the lightcone-only run took %.1f %% of the "
                "tile-seconds (%.1f %% predicted); crossings: %zu and %zu, %zu differ\n",
                r.seconds, r.total_tile_seconds(), 100.0 * report.total_tile_seconds() / r.total_tile_seconds(),
                100.0 * plan.fraction(), all.size(), tiles.size(), differ);
  }
  if (o.compare) {
    lf::simulation<frame_t, lf::force::particle_mesh<lf::mesh::cic>, stepper_t> sim(
        cosmo, box, lf::force::pm_options{.grid_1d = 2 * o.particles}, kdk);
    sim.set_initial_conditions(fields);
    lf::lightcone::lightcone cone(cosmo, box, lc);
    const auto info = lf::io::lightcone_info(cone, cosmo);
    std::filesystem::create_directories(o.out / "full_box");
    cone.set_shell_callback([&](lf::lightcone::shell&& s) {
      lf::io::write_lightcone_shell(lf::io::lightcone_shell_path(o.out / "full_box", "lightcone", s.index), s, info);
    });
    sim.set_drift_observer([&](const lf::drift_view<float>& v) { cone(v); });
    const auto start = std::chrono::steady_clock::now();
    sim.run_until(1.0);
    cone.finish();
    std::printf("full-box tCOLA lightcone: %.1f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    std::fflush(stdout);
    const std::string command = lf::detail::concat("/usr/bin/python3 ", LAGFRAME_SCRIPTS_DIR, "/compare_lightcones.py ",
                                                   (o.out / "scola").string(), " ", (o.out / "full_box").string(),
                                                   " --shell 1 --check-pk 0.5:0.01,1.0:0.03 --check-cl 0.5:0.02");
    const int rc = std::system(command.c_str());
    if (rc != 0) std::printf("compare_lightcones.py: exit status %d\n", rc);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const lf::config_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scola_lightcone: %s\n", e.what());
    return 1;
  }
}
