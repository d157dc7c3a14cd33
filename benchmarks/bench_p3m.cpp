// SPDX-License-Identifier: BSD-3-Clause
// One P3M force evaluation (force/p3m.hpp: TSC mesh with the Gaussian split, r_s = 1.25 cells,
// r_cut = 5 r_s, ε = 1/30 of the spacing) at 128³ particles on a 256³ float mesh in a 256 Mpc/h
// box, its short-range pair sum alone, and the PM force (defaults, CIC) at the same mesh, on
// three states of one tCOLA + P3M run (Planck-like cosmology, seed 1, 30 steps linear in a from
// z = 49 with a node at z = 1): the initial conditions (z = 49), z = 1 and z = 0. The states are
// made once and kept in the build directory (p3m_state_z*.npy).
//
// Counters: pairs (inside r_cut, per evaluation), pairs_per_s_per_thread (the pair sum's
// interactions per second and thread), threads. Arguments: state (0: z = 49, 1: z = 1,
// 2: z = 0), threads.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <lagframe/lagframe.hpp>

#include "lagframe/force/p3m.hpp"
#include "lagframe/io/npy.hpp"

namespace {

using namespace lagframe;

constexpr std::size_t particles_1d = 128;
constexpr std::size_t mesh_1d = 256;
constexpr double side = 256.0;
const box the_box{.side_mpc_h = side, .particles_1d = particles_1d};
const std::string state_prefix = std::string(LAGFRAME_BENCH_DIR) + "/p3m_state_";

force::p3m_options p3m_defaults() {
  force::p3m_options o;
  o.mesh.grid_1d = mesh_1d;
  return o;
}

/// The three states, from the cache or from one run.
const std::vector<std::vector<vec3<float>>>& states() {
  static const auto all = [] {
    const char* tags[3] = {"z49", "z1", "z0"};
    std::vector<std::vector<vec3<float>>> out(3);
    bool cached = true;
    for (int s = 0; s < 3; ++s) cached = cached && std::filesystem::exists(state_prefix + tags[s] + ".npy");
    if (cached) {
      for (int s = 0; s < 3; ++s) out[s] = io::read_npy_vec3<float>(state_prefix + tags[s] + ".npy");
      return out;
    }
    const cosmology::parameters cosmo{};
    std::vector<double> nodes;
    for (int i = 0; i <= 15; ++i) nodes.push_back(0.02 + (0.5 - 0.02) * i / 15.0);
    for (int i = 1; i <= 15; ++i) nodes.push_back(0.5 + 0.5 * i / 15.0);
    using sim_t = simulation<frame::lpt<2>, force::p3m<mesh::tsc>, stepper::kick_drift_kick<>>;
    sim_t sim{cosmo, the_box, force::p3m<mesh::tsc>(the_box, p3m_defaults()),
              stepper::kick_drift_kick<>({.grid = stepper::time_grid::from_list(nodes)})};
    const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
    sim.set_initial_conditions(ic::lpt_displacements(the_box, ic::linear_density_modes<float>(the_box, power, {.seed = 1}), 2));
    out[0].assign(sim.positions().begin(), sim.positions().end());
    sim.run_until(0.5);
    out[1].assign(sim.positions().begin(), sim.positions().end());
    sim.run_until(1.0);
    out[2].assign(sim.positions().begin(), sim.positions().end());
    for (int s = 0; s < 3; ++s) io::write_npy(state_prefix + tags[s] + ".npy", std::span<const vec3<float>>(out[s]));
    return out;
  }();
  return all;
}

void set_threads(benchmark::State& state) {
  omp_set_num_threads(static_cast<int>(state.range(1)));
  state.counters["threads"] = static_cast<double>(state.range(1));
}

void BM_force_p3m(benchmark::State& state) {
  const auto& x = states()[static_cast<std::size_t>(state.range(0))];
  set_threads(state);
  force::p3m<mesh::tsc> p3m(the_box, p3m_defaults());
  std::vector<vec3<float>> acc(x.size());
  p3m.accelerations(x, acc);
  for (auto _ : state) {
    p3m.accelerations(x, acc);
    benchmark::DoNotOptimize(acc.data());
  }
  state.counters["pairs"] = static_cast<double>(p3m.last_pair_count());
  state.SetItemsProcessed(state.iterations() * static_cast<long>(x.size()));
}

void BM_force_p3m_short_range(benchmark::State& state) {
  const auto& x = states()[static_cast<std::size_t>(state.range(0))];
  set_threads(state);
  force::p3m<mesh::tsc> p3m(the_box, p3m_defaults());
  std::vector<vec3<float>> acc(x.size());
  p3m.short_range_accelerations(x, acc, false);
  for (auto _ : state) {
    p3m.short_range_accelerations(x, acc, false);
    benchmark::DoNotOptimize(acc.data());
  }
  const double pairs = static_cast<double>(p3m.last_pair_count());
  state.counters["pairs"] = pairs;
  state.counters["pairs_per_s_per_thread"] = benchmark::Counter(
      pairs * static_cast<double>(state.iterations()) / static_cast<double>(state.range(1)), benchmark::Counter::kIsRate);
  state.SetItemsProcessed(state.iterations() * static_cast<long>(x.size()));
}

void BM_force_pm_same_mesh(benchmark::State& state) {
  const auto& x = states()[static_cast<std::size_t>(state.range(0))];
  set_threads(state);
  force::particle_mesh<mesh::cic> pm(the_box, {.grid_1d = mesh_1d});
  std::vector<vec3<float>> acc(x.size());
  pm.accelerations(x, acc);
  for (auto _ : state) {
    pm.accelerations(x, acc);
    benchmark::DoNotOptimize(acc.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long>(x.size()));
}

void arguments(benchmark::internal::Benchmark* b) {
  for (long s : {0, 1, 2})
    for (long t : {1, 2}) b->Args({s, t});
  b->ArgNames({"state", "threads"})->UseRealTime()->Unit(benchmark::kMillisecond);
}

}  // namespace

BENCHMARK(BM_force_p3m)->Apply(arguments);
BENCHMARK(BM_force_p3m_short_range)->Apply(arguments);
BENCHMARK(BM_force_pm_same_mesh)->Apply(arguments);
