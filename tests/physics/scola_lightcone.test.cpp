// SPDX-License-Identifier: BSD-3-Clause
// Lightcones of sCOLA tiles (docs/physics.md §16.7):
//  - an unperturbed lattice cut into tiles: every lattice point of every replica inside the
//    recorded range (and cone) exactly once, the same with 1 and 2 threads, the same whether the
//    tiles run to a = 1 or stop early;
//  - a Gaussian field: tiles stopped at their predicted a_stop record exactly the crossings of
//    the same tiles run to a = 1 (nothing is lost: the saving is free), and no crossing comes
//    after its tile's bound a_last;
//  - what is refused: a lightcone-only run without a lightcone, a negative margin, assemble() of a
//    lightcone-only run, assemble_lightcone() without a lightcone, a tile file whose crossings are
//    not its core's.

#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "lagframe/lagframe.hpp"
#include "lagframe/lightcone/lightcone.hpp"
#include "lagframe/scola/executors.hpp"
#include "lagframe/scola/tiled_run.hpp"
#include "support/scratch_dir.hpp"

using namespace lagframe;

namespace {

const cosmology::parameters cosmo{};
using key = std::tuple<std::uint64_t, int, int, int>;
template <class Real>
using scola_t = scola::tiled_run<frame::lpt<2, Real>, mesh::cic, stepper::kick_drift_kick<>>;

/// Every crossing of an assembled run, by (id, replica); counts a key seen twice.
template <class Run>
std::map<key, lightcone::crossing> collect(const Run& run, std::size_t& twice) {
  std::map<key, lightcone::crossing> out;
  run.assemble_lightcone([&](lightcone::shell&& s) {
    for (const auto& c : s.particles) {
      const key k{c.id, c.replica[0], c.replica[1], c.replica[2]};
      twice += out.count(k);
      out[k] = c;
    }
  });
  return out;
}

}  // namespace

TEST_CASE("an unperturbed lattice in sCOLA tiles: every point of every replica in the range, once") {
  // 16³ particles in 128 Mpc/h, 4³ tiles (core 4, buffer 2 = L_t/2, LPT shell 2: the tile mesh is
  // full), no displacement: the particles stay on the lattice, so the recorded set is known
  // exactly.
  const box b{.side_mpc_h = 128.0, .particles_1d = 16};
  ic::lpt_fields<double> still;
  still.grid = b;
  still.order = 2;
  still.psi1.assign(b.particle_count(), vec3<double>{0, 0, 0});
  still.psi2.assign(b.particle_count(), vec3<double>{0, 0, 0});
  const vec3<double> observer{37.0, 51.5, 12.25};
  const stepper::kdk_options kdk{.grid = stepper::time_grid::linear(0.5, 1.0, 25)};
  const test::scratch_dir dir("scola_lightcone_lattice");
  const auto expected_set = [&](const lightcone::lightcone& cone) {
    const auto& o = cone.options();
    const double cos_open = std::cos(o.opening_deg * 3.14159265358979323846 / 180.0);
    const double an = std::sqrt(o.axis[0] * o.axis[0] + o.axis[1] * o.axis[1] + o.axis[2] * o.axis[2]);
    std::set<key> expected;
    const int reach = static_cast<int>(std::ceil(cone.chi_max() / b.side_mpc_h)) + 1;
    for (int i = -reach; i <= reach; ++i)
      for (int j = -reach; j <= reach; ++j)
        for (int k = -reach; k <= reach; ++k)
          for (std::size_t p = 0; p < b.particle_count(); ++p) {
            const auto q = b.lagrangian_position<double>(p);
            const double dx = q[0] + b.side_mpc_h * i - observer[0], dy = q[1] + b.side_mpc_h * j - observer[1],
                         dz = q[2] + b.side_mpc_h * k - observer[2];
            const double r = std::sqrt(dx * dx + dy * dy + dz * dz);
            if (r < cone.chi_min() || r >= cone.chi_max()) continue;
            if (o.shape == lightcone::footprint::cone && (dx * o.axis[0] + dy * o.axis[1] + dz * o.axis[2]) / an < cos_open * r)
              continue;
            if (o.shape == lightcone::footprint::rectangle) {
              const double dec = std::asin(dz / r) * 180.0 / 3.14159265358979323846;
              const double ra = std::fmod(std::atan2(dy, dx) * 180.0 / 3.14159265358979323846 + 360.0, 360.0);
              if (dec < o.dec_deg[0] || dec > o.dec_deg[1] || ra < o.ra_deg[0] || ra > o.ra_deg[1]) continue;
            }
            expected.emplace(p, i, j, k);
          }
    return expected;
  };
  const auto run_case = [&](const char* name, const lightcone::lightcone_options& lc, bool final_state, int threads,
                            std::size_t at_least) {
    scola::scola_options so{.tiling = {.tiles_per_side = 4, .buffer_mpc_h = 16.0, .mesh_per_particle = 2},
                            .directory = dir.path / detail::concat(name, "_", threads)};
    so.lightcone = lc;
    so.final_state = final_state;
    scola_t<double> run(cosmo, b, still, kdk, so);
    scola::run_openmp(run, threads);
    std::size_t twice = 0;
    const auto got = collect(run, twice);
    std::set<key> keys;
    for (const auto& [k, c] : got) keys.insert(k);
    const auto expected = expected_set(*run.cone());
    std::printf("lattice, %s, %s, %d thread(s): %zu lattice points in range, %zu recorded, %zu twice; %zu of 64 tiles "
                "run, %zu of %zu tile-steps\n",
                name, final_state ? "to a = 1" : "lightcone only", threads, expected.size(), got.size(), twice,
                run.plan().tiles_running(), run.plan().tile_steps(), run.plan().tile_steps_full());
    CHECK(expected.size() > at_least);
    CHECK(twice == 0);
    CHECK(keys == expected);
    return std::make_pair(keys, run.plan());
  };
  SUBCASE("full sky to z = 0.08, every tile to a = 1, one and two threads") {
    const lightcone::lightcone_options lc{.observer = observer, .z_min = 0.0, .z_max = 0.08, .healpix_nside = 4};
    const auto one = run_case("sky", lc, true, 1, 100000);
    const auto two = run_case("sky", lc, true, 2, 100000);
    CHECK(one.first == two.first);
  }
  SUBCASE("an 8 degree cone, 0.05 < z < 0.08, lightcone only: tiles stop early or do not run, nothing lost") {
    const lightcone::lightcone_options lc{.observer = observer, .z_min = 0.05, .z_max = 0.08,
                                          .shape = lightcone::footprint::cone, .axis = {1.0, 0.4, -0.2},
                                          .opening_deg = 8.0};
    const auto stopped = run_case("cone", lc, false, 2, 300);
    const auto full = run_case("cone", lc, true, 2, 300);
    CHECK(stopped.first == full.first);
    CHECK(stopped.second.tiles_running() < 64);
    for (const auto& t : stopped.second.tiles) CHECK(t.a_stop < 0.961);  // z_min = 0.05: a < 0.953, next node 0.96
  }
  SUBCASE("a rectangle 30 < RA < 50, -5 < Dec < 15 degrees, 0.05 < z < 0.08, lightcone only") {
    const lightcone::lightcone_options lc{.observer = observer, .z_min = 0.05, .z_max = 0.08,
                                          .shape = lightcone::footprint::rectangle, .ra_deg = {30.0, 50.0},
                                          .dec_deg = {-5.0, 15.0}};
    const auto stopped = run_case("rectangle", lc, false, 2, 300);
    CHECK(stopped.second.tiles_running() < 64);
  }
}

TEST_CASE("tiles stopped at their predicted a_stop record exactly what they record when run to a = 1") {
  // 32³ particles in 64 Mpc/h, 2³ tiles of 32 Mpc/h with d_b = 8 Mpc/h, 2LPT Gaussian field,
  // 20 steps from a = 0.05; a 5 degree cone from z = 0.30 to 0.33 (830-910 Mpc/h, 13-14 boxes
  // away): every tile can stop near a = 0.77.
  const box b{.side_mpc_h = 64.0, .particles_1d = 32};
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  const auto fields = ic::lpt_displacements(b, ic::linear_density_modes<float>(b, power, {.seed = 17}), 2);
  const stepper::kdk_options kdk{.grid = stepper::time_grid::linear(0.05, 1.0, 20)};
  const test::scratch_dir dir("scola_lightcone_stop");
  const lightcone::lightcone_options lc{.observer = {5.0, 10.0, 50.0}, .z_min = 0.30, .z_max = 0.33,
                                        .shape = lightcone::footprint::cone, .axis = {1.0, 0.3, 0.2},
                                        .opening_deg = 5.0, .max_replicas = 16, .shell_edges = {870.0},
                                        .healpix_nside = 64};
  const auto options = [&](const char* sub, bool final_state) {
    scola::scola_options so{.tiling = {.tiles_per_side = 2, .buffer_mpc_h = 8.0, .mesh_per_particle = 2},
                            .directory = dir.path / sub};
    so.lightcone = lc;
    so.final_state = final_state;
    return so;
  };
  scola_t<float> stopped(cosmo, b, fields, kdk, options("stopped", false));
  scola_t<float> full(cosmo, b, fields, kdk, options("full", true));
  const auto& plan = stopped.plan();
  const auto r_stopped = scola::run_openmp(stopped);
  const auto r_full = scola::run_openmp(full);
  std::size_t twice = 0;
  const auto a = collect(stopped, twice);
  const auto c = collect(full, twice);
  CHECK(twice == 0);
  // Bitwise the same crossings: the stopped tiles follow the same trajectory up to their stop.
  std::size_t differ = 0;
  for (const auto& [k, x] : c) {
    const auto it = a.find(k);
    if (it == a.end() || it->second.a != x.a || it->second.position != x.position || it->second.momentum != x.momentum)
      ++differ;
  }
  // The bound itself, before rounding to a node: no crossing after its tile's a_last; the
  // smallest slack χ(a_cross) − χ(a_last) says how close the bound came.
  const lightcone::lightcone& cone = *full.cone();
  double slack = 1e30;
  std::size_t late = 0;
  for (const auto& [k, x] : c) {
    const auto& t = plan.tiles[stopped.tiles().core_tile(std::get<0>(k))];
    late += x.a > t.a_last ? 1 : 0;
    slack = std::min(slack, cone.distance()(x.a) - cone.distance()(t.a_last));
  }
  // The displacements at a = 1 (the largest of the run) against each tile's bound R_t.
  const auto state = full.assemble();
  std::vector<double> largest(full.tile_count(), 0.0);
  for (std::size_t id = 0; id < b.particle_count(); ++id) {
    const auto q = b.lagrangian_position<double>(id);
    double r2 = 0;
    for (int d = 0; d < 3; ++d) {
      double dx = state.positions[id][d] - q[d];
      dx -= b.side_mpc_h * std::round(dx / b.side_mpc_h);
      r2 += dx * dx;
    }
    auto& l = largest[full.tiles().core_tile(id)];
    l = std::max(l, std::sqrt(r2));
  }
  double worst_ratio = 0;
  for (std::size_t t = 0; t < full.tile_count(); ++t) worst_ratio = std::max(worst_ratio, largest[t] / plan.tiles[t].reach_mpc_h);
  std::printf("stopping bound: %zu crossings, %zu of %zu tiles run, %zu of %zu tile-steps (%.1f %%), stops at a = %.3f-%.3f, "
              "margin %.1f Mpc/h; %zu crossings differ from the tiles run to a = 1, %zu after their tile's a_last, "
              "smallest slack %.2f Mpc/h; largest |x - q| at a = 1 / R_t = %.2f; measured %.2f of %.2f tile-seconds\n",
              c.size(), plan.tiles_running(), plan.tiles.size(), plan.tile_steps(), plan.tile_steps_full(),
              100.0 * plan.fraction(), std::min_element(plan.tiles.begin(), plan.tiles.end(), [](auto& x, auto& y) { return x.a_stop < y.a_stop; })->a_stop,
              std::max_element(plan.tiles.begin(), plan.tiles.end(), [](auto& x, auto& y) { return x.a_stop < y.a_stop; })->a_stop,
              plan.margin_mpc_h, differ, late, slack, worst_ratio, r_stopped.total_tile_seconds(),
              r_full.total_tile_seconds());
  CHECK(c.size() > 20000);
  CHECK(a.size() == c.size());
  CHECK(differ == 0);
  CHECK(late == 0);
  CHECK(slack >= 0.0);
  CHECK(worst_ratio < 0.75);     // the bound holds with room to spare, even at a = 1
  CHECK(plan.fraction() < 0.85);  // and it saves work
  CHECK(r_stopped.tile_steps.size() == 8);
  std::size_t steps_run = 0;
  for (const auto s : r_stopped.tile_steps) steps_run += s;
  CHECK(steps_run == plan.tile_steps());
}

TEST_CASE("sCOLA lightcones: impossible requests are refused") {
  const box b{.side_mpc_h = 64.0, .particles_1d = 16};
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  const auto fields = ic::lpt_displacements(b, ic::linear_density_modes<float>(b, power, {.seed = 5}), 2);
  const stepper::kdk_options kdk{.grid = stepper::time_grid::linear(0.1, 1.0, 5)};
  const test::scratch_dir dir("scola_lightcone_bad");
  scola::scola_options so{.tiling = {.tiles_per_side = 2, .buffer_mpc_h = 8.0}, .directory = dir.path};
  so.final_state = false;
  CHECK_THROWS_WITH_AS(scola_t<float>(cosmo, b, fields, kdk, so), doctest::Contains("final_state"), config_error);
  so.lightcone = lightcone::lightcone_options{.observer = {70.0, 1.0, 1.0}, .z_max = 0.03};
  CHECK_THROWS_WITH_AS(scola_t<float>(cosmo, b, fields, kdk, so), doctest::Contains("observer"), config_error);
  so.lightcone = lightcone::lightcone_options{.observer = {10.0, 1.0, 1.0}, .z_max = 0.03};
  so.lightcone_margin_mpc_h = -1.0;
  CHECK_THROWS_WITH_AS(scola_t<float>(cosmo, b, fields, kdk, so), doctest::Contains("lightcone_margin_mpc_h"),
                       config_error);
  so.lightcone_margin_mpc_h.reset();
  scola_t<float> only(cosmo, b, fields, kdk, so);
  scola::run_sequential(only);
  CHECK_THROWS_WITH_AS((void)only.assemble(), doctest::Contains("assemble_lightcone"), config_error);
  auto plain = so;
  plain.lightcone.reset();
  plain.final_state = true;
  plain.directory = dir.path / "plain";
  scola_t<float> none(cosmo, b, fields, kdk, plain);
  CHECK_THROWS_WITH_AS(none.assemble_lightcone([](lightcone::shell&&) {}), doctest::Contains("scola_options.lightcone"),
                       config_error);
  // A tile file (with the right key) holding a crossing of a particle from another tile's core.
  auto forged = only.compute_tile(0);
  lightcone::shell s;
  s.index = 0;
  s.chi_min = only.cone()->chi_min();
  s.chi_max = only.cone()->chi_max();
  lightcone::crossing stray;
  stray.id = b.particle_count() - 1;  // in the last tile's core
  stray.a = 0.99;
  s.particles.push_back(stray);
  forged.shells.push_back(s);
  scola::write_tile_file(only.tile_path(0), forged);
  CHECK_THROWS_WITH_AS(only.assemble_lightcone([](lightcone::shell&&) {}), doctest::Contains("not in the core of tile 0"),
                       io_error);
}
