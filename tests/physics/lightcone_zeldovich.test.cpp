// SPDX-License-Identifier: BSD-3-Clause
// Lightcone crossings against exact trajectories (docs/physics.md §16.6):
//  - a Zel'dovich plane wave through the tCOLA loop: before shell crossing the trajectory is
//    x(q, a) = q + D(a) ψ(q), so each crossing time and position is the root of
//    χ(a) = |x(q, a) + nL − o| on that curve, found here by bisection. The set of recorded
//    (particle, replica) pairs must be exactly the set whose exact crossing lies in the range;
//  - a Gaussian field run with tCOLA: particles that cross close to an output time sit where the
//    snapshot puts them, moved by their velocity (dx/da = p/(a³E)) over the small Δa.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "lagframe/lagframe.hpp"
#include "lagframe/lightcone/lightcone.hpp"
#include "support/plane_wave.hpp"

using namespace lagframe;

namespace {
const cosmology::parameters cosmo{};
using key = std::tuple<std::uint64_t, int, int, int>;
}  // namespace

namespace {
/// The plane-wave lightcone, with the PM force (`with_forces`) or without any force evaluation
/// (the particles then ride the LPT frame, which is exact for the wave: the crossings must be
/// the analytic ones to the root finder's precision).
void check_plane_wave_lightcone(bool with_forces) {
  // 16³ particles in 200 Mpc/h (12.5 Mpc/h apart), one wavelength across the box, 0.3 cell =
  // 3.75 Mpc/h of displacement at a = 1: the tCOLA residual is ~0.05 ψ² cell ≈ 0.06 Mpc/h.
  test::plane_wave wave{.grid = box{.side_mpc_h = 200.0, .particles_1d = 16}, .mode = 1, .d_cross = 1.0};
  wave.d_cross = 1.0 / (0.3 * wave.k() * wave.grid.lagrangian_spacing());
  const double amplitude = 1.0 / (wave.k() * wave.d_cross);  // Mpc/h at D = 1
  using sim_t = simulation<frame::lpt<1, double>, force::particle_mesh<mesh::cic, double>, stepper::kick_drift_kick<>>;
  sim_t sim{cosmo, wave.grid, force::pm_options{.grid_1d = 16, .deconvolve = true},
            stepper::kdk_options{.grid = stepper::time_grid::linear(0.05, 1.0, 12),
                                 .schedule = with_forces ? stepper::force_schedule::every_step()
                                                         : stepper::force_schedule::never()}};
  sim.set_initial_conditions(wave.fields<double>(1));
  const vec3<double> observer{63.0, 117.0, 31.0};
  lightcone::lightcone cone(cosmo, wave.grid,
                            {.observer = observer, .z_min = 0.02, .z_max = 0.12, .shell_edges = {150.0, 250.0}});
  REQUIRE(cone.shell_count() == 3);
  std::map<key, lightcone::crossing> got;
  std::size_t shells = 0, twice = 0, outside = 0;
  cone.set_shell_callback([&](lightcone::shell&& s) {
    ++shells;
    for (const auto& c : s.particles) {
      const key k{c.id, c.replica[0], c.replica[1], c.replica[2]};
      twice += got.count(k);
      const double r = std::hypot(c.position[0] - observer[0], c.position[1] - observer[1], c.position[2] - observer[2]);
      outside += (r >= s.chi_min && r < s.chi_max) ? 0 : 1;
      got[k] = c;
    }
  });
  sim.set_drift_observer([&](const drift_view<double>& v) { cone(v); });
  // The integrator's own error at a = 1 (the residual left by the PM force, largest at the end),
  // in position and in momentum relative to the wave's momentum amplitude.
  double residual_x = 0, residual_p = 0;
  sim.run_until(1.0, [&](const snapshot_view<double>& s) {
    const auto& gr = sim.growth();
    residual_x = wave.max_error_cells(s.positions, gr, 1.0) * wave.grid.lagrangian_spacing();
    for (std::size_t i = 0; i < s.momenta.size(); ++i)
      residual_p = std::max(residual_p, std::abs(s.momenta[i][0] - gr.t_d1(1.0) * wave.psi(wave.grid.lagrangian_position(i)[0])) /
                                            (gr.t_d1(1.0) * amplitude));
  });
  cone.finish();
  CHECK(shells == 3);
  CHECK(twice == 0);    // no (particle, replica) recorded twice
  CHECK(outside == 0);  // every crossing in the shell it was filed in

  // The exact crossings, by bisection on the exact trajectory of every (particle, replica).
  const cosmology::growth& g = sim.growth();
  const auto& dist = cone.distance();
  const double side = wave.grid.side_mpc_h;
  const int reach = static_cast<int>(std::ceil(cone.chi_max() / side)) + 1;
  std::map<key, double> expected;  // → a_cross
  std::size_t near_edge = 0;
  double worst_a = 0, worst_x = 0, worst_v = 0, transverse = 0;
  for (std::size_t i = 0; i < wave.grid.particle_count(); ++i) {
    const auto q = wave.grid.lagrangian_position(i);
    const double psi = wave.psi(q[0]);
    const auto position = [&](double a, const int (&n)[3]) {
      return vec3<double>{q[0] + g.d1(a) * psi + side * n[0], q[1] + side * n[1], q[2] + side * n[2]};
    };
    for (int nx = -reach; nx <= reach; ++nx)
      for (int ny = -reach; ny <= reach; ++ny)
        for (int nz = -reach; nz <= reach; ++nz) {
          const int n[3] = {nx, ny, nz};
          const auto r_at = [&](double a) {
            const auto x = position(a, n);
            return std::hypot(x[0] - observer[0], x[1] - observer[1], x[2] - observer[2]);
          };
          // Displacements stay below 4 Mpc/h: far from the range, no crossing to look for.
          const double r1 = r_at(1.0);
          if (r1 < cone.chi_min() - 10.0 || r1 > cone.chi_max() + 10.0) continue;
          // The particles are slower than light: f(a) = χ(a) − r(a) falls through zero once.
          double lo = 0.05, hi = 1.0;
          if (dist(lo) - r_at(lo) <= 0) continue;
          for (int it = 0; it < 70; ++it) {
            const double mid = 0.5 * (lo + hi);
            (dist(mid) - r_at(mid) > 0 ? lo : hi) = mid;
          }
          const double r = r_at(lo);
          const key k{i, nx, ny, nz};
          // Within 0.2 Mpc/h of an end of the range, a residual of 0.06 Mpc/h may decide.
          if (std::abs(r - cone.chi_min()) < 0.2 || std::abs(r - cone.chi_max()) < 0.2) {
            ++near_edge;
            got.erase(k);
            continue;
          }
          if (r < cone.chi_min() || r >= cone.chi_max()) continue;
          expected[k] = lo;
          const auto it = got.find(k);
          if (it == got.end()) continue;  // reported below as missing
          const auto& c = it->second;
          worst_a = std::max(worst_a, std::abs(c.a - lo));
          const auto x = position(lo, n);
          for (int d = 0; d < 3; ++d) worst_x = std::max(worst_x, std::abs(c.position[d] - x[d]));
          // p = a³E dx/da = a²E dD/d ln a · ψ (docs/physics.md §1.2, §4.4).
          const double p_exact = g.t_d1(lo) * psi;
          // Relative to the wave's momentum amplitude at that time.
          worst_v = std::max(worst_v, std::abs(c.momentum[0] - p_exact) / (g.t_d1(lo) * amplitude));
          transverse = std::max({transverse, std::abs(c.momentum[1]), std::abs(c.momentum[2])});
        }
  }
  std::size_t missing = 0, extra = 0;
  for (const auto& [k, a] : expected) missing += got.count(k) == 0 ? 1 : 0;
  for (const auto& [k, c] : got) extra += expected.count(k) == 0 ? 1 : 0;
  std::printf("plane wave lightcone (%s): %zu crossings expected, %zu recorded, %zu missing, %zu extra, %zu near an edge; "
              "max |da| %.2e, max |dx| %.2e Mpc/h (displacement amplitude %.2f), max |dp| / p amplitude %.2e; "
              "the run's own error at a = 1: %.2e Mpc/h, %.2e\n",
              with_forces ? "tCOLA with PM forces" : "LPT frame alone", expected.size(), got.size(), missing, extra,
              near_edge, worst_a, worst_x, amplitude, worst_v, residual_x, residual_p);
  CHECK(expected.size() > 10000);
  CHECK(missing == 0);
  CHECK(extra == 0);
  CHECK(transverse < 1e-9);  // a wave along x moves nothing across
  if (!with_forces) {
    // The analytic crossings: 1e-6 in a and 1e-5 cell in position are the targets; the root
    // finder gives far better.
    CHECK(residual_x < 1e-9);
    CHECK(worst_a < 1e-9);
    CHECK(worst_x < 1e-5 * wave.grid.lagrangian_spacing());
    CHECK(worst_v < 1e-8);
    return;
  }
  // With forces the lightcone is as exact as the integrator: within its own residual (plus the
  // KDK's half-step momentum, which the drift carries), never the displacement itself.
  CHECK(residual_x < 0.15);  // Mpc/h, ≈ 0.05 ψ² cell of PM discreteness
  CHECK(worst_x < 1.2 * residual_x + 1e-6);
  CHECK(worst_a < 5e-5);     // the front moves ~3000 Mpc/h per unit a: 0.1 Mpc/h ↔ 3e-5
  CHECK(worst_v < 1.5 * residual_p + 0.01);
}
}  // namespace

TEST_CASE("lightcone of a Zel'dovich plane wave in the LPT frame alone: the analytic crossings") {
  check_plane_wave_lightcone(false);
}

TEST_CASE("lightcone of a Zel'dovich plane wave in tCOLA: crossings as exact as the integrator") {
  check_plane_wave_lightcone(true);
}

TEST_CASE("lightcone and snapshot agree for particles that cross near the output time") {
  const box grid{.side_mpc_h = 128.0, .particles_1d = 24};
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  const auto fields = ic::lpt_displacements(grid, ic::linear_density_modes<double>(grid, power, {.seed = 11}), 2);
  using sim_t = simulation<frame::lpt<2, double>, force::particle_mesh<mesh::cic, double>, stepper::kick_drift_kick<>>;
  const double a_out = 0.9;
  sim_t sim{cosmo, grid, force::pm_options{.grid_1d = 48},
            stepper::kdk_options{.grid = stepper::time_grid::linear(0.1, 1.0, 18)}};
  sim.set_initial_conditions(fields);
  const vec3<double> observer{10.0, 20.0, 30.0};
  lightcone::lightcone cone(cosmo, grid, {.observer = observer, .z_min = 0.0, .z_max = 0.2});
  std::vector<lightcone::crossing> all;
  cone.set_shell_callback([&](lightcone::shell&& s) { all.insert(all.end(), s.particles.begin(), s.particles.end()); });
  sim.set_drift_observer([&](const drift_view<double>& v) { cone(v); });
  std::vector<vec3<double>> x_out, p_out;
  sim.run_until(a_out, [&](const snapshot_view<double>& s) {
    x_out.assign(s.positions.begin(), s.positions.end());
    p_out.assign(s.momenta.begin(), s.momenta.end());
  });
  sim.run_until(1.0);
  cone.finish();
  const cosmology::background bg(cosmo);
  const double da_max = 0.02;  // ~60 Mpc/h of front motion on each side of the output
  std::size_t compared = 0;
  double worst = 0, worst_p = 0, rms_move = 0, rms_error = 0;
  for (const auto& c : all) {
    const double da = c.a - a_out;
    if (std::abs(da) > da_max) continue;
    const double e = bg.e(a_out);
    for (int d = 0; d < 3; ++d) {
      const double v = p_out[c.id][d] / (a_out * a_out * a_out * e);  // dx/da
      double x = x_out[c.id][d] + v * da + grid.side_mpc_h * c.replica[d];
      double diff = c.position[d] - x;
      diff -= grid.side_mpc_h * std::round(diff / grid.side_mpc_h);
      worst = std::max(worst, std::abs(diff));
      rms_error += diff * diff;
      worst_p = std::max(worst_p, std::abs(c.momentum[d] - p_out[c.id][d]));
      rms_move += (v * da) * (v * da);
    }
    ++compared;
  }
  rms_move = std::sqrt(rms_move / (3.0 * static_cast<double>(std::max<std::size_t>(compared, 1))));
  rms_error = std::sqrt(rms_error / (3.0 * static_cast<double>(std::max<std::size_t>(compared, 1))));
  std::printf("snapshot at a = %.2f: %zu crossings within |da| < %.3f, rms move %.3f Mpc/h, |x - (x_snap + v da)| "
              "rms %.4f max %.4f Mpc/h, max |p - p_snap| %.3f Mpc/h\n",
              a_out, compared, da_max, rms_move, rms_error, worst, worst_p);
  CHECK(compared > 1000);
  CHECK(rms_move > 0.02);  // the particles do move over Δa: the comparison is not trivial
  // What is left is the acceleration over Δa, second order in Δa.
  CHECK(rms_error < 0.1 * rms_move);
  CHECK(rms_error < 1e-3 * grid.lagrangian_spacing());  // 1e-3 cell rms
  CHECK(worst < 0.1);
  CHECK(worst_p < 5.0);
}
