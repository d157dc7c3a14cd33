// SPDX-License-Identifier: BSD-3-Clause
// Peak memory per particle of a tCOLA run (128³ particles, 256³ float mesh, 2 steps), from the
// process's peak resident set size, with the two force meshes subtracted.
#include <sys/resource.h>

#include <cstdio>
#include <lagframe/lagframe.hpp>

int main(int argc, char** argv) {
  namespace lf = lagframe;
  const std::size_t np = argc > 1 ? std::stoul(argv[1]) : 128;
  const std::size_t ng = argc > 2 ? std::stoul(argv[2]) : 2 * np;
  const lf::cosmology::parameters cosmo{};
  const lf::box box{.side_mpc_h = 2.0 * np, .particles_1d = np};
  auto rss_mib = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
  };
  const double base = rss_mib();
  using sim_t = lf::simulation<lf::frame::lpt<2>, lf::force::particle_mesh<lf::mesh::cic>,
                               lf::stepper::kick_drift_kick<lf::stepper::factors::cola>>;
  sim_t sim{cosmo, box, lf::force::pm_options{.grid_1d = ng},
            lf::stepper::kdk_options{.grid = lf::stepper::time_grid::linear(0.02, 1.0, 2)}};
  const auto power = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  sim.set_initial_conditions(lf::ic::lpt_displacements(box, lf::ic::linear_density_modes<float>(box, power, {.seed = 3}), 2));
  const double after_ic = rss_mib();
  sim.run_until(1.0);
  const double peak = rss_mib();
  const double mesh_mib = 2.0 * ng * ng * 2 * (ng / 2 + 1) * sizeof(float) / 1048576.0;
  const double n = static_cast<double>(box.particle_count());
  std::printf("particles %zu^3, mesh %zu^3 (two float meshes = %.1f MiB)\n", np, ng, mesh_mib);
  std::printf("peak RSS: at start %.1f MiB, after ICs %.1f MiB, after run %.1f MiB\n", base, after_ic, peak);
  std::printf("peak bytes per particle, meshes excluded: %.1f\n", (peak - base - mesh_mib) * 1048576.0 / n);
  return 0;
}
