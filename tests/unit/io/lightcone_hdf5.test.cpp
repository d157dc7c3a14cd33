// SPDX-License-Identifier: BSD-3-Clause
// io/lightcone_hdf5.hpp: shell files round trip (ids, replicas, times, positions, velocities in
// km/s, maps, attributes), no temporary left behind, missing files named; a run stopped half-way
// (snapshot + partial shells) and restarted gives the same shell files as the run without a
// stop; a partial shell saved at another time than the restart is refused.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <vector>

#include "lagframe/io/lightcone_hdf5.hpp"
#include "lagframe/lagframe.hpp"
#include "support/lightcone_run.hpp"
#include "support/scratch_dir.hpp"

using namespace lagframe;
using lagframe::test::scratch_dir;

TEST_CASE("lightcone shell files: round trip and atomic writes" * doctest::test_suite("unit.io")) {
  scratch_dir dir("lc_rt");
  lightcone::shell s;
  s.index = 4;
  s.chi_min = 100.0;
  s.chi_max = 150.5;
  s.healpix_counts = {1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 3};
  for (std::uint64_t i = 0; i < 6; ++i) {
    lightcone::crossing c;
    c.id = 1000 + i;
    c.replica = {static_cast<std::int32_t>(i) - 2, 1, -1};
    c.a = 0.95 + 0.001 * static_cast<double>(i);
    c.position = {120.25 + static_cast<double>(i), -30.5, 7.0};
    c.momentum = {3.0, -2.0 * static_cast<double>(i), 0.5};
    s.particles.push_back(c);
  }
  const io::lightcone_file_info info{.observer = {1.0, 2.0, 3.0}, .box_size = 250.0, .nside = 1, .cosmology = {},
                                     .particles_1d = 12, .shape = lightcone::footprint::cone, .axis = {0.0, 1.0, 0.0},
                                     .opening_deg = 30.0, .particle_fraction = 0.5};
  const auto path = io::lightcone_shell_path(dir.path, "lightcone", 4);
  CHECK(path.filename() == "lightcone_004.hdf5");
  io::write_lightcone_shell(path, s, info);
  CHECK(dir.entries() == std::vector<std::string>{"lightcone_004.hdf5"});
  const auto back = io::read_lightcone_shell(path);
  CHECK(back.complete);
  CHECK(back.shell.index == 4);
  CHECK(back.shell.chi_min == 100.0);
  CHECK(back.shell.chi_max == 150.5);
  CHECK(back.shell.healpix_counts == s.healpix_counts);
  CHECK(back.info.box_size == 250.0);
  CHECK(back.info.nside == 1);
  CHECK(back.info.observer[2] == 3.0);
  CHECK(back.info.cosmology.omega_m == cosmology::parameters{}.omega_m);
  CHECK(back.info.particles_1d == 12);
  CHECK(back.info.shape == lightcone::footprint::cone);
  CHECK(back.info.axis[1] == 1.0);
  CHECK(back.info.opening_deg == 30.0);
  CHECK(back.info.particle_fraction == 0.5);
  // A rectangle's ranges come back too.
  auto rect = info;
  rect.shape = lightcone::footprint::rectangle;
  rect.ra_deg = {10.0, 55.5};
  rect.dec_deg = {-20.0, 12.5};
  const auto rect_path = io::lightcone_shell_path(dir.path, "rect", 0);
  io::write_lightcone_shell(rect_path, s, rect);
  const auto rect_back = io::read_lightcone_shell(rect_path);
  CHECK(rect_back.info.shape == lightcone::footprint::rectangle);
  CHECK(rect_back.info.ra_deg == rect.ra_deg);
  CHECK(rect_back.info.dec_deg == rect.dec_deg);
  std::filesystem::remove(rect_path);
  REQUIRE(back.shell.particles.size() == 6);
  for (std::size_t i = 0; i < 6; ++i) {
    const auto &x = s.particles[i], &y = back.shell.particles[i];
    CHECK(y.id == x.id);
    CHECK(y.replica == x.replica);
    CHECK(y.a == x.a);
    for (int d = 0; d < 3; ++d) {
      CHECK(y.position[d] == doctest::Approx(x.position[d]).epsilon(1e-7));  // float32 on disk
      CHECK(y.momentum[d] == doctest::Approx(x.momentum[d]).epsilon(1e-6).scale(1.0));
    }
  }
  CHECK_THROWS_WITH_AS(io::read_lightcone_shell(dir / "lightcone_005.hdf5"), doctest::Contains("lightcone_005.hdf5"),
                       io_error);
  CHECK_THROWS_AS(io::write_lightcone_shell(dir / "nowhere" / "x.hdf5", s, info), io_error);
  CHECK(dir.entries() == std::vector<std::string>{"lightcone_004.hdf5"});  // no temporary left
}

namespace {
using namespace lagframe::test::lightcone_run;
sim_t make_sim() { return lagframe::test::lightcone_run::make_sim(16); }
void write_to(lightcone::lightcone& cone, const std::filesystem::path& dir) {
  cone.set_shell_callback([dir](lightcone::shell&& s) {
    io::write_lightcone_shell(io::lightcone_shell_path(dir, "lc", s.index), s, info());
  });
}
}  // namespace

TEST_CASE("lightcone restart: stopped at a snapshot, resumed, the same shells" * doctest::test_suite("unit.io")) {
  scratch_dir whole("lc_whole"), parts("lc_parts");
  // Without a stop.
  {
    auto sim = make_sim();
    sim.set_initial_conditions(fields());
    lightcone::lightcone cone(cosmo, grid, cone_options());
    write_to(cone, whole.path);
    sim.set_drift_observer([&](const drift_view<double>& v) { cone(v); });
    sim.run_until(1.0);
    cone.finish();
  }
  // Stopped at a = 0.95 (the front, at 150 Mpc/h, is then inside shell 2), saved, restarted.
  const double a_stop = 0.95;
  std::vector<vec3<double>> x, p;
  {
    auto sim = make_sim();
    sim.set_initial_conditions(fields());
    lightcone::lightcone cone(cosmo, grid, cone_options());
    write_to(cone, parts.path);
    sim.set_drift_observer([&](const drift_view<double>& v) { cone(v); });
    sim.run_until(a_stop, [&](const snapshot_view<double>& s) {
      x.assign(s.positions.begin(), s.positions.end());
      p.assign(s.momenta.begin(), s.momenta.end());
    });
    REQUIRE(cone.a_front() == doctest::Approx(a_stop));
    REQUIRE_FALSE(cone.pending().empty());
    io::save_lightcone_pending(cone, parts.path, "lc", info());
  }
  {
    // A partial shell from another time is refused with the time it was saved at.
    lightcone::lightcone other(cosmo, grid, cone_options());
    CHECK_THROWS_WITH_AS(io::resume_lightcone(other, parts.path, "lc", 0.75), doctest::Contains("a_front"), config_error);
  }
  {
    auto sim = make_sim();
    sim.set_state(fields(), x, p, a_stop);
    lightcone::lightcone cone(cosmo, grid, cone_options());
    const std::size_t complete = io::resume_lightcone(cone, parts.path, "lc", a_stop);
    CHECK(complete >= 1);
    write_to(cone, parts.path);
    sim.set_drift_observer([&](const drift_view<double>& v) { cone(v); });
    sim.run_until(1.0);
    cone.finish();
  }
  const std::size_t total = check_same_shells(whole.path, parts.path);
  CHECK(total > 10000);
}
