// SPDX-License-Identifier: BSD-3-Clause
// Initial conditions written by tools other than lagframe, read back and turned into the LPT
// frame: a 16³ grid with a known 2LPT displacement is written (1) as a Gadget-4 HDF5 IC file by
// h5py and (2) as a Gadget-2 binary file (SnapFormat 1, double precision) by a tiny writer in
// this test; lagframe reads each file, maps the ids to the grid and recovers Ψ1 and Ψ2 to 1e-5
// of the cell size (io/gadget_ic.hpp, io/gadget2_binary.hpp, ic/lpt_from_particles.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <vector>

#include "lagframe/ic/lpt_from_particles.hpp"
#include "lagframe/io/gadget2_binary.hpp"
#include "lagframe/io/gadget_ic.hpp"
#include "lagframe/io/npy.hpp"
#include "lagframe/lagframe.hpp"

using namespace lagframe;
namespace fs = std::filesystem;

namespace {

const cosmology::parameters cosmo{};
const box grid{.side_mpc_h = 100.0, .particles_1d = 16};
constexpr double a_ic = 0.02;

/// Known 2LPT fields (Nyquist planes of δ0 removed: they carry no recoverable displacement).
ic::lpt_fields<double> known_fields() {
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  auto modes = ic::linear_density_modes<double>(grid, power, {.seed = 77});
  const std::size_t n = grid.particles_1d;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t l = 0; l <= n / 2; ++l)
        if (i == n / 2 || j == n / 2 || l == n / 2) modes.mode(i, j, l) = 0;
  return ic::lpt_displacements(grid, modes, 2);
}

struct particle_set {
  std::vector<vec3<double>> x_kpc;  // positions in kpc/h (wrapped)
  std::vector<vec3<double>> u;      // Gadget velocities v_pec/sqrt(a), km/s
  std::vector<std::uint64_t> ids;   // 1-based, shuffled with the particles
};

particle_set particles_of(const ic::lpt_fields<double>& f) {
  const cosmology::growth g(cosmo);
  const double d1 = g.d1(a_ic), d2 = g.d2(a_ic), t1 = g.t_d1(a_ic), t2 = g.t_d2(a_ic);
  const std::size_t n = grid.particle_count();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937 rng(9);
  std::shuffle(order.begin(), order.end(), rng);
  particle_set s;
  for (std::size_t id : order) {
    const auto q = grid.lagrangian_position(id);
    vec3<double> x, u;
    for (int d = 0; d < 3; ++d) {
      x[d] = 1000.0 * wrap_periodic(q[d] + d1 * f.psi1[id][d] + d2 * f.psi2[id][d], grid.side_mpc_h);
      const double p = t1 * f.psi1[id][d] + t2 * f.psi2[id][d];
      u[d] = 100.0 * p / std::pow(a_ic, 1.5);  // v_pec = 100 p / a km/s, stored as v_pec / sqrt(a)
    }
    s.x_kpc.push_back(x);
    s.u.push_back(u);
    s.ids.push_back(id + 1);
  }
  return s;
}

/// Largest |recovered − known| of Ψ1 and Ψ2 over all particles, in cells.
std::pair<double, double> recovery_error(const io::ic_particles& ic, const ic::lpt_fields<double>& known) {
  const cosmology::growth g(cosmo);
  CHECK(ic.grid.particles_1d == grid.particles_1d);
  CHECK(ic.grid.side_mpc_h == doctest::Approx(grid.side_mpc_h).epsilon(1e-12));
  CHECK(ic.a == doctest::Approx(a_ic).epsilon(1e-12));
  const auto rec = ic::lpt_from_particles<double>(ic.grid, ic.positions, ic.momenta, ic.a, g, 2);
  CHECK(rec.velocity_rms_relative_error < 1e-6);
  double e1 = 0, e2 = 0;
  for (std::size_t i = 0; i < grid.particle_count(); ++i)
    for (int d = 0; d < 3; ++d) {
      e1 = std::max(e1, std::abs(rec.fields.psi1[i][d] - known.psi1[i][d]));
      e2 = std::max(e2, std::abs(rec.fields.psi2[i][d] - known.psi2[i][d]));
    }
  return {e1 / grid.lagrangian_spacing(), e2 / grid.lagrangian_spacing()};
}

fs::path scratch() {
  const auto dir = fs::temp_directory_path() / "lagframe_ic_lpt_roundtrip";
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("a Gadget-4 HDF5 IC file written by h5py gives back the known Psi1 and Psi2") {
  const auto known = known_fields();
  const auto set = particles_of(known);
  const auto dir = scratch();
  io::write_npy(dir / "x.npy", std::span<const vec3<double>>(set.x_kpc));
  io::write_npy(dir / "u.npy", std::span<const vec3<double>>(set.u));
  io::write_npy(dir / "ids.npy", std::span<const std::uint64_t>(set.ids), {set.ids.size()});
  const auto script = dir / "write_ic.py";
  std::ofstream(script) << R"PY(
import sys
import h5py, numpy as np
d = sys.argv[1]
x, u, ids = np.load(d + "/x.npy"), np.load(d + "/u.npy"), np.load(d + "/ids.npy")
with h5py.File(d + "/ics.hdf5", "w") as f:
    h = f.create_group("Header")
    n = np.array([0, len(ids), 0, 0, 0, 0], dtype=np.uint64)
    h.attrs["NumPart_ThisFile"] = n
    h.attrs["NumPart_Total"] = n
    h.attrs["MassTable"] = np.zeros(6)
    h.attrs["Time"] = 0.02
    h.attrs["Redshift"] = 1 / 0.02 - 1
    h.attrs["BoxSize"] = 100000.0
    h.attrs["NumFilesPerSnapshot"] = np.int32(1)
    p = f.create_group("Parameters")
    p.attrs["UnitLength_in_cm"] = 3.085678e21
    p.attrs["UnitVelocity_in_cm_per_s"] = 1e5
    t = f.create_group("PartType1")
    t.create_dataset("Coordinates", data=x)
    t.create_dataset("Velocities", data=u)
    t.create_dataset("ParticleIDs", data=ids)
)PY";
  const std::string cmd = "/usr/bin/python3 " + script.string() + " " + dir.string();
  REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, "h5py must be available to /usr/bin/python3 (apt-get install python3-h5py)");
  const auto ic = io::read_gadget_hdf5_ic(dir / "ics.hdf5", io::id_convention::one_based);
  const auto [e1, e2] = recovery_error(ic, known);
  MESSAGE("HDF5 (h5py): max |dPsi1| = " << e1 << " cell, max |dPsi2| = " << e2 << " cell");
  CHECK(e1 < 1e-5);
  CHECK(e2 < 1e-5);
}

TEST_CASE("a Gadget-2 binary IC file (SnapFormat 1, double) gives back the known Psi1 and Psi2") {
  const auto known = known_fields();
  const auto set = particles_of(known);
  const auto dir = scratch();
  // Fortran records: int32 length, payload, int32 length. Header of 256 bytes (Gadget-2 guide).
  std::ofstream out(dir / "ics.0", std::ios::binary);
  auto record = [&](const std::vector<char>& payload) {
    const auto len = static_cast<std::int32_t>(payload.size());
    out.write(reinterpret_cast<const char*>(&len), 4);
    out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
    out.write(reinterpret_cast<const char*>(&len), 4);
  };
  auto put = [](std::vector<char>& b, const auto& v) {
    const char* p = reinterpret_cast<const char*>(&v);
    b.insert(b.end(), p, p + sizeof(v));
  };
  const auto count = static_cast<std::int32_t>(set.ids.size());
  std::vector<char> head;
  for (int t = 0; t < 6; ++t) put(head, t == 1 ? count : std::int32_t{0});              // npart
  for (int t = 0; t < 6; ++t) put(head, 0.0);                                          // mass
  put(head, a_ic);                                                                     // time
  put(head, 1.0 / a_ic - 1.0);                                                         // redshift
  put(head, std::int32_t{0});                                                          // flag_sfr
  put(head, std::int32_t{0});                                                          // flag_feedback
  for (int t = 0; t < 6; ++t) put(head, t == 1 ? static_cast<std::uint32_t>(count) : 0u);  // npartTotal
  put(head, std::int32_t{0});                                                          // flag_cooling
  put(head, std::int32_t{1});                                                          // num_files
  put(head, 100000.0);                                                                 // BoxSize (kpc/h)
  put(head, cosmo.omega_m);
  put(head, cosmo.omega_lambda());
  put(head, cosmo.h);
  head.resize(256, 0);
  record(head);
  std::vector<char> pos, vel, ids;
  for (std::size_t i = 0; i < set.ids.size(); ++i) {
    for (int d = 0; d < 3; ++d) put(pos, set.x_kpc[i][d]);
    for (int d = 0; d < 3; ++d) put(vel, set.u[i][d]);
    put(ids, set.ids[i]);
  }
  record(pos);
  record(vel);
  record(ids);
  out.close();
  const auto ic = io::read_gadget2_ic(dir / "ics", io::id_convention::one_based, 1e-3);
  const auto [e1, e2] = recovery_error(ic, known);
  MESSAGE("Gadget-2 binary: max |dPsi1| = " << e1 << " cell, max |dPsi2| = " << e2 << " cell");
  CHECK(e1 < 1e-5);
  CHECK(e2 < 1e-5);
}
