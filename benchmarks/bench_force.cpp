// SPDX-License-Identifier: BSD-3-Clause
// One particle-mesh force evaluation at 128³ particles on a 256³ float mesh in a 256 Mpc/h box
// (CIC, exact Green's function; `textbook` 0 = the defaults, 4-point gradient without
// deconvolution; 1 = spectral gradient with W⁻² deconvolution), against the four FFTs it
// contains (one r2c, three c2r) timed alone.
//
// Particles, in Lagrangian (id) order (argument `positions`): 0 = their Lagrangian grid displaced
// by independent Gaussian offsets of 3 Mpc/h rms per axis (the z = 0 rms, but with no coherence
// between neighbours: the worst case for cache reuse); 1 = the z = 0 state of a tCOLA run
// (Planck-like cosmology, 10 steps from z = 49, seed 1), whose neighbours move together as in any
// real simulation. Arguments: threads, measure
// (0 = FFTW_ESTIMATE, the force's default; 1 = FFTW_MEASURE, plans kept as wisdom in the build
// directory so later runs plan instantly; ESTIMATE runs forget any loaded wisdom). Plans and meshes are made outside the timing loop;
// the first evaluation (which sizes the deposit buffers) is not timed. Counters: the force's own
// breakdown of the timed evaluations (deposit, FFTs, Fourier-space loop, gather; ms each).
// BM_force_against_four_ffts times the force and the four FFTs alternately in one loop and
// reports their ratio, which a busy host disturbs least.
#include <benchmark/benchmark.h>
#include <fftw3.h>
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <lagframe/lagframe.hpp>

#include "lagframe/core/box.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/force/particle_mesh.hpp"
#include "lagframe/mesh/cic.hpp"

namespace {

using namespace lagframe;

constexpr std::size_t particles_1d = 128;
constexpr std::size_t mesh_1d = 256;
constexpr double side = 256.0;
constexpr double displacement_rms = 3.0;
const std::string wisdom_prefix = std::string(LAGFRAME_BENCH_DIR) + "/fftw_wisdom";

const std::vector<vec3<float>>& particles_gaussian() {
  static const auto x = [] {
    const box b{.side_mpc_h = side, .particles_1d = particles_1d};
    std::mt19937_64 rng(2024);
    std::normal_distribution<double> g(0.0, displacement_rms);
    std::vector<vec3<float>> out(b.particle_count());
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto q = b.lagrangian_position<double>(i);
      for (int d = 0; d < 3; ++d) out[i][d] = wrap_periodic(static_cast<float>(q[d] + g(rng)), static_cast<float>(side));
    }
    return out;
  }();
  return x;
}

const std::vector<vec3<float>>& particles_tcola() {
  static const auto x = [] {
    const cosmology::parameters cosmo{};
    const box b{.side_mpc_h = side, .particles_1d = particles_1d};
    fft::import_wisdom(wisdom_prefix);
    using sim_t = simulation<frame::lpt<2>, force::particle_mesh<mesh::cic>,
                             stepper::kick_drift_kick<stepper::factors::cola>>;
    sim_t sim{cosmo, b, force::pm_options{.grid_1d = mesh_1d, .planning = fft::planning::measure},
              stepper::kdk_options{.grid = stepper::time_grid::linear(0.02, 1.0, 10)}};
    const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
    sim.set_initial_conditions(ic::lpt_displacements(b, ic::linear_density_modes<float>(b, power, {.seed = 1}), 2));
    sim.run_until(1.0);
    const auto p = sim.positions();
    return std::vector<vec3<float>>(p.begin(), p.end());
  }();
  return x;
}

const std::vector<vec3<float>>& particles(const benchmark::State& state) {
  return state.range(3) != 0 ? particles_tcola() : particles_gaussian();
}

fft::planning planning_of(const benchmark::State& state) {
  return state.range(1) != 0 ? fft::planning::measure : fft::planning::estimate;
}

void prepare(benchmark::State& state) {
  omp_set_num_threads(static_cast<int>(state.range(0)));  // plans use omp_get_max_threads()
  if (planning_of(state) == fft::planning::measure) {
    fft::import_wisdom(wisdom_prefix);
  } else {
    fftwf_forget_wisdom();  // ESTIMATE plans would otherwise reuse earlier MEASURE wisdom
  }
}

void finish(benchmark::State& state) {
  if (planning_of(state) == fft::planning::measure) fft::export_wisdom(wisdom_prefix);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * particles_1d * particles_1d * particles_1d));
  state.counters["threads"] = static_cast<double>(state.range(0));
}

/// The transform of Gaussian noise: a mesh of Hermitian modes, input for the c2r transforms of
/// the four-FFT benchmarks (copied before each, as a transform overwrites its input).
real_field<float> hermitian_modes(const fft::r2c_plan<float>& plan) {
  real_field<float> a(mesh_1d, side);
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.0f, 1.0f);
  for (auto& v : a.storage()) v = g(rng);
  plan.forward(a);
  return a;
}

void BM_force_pm_cic(benchmark::State& state) {
  prepare(state);
  const box b{.side_mpc_h = side, .particles_1d = particles_1d};
  force::pm_options opt{.grid_1d = mesh_1d, .planning = planning_of(state)};
  if (state.range(2) != 0) {
    opt.grad = force::gradient::spectral;
    opt.deconvolve = true;
  }
  force::particle_mesh<mesh::cic, float> pm(b, opt);
  const auto& x = particles(state);
  std::vector<vec3<float>> acc(x.size());
  pm.accelerations(x, acc);  // sizes the deposit buffers, first touch
  pm.reset_phase_times();
  for (auto _ : state) {
    pm.accelerations(x, acc);
    benchmark::DoNotOptimize(acc.data());
    benchmark::ClobberMemory();
  }
  finish(state);
  // The breakdown of the same evaluations (force::phase_times), ms per evaluation.
  const auto& t = pm.times();
  const double per = 1e3 / static_cast<double>(t.evaluations);
  state.counters["deposit_ms"] = t.deposit * per;
  state.counters["fft_ms"] = t.fft * per;
  state.counters["kspace_ms"] = t.k_space * per;
  state.counters["gather_ms"] = t.gather * per;
}

void BM_force_four_ffts(benchmark::State& state) {
  prepare(state);
  const fft::r2c_plan<float> plan(mesh_1d, planning_of(state));
  const real_field<float> a = hermitian_modes(plan);
  real_field<float> w(mesh_1d, side);
  for (auto _ : state) {
    state.PauseTiming();
    std::copy(a.storage().begin(), a.storage().end(), w.storage().begin());
    state.ResumeTiming();
    plan.forward(w);  // as the force: one r2c ...
    for (int axis = 0; axis < 3; ++axis) {
      state.PauseTiming();
      std::copy(a.storage().begin(), a.storage().end(), w.storage().begin());
      state.ResumeTiming();
      plan.backward(w);  // ... and three c2r
    }
    benchmark::ClobberMemory();
  }
  finish(state);
}

/// The default force and its four FFTs (as BM_force_four_ffts) timed alternately in every
/// iteration, so that a slow moment of the shared host falls on both: the reported time is the
/// force's; counters `four_ffts_ms` (the same iterations' FFTs) and `ratio` (force / four FFTs,
/// summed over the iterations), with the force's breakdown. Arguments: threads, measure,
/// positions (as BM_force_pm_cic).
void BM_force_against_four_ffts(benchmark::State& state) {
  prepare(state);
  const box b{.side_mpc_h = side, .particles_1d = particles_1d};
  force::particle_mesh<mesh::cic, float> pm(b, {.grid_1d = mesh_1d, .planning = planning_of(state)});
  const auto& x = state.range(2) != 0 ? particles_tcola() : particles_gaussian();
  std::vector<vec3<float>> acc(x.size());
  const fft::r2c_plan<float> plan(mesh_1d, planning_of(state));
  const real_field<float> a = hermitian_modes(plan);
  real_field<float> w(mesh_1d, side);
  pm.accelerations(x, acc);  // sizes the deposit buffers, first touch
  pm.reset_phase_times();
  using clock = std::chrono::steady_clock;
  const auto seconds = [](clock::time_point t0, clock::time_point t1) { return std::chrono::duration<double>(t1 - t0).count(); };
  double force_s = 0, ffts_s = 0;
  for (auto _ : state) {
    const auto t0 = clock::now();
    pm.accelerations(x, acc);
    benchmark::DoNotOptimize(acc.data());
    benchmark::ClobberMemory();
    const double f = seconds(t0, clock::now());
    double t = 0;
    for (int transform = 0; transform < 4; ++transform) {
      std::copy(a.storage().begin(), a.storage().end(), w.storage().begin());
      const auto s0 = clock::now();
      if (transform == 0) {
        plan.forward(w);  // one r2c ...
      } else {
        plan.backward(w);  // ... and three c2r
      }
      benchmark::ClobberMemory();
      t += seconds(s0, clock::now());
    }
    force_s += f;
    ffts_s += t;
    state.SetIterationTime(f);
  }
  finish(state);
  const double per = 1e3 / static_cast<double>(state.iterations());
  state.counters["four_ffts_ms"] = ffts_s * per;
  state.counters["ratio"] = force_s / ffts_s;
  const auto& pt = pm.times();
  const double per_eval = 1e3 / static_cast<double>(pt.evaluations);
  state.counters["deposit_ms"] = pt.deposit * per_eval;
  state.counters["fft_ms"] = pt.fft * per_eval;
  state.counters["gather_ms"] = pt.gather * per_eval;
}

void threads_planning(benchmark::internal::Benchmark* b) {
  b->ArgNames({"threads", "measure"});
  for (int threads : {1, 2})
    for (int measure : {0, 1}) b->Args({threads, measure});
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}

void threads_planning_kernel(benchmark::internal::Benchmark* b) {
  b->ArgNames({"threads", "measure", "textbook", "positions"});
  for (int threads : {1, 2})
    for (int measure : {0, 1})
      for (int textbook : {0, 1})
        for (int positions : {0, 1}) b->Args({threads, measure, textbook, positions});
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}

}  // namespace

BENCHMARK(BM_force_pm_cic)->Apply(threads_planning_kernel);
BENCHMARK(BM_force_four_ffts)->Apply(threads_planning);
BENCHMARK(BM_force_against_four_ffts)
    ->ArgNames({"threads", "measure", "positions"})
    ->ArgsProduct({{1, 2}, {1}, {0, 1}})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

namespace {

/// Set-up of the optimal influence function (pm_options greens = optimal): the fast path of
/// force/optimal_influence.hpp at 128³ and 256³; argument 2 = 1 times the direct alias sums
/// instead (128³ only: minutes at 256³).
void BM_force_optimal_influence_setup(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const bool direct = state.range(2) != 0;
  omp_set_num_threads(static_cast<int>(state.range(1)));
  const force::detail::axis_kernels<float> k(n, side, force::greens_function::optimal, force::gradient::spectral, 2, false);
  for (auto _ : state) {
    auto gamma = direct ? force::detail::optimal_influence_direct<float>(n, side, k.grad, 2, 3.0 * side / n)
                        : force::detail::optimal_influence<float>(n, side, k.grad, 2, 3.0 * side / n);
    benchmark::DoNotOptimize(gamma.data());
  }
  state.counters["threads"] = static_cast<double>(state.range(1));
}

}  // namespace

BENCHMARK(BM_force_optimal_influence_setup)
    ->Args({128, 1, 0})
    ->Args({128, 2, 0})
    ->Args({256, 1, 0})
    ->Args({256, 2, 0})
    ->Args({128, 2, 1})
    ->ArgNames({"mesh", "threads", "direct"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
