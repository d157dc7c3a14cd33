// SPDX-License-Identifier: BSD-3-Clause
// Linear growth: in a 64³ run from z = 49 to z = 0 the lowest-k modes grow by exactly
// D1(1)/D1(a_start), mode by mode, within 1 % (tCOLA and PM, 40 steps). The box is 2 Gpc/h so
// the fundamental mode (k_f = 0.003 h/Mpc) is deep in the linear regime.
#include <doctest/doctest.h>

#include <complex>
#include <cstdio>

#include "lagframe/lagframe.hpp"

using namespace lagframe;

namespace {
const cosmology::parameters cosmo{};
const box grid{.side_mpc_h = 2000.0, .particles_1d = 64};
constexpr double a_start = 1.0 / 50.0;

/// Largest relative deviation of δ(k, a=1)/δ(k, a_start) from D1(1)/D1(a_start) over the
/// modes of the lowest shell (|k| = k_f).
template <class Frame, class Factors>
double worst_growth_error() {
  using sim_t = simulation<Frame, force::particle_mesh<mesh::cic>, stepper::kick_drift_kick<Factors>>;
  sim_t sim{cosmo, grid, force::pm_options{.grid_1d = 128},
            stepper::kdk_options{.grid = stepper::time_grid::linear(a_start, 1.0, 40)}};
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  sim.set_initial_conditions(ic::lpt_displacements(grid, ic::linear_density_modes<float>(grid, power, {.seed = 5}), 2));

  const analysis::spectrum_options opt{.grid_1d = 64};
  const auto start = analysis::density_modes<mesh::cic>(sim.positions(), grid.side_mpc_h, opt);
  sim.run_until(1.0);
  const auto end = analysis::density_modes<mesh::cic>(sim.positions(), grid.side_mpc_h, opt);

  const double expected = sim.growth().d1(1.0) / sim.growth().d1(a_start);
  const std::size_t n = 64;
  const std::size_t fundamental[][3] = {{1, 0, 0}, {n - 1, 0, 0}, {0, 1, 0}, {0, n - 1, 0}, {0, 0, 1}};
  double worst = 0;
  for (const auto& m : fundamental) {
    const std::complex<double> d0 = start.mode(m[0], m[1], m[2]);
    const std::complex<double> d1 = end.mode(m[0], m[1], m[2]);
    const std::complex<double> ratio = d1 / d0;
    const double err = std::abs(ratio / expected - 1.0);
    std::printf("  mode (%zu,%zu,%zu): growth %.5f (expected %.5f), error %.2e\n", m[0], m[1], m[2],
                ratio.real(), expected, err);
    worst = std::max(worst, err);
  }
  return worst;
}
}  // namespace

TEST_CASE("tCOLA: the fundamental modes grow as D1 (40 steps)") {
  const double err = worst_growth_error<frame::lpt<2>, stepper::factors::cola>();
  std::printf("tCOLA worst relative growth error %.2e\n", err);
  CHECK(err < 0.01);
}

TEST_CASE("PM: the fundamental modes grow as D1 (40 steps, FastPM factors)") {
  const double err = worst_growth_error<frame::inertial<>, stepper::factors::fastpm>();
  std::printf("PM worst relative growth error %.2e\n", err);
  CHECK(err < 0.01);
}
