// SPDX-License-Identifier: BSD-3-Clause
// Layzer–Irvine cosmic energy equation on a PM run (docs/physics.md §13.3):
//   d[a(K + W)]/da = −K,   C(a) = a(K+W) − a_i(K_i+W_i) + ∫ K da = 0,
// with K = Σ ½ (p/a)² and W = ½ Σ Φ(x_i), Φ = (3/2) Ω_m φ / a, φ from the same mesh Green's
// function and deconvolution as the force. Reported as |C| / |a W|.
//
// PM potentials include each particle's own (softened) self-potential, which is not part of W.
// Its mean over sub-cell positions is measured with the same force object (one particle's
// potential at its own position, averaged over random offsets) and removed; what remains of it
// depends on where particles sit inside their cells, which changes while the lattice melts at
// early times. The check therefore starts at a = 0.2, once the interaction energy dominates,
// and allows 2 %: with 200 logarithmic KDK steps the time-discretisation error of the energy
// budget is below 0.1 % (it falls as the step count squared), so 2 % is the budget of the
// residual self-energy fluctuations and of the trapezoidal ∫K da, not of the dynamics.
#include <doctest/doctest.h>

#include <cstdio>
#include <vector>

#include "lagframe/lagframe.hpp"

using namespace lagframe;

namespace {
struct energies {
  double a, kinetic, potential;
};
}  // namespace

TEST_CASE("PM run obeys the Layzer-Irvine equation") {
  const cosmology::parameters cosmo{};
  const box grid{.side_mpc_h = 128.0, .particles_1d = 32};
  constexpr std::size_t steps = 200;
  constexpr double a_start = 0.05;
  using force_t = force::particle_mesh<mesh::cic, double>;
  using sim_t = simulation<frame::inertial<double>, force_t, stepper::kick_drift_kick<stepper::factors::quinn>>;
  sim_t sim{cosmo, grid, force::pm_options{.grid_1d = 64},
            stepper::kdk_options{.grid = stepper::time_grid::logarithmic(a_start, 1.0, steps)}};
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  sim.set_initial_conditions(ic::lpt_displacements(grid, ic::linear_density_modes<double>(grid, power, {.seed = 11}), 2));

  // A second force object measures the potential at the particles without touching the run.
  force_t probe(grid, force::pm_options{.grid_1d = 64});
  std::vector<double> phi(grid.particle_count());

  // Mean self-potential of one particle (all N_p particles stacked at one point, divided by N_p).
  double self_potential = 0;
  {
    constexpr int offsets = 32;
    std::vector<vec3<double>> stacked(grid.particle_count());
    std::vector<double> one(1);
    for (int o = 0; o < offsets; ++o) {
      const vec3<double> x0{grid.side_mpc_h * std::fmod(0.6180339887 * (o + 1), 1.0),
                            grid.side_mpc_h * std::fmod(0.7548776662 * (o + 1), 1.0),
                            grid.side_mpc_h * std::fmod(0.5698402910 * (o + 1), 1.0)};
      std::fill(stacked.begin(), stacked.end(), x0);
      probe.potentials_at(stacked, std::vector<vec3<double>>{x0}, one);
      self_potential += one[0] / static_cast<double>(grid.particle_count()) / offsets;
    }
    std::printf("mean PM self-potential per particle: %.4e (Mpc/h)^2\n", self_potential);
  }
  std::vector<energies> history;
  auto measure = [&](const snapshot_view<double>& s) {
    double kin = 0, pot = 0;
    for (std::size_t i = 0; i < s.momenta.size(); ++i) {
      const auto& p = s.momenta[i];
      kin += 0.5 * (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]) / (s.a * s.a);
    }
    probe.potentials(s.positions, phi);
    for (double v : phi) pot += 0.5 * 1.5 * cosmo.omega_m * (v - self_potential) / s.a;
    history.push_back({s.a, kin, pot});
  };
  const auto& nodes = sim.stepper().grid().nodes();
  for (std::size_t j = 0; j <= steps; ++j) sim.run_until(nodes[j], measure);

  std::size_t first = 0;
  while (history[first].a < 0.2) ++first;
  double integral = 0, worst = 0;
  const auto& h0 = history[first];
  for (std::size_t j = first + 1; j < history.size(); ++j) {
    const auto& h = history[j];
    const auto& prev = history[j - 1];
    integral += 0.5 * (h.kinetic + prev.kinetic) * (h.a - prev.a);
    const double c = h.a * (h.kinetic + h.potential) - h0.a * (h0.kinetic + h0.potential) + integral;
    const double rel = std::abs(c) / std::abs(h.a * h.potential);
    worst = std::max(worst, rel);
    if (j % 40 == 0 || j + 1 == history.size())
      std::printf("a = %.3f  K = %.4e  W = %.4e  |C|/|aW| = %.2e\n", h.a, h.kinetic, h.potential, rel);
  }
  std::printf("worst |C|/|aW| = %.3e\n", worst);
  CHECK(worst < 0.02);
}
