// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include "support/scratch_dir.hpp"

#include <hdf5.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lagframe/io/gadget_hdf5.hpp"

using namespace lagframe;
namespace fs = std::filesystem;

namespace {

using lagframe::test::scratch_dir;

/// An 8³ state: Lagrangian grid plus a smooth displacement (wrapped), arbitrary momenta.
template <class Real>
struct small_state {
  box domain{.side_mpc_h = 64.0, .particles_1d = 8};
  cosmology::parameters cosmo{};
  std::vector<vec3<Real>> x, p;
  double a = 0.5;

  small_state() {
    const std::size_t n = domain.particle_count();
    x.resize(n);
    p.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto q = domain.lagrangian_position<double>(i);
      for (int d = 0; d < 3; ++d) {
        const double disp = 3.3 * std::sin(0.7 * static_cast<double>(i) + 1.3 * d) - 0.9;
        x[i][d] = wrap_periodic(static_cast<Real>(q[d] + disp), static_cast<Real>(domain.side_mpc_h));
        p[i][d] = static_cast<Real>(2.5 * std::cos(0.37 * static_cast<double>(i) - 0.8 * d));
      }
    }
  }
  [[nodiscard]] snapshot_view<Real> view() const { return {a, 3, &domain, &cosmo, x, p}; }
};

template <class Real>
void check_round_trip(int files, bool double_precision) {
  CAPTURE(files);
  CAPTURE(double_precision);
  scratch_dir dir("rt");
  small_state<Real> st;
  const fs::path base = dir.path / "snap_010";
  io::write_gadget_snapshot(base, st.view(), {.files = files, .double_precision = double_precision});

  // Exactly the final files, no temporaries.
  const auto names = dir.entries();
  CHECK(names.size() == static_cast<std::size_t>(files));
  for (int k = 0; k < files; ++k) {
    const std::string name = files > 1 ? "snap_010." + std::to_string(k) + ".hdf5" : "snap_010.hdf5";
    CHECK(fs::is_regular_file(dir.path / name));
  }

  const auto snap = io::read_gadget_snapshot(base);
  const std::size_t n = st.domain.particle_count();
  REQUIRE(snap.positions.size() == n);
  REQUIRE(snap.velocities.size() == n);
  REQUIRE(snap.ids.size() == n);
  const auto& h = snap.header;
  CHECK(h.box_size == 64.0);
  CHECK(h.time == 0.5);
  CHECK(h.redshift == 1.0);
  CHECK(h.omega0 == st.cosmo.omega_m);
  CHECK(h.omega_lambda == st.cosmo.omega_lambda());
  CHECK(h.hubble_param == st.cosmo.h);
  CHECK(h.num_part_total == n);
  CHECK(h.num_files == files);
  CHECK(h.double_precision == double_precision);
  // ρ_crit = 2.77536627e11 h² Msun/Mpc³ → 1e10 Msun/h units: 27.7536627 Ω_m L³ / N.
  const double mass = 27.7536627 * st.cosmo.omega_m * 64.0 * 64.0 * 64.0 / 512.0;
  CHECK(h.mass_table_part1 == doctest::Approx(mass).epsilon(1e-14));
  CHECK(h.units.length_in_cm == 3.085678e24);
  CHECK(h.units.mass_in_g == 1.989e43);
  CHECK(h.units.velocity_in_cm_per_s == 1e5);

  const double vel_factor = 100.0 / std::pow(0.5, 1.5);  // v_pec / sqrt(a) = 100 p / a^1.5 km/s
  const double vel_tol = double_precision ? 1e-15 : 1e-7;
  std::size_t pos_bad = 0, vel_bad = 0, id_bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (snap.ids[i] != i) ++id_bad;
    for (int d = 0; d < 3; ++d) {
      const double x = static_cast<double>(st.x[i][d]);
      const double expected_x = double_precision ? x : static_cast<double>(static_cast<float>(x));
      if (snap.positions[i][d] != expected_x) ++pos_bad;
      const double v = vel_factor * static_cast<double>(st.p[i][d]);
      if (std::abs(snap.velocities[i][d] - v) > vel_tol * std::abs(v) + 1e-30) ++vel_bad;
    }
  }
  CHECK(pos_bad == 0);
  CHECK(vel_bad == 0);
  CHECK(id_bad == 0);

  // Reading through one piece of a multi-file snapshot gives the whole snapshot.
  if (files > 1) {
    const auto again = io::read_gadget_snapshot(dir.path / "snap_010.1.hdf5");
    CHECK(again.ids.size() == n);
    CHECK(again.ids == snap.ids);
  } else {
    const auto again = io::read_gadget_snapshot(dir.path / "snap_010.hdf5");
    CHECK(again.ids == snap.ids);
  }
}

int run_shell(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

/// Checks every attribute and dataset as Gadget-4 (plus the Gadget-2/3 extras) writes them.
constexpr std::string_view h5py_check_script = R"PY(
import sys
import h5py
import numpy as np

errors = []

def check(cond, what):
    if not cond:
        errors.append(what)

def attr(group, name, dtype, shape, value):
    if name not in group.attrs:
        errors.append("missing attribute %s/%s" % (group.name, name))
        return
    v = np.asarray(group.attrs[name])
    check(v.dtype == np.dtype(dtype), "%s/%s dtype %s != %s" % (group.name, name, v.dtype, dtype))
    check(v.shape == shape, "%s/%s shape %s != %s" % (group.name, name, v.shape, shape))
    if v.shape == np.asarray(value).shape:
        check(np.allclose(v, value, rtol=1e-14, atol=0), "%s/%s = %s != %s" % (group.name, name, v, value))

def check_file(path, n_this, n_total, a, box, om, ol, h, mass, files, dp):
  n_this, n_total, files, dp = int(n_this), int(n_total), int(files), int(dp)
  a, box, om, ol, h, mass = map(float, (a, box, om, ol, h, mass))
  with h5py.File(path, "r") as f:
    H = f["Header"]
    attr(H, "NumPart_ThisFile", "<u8", (6,), [0, n_this, 0, 0, 0, 0])
    attr(H, "NumPart_Total", "<u8", (6,), [0, n_total, 0, 0, 0, 0])
    attr(H, "NumPart_Total_HighWord", "<u4", (6,), [0, n_total >> 32, 0, 0, 0, 0])
    attr(H, "MassTable", "<f8", (6,), [0, mass, 0, 0, 0, 0])
    attr(H, "Time", "<f8", (), a)
    attr(H, "Redshift", "<f8", (), 1.0 / a - 1.0)
    attr(H, "BoxSize", "<f8", (), box)
    attr(H, "NumFilesPerSnapshot", "<i4", (), files)
    attr(H, "Omega0", "<f8", (), om)
    attr(H, "OmegaLambda", "<f8", (), ol)
    attr(H, "HubbleParam", "<f8", (), h)
    for flag in ("Flag_Sfr", "Flag_Cooling", "Flag_Feedback", "Flag_StellarAge", "Flag_Metals"):
        attr(H, flag, "<i4", (), 0)
    attr(H, "Flag_DoublePrecision", "<i4", (), dp)
    P = f["Parameters"]
    attr(P, "UnitLength_in_cm", "<f8", (), 3.085678e24)
    attr(P, "UnitMass_in_g", "<f8", (), 1.989e43)
    attr(P, "UnitVelocity_in_cm_per_s", "<f8", (), 1e5)
    attr(P, "Omega0", "<f8", (), om)
    attr(P, "OmegaLambda", "<f8", (), ol)
    attr(P, "HubbleParam", "<f8", (), h)
    attr(P, "BoxSize", "<f8", (), box)
    attr(P, "ComovingIntegrationOn", "<i4", (), 1)
    attr(P, "NumFilesPerSnapshot", "<i4", (), files)
    real = "<f8" if dp else "<f4"
    G = f["PartType1"]
    check(sorted(G.keys()) == ["Coordinates", "ParticleIDs", "Velocities"], "PartType1 holds %s" % sorted(G.keys()))
    for name, shape, dtype in (("Coordinates", (n_this, 3), real), ("Velocities", (n_this, 3), real),
                               ("ParticleIDs", (n_this,), "<u8")):
        d = G[name]
        check(d.shape == shape, "%s shape %s != %s" % (name, d.shape, shape))
        check(d.dtype == np.dtype(dtype), "%s dtype %s != %s" % (name, d.dtype, dtype))
    c = G["Coordinates"][...]
    check(c.min() >= 0 and c.max() < box, "Coordinates outside [0, BoxSize)")
    for name, scal in (("Coordinates", (1.0, -1.0, 1.0, 0.0, 0.0, 3.085678e24)),
                       ("Velocities", (0.5, 0.0, 0.0, 0.0, 1.0, 1e5))):
        for key, value in zip(("a_scaling", "h_scaling", "length_scaling", "mass_scaling", "velocity_scaling",
                               "to_cgs"), scal):
            attr(G[name], key, "<f8", (), value)

args = sys.argv[1:]
check(len(args) > 0 and len(args) % 11 == 0, "expected groups of 11 arguments, got %d" % len(args))
for i in range(0, len(args) - 10, 11):
    before = len(errors)
    check_file(*args[i:i + 11])
    if len(errors) > before:
        errors.insert(before, "in " + args[i] + ":")

if errors:
    print("\n".join(errors))
    sys.exit(1)
print("h5py check passed")
)PY";

}  // namespace

TEST_CASE("Gadget-4 HDF5 round trip, float state, 1 and 3 files" * doctest::test_suite("unit.io")) {
  check_round_trip<float>(1, false);
  check_round_trip<float>(3, false);  // 512 particles: 171, 171, 170
  check_round_trip<float>(3, true);
}

TEST_CASE("Gadget-4 HDF5 round trip, double state, 1 and 3 files" * doctest::test_suite("unit.io")) {
  check_round_trip<double>(1, true);
  check_round_trip<double>(3, true);
  check_round_trip<double>(1, false);
}

TEST_CASE("multi-file split: particle counts per file follow id order" * doctest::test_suite("unit.io")) {
  scratch_dir dir("split");
  small_state<float> st;
  io::write_gadget_snapshot(dir.path / "s", st.view(), {.files = 3});
  const std::uint64_t expected[3] = {171, 171, 170};
  std::uint64_t first_id = 0;
  for (int k = 0; k < 3; ++k) {
    CAPTURE(k);
    // Read one piece on its own through the detail reader: its own ids, in order.
    io::gadget_snapshot piece;
    const auto c = io::detail::read_gadget_file(dir.path / ("s." + std::to_string(k) + ".hdf5"), piece);
    CHECK(c.this_file == expected[k]);
    REQUIRE(piece.ids.size() == expected[k]);
    CHECK(piece.ids.front() == first_id);
    CHECK(piece.ids.back() == first_id + expected[k] - 1);
    first_id += expected[k];
  }
}

TEST_CASE("an interrupted multi-file snapshot write leaves no file" * doctest::test_suite("unit.io")) {
  // The request is checked before each part and between datasets (io/interrupt.hpp); made
  // before the write, it must stop it with nothing on disk, and the same write then succeeds.
  scratch_dir dir("interrupted");
  small_state<float> st;
  io::request_interrupt(15);
  CHECK_THROWS_AS(io::write_gadget_snapshot(dir.path / "s", st.view(), {.files = 4}), io::interrupted);
  io::interrupt_signal.store(0);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path)) ++files;
  CHECK(files == 0);
  io::write_gadget_snapshot(dir.path / "s", st.view(), {.files = 4});
  for (int k = 0; k < 4; ++k) CHECK(std::filesystem::exists(dir.path / ("s." + std::to_string(k) + ".hdf5")));
}

TEST_CASE("h5py sees Gadget-4 header attributes and datasets with Gadget-4's types" *
          doctest::test_suite("unit.io")) {
  if (run_shell("/usr/bin/python3 -c 'import h5py, numpy' >/dev/null 2>&1") != 0) {
    FAIL("h5py is not available to /usr/bin/python3: install python3-h5py (Debian) to run this check");
  }
  scratch_dir dir("h5py");
  const fs::path script = dir.path / "check_gadget.py";
  {
    std::ofstream out(script);
    out << h5py_check_script;
  }
  small_state<float> st;
  const double mass = 27.7536627 * st.cosmo.omega_m * 64.0 * 64.0 * 64.0 / 512.0;
  std::string command = "/usr/bin/python3 " + script.string();
  for (const auto& [files, dp] : {std::pair{1, false}, std::pair{3, true}}) {
    const fs::path base = dir.path / ("snap_" + std::to_string(files));
    io::write_gadget_snapshot(base, st.view(), {.files = files, .double_precision = dp});
    for (int k = 0; k < files; ++k) {
      const fs::path file =
          files > 1 ? fs::path(base.string() + "." + std::to_string(k) + ".hdf5") : fs::path(base.string() + ".hdf5");
      const int n_this = files > 1 ? (k < 2 ? 171 : 170) : 512;
      char buf[1024];  // floating-point values with full precision
      std::snprintf(buf, sizeof buf, " %s %d %d %.17g %.17g %.17g %.17g %.17g %.17g %d %d", file.c_str(), n_this, 512,
                    0.5, 64.0, st.cosmo.omega_m, st.cosmo.omega_lambda(), st.cosmo.h, mass, files, dp ? 1 : 0);
      command += buf;
    }
  }
  // One interpreter run checks all four files (1-file float32 and 3-file float64 snapshots).
  CHECK_MESSAGE(run_shell(command) == 0, "h5py check failed (its messages are printed above)");
}

namespace {
int probe_calls = 0;
std::string probe_target;
void failing_probe(const fs::path& file, std::string_view object) {
  ++probe_calls;
  if (object == "PartType1/Velocities" && file.filename().string() == probe_target) {
    throw io_error("simulated failure while writing " + file.string());
  }
}
struct probe_guard {
  explicit probe_guard(std::string target) {
    probe_calls = 0;
    probe_target = std::move(target);
    io::detail::gadget_write_probe = &failing_probe;
  }
  ~probe_guard() { io::detail::gadget_write_probe = nullptr; }
};
}  // namespace

TEST_CASE("an interrupted write leaves no file under the final name and no temporary" *
          doctest::test_suite("unit.io")) {
  small_state<float> st;
  SUBCASE("single file, fails after Coordinates were written") {
    scratch_dir dir("int1");
    probe_guard guard("snap.hdf5");
    CHECK_THROWS_WITH_AS(io::write_gadget_snapshot(dir.path / "snap", st.view(), {}),
                         doctest::Contains("simulated failure"), io_error);
    CHECK(probe_calls >= 3);  // Header, Parameters, Coordinates, Velocities: it really was mid-file
    CHECK(dir.entries().empty());
  }
  SUBCASE("three files, the second fails: the completed first file is removed too") {
    scratch_dir dir("int3");
    probe_guard guard("snap.1.hdf5");
    CHECK_THROWS_AS(io::write_gadget_snapshot(dir.path / "snap", st.view(), {.files = 3}), io_error);
    CHECK(probe_calls > 5);  // all of file 0 was written
    CHECK(dir.entries().empty());
  }
  SUBCASE("HDF5 cannot create the file: io_error names it") {
    scratch_dir dir("int_dir");
    // A non-empty directory where the first temporary goes: HDF5 cannot create that file.
    fs::create_directories(dir.path / "snap.0.hdf5.tmp");
    std::ofstream(dir.path / "snap.0.hdf5.tmp" / "keep") << "x";
    CHECK_THROWS_WITH_AS(io::write_gadget_snapshot(dir.path / "snap", st.view(), {.files = 2}),
                         doctest::Contains("snap.0.hdf5"), io_error);
    const auto names = dir.entries();
    CHECK(names == std::vector<std::string>{"snap.0.hdf5.tmp"});  // only the obstacle remains
  }
}

TEST_CASE("inconsistent input is rejected before any file is created" * doctest::test_suite("unit.io")) {
  scratch_dir dir("bad_in");
  small_state<double> st;
  auto v = st.view();
  v.momenta = v.momenta.first(100);
  CHECK_THROWS_WITH_AS(io::write_gadget_snapshot(dir.path / "s", v, {}), doctest::Contains("momenta.size() = 100"),
                       config_error);
  CHECK_THROWS_WITH_AS(io::write_gadget_snapshot(dir.path / "s", st.view(), {.files = 0}),
                       doctest::Contains("files = 0"), config_error);
  auto w = st.view();
  w.a = -1.0;
  CHECK_THROWS_WITH_AS(io::write_gadget_snapshot(dir.path / "s", w, {}), doctest::Contains("a = -1"), config_error);
  io::gadget_write_options bad_units;
  bad_units.units.length_in_cm = 0.0;
  CHECK_THROWS_WITH_AS(io::write_gadget_snapshot(dir.path / "s", st.view(), bad_units),
                       doctest::Contains("length_in_cm = 0"), config_error);
  CHECK(dir.entries().empty());
}

TEST_CASE("reading bad input throws io_error naming the file" * doctest::test_suite("unit.io")) {
  scratch_dir dir("bad_read");
  SUBCASE("missing file") {
    const fs::path missing = dir.path / "nothing_here";
    CHECK_THROWS_WITH_AS(io::read_gadget_snapshot(missing), doctest::Contains("nothing_here"), io_error);
  }
  SUBCASE("not an HDF5 file") {
    const fs::path junk = dir.path / "junk.hdf5";
    std::ofstream(junk) << "not hdf5";
    CHECK_THROWS_WITH_AS(io::read_gadget_snapshot(junk), doctest::Contains("junk.hdf5"), io_error);
  }
  SUBCASE("file without PartType1") {
    small_state<float> st;
    io::write_gadget_snapshot(dir.path / "s", st.view(), {});
    const fs::path file = dir.path / "s.hdf5";
    {
      const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      REQUIRE(f >= 0);
      REQUIRE(H5Ldelete(f, "PartType1", H5P_DEFAULT) >= 0);
      H5Fclose(f);
    }
    CHECK_THROWS_WITH_AS(io::read_gadget_snapshot(file), doctest::Contains("PartType1"), io_error);
    CHECK_THROWS_WITH_AS(io::read_gadget_snapshot(file), doctest::Contains("s.hdf5"), io_error);
  }
  SUBCASE("missing piece of a multi-file snapshot") {
    small_state<float> st;
    io::write_gadget_snapshot(dir.path / "m", st.view(), {.files = 3});
    fs::remove(dir.path / "m.2.hdf5");
    CHECK_THROWS_WITH_AS(io::read_gadget_snapshot(dir.path / "m"), doctest::Contains("m.2.hdf5"), io_error);
  }
}

TEST_CASE("non-default Gadget units scale positions, velocities and masses" * doctest::test_suite("unit.io")) {
  scratch_dir dir("units");
  small_state<double> st;
  io::gadget_write_options opt;
  opt.double_precision = true;
  opt.units.length_in_cm = 3.085678e21;  // kpc/h
  opt.units.mass_in_g = 1.989e33;        // Msun/h
  opt.units.velocity_in_cm_per_s = 1e3;  // 10 m/s
  io::write_gadget_snapshot(dir.path / "u", st.view(), opt);
  const auto snap = io::read_gadget_snapshot(dir.path / "u");
  CHECK(snap.header.units.length_in_cm == 3.085678e21);
  CHECK(snap.header.box_size == doctest::Approx(64000.0).epsilon(1e-14));
  const double mass_1e10 = 27.7536627 * st.cosmo.omega_m * 64.0 * 64.0 * 64.0 / 512.0;
  CHECK(snap.header.mass_table_part1 == doctest::Approx(mass_1e10 * 1e10).epsilon(1e-13));
  // Positions come back in Mpc/h; velocities as stored (here in units of 10 m/s).
  CHECK(snap.positions[17][1] == doctest::Approx(st.x[17][1]).epsilon(1e-14));
  CHECK(snap.velocities[17][2] == doctest::Approx(100.0 * 100.0 * st.p[17][2] / std::pow(0.5, 1.5)).epsilon(1e-14));
}
