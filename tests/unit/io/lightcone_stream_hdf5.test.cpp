// SPDX-License-Identifier: BSD-3-Clause
// io/lightcone_stream.hpp: shells streamed drift by drift hold the same crossings and maps as
// shells written whole, while the lightcone keeps none of them in memory; a run saved at a
// snapshot, carried on past it and killed, then restarted from the snapshot, gives exactly the
// shells of the run without a stop (same crossings in the same order), in its own folder and in
// another; check_resume refuses a restart from another time and changes no file; records of a
// shell entered after the last snapshot are dropped; partial shell files of
// save_lightcone_pending are continued; 1 and 3 threads write the same shells.
#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "lagframe/io/lightcone_stream.hpp"
#include "lagframe/lagframe.hpp"
#include "support/lightcone_run.hpp"
#include "support/scratch_dir.hpp"

using namespace lagframe;
using lagframe::test::scratch_dir;

namespace {

using namespace lagframe::test::lightcone_run;
sim_t make_sim() { return lagframe::test::lightcone_run::make_sim(160); }  // Δa = 0.005: several drifts per shell

/// A lightcone streamed into `dir` through `stream`.
struct streamed {
  lightcone::lightcone cone{cosmo, grid, cone_options()};
  io::lightcone_stream stream;
  std::size_t largest_drift = 0;  ///< most crossings handed over by one drift
  explicit streamed(const std::filesystem::path& dir) : stream(cone, dir, "lc", info()) {
    cone.set_stream_callback([this](std::size_t s, std::vector<lightcone::crossing>&& c) {
      largest_drift = std::max(largest_drift, c.size());
      stream.append(s, c);
    });
    cone.set_shell_callback([this](lightcone::shell&& s) {
      CHECK(s.particles.empty());  // the crossings are on disk
      stream.complete(s);
    });
  }
};

/// A lightcone whose complete shells are written whole into `dir` (no streaming).
lightcone::lightcone written_whole(const std::filesystem::path& dir) {
  lightcone::lightcone cone(cosmo, grid, cone_options());
  cone.set_shell_callback([dir](lightcone::shell&& s) {
    io::write_lightcone_shell(io::lightcone_shell_path(dir, "lc", s.index), s, info());
  });
  return cone;
}

/// The whole run, its lightcone streamed into `dir`.
void run_streamed(const std::filesystem::path& dir) {
  auto sim = make_sim();
  sim.set_initial_conditions(fields());
  streamed lc(dir);
  sim.set_drift_observer([&](const drift_view<double>& v) { lc.cone(v); });
  sim.run_until(1.0);
  lc.cone.finish();
}

std::vector<std::string> sorted_entries(const scratch_dir& d) {
  auto e = d.entries();
  std::sort(e.begin(), e.end());
  return e;
}

std::size_t bytes_of(const std::filesystem::path& p) { return static_cast<std::size_t>(std::filesystem::file_size(p)); }

/// Every file of a folder with its size.
std::map<std::string, std::uintmax_t> listing(const std::filesystem::path& dir) {
  std::map<std::string, std::uintmax_t> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out[e.path().filename().string()] = e.file_size();
  return out;
}

}  // namespace

TEST_CASE("streamed shells equal shells written whole, and the lightcone keeps no crossings" *
          doctest::test_suite("unit.io")) {
  scratch_dir whole("lcs_whole"), stream_dir("lcs_stream");
  {
    auto sim = make_sim();
    sim.set_initial_conditions(fields());
    auto cone = written_whole(whole.path);
    sim.set_drift_observer([&](const drift_view<double>& v) { cone(v); });
    sim.run_until(1.0);
    cone.finish();
  }
  std::size_t largest = 0;
  {
    auto sim = make_sim();
    sim.set_initial_conditions(fields());
    streamed lc(stream_dir.path);
    sim.set_drift_observer([&](const drift_view<double>& v) { lc.cone(v); });
    sim.run_until(0.95);
    // Half-way: the open shell's crossings are on disk, not in the lightcone.
    const auto pending = lc.cone.pending();
    REQUIRE_FALSE(pending.empty());
    for (const auto& s : pending) CHECK(s.particles.empty());
    CHECK(bytes_of(io::lightcone_stream_path(stream_dir.path, "lc", pending.front().index, ".crossings.bin")) > 0);
    sim.run_until(1.0);
    lc.cone.finish();
    largest = lc.largest_drift;
  }
  std::size_t total = 0;
  for (std::size_t s = 0; s < 4; ++s) {
    CAPTURE(s);
    const auto a = io::read_lightcone_shell(io::lightcone_shell_path(whole.path, "lc", s));
    const auto b = io::read_lightcone_shell(io::lightcone_shell_path(stream_dir.path, "lc", s));
    CHECK(b.complete);
    CHECK(a.shell.healpix_counts == b.shell.healpix_counts);
    REQUIRE(a.shell.particles.size() == b.shell.particles.size());
    // The same crossings; the streamed file has them drift by drift (each drift sorted).
    auto sorted = b.shell.particles;
    lightcone::sort_crossings(sorted);
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      CHECK(sorted[i].id == a.shell.particles[i].id);
      CHECK(sorted[i].replica == a.shell.particles[i].replica);
      CHECK(sorted[i].a == a.shell.particles[i].a);
      CHECK(sorted[i].position[0] == a.shell.particles[i].position[0]);
      CHECK(sorted[i].momentum[2] == a.shell.particles[i].momentum[2]);
    }
    total += a.shell.particles.size();
  }
  MESSAGE("crossings ", total, ", the most in one drift ", largest);
  CHECK(total > 10000);
  CHECK(largest < total / 4);  // memory holds one drift's crossings, not the shells'
  // Only the shell files are left.
  CHECK(sorted_entries(stream_dir) == std::vector<std::string>{"lc_000.hdf5", "lc_001.hdf5", "lc_002.hdf5", "lc_003.hdf5"});
}

TEST_CASE("streamed lightcone: killed after a snapshot, restarted from it, the same shells" *
          doctest::test_suite("unit.io")) {
  scratch_dir reference("lcs_ref"), killed("lcs_killed"), elsewhere("lcs_elsewhere");
  run_streamed(reference.path);
  // Saved at a = 0.96 (the snapshot; the front is in shell 1 at 128 Mpc/h), carried on to 0.965
  // (shell 1 still open), then "killed": the stream is dropped without completing anything.
  const double a_stop = 0.96;
  std::vector<vec3<double>> x, p;
  std::size_t saved_rows = 0;
  {
    auto sim = make_sim();
    sim.set_initial_conditions(fields());
    auto lc = std::make_unique<streamed>(killed.path);
    sim.set_drift_observer([&](const drift_view<double>& v) { lc->cone(v); });
    sim.run_until(a_stop, [&](const snapshot_view<double>& s) {
      x.assign(s.positions.begin(), s.positions.end());
      p.assign(s.momenta.begin(), s.momenta.end());
    });
    lc->stream.save_point(lc->cone);
    const auto pending = lc->cone.pending();
    REQUIRE_FALSE(pending.empty());
    REQUIRE(pending.front().index == 1);
    const auto records = io::lightcone_stream_path(killed.path, "lc", 1, ".crossings.bin");
    saved_rows = bytes_of(records) / 52;
    sim.run_until(0.965);
    lc.reset();
    CHECK(bytes_of(records) > saved_rows * 52);  // crossings after the snapshot are on disk too
  }
  // A restart from another time is refused, and checking changes nothing.
  {
    const auto before = listing(killed.path);
    lightcone::lightcone scratch(cosmo, grid, cone_options());
    CHECK_THROWS_WITH_AS(io::lightcone_stream::check_resume(scratch, killed.path, "lc", 0.93),
                         doctest::Contains("a_front"), config_error);
    lightcone::lightcone scratch2(cosmo, grid, cone_options());
    CHECK(io::lightcone_stream::check_resume(scratch2, killed.path, "lc", a_stop) >= 1);
    CHECK(listing(killed.path) == before);
  }
  // The restart into another folder first (the killed folder stays as it is), then in place.
  for (const auto* dir : {&elsewhere.path, &killed.path}) {
    auto sim = make_sim();
    sim.set_state(fields(), x, p, a_stop);
    streamed lc(*dir);
    CHECK(lc.stream.resume(lc.cone, killed.path, a_stop) >= 1);
    sim.set_drift_observer([&](const drift_view<double>& v) { lc.cone(v); });
    sim.run_until(1.0);
    lc.cone.finish();
  }
  // Complete shells of the killed run are not written again in another folder.
  for (std::size_t s = 0; s < 4; ++s)
    if (!std::filesystem::exists(io::lightcone_shell_path(elsewhere.path, "lc", s)))
      std::filesystem::copy(io::lightcone_shell_path(killed.path, "lc", s), io::lightcone_shell_path(elsewhere.path, "lc", s));
  check_same_shells(reference.path, killed.path);
  check_same_shells(reference.path, elsewhere.path);
  CHECK(sorted_entries(killed) == std::vector<std::string>{"lc_000.hdf5", "lc_001.hdf5", "lc_002.hdf5", "lc_003.hdf5"});
}

TEST_CASE("streamed lightcone: records after the last snapshot are dropped; old partial files continue" *
          doctest::test_suite("unit.io")) {
  scratch_dir reference("lcs_ref2"), run("lcs_old");
  run_streamed(reference.path);
  // Partial shell files written whole (save_lightcone_pending) at a = 0.95, and the records of a
  // shell entered later, without a pending file.
  const double a_stop = 0.95;
  std::vector<vec3<double>> x, p;
  {
    auto sim = make_sim();
    sim.set_initial_conditions(fields());
    auto cone = written_whole(run.path);
    sim.set_drift_observer([&](const drift_view<double>& v) { cone(v); });
    sim.run_until(a_stop, [&](const snapshot_view<double>& s) {
      x.assign(s.positions.begin(), s.positions.end());
      p.assign(s.momenta.begin(), s.momenta.end());
    });
    io::save_lightcone_pending(cone, run.path, "lc", info());
  }
  const auto stray = io::lightcone_stream_path(run.path, "lc", 0, ".crossings.bin");
  {
    std::FILE* f = std::fopen(stray.c_str(), "wb");
    const std::vector<unsigned char> junk(52 * 3, 7);
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  {
    auto sim = make_sim();
    sim.set_state(fields(), x, p, a_stop);
    streamed lc(run.path);
    CHECK(lc.stream.resume(lc.cone, run.path, a_stop) >= 1);
    CHECK_FALSE(std::filesystem::exists(stray));
    sim.set_drift_observer([&](const drift_view<double>& v) { lc.cone(v); });
    sim.run_until(1.0);
    lc.cone.finish();
  }
  // The same crossings as the streamed reference (a partial file's are sorted, so compare sets).
  for (std::size_t s = 0; s < 4; ++s) {
    CAPTURE(s);
    auto a = io::read_lightcone_shell(io::lightcone_shell_path(reference.path, "lc", s));
    auto b = io::read_lightcone_shell(io::lightcone_shell_path(run.path, "lc", s));
    CHECK(b.complete);
    CHECK(a.shell.healpix_counts == b.shell.healpix_counts);
    lightcone::sort_crossings(a.shell.particles);
    lightcone::sort_crossings(b.shell.particles);
    REQUIRE(a.shell.particles.size() == b.shell.particles.size());
    for (std::size_t i = 0; i < a.shell.particles.size(); ++i) {
      CHECK(a.shell.particles[i].id == b.shell.particles[i].id);
      CHECK(a.shell.particles[i].replica == b.shell.particles[i].replica);
    }
  }
}

TEST_CASE("streamed shells are the same on 1 and 3 threads" * doctest::test_suite("unit.io")) {
  scratch_dir one("lcs_one"), three("lcs_three");
  const int saved = omp_get_max_threads();
  for (const auto& [threads, dir] : {std::pair{1, &one.path}, std::pair{3, &three.path}}) {
    omp_set_num_threads(threads);
    run_streamed(*dir);
  }
  omp_set_num_threads(saved);
  check_same_shells(one.path, three.path);
}
