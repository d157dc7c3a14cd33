// SPDX-License-Identifier: BSD-3-Clause
// CIC deposit and interpolation: 128³ particles on a 256³ float mesh in a 256 Mpc/h box.
//
// Particles sit on their Lagrangian grid (Δq = 2 Mpc/h) displaced by Gaussian offsets of
// 3 Mpc/h rms per axis (roughly z = 0 displacements), stored either in Lagrangian (id) order
// or shuffled. Arguments: random (0 = Lagrangian order, 1 = shuffled), threads.
// Counter per_particle = wall time per particle (SetItemsProcessed gives the inverse).
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <span>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/mesh/deposit.hpp"
#include "lagframe/mesh/detail/simd.hpp"
#include "lagframe/mesh/interpolate.hpp"
#include "lagframe/mesh/reference.hpp"

namespace {

using namespace lagframe;
using real = float;

constexpr std::size_t particles_1d = 128;
constexpr std::size_t mesh_1d = 256;
constexpr double side = 256.0;
constexpr double displacement_rms = 3.0;

/// Particle sets, built once: [0] Lagrangian order, [1] shuffled.
const std::vector<vec3<real>>& particles(bool shuffled) {
  static const auto sets = [] {
    const box b{.side_mpc_h = side, .particles_1d = particles_1d};
    std::mt19937_64 rng(2024);
    std::normal_distribution<double> offset(0.0, displacement_rms);
    std::vector<vec3<real>> lagrangian(b.particle_count());
    for (std::size_t id = 0; id < lagrangian.size(); ++id) {
      const auto q = b.lagrangian_position<double>(id);
      for (int d = 0; d < 3; ++d) {
        lagrangian[id][d] = wrap_periodic(static_cast<real>(q[d] + offset(rng)), static_cast<real>(side));
      }
    }
    auto random = lagrangian;
    std::shuffle(random.begin(), random.end(), rng);
    return std::array<std::vector<vec3<real>>, 2>{std::move(lagrangian), std::move(random)};
  }();
  return sets[shuffled ? 1 : 0];
}

/// A 256³ float mesh, allocated and first-touched once (outside any timing).
real_field<real>& mesh(int which = 0) {
  static std::array<real_field<real>, 3> grids{real_field<real>(mesh_1d, side),
                                               real_field<real>(mesh_1d, side),
                                               real_field<real>(mesh_1d, side)};
  return grids[which];
}

void finish(benchmark::State& state, std::size_t np, int threads) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * np));
  state.counters["per_particle"] = benchmark::Counter(
      static_cast<double>(np), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["threads"] = threads;
  state.counters["lanes"] = static_cast<double>(mesh::detail::simd_lanes);
}

/// Slab-sorted parallel deposit (the library's deposit / deposit_scalar).
template <bool Simd>
void BM_mesh_cic_deposit(benchmark::State& state) {
  const auto& x = particles(state.range(0) != 0);
  const int threads = static_cast<int>(state.range(1));
  omp_set_num_threads(threads);
  auto& grid = mesh();
  mesh::deposit_workspace ws;
  const std::span<const vec3<real>> xs(x);
  mesh::deposit<mesh::cic>(xs, real(1), grid, ws);  // grow the workspace before timing
  for (auto _ : state) {
    if constexpr (Simd) {
      mesh::deposit<mesh::cic>(xs, real(1), grid, ws);
    } else {
      mesh::deposit_scalar<mesh::cic>(xs, real(1), grid, ws);
    }
    benchmark::ClobberMemory();
  }
  finish(state, x.size(), threads);
}

/// The slab sort alone (the part of deposit() that the unsorted baseline does not do).
void BM_mesh_cic_slab_sort(benchmark::State& state) {
  const auto& x = particles(state.range(0) != 0);
  const int threads = static_cast<int>(state.range(1));
  omp_set_num_threads(threads);
  const auto& grid = mesh();
  mesh::detail::slab_sort bins;
  for (auto _ : state) {
    mesh::detail::sort_by_slab<mesh::cic, true>(std::span<const vec3<real>>(x), {0.0, 0.0, 0.0},
                                                grid.side(), 1.0 / grid.spacing(),
                                                static_cast<std::int32_t>(mesh_1d), bins);
    benchmark::DoNotOptimize(bins.sorted_float.data());
  }
  finish(state, x.size(), threads);
}

/// Serial deposit in storage order without the slab sort: what the sort buys.
template <bool Simd>
void BM_mesh_cic_deposit_unsorted(benchmark::State& state) {
  const auto& x = particles(state.range(0) != 0);
  auto& grid = mesh();
  for (auto _ : state) {
    mesh::detail::deposit_unsorted<mesh::cic, Simd>(std::span<const vec3<real>>(x), real(1), grid);
    benchmark::ClobberMemory();
  }
  finish(state, x.size(), 1);
}

void BM_mesh_cic_deposit_reference(benchmark::State& state) {
  const auto& x = particles(state.range(0) != 0);
  auto& grid = mesh();
  for (auto _ : state) {
    mesh::reference::deposit<mesh::cic>(std::span<const vec3<real>>(x), real(1), grid);
    benchmark::ClobberMemory();
  }
  finish(state, x.size(), 1);
}

template <bool Simd>
void BM_mesh_cic_interpolate(benchmark::State& state) {
  const auto& x = particles(state.range(0) != 0);
  const int threads = static_cast<int>(state.range(1));
  omp_set_num_threads(threads);
  const auto& grid = mesh();
  std::vector<real> out(x.size());
  for (auto _ : state) {
    if constexpr (Simd) {
      mesh::interpolate<mesh::cic>(grid, std::span<const vec3<real>>(x), std::span<real>(out));
    } else {
      mesh::interpolate_scalar<mesh::cic>(grid, std::span<const vec3<real>>(x), std::span<real>(out));
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  finish(state, x.size(), threads);
}

/// Three grids (force components) into vec3 output with one stencil per particle.
void BM_mesh_cic_interpolate_vec3(benchmark::State& state) {
  const auto& x = particles(state.range(0) != 0);
  const int threads = static_cast<int>(state.range(1));
  omp_set_num_threads(threads);
  std::vector<vec3<real>> out(x.size());
  for (auto _ : state) {
    mesh::interpolate<mesh::cic>(mesh(0), mesh(1), mesh(2), std::span<const vec3<real>>(x),
                                 std::span<vec3<real>>(out));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  finish(state, x.size(), threads);
}

void BM_mesh_cic_interpolate_reference(benchmark::State& state) {
  const auto& x = particles(state.range(0) != 0);
  const auto& grid = mesh();
  std::vector<real> out(x.size());
  for (auto _ : state) {
    mesh::reference::interpolate<mesh::cic>(grid, std::span<const vec3<real>>(x), std::span<real>(out));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  finish(state, x.size(), 1);
}

void order_and_threads(benchmark::internal::Benchmark* b) {
  b->ArgNames({"random", "threads"});
  for (int random : {0, 1})
    for (int threads : {1, 2}) b->Args({random, threads});
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}
void order_only(benchmark::internal::Benchmark* b) {
  b->ArgNames({"random"})->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);
}

}  // namespace

BENCHMARK_TEMPLATE(BM_mesh_cic_deposit, true)->Apply(order_and_threads);
BENCHMARK_TEMPLATE(BM_mesh_cic_deposit, false)->Apply(order_and_threads);
BENCHMARK(BM_mesh_cic_slab_sort)->Apply(order_and_threads);
BENCHMARK_TEMPLATE(BM_mesh_cic_deposit_unsorted, true)->Apply(order_only);
BENCHMARK_TEMPLATE(BM_mesh_cic_deposit_unsorted, false)->Apply(order_only);
BENCHMARK(BM_mesh_cic_deposit_reference)->Apply(order_only);
BENCHMARK_TEMPLATE(BM_mesh_cic_interpolate, true)->Apply(order_and_threads);
BENCHMARK_TEMPLATE(BM_mesh_cic_interpolate, false)->Apply(order_and_threads);
BENCHMARK(BM_mesh_cic_interpolate_vec3)->Apply(order_and_threads);
BENCHMARK(BM_mesh_cic_interpolate_reference)->Apply(order_only);
