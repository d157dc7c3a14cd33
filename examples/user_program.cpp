// SPDX-License-Identifier: BSD-3-Clause
// The README's user program, compiled with the examples; tests/docs/check_user_program.cmake
// checks that the README shows exactly this code.
#include <lagframe/lagframe.hpp>
#include <cstdio>

int main() {
  namespace lf = lagframe;
  using sim_t = lf::simulation<lf::frame::lpt<2>,                        // tCOLA frame
                               lf::force::particle_mesh<lf::mesh::cic>,   // PM, CIC
                               lf::stepper::kick_drift_kick<>>;            // COLA factors (they follow the frame)
  const lf::cosmology::parameters cosmo{.omega_m = 0.31, .omega_b = 0.049, .h = 0.677,
                                        .n_s = 0.965, .sigma_8 = 0.81};
  const lf::box box{.side_mpc_h = 256.0, .particles_1d = 128};
  sim_t sim{cosmo, box, lf::force::pm_options{.grid_1d = 256},
            lf::stepper::kdk_options{.grid = lf::stepper::time_grid::linear(0.02, 1.0, 10)}};
  const auto power = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  const auto delta = lf::ic::linear_density_modes<float>(box, power, {.seed = 7});
  sim.set_initial_conditions(lf::ic::lpt_displacements(box, delta, 2));
  sim.run_until(1.0, [&](const lf::snapshot_view<float>& s) {
    const auto pk = lf::analysis::power_spectrum<lf::mesh::cic>(s.positions, box.side_mpc_h, {.grid_1d = 256});
    for (std::size_t i = 0; i < pk.k.size(); ++i) std::printf("%g %g\n", pk.k[i], pk.power[i]);
  });
}
