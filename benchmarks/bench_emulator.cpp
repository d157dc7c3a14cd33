// SPDX-License-Identifier: BSD-3-Clause
// Cost of one tCOCA emulator evaluation against one PM force evaluation of the same run
// (issue: the emulator must be cheaper than the force it replaces): the quickstart size,
// 64³ particles in 128 Mpc/h, a 128³ CIC mesh, float, FFTW ESTIMATE (as the examples run).
// fourier_linear predicts p_ML(q, a) from Ψ1, Ψ2 in Fourier space: per component one pass over
// the modes and one 64³ inverse FFT; a time between two stored times interpolates two.
// With libtorch (LAGFRAME_BENCH_TORCH) also the shipped network, models/coca_net_64_128.pt: its
// `prepare` (the convolutional network, once per run) and its `momenta` (per time: the
// fourier_linear map in torch and a K-term sum), on libtorch's own threads (set with the
// argument through at::set_num_threads).
// Arguments: threads.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "lagframe/lagframe.hpp"
#ifdef LAGFRAME_BENCH_TORCH
#include <ATen/Parallel.h>

#include "lagframe/frame/emulators/torchscript.hpp"
#endif

namespace {

using namespace lagframe;
namespace emu = lagframe::frame::emulators;

const cosmology::parameters cosmo{};
const box grid{.side_mpc_h = 128.0, .particles_1d = 64};

const ic::lpt_fields<float>& fields() {
  static const auto f = ic::lpt_displacements(
      grid, ic::linear_density_modes<float>(grid, cosmology::linear_power::from_eisenstein_hu(cosmo), {.seed = 3}), 2);
  return f;
}

/// A fourier_linear model with 11 times and arbitrary (non-zero) coefficients: the cost does not
/// depend on their values.
emu::fourier_linear<float> emulator() {
  auto model = std::make_shared<emu::fourier_linear_model>();
  model->grid = grid;
  for (int t = 0; t <= 10; ++t) model->times.push_back(0.02 + 0.098 * t);
  model->shells = emu::fourier_linear_model::shell_count(grid.particles_1d);
  model->alpha.assign(model->times.size() * model->shells, 0.01);
  model->beta.assign(model->times.size() * model->shells, 0.02);
  emu::fourier_linear<float> e(model);
  e.bind(fields());
  return e;
}

void BM_emulator_fourier_linear(benchmark::State& state) {
  omp_set_num_threads(static_cast<int>(state.range(0)));
  const auto e = emulator();
  std::vector<vec3<float>> out(grid.particle_count());
  e.momenta(out, 0.5);  // warm-up (plans)
  double a = 0.5;
  for (auto _ : state) {
    e.momenta(out, a);
    a = a > 0.9 ? 0.5 : a + 0.0371;  // between stored times: two interpolated fields
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["threads"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_emulator_fourier_linear)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

#ifdef LAGFRAME_BENCH_TORCH
void BM_emulator_network_momenta(benchmark::State& state) {
  at::set_num_threads(static_cast<int>(state.range(0)));
  emu::torchscript<float> e{std::filesystem::path(LAGFRAME_MODELS_DIR "/coca_net_64_128.pt")};
  e.bind(fields());
  std::vector<vec3<float>> out(grid.particle_count());
  e.momenta(out, 0.5);  // warm-up
  double a = 0.5;
  for (auto _ : state) {
    e.momenta(out, a);
    a = a > 0.9 ? 0.5 : a + 0.0371;
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["threads"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_emulator_network_momenta)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_emulator_network_prepare(benchmark::State& state) {
  at::set_num_threads(static_cast<int>(state.range(0)));
  emu::torchscript<float> e{std::filesystem::path(LAGFRAME_MODELS_DIR "/coca_net_64_128.pt")};
  e.bind(fields());  // warm-up
  for (auto _ : state) {
    e.bind(fields());
    benchmark::ClobberMemory();
  }
  state.counters["threads"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_emulator_network_prepare)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
#endif

void BM_force_pm(benchmark::State& state) {
  omp_set_num_threads(static_cast<int>(state.range(0)));
  force::particle_mesh<mesh::cic> pm(grid, force::pm_options{.grid_1d = 128});
  std::vector<vec3<float>> x(grid.particle_count()), acc(x.size());
  const auto& f = fields();
  for (std::size_t i = 0; i < x.size(); ++i) {
    const auto q = grid.lagrangian_position<float>(i);
    for (int d = 0; d < 3; ++d) x[i][d] = wrap_periodic(q[d] + f.psi1[i][d], 128.0f);
  }
  pm.accelerations(x, acc);  // warm-up (buffers)
  for (auto _ : state) {
    pm.accelerations(x, acc);
    benchmark::DoNotOptimize(acc.data());
  }
  state.counters["threads"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_force_pm)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
