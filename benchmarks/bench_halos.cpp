// SPDX-License-Identifier: BSD-3-Clause
// The mock-catalogue layer (docs/mocks.md) on the z = 0 state of the mock_catalogue example:
// 128³ particles in 256 Mpc/h, tCOLA with 10 steps linear in a from z = 49, 256³ CIC mesh,
// Planck-like cosmology, seed 1 (and, for FoF, the z = 49 initial state). The states are made
// on the first run and kept in the build directory (halos_state_*.npy).
//
//   BM_fof/state/threads            friends_of_friends, b = 0.2, ≥ 20 members (state 0: z = 49, 1: z = 0)
//   BM_halo_properties/so/threads   halo_properties of the z = 0 groups (potential-minimum
//                                   centres; so = 1 adds M_200c and M_200m)
//   BM_hod/threads                  populate_hod (Zehavi et al. 2011 Mr < −21.5, FoF masses)
//   BM_redshift_space/threads       redshift_space_positions_from_momenta of all 128³ particles
//   BM_multipoles/set/threads       density_modes + power_multipoles on a 256³ CIC mesh
//                                   (set 0: the galaxies, 1: all 128³ particles)
// Counters: time_per_particle (FoF, properties, redshift space: per simulation particle), groups,
// galaxies.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <lagframe/lagframe.hpp>

#include "lagframe/analysis/multipoles.hpp"
#include "lagframe/halos/fof.hpp"
#include "lagframe/halos/hod.hpp"
#include "lagframe/halos/properties.hpp"
#include "lagframe/halos/redshift_space.hpp"
#include "lagframe/io/npy.hpp"

namespace {

using namespace lagframe;

constexpr std::size_t particles_1d = 128;
constexpr double side = 256.0;
const box the_box{.side_mpc_h = side, .particles_1d = particles_1d};
const std::string prefix = std::string(LAGFRAME_BENCH_DIR) + "/halos_state_";

struct states_t {
  std::vector<vec3<float>> x49, x0, p0;
};

const states_t& states() {
  static const states_t all = [] {
    states_t s;
    const std::string f49 = prefix + "x_z49.npy", fx = prefix + "x_z0.npy", fp = prefix + "p_z0.npy";
    if (std::filesystem::exists(f49) && std::filesystem::exists(fx) && std::filesystem::exists(fp)) {
      s.x49 = io::read_npy_vec3<float>(f49);
      s.x0 = io::read_npy_vec3<float>(fx);
      s.p0 = io::read_npy_vec3<float>(fp);
      return s;
    }
    const cosmology::parameters cosmo{};
    using sim_t = simulation<frame::lpt<2>, force::particle_mesh<mesh::cic>, stepper::kick_drift_kick<>>;
    sim_t sim{cosmo, the_box, force::pm_options{.grid_1d = 256},
              stepper::kdk_options{.grid = stepper::time_grid::linear(0.02, 1.0, 10)}};
    const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
    sim.set_initial_conditions(ic::lpt_displacements(the_box, ic::linear_density_modes<float>(the_box, power, {.seed = 1}), 2));
    s.x49.assign(sim.positions().begin(), sim.positions().end());
    sim.run_until(1.0);
    s.x0.assign(sim.positions().begin(), sim.positions().end());
    s.p0 = sim.momenta();
    io::write_npy(f49, std::span<const vec3<float>>(s.x49));
    io::write_npy(fx, std::span<const vec3<float>>(s.x0));
    io::write_npy(fp, std::span<const vec3<float>>(s.p0));
    return s;
  }();
  return all;
}

const halos::fof_options fof_opt{.linking_length = 0.2, .min_members = 20};

const halos::halo_finder_result& halos_z0() {
  static const auto r = halos::find_halos<float>(states().x0, states().p0, side, fof_opt, {});
  return r;
}

void set_threads(benchmark::State& state, int arg) {
  omp_set_num_threads(static_cast<int>(state.range(arg)));
  state.counters["threads"] = static_cast<double>(state.range(arg));
}

void per_particle(benchmark::State& state, std::size_t n) {
  state.counters["time_per_particle"] =
      benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_fof(benchmark::State& state) {
  const auto& x = state.range(0) == 0 ? states().x49 : states().x0;
  set_threads(state, 1);
  std::size_t groups = 0;
  for (auto _ : state) {
    const auto g = halos::friends_of_friends<float>(x, side, fof_opt);
    groups = g.groups();
    benchmark::DoNotOptimize(g.members.data());
  }
  state.counters["groups"] = static_cast<double>(groups);
  per_particle(state, x.size());
}

void BM_halo_properties(benchmark::State& state) {
  const auto& g = halos_z0().groups;
  set_threads(state, 1);
  halos::halo_options opt;
  opt.spherical_overdensity = state.range(0) != 0;
  for (auto _ : state) {
    const auto c = halos::halo_properties<float>(states().x0, states().p0, side, g, opt);
    benchmark::DoNotOptimize(c.mass.data());
  }
  state.counters["groups"] = static_cast<double>(g.groups());
  per_particle(state, states().x0.size());
}

void BM_hod(benchmark::State& state) {
  set_threads(state, 0);
  std::vector<double> storage;
  const auto view = halos::hod_halos_of(halos_z0().halos, halos::hod_mass::fof, storage);
  std::size_t n = 0;
  for (auto _ : state) {
    const auto gal = halos::populate_hod(view, {}, {.seed = 2024}, 1.0, side);
    n = gal.size();
    benchmark::DoNotOptimize(gal.position.data());
  }
  state.counters["galaxies"] = static_cast<double>(n);
  state.counters["haloes"] = static_cast<double>(view.mass.size());
}

void BM_redshift_space(benchmark::State& state) {
  set_threads(state, 0);
  const cosmology::parameters cosmo{};
  for (auto _ : state) {
    const auto s = halos::redshift_space_positions_from_momenta<float>(states().x0, states().p0, cosmo, 1.0,
                                                                        {.axis = 2, .side = side});
    benchmark::DoNotOptimize(s.data());
  }
  per_particle(state, states().x0.size());
}

void BM_multipoles(benchmark::State& state) {
  set_threads(state, 1);
  std::vector<vec3<float>> gx;
  if (state.range(0) == 0) {
    std::vector<double> storage;
    const auto view = halos::hod_halos_of(halos_z0().halos, halos::hod_mass::fof, storage);
    const auto gal = halos::populate_hod(view, {}, {.seed = 2024}, 1.0, side);
    for (const auto& p : gal.position) gx.push_back({static_cast<float>(p[0]), static_cast<float>(p[1]), static_cast<float>(p[2])});
  }
  const auto& x = state.range(0) == 0 ? gx : states().x0;
  const analysis::spectrum_options opt{.grid_1d = 256, .subtract_shot_noise = true};
  for (auto _ : state) {
    const auto m = analysis::power_multipoles<mesh::cic, float>(x, side, 2, opt);
    benchmark::DoNotOptimize(m.p0.data());
  }
  state.counters["objects"] = static_cast<double>(x.size());
}

}  // namespace

BENCHMARK(BM_fof)->ArgsProduct({{0, 1}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_halo_properties)->ArgsProduct({{0, 1}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_hod)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_redshift_space)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_multipoles)->ArgsProduct({{0, 1}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
