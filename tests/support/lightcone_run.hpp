// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// A small tCOLA run with a lightcone, shared by the lightcone file tests
// (tests/unit/io/lightcone_hdf5.test.cpp, lightcone_stream_hdf5.test.cpp): 12³ particles in
// 96 Mpc/h from a = 0.2, a full-sky lightcone to z = 0.1 about (40, 50, 60) Mpc/h with replicas,
// in four shells (edges at 100, 150 and 200 Mpc/h) with N_side = 2 maps.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>

#include "lagframe/io/lightcone_hdf5.hpp"
#include "lagframe/lagframe.hpp"

namespace lagframe::test::lightcone_run {

inline const cosmology::parameters cosmo{};
inline const box grid{.side_mpc_h = 96.0, .particles_1d = 12};
using sim_t = simulation<frame::lpt<2, double>, force::particle_mesh<mesh::cic, double>, stepper::kick_drift_kick<>>;

/// The simulation with `steps` steps linear in a from 0.2 to 1.
inline sim_t make_sim(std::size_t steps) {
  return sim_t{cosmo, grid, force::pm_options{.grid_1d = 24},
               stepper::kdk_options{.grid = stepper::time_grid::linear(0.2, 1.0, steps)}};
}
inline ic::lpt_fields<double> fields() {
  static const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  return ic::lpt_displacements(grid, ic::linear_density_modes<double>(grid, power, {.seed = 5}), 2);
}
inline lightcone::lightcone_options cone_options() {
  return {.observer = {40.0, 50.0, 60.0}, .z_min = 0.0, .z_max = 0.1, .shell_edges = {100.0, 150.0, 200.0},
          .healpix_nside = 2};
}
inline io::lightcone_file_info info() {
  return {.observer = {40.0, 50.0, 60.0}, .box_size = 96.0, .nside = 2, .cosmology = cosmo};
}

/// The four shell files of two runs hold the same crossings in the same order (times and
/// positions to float32 rounding, 1e-4) and the same maps; returns the number of crossings.
inline std::size_t check_same_shells(const std::filesystem::path& a_dir, const std::filesystem::path& b_dir) {
  std::size_t total = 0;
  for (std::size_t s = 0; s < 4; ++s) {
    CAPTURE(s);
    const auto a = io::read_lightcone_shell(io::lightcone_shell_path(a_dir, "lc", s));
    const auto b = io::read_lightcone_shell(io::lightcone_shell_path(b_dir, "lc", s));
    CHECK(b.complete);
    CHECK(a.shell.healpix_counts == b.shell.healpix_counts);
    REQUIRE(a.shell.particles.size() == b.shell.particles.size());
    double worst = 0;
    for (std::size_t i = 0; i < a.shell.particles.size(); ++i) {
      const auto &u = a.shell.particles[i], &v = b.shell.particles[i];
      CHECK(u.id == v.id);
      CHECK(u.replica == v.replica);
      worst = std::max(worst, std::abs(u.a - v.a));
      for (int d = 0; d < 3; ++d) worst = std::max(worst, std::abs(u.position[d] - v.position[d]));
    }
    CHECK(worst < 1e-4);  // rounding (positions are float32 on disk)
    total += a.shell.particles.size();
  }
  return total;
}

}  // namespace lagframe::test::lightcone_run
