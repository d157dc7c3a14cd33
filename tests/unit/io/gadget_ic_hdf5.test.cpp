// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include "support/known_ic_grid.hpp"
#include "support/scratch_dir.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lagframe/io/gadget_ic.hpp"

using namespace lagframe;
namespace fs = std::filesystem;

namespace {

using lagframe::test::scratch_dir;
using namespace lagframe::test::known_ic;

constexpr double box_mpc = 64.0;
constexpr double a_ic = 0.03125;

// The known set (support/known_ic_grid.hpp); the Python writer below implements the same
// formulas independently.
void check_grid(const io::ic_particles& ic, double tol_fraction_of_cell) {
  lagframe::test::known_ic::check_grid(ic, box_mpc, a_ic, tol_fraction_of_cell);
}



constexpr std::string_view writer_script = R"PY(
import sys
import numpy as np
import h5py

def write(base, nfiles, id_offset, unit, mode, dtype):
  N, L, a = 16, 64.0, 0.03125
  dq = L / N
  idx = np.arange(N**3)
  i, j, k = idx // (N * N), (idx // N) % N, idx % N
  pos = np.stack([i * dq + 0.3 * dq * np.sin(2 * np.pi * j / N),
                  j * dq + 0.2 * dq * np.cos(2 * np.pi * k / N),
                  k * dq - 0.25 * dq * np.sin(2 * np.pi * (i + 1) / N)], axis=1)
  vel = np.stack([40.0 * np.sin(2 * np.pi * j / 16.0) + i,
                  -25.0 * np.cos(2 * np.pi * k / 16.0),
                  10.0 + 0.5 * (i + j)], axis=1)
  ids = idx.astype(np.uint64) + id_offset
  rng = np.random.default_rng(7)
  perm = rng.permutation(N**3)
  pos, vel, ids = pos[perm], vel[perm], ids[perm]
  if mode == "dup":        # one id replaced by another: a duplicate and a missing id
      where = np.nonzero(ids == id_offset + 100)[0][0]
      ids[where] = id_offset + 200
  elif mode == "noncube":  # 15^3 + 1 particles
      keep = 15**3 + 1
      pos, vel, ids = pos[:keep], vel[:keep], ids[:keep]
  scale = 1000.0 if unit == "kpc" else 1.0
  pos = pos * scale
  total = len(ids)
  cuts = np.linspace(0, total, nfiles + 1).astype(int)
  if nfiles > 1:
      cuts[1] = total // 3  # unequal pieces
  for f in range(nfiles):
      name = base + (".%d.hdf5" % f if nfiles > 1 else ".hdf5")
      lo, hi = cuts[f], cuts[f + 1]
      with h5py.File(name, "w") as h:
          hd = h.create_group("Header")
          # Gadget-2/MUSIC-style attribute types (int32 / uint32); Gadget-4 uses uint64.
          hd.attrs["NumPart_ThisFile"] = np.array([3 if f == 0 else 0, hi - lo, 0, 0, 0, 0], dtype=np.int32)
          hd.attrs["NumPart_Total"] = np.array([3, total, 0, 0, 0, 0], dtype=np.uint32)
          hd.attrs["NumPart_Total_HighWord"] = np.zeros(6, dtype=np.uint32)
          hd.attrs["MassTable"] = np.array([0.1, 1.0, 0, 0, 0, 0], dtype=np.float64)
          hd.attrs["Time"] = a
          hd.attrs["Redshift"] = 1.0 / a - 1.0
          hd.attrs["BoxSize"] = L * scale
          hd.attrs["NumFilesPerSnapshot"] = np.int32(nfiles)
          hd.attrs["Omega0"] = 0.3
          hd.attrs["OmegaLambda"] = 0.7
          hd.attrs["HubbleParam"] = 0.7
          if unit == "kpc":
              p = h.create_group("Parameters")
              p.attrs["UnitLength_in_cm"] = 3.085678e21
              p.attrs["UnitMass_in_g"] = 1.989e43
              p.attrs["UnitVelocity_in_cm_per_s"] = 1e5
          if f == 0:  # a few gas particles, to be ignored
              g = h.create_group("PartType0")
              g.create_dataset("Coordinates", data=np.full((3, 3), -5.0, dtype=np.float32))
              g.create_dataset("Velocities", data=np.zeros((3, 3), dtype=np.float32))
              g.create_dataset("ParticleIDs", data=np.arange(3, dtype=np.uint32) + 10**6)
          g = h.create_group("PartType1")
          g.create_dataset("Coordinates", data=pos[lo:hi].astype(dtype))
          g.create_dataset("Velocities", data=vel[lo:hi].astype(dtype))
          g.create_dataset("ParticleIDs", data=ids[lo:hi].astype(np.uint32))

for spec in sys.argv[1:]:
    b, nf, off, unit, mode, dtype = spec.split(",")
    write(b, int(nf), int(off), unit, mode, dtype)
)PY";

int run_shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// All test files, written by one Python run on first use (h5py start-up dominates the run time).
struct ic_files {
  scratch_dir dir{"all"};
  fs::path ok_1based = dir.path / "ok1";     // 2 files, 1-based, kpc/h units, float32
  fs::path ok_0based = dir.path / "ok0";     // 1 file, 0-based, Mpc/h (no /Parameters), float64
  fs::path duplicate = dir.path / "dup";     // 2 files, id 101 replaced by 201
  fs::path non_cube = dir.path / "noncube";  // 2 files, 15^3 + 1 particles
  ic_files() {
    if (run_shell("/usr/bin/python3 -c 'import h5py, numpy' >/dev/null 2>&1") != 0) {
      throw std::runtime_error("h5py is not available to /usr/bin/python3: install python3-h5py (Debian) to run this test");
    }
    const fs::path script = dir.path / "write_ic.py";
    std::ofstream(script) << writer_script;
    const std::string command = "/usr/bin/python3 " + script.string() + " " + ok_1based.string() +
                                ",2,1,kpc,ok,float32 " + ok_0based.string() + ",1,0,mpc,ok,float64 " +
                                duplicate.string() + ",2,1,kpc,dup,float32 " + non_cube.string() +
                                ",2,1,kpc,noncube,float32";
    if (run_shell(command) != 0) throw std::runtime_error("h5py writer failed: " + command);
  }
};

const ic_files& files() {
  static const ic_files f;
  return f;
}



}  // namespace

TEST_CASE("read_gadget_hdf5_ic: two files, shuffled 1-based ids, kpc/h units, float32") {
  const fs::path& base = files().ok_1based;
  check_grid(io::read_gadget_hdf5_ic(base, io::id_convention::one_based), 1e-5);
  // The same ids read as 0-based: id 4096 is out of range.
  const auto msg = io_error_of([&] { (void)io::read_gadget_hdf5_ic(base, io::id_convention::zero_based); });
  INFO(msg);
  CHECK(msg.find("particle id 4096 is out of range") != std::string::npos);
  CHECK(msg.find(base.string()) != std::string::npos);
}

TEST_CASE("read_gadget_hdf5_ic: one file, 0-based ids, Mpc/h default units, float64") {
  fs::path file = files().ok_0based;
  file += ".hdf5";
  check_grid(io::read_gadget_hdf5_ic(file, io::id_convention::zero_based), 1e-12);
}

TEST_CASE("read_gadget_hdf5_ic: sets that do not form a grid are refused") {
  SUBCASE("duplicated id") {
    const fs::path& base = files().duplicate;
    const auto msg = io_error_of([&] { (void)io::read_gadget_hdf5_ic(base, io::id_convention::one_based); });
    INFO(msg);
    CHECK(msg.find(base.string()) != std::string::npos);
    CHECK(msg.find("particle id 201 occurs more than once (id 101 is missing)") != std::string::npos);
  }
  SUBCASE("15^3 + 1 particles") {
    const fs::path& base = files().non_cube;
    const auto msg = io_error_of([&] { (void)io::read_gadget_hdf5_ic(base, io::id_convention::one_based); });
    INFO(msg);
    CHECK(msg.find(base.string()) != std::string::npos);
    CHECK(msg.find("3376 type-1 particles, not a perfect cube") != std::string::npos);
  }
}
