// SPDX-License-Identifier: BSD-3-Clause
// One tCOLA kick-drift-kick step (force evaluation included) at 128³ particles on a 256³ float
// mesh, 1 and 2 threads. Items processed = particles, so the report gives ns per particle-step.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <lagframe/lagframe.hpp>

#include <string>

namespace {
namespace lf = lagframe;
// FFTW wisdom shared with bench_fft and bench_force (MEASURE plans take a minute to make once).
const std::string wisdom_prefix = std::string(LAGFRAME_BENCH_DIR) + "/fftw_wisdom";

void BM_step_tcola_kdk(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  omp_set_num_threads(threads);
  const lf::cosmology::parameters cosmo{};
  const lf::box box{.side_mpc_h = 256.0, .particles_1d = 128};
  // Many steps so that each benchmark iteration is one step late in the run.
  constexpr std::size_t steps = 200;
  lf::fft::import_wisdom(wisdom_prefix);
  using sim_t = lf::simulation<lf::frame::lpt<2>, lf::force::particle_mesh<lf::mesh::cic>,
                               lf::stepper::kick_drift_kick<lf::stepper::factors::cola>>;
  sim_t sim{cosmo, box, lf::force::pm_options{.grid_1d = 256, .planning = lf::fft::planning::measure},
            lf::stepper::kdk_options{.grid = lf::stepper::time_grid::linear(0.5, 1.0, steps)}};
  lf::fft::export_wisdom(wisdom_prefix);
  const auto power = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  sim.set_initial_conditions(lf::ic::lpt_displacements(box, lf::ic::linear_density_modes<float>(box, power, {.seed = 3}), 2));
  const auto& nodes = sim.stepper().grid().nodes();
  std::size_t j = 1;
  sim.run_until(nodes[j]);  // warm up: first force evaluation and page faults
  for (auto _ : state) {
    if (j == steps) state.SkipWithError("ran out of steps");
    sim.run_until(nodes[++j]);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(box.particle_count()));
  state.counters["threads"] = threads;
}
BENCHMARK(BM_step_tcola_kdk)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);
}  // namespace
