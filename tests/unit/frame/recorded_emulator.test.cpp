// SPDX-License-Identifier: BSD-3-Clause
// The perfect emulator (frame/emulators/recorded.hpp) fed by frame::recording
// (frame/recording.hpp): replaying a reference tCOLA run's residual momenta in the COCA frame
// reproduces the reference without (or with a few) force evaluations; the data round-trip
// through a file; a mismatched run is refused naming the mismatch.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "lagframe/frame/emulated.hpp"
#include "lagframe/frame/emulators/recorded.hpp"
#include "lagframe/frame/recording.hpp"
#include "lagframe/lagframe.hpp"
#include "support/periodic_difference.hpp"

using namespace lagframe;
namespace emu = lagframe::frame::emulators;

namespace {
const cosmology::parameters cosmo{};
const box grid{.side_mpc_h = 64.0, .particles_1d = 32};
constexpr std::size_t mesh_1d = 64;
const double cell = grid.side_mpc_h / static_cast<double>(mesh_1d);

ic::lpt_fields<double> fields_of(std::uint64_t seed) {
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  return ic::lpt_displacements(grid, ic::linear_density_modes<double>(grid, power, {.seed = seed}), 2);
}

using pm = force::particle_mesh<mesh::cic, double>;
using kdk = stepper::kick_drift_kick<stepper::factors::cola>;
template <class Frame>
using sim_of = simulation<Frame, pm, kdk>;

stepper::kdk_options ten_steps(stepper::force_schedule schedule, double a_end = 1.0) {
  return {.grid = stepper::time_grid::linear(0.1, a_end, 10), .schedule = std::move(schedule)};
}

// The emulator reaches the frame through simulation::set_frame_options (Frame::options_type is
// emulated_options, which an emulator converts to); a frame whose emulator has no default
// constructor refuses to start without it. A recording made on the replay's own time grid is
// replayed exactly with the ML frame integrated by the particles' operators (as_particles).
using coca_frame = frame::emulated<frame::lpt<2, double>, emu::recorded<double>>;
frame::emulated_options<emu::recorded<double>> exact_replay(std::shared_ptr<const emu::recorded_data<double>> data) {
  return {emu::recorded<double>(std::move(data)), frame::ml_integration::as_particles};
}

struct reference_run {
  std::vector<vec3<double>> x, p;
  std::shared_ptr<const emu::recorded_data<double>> data;
};
reference_run run_reference(stepper::force_schedule schedule) {
  sim_of<frame::recording<frame::lpt<2, double>>> sim{cosmo, grid, force::pm_options{.grid_1d = mesh_1d},
                                                     ten_steps(std::move(schedule))};
  sim.set_initial_conditions(fields_of(3));
  sim.run_until(1.0);
  return {{sim.positions().begin(), sim.positions().end()}, sim.momenta(), sim.frame().recorded()};
}

double periodic_max_difference(std::span<const vec3<double>> a, std::span<const vec3<double>> b) {
  return test::periodic_max_difference(a, b, grid.side_mpc_h);
}
double periodic_rms_difference(std::span<const vec3<double>> a, std::span<const vec3<double>> b) {
  return test::periodic_rms_difference(a, b, grid.side_mpc_h);
}
double max_difference(std::span<const vec3<double>> a, std::span<const vec3<double>> b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (int d = 0; d < 3; ++d) worst = std::max(worst, std::abs(a[i][d] - b[i][d]));
  return worst;
}
}  // namespace

static_assert(frame::frame_emulator<emu::recorded<float>>);
static_assert(frame::frame_policy<frame::recording<frame::lpt<2, float>>>);
static_assert(frame::frame_policy<coca_frame>);

TEST_CASE("replaying a reference run's residual momenta reproduces it with 0 or a few force evaluations") {
  const auto ref = run_reference(stepper::force_schedule::every_step());
  // π at a_0, at the 10 midpoints and at the 10 nodes.
  REQUIRE(ref.data->times().size() == 21);
  CHECK(ref.data->times().front() == 0.1);
  CHECK(ref.data->base_frame() == "lpt<2>");

  // Without a reference: tCOLA with no force evaluation is far from it (the test can fail).
  sim_of<frame::lpt<2, double>> lpt_only{cosmo, grid, force::pm_options{.grid_1d = mesh_1d},
                                         ten_steps(stepper::force_schedule::never())};
  lpt_only.set_initial_conditions(fields_of(3));
  lpt_only.run_until(1.0);
  const double lpt_error = periodic_max_difference(lpt_only.positions(), ref.x) / cell;
  INFO("2LPT alone vs reference: " << lpt_error << " cells");
  CHECK(lpt_error > 0.1);

  for (const auto& schedule : {stepper::force_schedule::never(), stepper::force_schedule::at_points({0, 4, 10}),
                               stepper::force_schedule::every_nth(3)}) {
    sim_of<coca_frame> coca{cosmo, grid, force::pm_options{.grid_1d = mesh_1d}, ten_steps(schedule)};
    coca.set_frame_options(exact_replay(ref.data));
    coca.set_initial_conditions(fields_of(3));
    coca.run_until(1.0);
    const double dx = periodic_max_difference(coca.positions(), ref.x) / cell;
    const double dp = max_difference(coca.momenta(), ref.p);
    const double residual = max_difference(coca.residual_momenta(), std::vector<vec3<double>>(grid.particle_count()));
    INFO("force evaluations " << coca.force_evaluations() << ": |dx| = " << dx << " cells, |dp| = " << dp
                              << ", |pi| = " << residual);
    CHECK(dx < 1e-3);
    CHECK(dp < 1e-6);
    CHECK(residual < 1e-6);  // the perfect frame leaves nothing to the residual
  }
}

TEST_CASE("a reference run with skipped forces replays exactly at the skipped nodes too") {
  const auto ref = run_reference(stepper::force_schedule::every_nth(2));
  // π at a_0, 10 midpoints and the 6 nodes 0, 2, …, 10 whose kicks ran (node 0 shared with a_0).
  CHECK(ref.data->times().size() == 1 + 10 + 5);
  sim_of<coca_frame> coca{cosmo, grid, force::pm_options{.grid_1d = mesh_1d},
                          ten_steps(stepper::force_schedule::never())};
  CHECK_THROWS_WITH_AS(coca.set_initial_conditions(fields_of(3)), doctest::Contains("set_frame_options"), config_error);
  coca.set_frame_options(exact_replay(ref.data));
  coca.set_initial_conditions(fields_of(3));
  coca.run_until(1.0);
  CHECK(periodic_max_difference(coca.positions(), ref.x) / cell < 1e-3);
  CHECK(max_difference(coca.momenta(), ref.p) < 1e-6);
}

/// The recorded emulator without its knots (the frame then falls back to the three-point drift
/// rule and the plain central difference).
struct recorded_without_knots {
  using real_type = double;
  static constexpr std::string_view name = "recorded_without_knots";
  emu::recorded<double> inner;
  void momenta(std::span<vec3<double>> out, double a) const { inner.momenta(out, a); }
  void validate(const box& g, double a0, double a1) const { inner.validate(g, a0, a1); }
  [[nodiscard]] std::array<double, 2> time_range() const { return inner.time_range(); }
};

TEST_CASE("as_lpt: a fine recording replayed on a coarse grid with every force stays on the reference") {
  // The forces of a frame that is right must cancel against its acceleration. With the
  // recording's knots, as_lpt integrates the frame's displacement exactly, and with a small
  // rate_step its acceleration is the interpolant's slope: 10 steps with every force
  // evaluated then stay on the 80-step reference (measured rms 0.0027 cells, max 0.06). The
  // rate over ±(kick length) (rate_step 1) leaves an error that the forces amplify in the
  // densest regions (rms 0.033, max 0.9); without the knots (three-point drift rule) rms 0.0034.
  sim_of<frame::recording<frame::lpt<2, double>>> fine{cosmo, grid, force::pm_options{.grid_1d = mesh_1d},
                                                      stepper::kdk_options{.grid = stepper::time_grid::linear(0.1, 1.0, 80)}};
  fine.set_initial_conditions(fields_of(3));
  fine.run_until(1.0);
  const std::vector<vec3<double>> ref(fine.positions().begin(), fine.positions().end());
  const auto data = fine.frame().recorded();
  REQUIRE(data->times().size() == 161);

  const auto replay = [&](stepper::force_schedule schedule, double step) {
    sim_of<coca_frame> coca{cosmo, grid, force::pm_options{.grid_1d = mesh_1d}, ten_steps(std::move(schedule))};
    coca.set_frame_options(frame::emulated_options<emu::recorded<double>>(emu::recorded<double>(data),
                                                                         frame::ml_integration::as_lpt, step));
    coca.set_initial_conditions(fields_of(3));
    coca.run_until(1.0);
    return std::array<double, 2>{periodic_max_difference(coca.positions(), ref) / cell,
                                 periodic_rms_difference(coca.positions(), ref) / cell};
  };
  const auto no_force = replay(stepper::force_schedule::never(), 1.0);
  const auto every = replay(stepper::force_schedule::every_step(), 0.01);
  const auto interior = replay(stepper::force_schedule::interior(), 0.01);
  const auto coarse_rate = replay(stepper::force_schedule::every_step(), 1.0);
  sim_of<frame::emulated<frame::lpt<2, double>, recorded_without_knots>> plain{
      cosmo, grid, force::pm_options{.grid_1d = mesh_1d}, ten_steps(stepper::force_schedule::every_step())};
  plain.set_frame_options(frame::emulated_options<recorded_without_knots>(
      recorded_without_knots{emu::recorded<double>(data)}, frame::ml_integration::as_lpt, 0.01));
  plain.set_initial_conditions(fields_of(3));
  plain.run_until(1.0);
  const std::array<double, 2> without_knots{periodic_max_difference(plain.positions(), ref) / cell,
                                            periodic_rms_difference(plain.positions(), ref) / cell};
  const auto show = [](const std::array<double, 2>& e) { return std::to_string(e[0]) + " / " + std::to_string(e[1]); };
  INFO("max / rms |dx| in cells: no force " << show(no_force) << ", every force " << show(every) << ", interior "
                                            << show(interior) << ", every force with rate_step 1 " << show(coarse_rate)
                                            << ", every force without knots " << show(without_knots));
  CHECK(no_force[0] < 5e-3);  // the KDK drift of the fine run against the exact integral of its momenta
  CHECK(every[0] < 0.2);
  CHECK(interior[0] < 0.05);
  CHECK(coarse_rate[1] > 5 * every[1]);       // measured 12x
  CHECK(without_knots[1] > 1.1 * every[1]);    // measured 1.27x here; far more in a 64³, z = 49 run
}

TEST_CASE("recorded data: file round trip, interpolation, mismatches named") {
  const auto ref = run_reference(stepper::force_schedule::every_step());
  const auto path = std::filesystem::temp_directory_path() / "lagframe_recorded_emulator_test.bin";
  ref.data->save(path);
  const auto loaded = emu::recorded_data<double>::load(path);
  REQUIRE(loaded.times().size() == ref.data->times().size());
  CHECK(loaded.grid().particles_1d == 32);
  CHECK(loaded.grid().side_mpc_h == 64.0);
  CHECK(loaded.base_frame() == "lpt<2>");
  for (std::size_t t = 0; t < loaded.times().size(); ++t) {
    CHECK(loaded.times()[t] == ref.data->times()[t]);
    CHECK(max_difference(loaded.at(t), ref.data->at(t)) == 0.0);
  }
  const auto as_float = emu::recorded_data<float>::load(path);
  CHECK(as_float.at(20)[77][1] == static_cast<float>(ref.data->at(20)[77][1]));

  // Linear in a between stored times, exact at stored times, refused outside.
  const emu::recorded<double> e(std::make_shared<const emu::recorded_data<double>>(loaded));
  std::vector<vec3<double>> out(grid.particle_count());
  const double t3 = loaded.times()[3], t4 = loaded.times()[4];
  e.momenta(out, 0.25 * t3 + 0.75 * t4);
  CHECK(out[5][2] == doctest::Approx(0.25 * loaded.at(3)[5][2] + 0.75 * loaded.at(4)[5][2]).epsilon(1e-12));
  e.momenta(out, t4);
  CHECK(out[5][2] == loaded.at(4)[5][2]);
  CHECK_THROWS_WITH_AS(e.momenta(out, 1.05), doctest::Contains("outside its time range"), config_error);

  // validate names the mismatch.
  CHECK_NOTHROW(e.validate(grid, 0.1, 1.0));
  CHECK_THROWS_WITH_AS(e.validate(box{.side_mpc_h = 64.0, .particles_1d = 16}, 0.1, 1.0),
                       doctest::Contains("particles_1d = 32 does not match the run's particles_1d = 16"), config_error);
  CHECK_THROWS_WITH_AS(e.validate(box{.side_mpc_h = 100.0, .particles_1d = 32}, 0.1, 1.0),
                       doctest::Contains("box side"), config_error);
  CHECK_THROWS_WITH_AS(e.validate(grid, 0.05, 1.0), doctest::Contains("time range"), config_error);
  CHECK_THROWS_WITH_AS(e.validate(grid, 0.1, 1.2), doctest::Contains("time range"), config_error);

  // In a simulation: a run past the recorded range is refused when it is set up (the simulation
  // asks the frame to validate the run's time range); another grid is refused.
  const auto loaded_data = std::make_shared<const emu::recorded_data<double>>(loaded);
  sim_of<coca_frame> longer{cosmo, grid, force::pm_options{.grid_1d = mesh_1d},
                            ten_steps(stepper::force_schedule::never(), 1.2)};
  longer.set_frame_options(emu::recorded<double>(loaded_data));
  CHECK_THROWS_WITH_AS(longer.set_initial_conditions(fields_of(3)), doctest::Contains("time range"), config_error);

  const box small{.side_mpc_h = 64.0, .particles_1d = 16};
  simulation<coca_frame, pm, kdk> other{cosmo, small, force::pm_options{.grid_1d = 32},
                                        ten_steps(stepper::force_schedule::never())};
  other.set_frame_options(emu::recorded<double>(loaded_data));
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  CHECK_THROWS_WITH_AS(
      other.set_initial_conditions(ic::lpt_displacements(small, ic::linear_density_modes<double>(small, power, {}), 2)),
      doctest::Contains("particles_1d"), config_error);

  // Recorded relative to lpt<2>: refused by a COCA frame on lpt<1>.
  using wrong_base = frame::emulated<frame::lpt<1, double>, emu::recorded<double>>;
  const cosmology::growth g(cosmo);
  CHECK_THROWS_WITH_AS(wrong_base(g, fields_of(3), emu::recorded<double>(loaded_data)), doctest::Contains("lpt<2>"),
                       config_error);

  // Damaged files: io_error naming the path.
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 8);
  CHECK_THROWS_WITH_AS((void)emu::recorded_data<double>::load(path), doctest::Contains("truncated"), io_error);
  {
    std::ofstream bad(path, std::ios::binary);
    bad << "NOTMAGIC and some bytes";
  }
  CHECK_THROWS_WITH_AS((void)emu::recorded_data<double>::load(path), doctest::Contains("bad magic"), io_error);
  std::filesystem::remove(path);
  CHECK_THROWS_WITH_AS((void)emu::recorded_data<double>::load(path), doctest::Contains(path.string().c_str()), io_error);
}

TEST_CASE("float: a run recorded to a file and replayed from it stays within 1e-3 cell") {
  using sim_f = simulation<frame::recording<frame::lpt<2, float>>, force::particle_mesh<mesh::cic, float>, kdk>;
  using coca_f =
      simulation<frame::emulated<frame::lpt<2, float>, emu::recorded<float>>, force::particle_mesh<mesh::cic, float>, kdk>;
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  const auto fields = [&] { return ic::lpt_displacements(grid, ic::linear_density_modes<float>(grid, power, {.seed = 5}), 2); };
  sim_f ref{cosmo, grid, force::pm_options{.grid_1d = mesh_1d}, ten_steps(stepper::force_schedule::every_step())};
  ref.set_initial_conditions(fields());
  ref.run_until(1.0);
  const auto path = std::filesystem::temp_directory_path() / "lagframe_recorded_emulator_float.bin";
  ref.frame().recorded()->save(path);
  const auto replayed = std::make_shared<const emu::recorded_data<float>>(emu::recorded_data<float>::load(path));
  std::filesystem::remove(path);
  for (const auto& schedule : {stepper::force_schedule::never(), stepper::force_schedule::at_points({0, 5, 10})}) {
    coca_f coca{cosmo, grid, force::pm_options{.grid_1d = mesh_1d}, ten_steps(schedule)};
    coca.set_frame_options({emu::recorded<float>(replayed), frame::ml_integration::as_particles});
    coca.set_initial_conditions(fields());
    coca.run_until(1.0);
    const double worst = test::periodic_max_difference(coca.positions(), ref.positions(), grid.side_mpc_h);
    INFO("float replay with " << coca.force_evaluations() << " force evaluations: " << worst / cell << " cells");
    CHECK(worst / cell < 1e-3);
  }
}

TEST_CASE("as_lpt: a 100-step reference recorded at a 10-step grid's times replays it without forces") {
  // The training data of a real emulator: a many-step reference (close to the true trajectory)
  // kept only at the nodes and midpoints of the coarse grid (recording_options::for_grid).
  const auto coarse = stepper::time_grid::linear(0.1, 1.0, 10);
  sim_of<frame::recording<frame::lpt<2, double>>> fine{cosmo, grid, force::pm_options{.grid_1d = mesh_1d},
                                                      stepper::kdk_options{.grid = stepper::time_grid::linear(0.1, 1.0, 100)}};
  fine.set_frame_options(frame::recording_options::for_grid(coarse));
  fine.set_initial_conditions(fields_of(3));
  fine.run_until(1.0);
  const auto data = fine.frame().recorded();
  REQUIRE(data->times().size() == 21);  // 11 nodes and 10 midpoints, all of them nodes of the fine grid

  std::array<double, 2> error{};
  for (const auto integration : {frame::ml_integration::as_lpt, frame::ml_integration::as_particles}) {
    sim_of<coca_frame> coca{cosmo, grid, force::pm_options{.grid_1d = mesh_1d},
                            ten_steps(stepper::force_schedule::never())};
    coca.set_frame_options({emu::recorded<double>(data), integration});
    coca.set_initial_conditions(fields_of(3));
    coca.run_until(1.0);
    error[integration == frame::ml_integration::as_lpt ? 0 : 1] =
        periodic_max_difference(coca.positions(), fine.positions()) / cell;
  }
  MESSAGE("largest position error without forces, cells: as_lpt " << error[0] << ", as_particles " << error[1]);
  // The frame's own quadrature (product integration through nodes and midpoints) follows the
  // fine run; the particles' drift operator (one momentum per step) does not.
  CHECK(error[0] < 0.05);
  CHECK(error[0] < 0.2 * error[1]);
}

TEST_CASE("recording_options: a grid's nodes and midpoints, matched to 1e-12") {
  const auto lin = frame::recording_options::for_grid(stepper::time_grid::linear(0.1, 1.0, 3));
  REQUIRE(lin.times.size() == 7);
  CHECK(lin.times[1] == doctest::Approx(0.25));
  CHECK(lin.times[6] == 1.0);
  const auto log_grid = stepper::time_grid::logarithmic(0.1, 1.0, 2);
  const auto lg = frame::recording_options::for_grid(log_grid);
  CHECK(lg.times[1] == doctest::Approx(std::sqrt(0.1 * std::sqrt(0.1))));  // geometric midpoint
  CHECK(lg.keeps(lg.times[1] * (1 + 1e-13)));
  CHECK_FALSE(lg.keeps(lg.times[1] * (1 + 1e-9)));
  CHECK(frame::recording_options{}.keeps(0.123));  // no list: every time is kept
}
