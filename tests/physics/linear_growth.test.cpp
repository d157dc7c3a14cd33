// SPDX-License-Identifier: BSD-3-Clause
// Linear growth: in a 64³ run from z = 49 to z = 0 the lowest-k modes grow by exactly
// D1(1)/D1(a_start), mode by mode, within 1 % (tCOLA and PM, 40 steps). The box is 2 Gpc/h so
// the fundamental mode (k_f = 0.003 h/Mpc) is deep in the linear regime. The same with the LPT
// fields stored as int16 (frame::fixed16), which must also agree with the float fields' growth.
#include <doctest/doctest.h>

#include <complex>
#include <cstdio>
#include <vector>

#include "lagframe/lagframe.hpp"

using namespace lagframe;

namespace {
const cosmology::parameters cosmo{};
const box grid{.side_mpc_h = 2000.0, .particles_1d = 64};
constexpr double a_start = 1.0 / 50.0;

struct growth_errors {
  double worst = 0;            // largest |growth / D1 ratio - 1|
  std::vector<double> modes;   // growth / D1 ratio - 1, mode by mode
};

/// Relative deviation of δ(k, a=1)/δ(k, a_start) from D1(1)/D1(a_start) for the modes of the
/// lowest shell (|k| = k_f), and the largest.
template <class Frame, class Factors>
growth_errors worst_growth_error() {
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
  growth_errors out;
  for (const auto& m : fundamental) {
    const std::complex<double> d0 = start.mode(m[0], m[1], m[2]);
    const std::complex<double> d1 = end.mode(m[0], m[1], m[2]);
    const std::complex<double> ratio = d1 / d0;
    const double err = std::abs(ratio / expected - 1.0);
    std::printf("  mode (%zu,%zu,%zu): growth %.5f (expected %.5f), error %.2e\n", m[0], m[1], m[2],
                ratio.real(), expected, err);
    out.worst = std::max(out.worst, err);
    out.modes.push_back(std::abs(ratio) / expected - 1.0);
  }
  return out;
}
}  // namespace

TEST_CASE("tCOLA: the fundamental modes grow as D1 (40 steps), also with fixed16 LPT fields") {
  const auto exact = worst_growth_error<frame::lpt<2>, stepper::factors::cola>();
  std::printf("tCOLA worst relative growth error %.2e\n", exact.worst);
  CHECK(exact.worst < 0.01);

  const auto compact = worst_growth_error<frame::lpt<2, float, frame::fixed16>, stepper::factors::cola>();
  std::printf("fixed16 worst relative growth error %.2e\n", compact.worst);
  CHECK(compact.worst < 0.01);
  // The int16 fields move each particle by at most D s/2 (s = 1.5e-5 of the largest |Psi|),
  // incoherently between particles; what reaches the fundamental modes through 40 steps of
  // nonlinear evolution is measured at 2.9e-5 of their growth (tolerance 1e-4).
  REQUIRE(compact.modes.size() == exact.modes.size());
  double largest = 0;
  for (std::size_t i = 0; i < exact.modes.size(); ++i) largest = std::max(largest, std::abs(compact.modes[i] - exact.modes[i]));
  std::printf("fixed16 against float: growth differs by at most %.2e\n", largest);
  CHECK(largest < 1e-4);
}

TEST_CASE("PM: the fundamental modes grow as D1 (40 steps, FastPM factors)") {
  const double err = worst_growth_error<frame::inertial<>, stepper::factors::fastpm>().worst;
  std::printf("PM worst relative growth error %.2e\n", err);
  CHECK(err < 0.01);
}
