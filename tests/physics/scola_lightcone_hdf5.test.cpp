// SPDX-License-Identifier: BSD-3-Clause
// The sCOLA lightcone against the full-box tCOLA lightcone of the same initial conditions
// (docs/physics.md §16.7): 64³ particles in 128 Mpc/h, 10 steps, 4³ tiles
// with d_b = L_t/2, lightcone-only tiles; a full-sky lightcone around the box centre to
// χ = 100 Mpc/h, shells [0, 50) and [50, 100) Mpc/h with N_side = 64 maps. Both are written as
// shell files (io/lightcone_hdf5.hpp) and compared by scripts/compare_lightcones.py on the outer
// shell: P(k) of particles minus the unperturbed lattice of the same shell within 1 % for
// k <= 0.5 h/Mpc and 3 % for k <= 1 h/Mpc (the particle Nyquist wavenumber is 1.57 h/Mpc), C_ell
// of the maps within 2 % up to ell = 0.5 h/Mpc × 75 Mpc/h = 37. The same particles must be
// recorded (to the few that sit near a shell edge).

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <tuple>

#include "lagframe/io/lightcone_hdf5.hpp"
#include "lagframe/lagframe.hpp"
#include "lagframe/scola/executors.hpp"
#include "lagframe/scola/tiled_run.hpp"
#include "support/scratch_dir.hpp"

using namespace lagframe;

TEST_CASE("sCOLA lightcone against the full-box tCOLA lightcone: P(k) and C_ell of a shell") {
  const char* source = std::getenv("LAGFRAME_SOURCE_DIR");
  REQUIRE_MESSAGE(source != nullptr, "LAGFRAME_SOURCE_DIR (set by ctest) names the repository, for scripts/");
  const cosmology::parameters cosmo{};
  const box b{.side_mpc_h = 128.0, .particles_1d = 64};
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  const auto fields = ic::lpt_displacements(b, ic::linear_density_modes<float>(b, power, {.seed = 7}), 2);
  const stepper::kdk_options kdk{.grid = stepper::time_grid::linear(0.02, 1.0, 10)};
  const lightcone::lightcone_options lc{.observer = {64.0, 64.0, 64.0}, .z_min = 0.0, .z_max = 0.0337,
                                        .shell_edges = {50.0}, .healpix_nside = 64};
  const test::scratch_dir dir("scola_lightcone_hdf5");
  using key = std::tuple<std::uint64_t, int, int, int>;
  std::set<key> full_keys, tile_keys;

  // The full box: tCOLA with the PM force on a mesh twice the particle grid, the tiles' resolution.
  {
    simulation<frame::lpt<2>, force::particle_mesh<mesh::cic>, stepper::kick_drift_kick<>> sim(
        cosmo, b, force::pm_options{.grid_1d = 128}, kdk);
    sim.set_initial_conditions(fields);
    lightcone::lightcone cone(cosmo, b, lc);
    const auto info = io::lightcone_info(cone, cosmo);
    std::filesystem::create_directories(dir.path / "full");
    cone.set_shell_callback([&](lightcone::shell&& s) {
      for (const auto& c : s.particles) full_keys.emplace(c.id, c.replica[0], c.replica[1], c.replica[2]);
      io::write_lightcone_shell(io::lightcone_shell_path(dir.path / "full", "lightcone", s.index), s, info);
    });
    sim.set_drift_observer([&](const drift_view<float>& v) { cone(v); });
    sim.run_until(1.0);
    cone.finish();
  }
  // The tiles, lightcone only.
  scola::scola_options so{.tiling = {.tiles_per_side = 4, .buffer_mpc_h = 16.0, .mesh_per_particle = 2},
                          .directory = dir.path / "tiles"};
  so.lightcone = lc;
  so.final_state = false;
  scola::tiled_run<frame::lpt<2>, mesh::cic, stepper::kick_drift_kick<>> run(cosmo, b, fields, kdk, so);
  const auto report = scola::run_openmp(run);
  std::filesystem::create_directories(dir.path / "scola");
  const auto info = io::lightcone_info(*run.cone(), cosmo);
  run.assemble_lightcone([&](lightcone::shell&& s) {
    for (const auto& c : s.particles) tile_keys.emplace(c.id, c.replica[0], c.replica[1], c.replica[2]);
    io::write_lightcone_shell(io::lightcone_shell_path(dir.path / "scola", "lightcone", s.index), s, info);
  });
  std::size_t common = 0;
  for (const auto& k : tile_keys) common += full_keys.count(k);
  std::printf("sCOLA lightcone: %zu crossings (full box %zu), %zu in common; %zu of %zu tile-steps predicted, "
              "%.1f tile-seconds\n",
              tile_keys.size(), full_keys.size(), common, run.plan().tile_steps(), run.plan().tile_steps_full(),
              report.total_tile_seconds());
  CHECK(full_keys.size() > 400000);
  CHECK(std::abs(static_cast<double>(tile_keys.size()) / static_cast<double>(full_keys.size()) - 1.0) < 0.002);
  CHECK(static_cast<double>(common) > 0.995 * static_cast<double>(full_keys.size()));

  const std::string command = std::string("/usr/bin/python3 ") + source + "/scripts/compare_lightcones.py " +
                              (dir.path / "scola").string() + " " + (dir.path / "full").string() +
                              " --shell 1 --check-pk 0.5:0.01,1.0:0.03 --check-cl 0.5:0.02";
  std::fflush(stdout);
  const int rc = std::system(command.c_str());
  REQUIRE_MESSAGE(WIFEXITED(rc), "compare_lightcones.py did not run");
  REQUIRE_MESSAGE(WEXITSTATUS(rc) != 3, "compare_lightcones.py needs numpy, h5py and healpy (scripts/install-deps.sh)");
  CHECK(WEXITSTATUS(rc) == 0);
}
