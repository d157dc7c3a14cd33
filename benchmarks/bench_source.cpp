// SPDX-License-Identifier: BSD-3-Clause
// The sheet source against the particles: one PM force evaluation (TSC, 256³ float mesh, the PM
// defaults) with source::particles and with source::sheet (n = 2: 8 sheets), 128³ particles in
// 256 Mpc/h, and the parts of the sheet's cost: the mass deposit alone (3 forward and 21 inverse
// Lagrangian-grid FFTs, 8 deposits), the same deposit with the trilinear interpolant (no FFTs),
// the 24 FFTs of 128³ alone, and one particle deposit. State:
// the Lagrangian grid with Gaussian offsets of 3 Mpc/h rms (argument `state` 0) or a tCOLA z = 0
// state (10 steps, seed 1; argument 1). Argument `threads`. Both states are partly multi-stream,
// so the sheet runs with the blend policy: the default, global_switch, would deposit the
// particles alone there.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <random>
#include <span>
#include <vector>

#include <lagframe/lagframe.hpp>

namespace {

using namespace lagframe;

const box the_box{.side_mpc_h = 256.0, .particles_1d = 128};
constexpr std::size_t mesh_1d = 256;

const std::vector<vec3<float>>& state_of(long which) {
  static const std::vector<vec3<float>> gaussian = [] {
    std::mt19937_64 rng(2024);
    std::normal_distribution<double> g(0.0, 3.0);
    std::vector<vec3<float>> x(the_box.particle_count());
    for (std::size_t i = 0; i < x.size(); ++i) {
      const auto q = the_box.lagrangian_position<double>(i);
      for (int d = 0; d < 3; ++d) x[i][d] = wrap_periodic(static_cast<float>(q[d] + g(rng)), 256.0f);
    }
    return x;
  }();
  static const std::vector<vec3<float>> tcola = [] {
    const cosmology::parameters cosmo{};
    simulation<frame::lpt<2>, force::particle_mesh<mesh::cic>, stepper::kick_drift_kick<>> sim{
        cosmo, the_box, force::pm_options{.grid_1d = mesh_1d},
        stepper::kdk_options{.grid = stepper::time_grid::linear(0.02, 1.0, 10)}};
    const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
    sim.set_initial_conditions(ic::lpt_displacements(the_box, ic::linear_density_modes<float>(the_box, power, {.seed = 1}), 2));
    sim.run_until(1.0);
    return std::vector<vec3<float>>(sim.positions().begin(), sim.positions().end());
  }();
  return which == 0 ? gaussian : tcola;
}

template <class Source>
void BM_force_pm_source(benchmark::State& state) {
  const auto& x = state_of(state.range(0));
  omp_set_num_threads(static_cast<int>(state.range(1)));
  force::particle_mesh<mesh::tsc, float, Source> pm(the_box, {.grid_1d = mesh_1d, .source = {.policy = source::multistream_policy::blend}});
  std::vector<vec3<float>> acc(x.size());
  pm.accelerations(x, acc);
  for (auto _ : state) {
    pm.accelerations(x, acc);
    benchmark::DoNotOptimize(acc.data());
  }
  state.counters["threads"] = static_cast<double>(state.range(1));
}

/// The mass deposit alone; Interpolant: the sheet's (the particles ignore it).
template <class Source, source::sheet_interpolant Interpolant = source::sheet_interpolant::fourier>
void BM_source_deposit(benchmark::State& state) {
  const auto& x = state_of(state.range(0));
  omp_set_num_threads(static_cast<int>(state.range(1)));
  typename Source::template depositor<mesh::tsc, float> d(the_box, {.policy = source::multistream_policy::blend, .interpolant = Interpolant});
  real_field<float> grid(mesh_1d, 256.0);
  for (auto _ : state) {
    grid.fill(0.0f);
    d.deposit(x, 1.0f, grid, {0.0, 0.0, 0.0});
    benchmark::DoNotOptimize(grid.data());
  }
  state.counters["threads"] = static_cast<double>(state.range(1));
}

void BM_sheet_ffts_alone(benchmark::State& state) {
  omp_set_num_threads(static_cast<int>(state.range(1)));
  const fft::r2c_plan<float> plan(the_box.particles_1d);
  real_field<float> f(the_box.particles_1d, 256.0);
  f.fill(1.0f);
  for (auto _ : state) {
    for (int t = 0; t < 3; ++t) plan.forward(f);
    for (int t = 0; t < 21; ++t) plan.backward(f);
    benchmark::DoNotOptimize(f.data());
  }
  state.counters["threads"] = static_cast<double>(state.range(1));
}

void arguments(benchmark::internal::Benchmark* b) {
  for (long s : {0, 1})
    for (long t : {1, 2}) b->Args({s, t});
  b->ArgNames({"state", "threads"})->UseRealTime()->Unit(benchmark::kMillisecond);
}

}  // namespace

BENCHMARK(BM_force_pm_source<lagframe::source::particles>)->Apply(arguments);
BENCHMARK(BM_force_pm_source<lagframe::source::sheet>)->Apply(arguments);
BENCHMARK(BM_source_deposit<lagframe::source::particles>)->Apply(arguments);
BENCHMARK(BM_source_deposit<lagframe::source::sheet>)->Apply(arguments);
BENCHMARK(BM_source_deposit<lagframe::source::sheet, lagframe::source::sheet_interpolant::trilinear>)->Apply(arguments);
BENCHMARK(BM_sheet_ffts_alone)->Apply(arguments);
