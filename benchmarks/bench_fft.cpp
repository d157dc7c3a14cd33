// SPDX-License-Identifier: BSD-3-Clause
// In-place float r2c (forward) and c2r (backward) 3D FFTs of a real_field, 128³ and 256³,
// 1 and 2 threads, FFTW_ESTIMATE and FFTW_MEASURE. MEASURE plans are found once and kept as
// FFTW wisdom in the build directory (fftw_wisdom.f/.d), so later runs plan instantly.
// Arguments: n, threads, measure (0 = ESTIMATE, 1 = MEASURE). Each iteration transforms a
// fresh copy of the input (the copy is not timed).
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <cstddef>
#include <random>
#include <string>

#include "lagframe/core/field.hpp"
#include "lagframe/fft/plan.hpp"

namespace {

using namespace lagframe;

const std::string wisdom_prefix = std::string(LAGFRAME_BENCH_DIR) + "/fftw_wisdom";

fft::r2c_plan<float> make_plan(std::size_t n, int threads, bool measure) {
  omp_set_num_threads(threads);  // plans use omp_get_max_threads() threads
  if (!measure) return fft::r2c_plan<float>(n, fft::planning::estimate);
  fft::import_wisdom(wisdom_prefix);
  fft::r2c_plan<float> plan(n, fft::planning::measure);
  fft::export_wisdom(wisdom_prefix);
  return plan;
}

real_field<float> random_field(std::size_t n) {
  real_field<float> f(n, 1.0);
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.0f, 1.0f);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) f(i, j, k) = g(rng);
  return f;
}

void finish(benchmark::State& state, std::size_t n, int threads) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n * n * n));
  state.counters["threads"] = threads;
}

template <bool Forward>
void BM_fft_float(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const auto plan = make_plan(n, threads, state.range(2) != 0);
  auto input = random_field(n);
  if (!Forward) plan.forward(input);  // a valid Hermitian half-complex input for c2r
  real_field<float> work(n, 1.0);
  for (auto _ : state) {
    state.PauseTiming();
    std::copy(input.storage().begin(), input.storage().end(), work.storage().begin());
    state.ResumeTiming();
    if constexpr (Forward) {
      plan.forward(work);
    } else {
      plan.backward(work);
    }
    benchmark::ClobberMemory();
  }
  finish(state, n, threads);
}

void sizes_threads_planning(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "threads", "measure"});
  for (int n : {128, 256})
    for (int threads : {1, 2})
      for (int measure : {0, 1}) b->Args({n, threads, measure});
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}

}  // namespace

BENCHMARK_TEMPLATE(BM_fft_float, true)->Name("BM_fft_r2c_float")->Apply(sizes_threads_planning);
BENCHMARK_TEMPLATE(BM_fft_float, false)->Name("BM_fft_c2r_float")->Apply(sizes_threads_planning);
