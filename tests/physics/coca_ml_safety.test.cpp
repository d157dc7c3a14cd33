// SPDX-License-Identifier: BSD-3-Clause
// tCOCA is ML-safe (docs/physics.md §10.4; Bartlett et al. 2024): with an emulator that is wrong on
// purpose — its prediction scaled by 1.5, or trained at Ω_m = 0.25 and used at Ω_m = 0.3111 —
// the P(k) error against a 100-step PM reference falls as more forces are evaluated, and with
// every force evaluated it is no more than 1 % above tCOLA's (measured: below it, 0.6 % and
// 0.02 % against tCOLA's 1.2 % at k = 0.5; with ml_integration::as_particles it is tCOLA's). 32³ particles in 64 Mpc/h (the issue's
// figures are for 64³ in 128 Mpc/h; this is the same k range at a quarter of the cost), 64³ CIC
// mesh, 16 COLA steps from a = 0.05, n_f = 2, 4, 8, 16 force evaluations spread evenly over the
// kick points 0 … 15.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "lagframe/lagframe.hpp"

using namespace lagframe;
namespace emu = lagframe::frame::emulators;

namespace {

const box grid{.side_mpc_h = 64.0, .particles_1d = 32};
constexpr std::size_t mesh_1d = 64;
constexpr std::size_t steps = 16;
constexpr double a_start = 0.05;

cosmology::parameters cosmology_with(double omega_m) {
  cosmology::parameters p{};
  p.omega_m = omega_m;
  return p;
}
const cosmology::parameters truth_cosmo = cosmology_with(0.3111);

ic::lpt_fields<double> fields_of(const cosmology::parameters& c, std::uint64_t seed) {
  const auto power = cosmology::linear_power::from_eisenstein_hu(c);
  return ic::lpt_displacements(grid, ic::linear_density_modes<double>(grid, power, {.seed = seed}), 2);
}

using pm = force::particle_mesh<mesh::cic, double>;
using cola_kdk = stepper::kick_drift_kick<stepper::factors::cola>;

stepper::force_schedule spread(std::size_t n_f) {
  std::vector<std::size_t> points;
  for (std::size_t j = 0; j < n_f; ++j) points.push_back(j * steps / n_f);
  return stepper::force_schedule::at_points(points);
}
stepper::kdk_options cola_grid(stepper::force_schedule s) {
  return {.grid = stepper::time_grid::linear(a_start, 1.0, steps), .schedule = std::move(s)};
}

/// An emulator that is wrong on purpose: another emulator's prediction times a factor.
struct scaled {
  using real_type = double;
  static constexpr std::string_view name = "scaled";
  emu::fourier_linear<double> inner;
  double factor = 1.0;
  void bind(const ic::lpt_fields<double>& f) { inner.bind(f); }
  void momenta(std::span<vec3<double>> out, double a) const {
    inner.momenta(out, a);
    for (auto& v : out)
      for (auto& c : v) c *= factor;
  }
  void validate(const box& g, double a0, double a1) const { inner.validate(g, a0, a1); }
  [[nodiscard]] std::array<double, 2> time_range() const { return inner.time_range(); }
};
static_assert(frame::frame_emulator<scaled>);

/// fourier_linear trained on two every-step tCOLA runs of cosmology c (seeds 101, 102).
emu::fourier_linear<double> train(const cosmology::parameters& c) {
  std::vector<ic::lpt_fields<double>> fields;
  std::vector<std::shared_ptr<const emu::recorded_data<double>>> records;
  for (std::uint64_t seed : {101, 102}) {
    simulation<frame::recording<frame::lpt<2, double>>, pm, cola_kdk> ref{
        c, grid, force::pm_options{.grid_1d = mesh_1d}, cola_grid(stepper::force_schedule::every_step())};
    fields.push_back(fields_of(c, seed));
    ref.set_initial_conditions(fields.back());
    ref.run_until(1.0);
    records.push_back(ref.frame().recorded());
  }
  const std::vector<emu::fourier_linear_training_run<double>> runs{{fields[0], *records[0]}, {fields[1], *records[1]}};
  return emu::fourier_linear<double>(std::make_shared<const emu::fourier_linear_model>(emu::fourier_linear<double>::fit(runs)));
}

/// |P/P_ref − 1| in the bins nearest k = 0.5 and 1 h/Mpc.
std::array<double, 2> pk_errors(std::span<const vec3<double>> x, std::span<const vec3<double>> ref) {
  const analysis::spectrum_options opt{.grid_1d = mesh_1d, .interlacing = true};
  const auto p = analysis::power_spectrum<mesh::cic>(x, grid.side_mpc_h, opt);
  const auto r = analysis::power_spectrum<mesh::cic>(ref, grid.side_mpc_h, opt);
  std::array<double, 2> out{};
  const double targets[2] = {0.5, 1.0};
  for (int t = 0; t < 2; ++t) {
    std::size_t best = 0;
    for (std::size_t i = 0; i < p.k.size(); ++i)
      if (std::abs(p.k[i] - targets[t]) < std::abs(p.k[best] - targets[t])) best = i;
    out[static_cast<std::size_t>(t)] = std::abs(p.power[best] / r.power[best] - 1.0);
  }
  return out;
}

template <class Frame, class... Options>
std::vector<vec3<double>> run(stepper::force_schedule schedule, Options... options) {
  simulation<Frame, pm, cola_kdk> sim{truth_cosmo, grid, force::pm_options{.grid_1d = mesh_1d}, cola_grid(std::move(schedule))};
  (sim.set_frame_options(std::move(options)), ...);
  sim.set_initial_conditions(fields_of(truth_cosmo, 7));
  sim.run_until(1.0);
  return {sim.positions().begin(), sim.positions().end()};
}

}  // namespace

TEST_CASE("ML-safety: a wrong emulator's error falls with the force evaluations, to tCOLA's") {
  // Reference: PM (FastPM factors) with 100 steps from the same initial conditions.
  simulation<frame::inertial<double>, pm, stepper::kick_drift_kick<stepper::factors::fastpm>> reference{
      truth_cosmo, grid, force::pm_options{.grid_1d = mesh_1d},
      stepper::kdk_options{.grid = stepper::time_grid::linear(a_start, 1.0, 100)}};
  reference.set_initial_conditions(fields_of(truth_cosmo, 7));
  reference.run_until(1.0);
  const std::vector<vec3<double>> ref(reference.positions().begin(), reference.positions().end());

  const auto good = train(truth_cosmo);
  const scaled too_strong{good, 1.5};
  const scaled other_cosmology{train(cosmology_with(0.25)), 1.0};
  using coca = frame::emulated<frame::lpt<2, double>, scaled>;
  const auto cola_16 = pk_errors(run<frame::lpt<2, double>>(spread(16)), ref);
  std::printf("tCOLA, n_f = 16: |P/P_ref - 1| = %.4f (k = 0.5), %.4f (k = 1)\n", cola_16[0], cola_16[1]);
  for (const auto& [label, emulator] : {std::pair{"scaled by 1.5", too_strong}, std::pair{"trained at Om = 0.25", other_cosmology}}) {
    std::array<double, 2> previous{1e9, 1e9};
    for (std::size_t n_f : {2, 4, 8, 16}) {
      const auto e = pk_errors(run<coca>(spread(n_f), emulator), ref);
      std::printf("tCOCA, emulator %s, n_f = %2zu: |P/P_ref - 1| = %.4f (k = 0.5), %.4f (k = 1)\n", label, n_f, e[0], e[1]);
      for (int t = 0; t < 2; ++t) {
        CHECK(e[t] < previous[t] + 1e-3);  // falls as n_f grows (to within 0.1 %)
        previous[t] = e[t];
      }
    }
    // With every force evaluated: within 1 % of tCOLA's error or better (the as_lpt frame is
    // closer to the reference than tCOLA); with the ML frame integrated by the particles'
    // operators it is tCOLA itself (frame/emulated.hpp).
    for (int t = 0; t < 2; ++t) CHECK(previous[t] < cola_16[t] + 0.01);
    const auto as_particles = pk_errors(run<coca>(spread(16), frame::emulated_options<scaled>(emulator, frame::ml_integration::as_particles)), ref);
    for (int t = 0; t < 2; ++t) CHECK(as_particles[t] == doctest::Approx(cola_16[t]).epsilon(1e-6));
  }
}
