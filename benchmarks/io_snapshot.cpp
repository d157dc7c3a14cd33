// SPDX-License-Identifier: BSD-3-Clause
// Time to write and read back a 128³ Gadget-4 HDF5 snapshot (float, one file), and to read the
// same file as initial conditions (ids mapped to the Lagrangian grid).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <lagframe/io/gadget_hdf5.hpp>
#include <lagframe/io/gadget_ic.hpp>
#include <lagframe/lagframe.hpp>

int main(int argc, char** argv) {
  namespace lf = lagframe;
  const std::filesystem::path base = argc > 1 ? argv[1] : "io_snapshot_bench";
  const lf::box box{.side_mpc_h = 256.0, .particles_1d = 128};
  const std::size_t n = box.particle_count();
  std::vector<lf::vec3<float>> x(n), p(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = box.lagrangian_position<float>(i);
    p[i] = {1.0f, 2.0f, 3.0f};
  }
  const lf::cosmology::parameters cosmo{};
  const lf::snapshot_view<float> s{1.0, 10, &box, &cosmo, x, p};
  auto t0 = std::chrono::steady_clock::now();
  lf::io::write_gadget_snapshot(base, s);
  const double write_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  t0 = std::chrono::steady_clock::now();
  const auto back = lf::io::read_gadget_snapshot(base);
  const double read_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  t0 = std::chrono::steady_clock::now();
  const auto ics = lf::io::read_gadget_hdf5_ic(base, lf::io::id_convention::zero_based);
  const double ic_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("128^3 snapshot (%zu particles): write %.2f s, read %.2f s, read as ICs %.2f s (%zu^3 grid)\n",
              back.ids.size(), write_s, read_s, ic_s, ics.grid.particles_1d);
  std::filesystem::path file = base;
  file += ".hdf5";
  std::filesystem::remove(file);
  return 0;
}
