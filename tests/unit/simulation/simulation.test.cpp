// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>
#include <omp.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "lagframe/lagframe.hpp"

using namespace lagframe;

namespace {
const cosmology::parameters cosmo{};
const box grid{.side_mpc_h = 64.0, .particles_1d = 16};

ic::lpt_fields<double> random_fields(std::uint64_t seed = 3) {
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  return ic::lpt_displacements(grid, ic::linear_density_modes<double>(grid, power, {.seed = seed}), 2);
}

template <class Frame, class Factors = stepper::factors::cola>
using sim_of = simulation<Frame, force::particle_mesh<mesh::cic, double>, stepper::kick_drift_kick<Factors>>;

stepper::kdk_options five_steps(stepper::force_schedule schedule = stepper::force_schedule::every_step()) {
  return {.grid = stepper::time_grid::linear(0.1, 0.6, 5), .schedule = std::move(schedule)};
}
}  // namespace

static_assert(force::force_policy<force::particle_mesh<mesh::cic, float>>);
static_assert(stepper::stepper_policy<stepper::kick_drift_kick<stepper::factors::quinn>>);

TEST_CASE("life cycle errors name what is wrong") {
  sim_of<frame::lpt<2, double>> sim{cosmo, grid, force::pm_options{.grid_1d = 16}, five_steps()};
  CHECK_THROWS_WITH_AS(sim.run_until(0.6), doctest::Contains("no initial conditions"), config_error);
  sim.set_initial_conditions(random_fields());
  CHECK_THROWS_WITH_AS(sim.run_until(0.55), doctest::Contains("a = 0.55"), config_error);
  sim.run_until(0.4);
  CHECK_THROWS_WITH_AS(sim.run_until(0.2), doctest::Contains("a = 0.2"), config_error);
  auto other = random_fields();
  other.grid.particles_1d = 8;
  CHECK_THROWS_WITH_AS(sim.set_initial_conditions(other), doctest::Contains("particles_1d = 16"), config_error);
  CHECK_THROWS_AS((sim_of<frame::lpt<2, double>>{cosmo, box{.side_mpc_h = -1.0, .particles_1d = 16},
                                                  force::pm_options{.grid_1d = 16}, five_steps()}),
                  config_error);
}

TEST_CASE("initial conditions: total momentum is the 2LPT momentum, the residual is zero") {
  sim_of<frame::lpt<2, double>> sim{cosmo, grid, force::pm_options{.grid_1d = 16}, five_steps()};
  const auto fields = random_fields();
  sim.set_initial_conditions(fields);
  const auto p = sim.momenta();
  const auto& g = sim.growth();
  for (std::size_t i = 0; i < p.size(); i += 97) {
    for (int d = 0; d < 3; ++d) {
      CHECK(p[i][d] == doctest::Approx(g.t_d1(0.1) * fields.psi1[i][d] + g.t_d2(0.1) * fields.psi2[i][d]).epsilon(1e-12));
      CHECK(sim.residual_momenta()[i][d] == 0.0);
    }
  }
}

TEST_CASE("without force evaluations particles follow the frame exactly (frame semantics)") {
  sim_of<frame::lpt<2, double>> sim{cosmo, grid, force::pm_options{.grid_1d = 16},
                                    five_steps(stepper::force_schedule::never())};
  const auto fields = random_fields();
  sim.set_initial_conditions(fields);
  sim.run_until(0.6);
  CHECK(sim.force_evaluations() == 0);
  const auto& g = sim.growth();
  double worst = 0;
  for (std::size_t i = 0; i < grid.particle_count(); ++i) {
    const auto q = grid.lagrangian_position(i);
    for (int d = 0; d < 3; ++d) {
      double diff = sim.positions()[i][d] - (q[d] + g.d1(0.6) * fields.psi1[i][d] + g.d2(0.6) * fields.psi2[i][d]);
      diff -= grid.side_mpc_h * std::round(diff / grid.side_mpc_h);
      worst = std::max(worst, std::abs(diff));
    }
  }
  CHECK(worst < 1e-12);
}

TEST_CASE("observers: progress after every step, output with total momenta at the requested time") {
  sim_of<frame::lpt<2, double>> sim{cosmo, grid, force::pm_options{.grid_1d = 16},
                                    five_steps(stepper::force_schedule::every_nth(2))};
  sim.set_initial_conditions(random_fields());
  std::vector<step_report> reports;
  sim.set_progress_observer([&](const step_report& r) { reports.push_back(r); });
  double seen_a = 0;
  std::size_t seen_count = 0;
  sim.run_until(0.6, [&](const snapshot_view<double>& s) {
    seen_a = s.a;
    seen_count = s.momenta.size();
    const auto total = sim.momenta();
    CHECK(s.momenta[5][0] == total[5][0]);
    CHECK(s.momenta[5][0] != sim.residual_momenta()[5][0]);
  });
  CHECK(seen_a == doctest::Approx(0.6));
  CHECK(seen_count == grid.particle_count());
  REQUIRE(reports.size() == 5);
  CHECK(reports[0].step == 1);
  CHECK(reports[4].a == doctest::Approx(0.6));
  CHECK(reports[0].force_evaluated == false);  // kick point 1 of every_nth(2)
  CHECK(reports[1].force_evaluated == true);
  CHECK(sim.force_evaluations() == sim.stepper().force_evaluations());
  CHECK(sim.force_evaluations() == 4);  // points 0, 2, 4 and the last, 5
}

TEST_CASE("a run is bitwise identical at 1 and 2 threads") {
  auto final_positions = [](int threads) {
    const int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    sim_of<frame::lpt<2, double>> sim{cosmo, grid, force::pm_options{.grid_1d = 32}, five_steps()};
    sim.set_initial_conditions(random_fields(9));
    sim.run_until(0.6);
    omp_set_num_threads(saved);
    return std::vector<vec3<double>>(sim.positions().begin(), sim.positions().end());
  };
  const auto one = final_positions(1);
  const auto two = final_positions(2);
  CHECK(std::memcmp(one.data(), two.data(), one.size() * sizeof(vec3<double>)) == 0);
}

TEST_CASE("restarting from a saved state at an intermediate node reproduces the uninterrupted run") {
  using sim_t = simulation<frame::lpt<2, float>, force::particle_mesh<mesh::cic, float>,
                           stepper::kick_drift_kick<stepper::factors::cola>>;
  const auto grid_options = stepper::kdk_options{.grid = stepper::time_grid::linear(0.1, 1.0, 6)};
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  auto fields = [&] { return ic::lpt_displacements(grid, ic::linear_density_modes<float>(grid, power, {.seed = 4}), 2); };

  sim_t whole{cosmo, grid, force::pm_options{.grid_1d = 32}, grid_options};
  whole.set_initial_conditions(fields());
  std::vector<vec3<float>> saved_x, saved_p;
  const double a_mid = whole.stepper().grid().node(3);
  whole.run_until(a_mid, [&](const snapshot_view<float>& s) {
    saved_x.assign(s.positions.begin(), s.positions.end());
    saved_p.assign(s.momenta.begin(), s.momenta.end());
  });
  whole.run_until(1.0);

  sim_t resumed{cosmo, grid, force::pm_options{.grid_1d = 32}, grid_options};
  CHECK_THROWS_WITH_AS(resumed.set_state(fields(), saved_x, saved_p, 0.33), doctest::Contains("a = 0.33"), config_error);
  resumed.set_state(fields(), saved_x, saved_p, a_mid);
  CHECK(resumed.a() == a_mid);
  resumed.run_until(1.0);
  double worst = 0;
  for (std::size_t i = 0; i < grid.particle_count(); ++i)
    for (int d = 0; d < 3; ++d) {
      double diff = static_cast<double>(resumed.positions()[i][d]) - whole.positions()[i][d];
      diff -= grid.side_mpc_h * std::round(diff / grid.side_mpc_h);
      worst = std::max(worst, std::abs(diff));
    }
  // Float rounding of π = p − p_frame(a) at the restart is all that differs.
  CHECK(worst / grid.lagrangian_spacing() < 1e-4);
  CHECK(resumed.force_evaluations() == 4);  // kick points 3, 4, 5, 6
}

namespace {
/// stderr of `body`, captured through a temporary file.
template <class Body>
std::string captured_stderr(Body&& body) {
  std::fflush(stderr);
  std::FILE* tmp = std::tmpfile();
  const int saved = dup(fileno(stderr));
  dup2(fileno(tmp), fileno(stderr));
  body();
  std::fflush(stderr);
  dup2(saved, fileno(stderr));
  close(saved);
  std::rewind(tmp);
  std::string out;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, tmp) != nullptr) out += buffer;
  std::fclose(tmp);
  return out;
}
}  // namespace

TEST_CASE("skipping forces without an emulator prints its measured consequence once" * doctest::test_suite("unit.simulation")) {
  lagframe::detail::skipped_forces_warned.store(false);  // earlier cases may have printed it
  const std::string every = captured_stderr([] {
    sim_of<frame::lpt<2, double>> sim{cosmo, grid, force::pm_options{.grid_1d = 32}, five_steps()};
  });
  CHECK(every.empty());
  const std::string first = captured_stderr([] {
    sim_of<frame::lpt<2, double>> sim{cosmo, grid, force::pm_options{.grid_1d = 32},
                                      five_steps(stepper::force_schedule::every_nth(2))};
  });
  CHECK(first.find("skips 2 of 6 force evaluations in a frame without an emulator") != std::string::npos);
  CHECK(first.find("0.74 / 0.42 / 0.17") != std::string::npos);
  const std::string second = captured_stderr([] {
    sim_of<frame::lpt<2, double>> sim{cosmo, grid, force::pm_options{.grid_1d = 32},
                                      five_steps(stepper::force_schedule::every_nth(2))};
  });
  CHECK(second.empty());  // once per program
}

TEST_CASE("PM options that amplify the lattice's aliased images are refused in a simulation, with the fix" *
          doctest::test_suite("unit.simulation")) {
  using sim_t = sim_of<frame::lpt<2, double>>;
  const auto make = [&](force::pm_options o) { return sim_t{cosmo, grid, o, five_steps()}; };
  // Mesh twice the particle grid: spectral gradient, deconvolution, or both are refused.
  CHECK_THROWS_WITH_AS(make({.grid_1d = 32, .grad = force::gradient::spectral}),
                       doctest::Contains("finer than the 16^3 particle grid"), config_error);
  CHECK_THROWS_WITH_AS(make({.grid_1d = 32, .deconvolve = true}), doctest::Contains("deconvolve = true"), config_error);
  CHECK_THROWS_WITH_AS(make({.grid_1d = 32, .grad = force::gradient::spectral, .deconvolve = true}),
                       doctest::Contains("greens_function::optimal"), config_error);
  CHECK_THROWS_AS(make({.grid_1d = 32, .greens = force::greens_function::finite_difference, .grad = force::gradient::spectral}),
                  config_error);
  // Allowed: the defaults, the same options on a mesh equal to the particle grid, the optimal
  // influence function, and the force alone (force-accuracy studies).
  CHECK_NOTHROW(make({.grid_1d = 32}));
  CHECK_NOTHROW(make({.grid_1d = 32, .interlace = true}));
  CHECK_NOTHROW(make({.grid_1d = 16, .grad = force::gradient::spectral, .deconvolve = true}));
  CHECK_NOTHROW(make({.grid_1d = 32, .greens = force::greens_function::optimal, .grad = force::gradient::spectral}));
  CHECK_NOTHROW(force::particle_mesh<mesh::cic, double>(grid, {.grid_1d = 32, .grad = force::gradient::spectral, .deconvolve = true}));
}
