// SPDX-License-Identifier: BSD-3-Clause
// ic::lpt_displacements_mpi (ic/lpt_mpi.hpp) against the serial generator, run under mpirun with
// 1, 2 and 3 ranks (tests/mpi/lpt_mpi.cmake): the fields must agree to rounding (double 1e-12,
// float 2e-6 of the rms displacement, fixed amplitudes and pairing too) and print a checksum that
// must be the same for every rank count (bit-identical fields).

#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "lagframe/cosmology/linear_power.hpp"
#include "lagframe/ic/lpt_mpi.hpp"
#include "lagframe/scola/tile_file.hpp"

namespace lf = lagframe;

template <class Real>
int compare(const lf::box& b, const lf::ic::field_options& opt, int order, double tolerance, int rank) {
  const auto power = lf::cosmology::linear_power::from_eisenstein_hu(lf::cosmology::parameters{});
  const auto mpi = lf::ic::lpt_displacements_mpi<Real>(b, power, opt, order, MPI_COMM_WORLD);
  const auto serial = lf::ic::lpt_displacements(b, lf::ic::linear_density_modes<Real>(b, power, opt), order);
  double worst = 0, rms = 0;
  for (std::size_t i = 0; i < serial.psi1.size(); ++i)
    for (int d = 0; d < 3; ++d) {
      worst = std::max(worst, std::abs(double(mpi.psi1[i][d]) - serial.psi1[i][d]));
      worst = std::max(worst, std::abs(double(mpi.psi2[i][d]) - serial.psi2[i][d]));
      rms += double(serial.psi1[i][d]) * serial.psi1[i][d];
    }
  rms = std::sqrt(rms / (3.0 * static_cast<double>(serial.psi1.size())));
  const auto sum = lf::scola::fnv1a(mpi.psi1.data(), mpi.psi1.size() * sizeof(mpi.psi1[0]),
                                    lf::scola::fnv1a(mpi.psi2.data(), mpi.psi2.size() * sizeof(mpi.psi2[0])));
  if (rank == 0)
    std::printf("%zu-byte reals, order %d, seed %llu%s%s: max |psi_mpi - psi_serial| = %.3e (rms psi1 %.3e) checksum %016llx\n",
                sizeof(Real), order, static_cast<unsigned long long>(opt.seed),
                opt.mode == lf::ic::amplitude::fixed ? ", fixed" : "", opt.inverted ? ", inverted" : "", worst, rms,
                static_cast<unsigned long long>(sum));
  if (!(worst <= tolerance * rms)) {
    if (rank == 0) std::printf("FAIL: difference above %.1e of the rms displacement\n", tolerance);
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int failures = 0;
  const lf::box b{.side_mpc_h = 64.0, .particles_1d = 24};
  failures += compare<double>(b, {.seed = 9}, 2, 1e-12, rank);
  failures += compare<float>(b, {.seed = 9}, 2, 2e-6, rank);
  failures += compare<float>(b, {.seed = 10, .mode = lf::ic::amplitude::fixed, .inverted = true}, 2, 2e-6, rank);
  failures += compare<double>(lf::box{.side_mpc_h = 50.0, .particles_1d = 17}, {.seed = 3}, 1, 1e-12, rank);
  failures += compare<float>(lf::box{.side_mpc_h = 128.0, .particles_1d = 64}, {.seed = 42}, 2, 2e-6, rank);
  MPI_Finalize();
  return failures == 0 ? 0 : 1;
}
