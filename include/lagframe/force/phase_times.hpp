// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file phase_times.hpp
/// Where a mesh force's time goes: wall-clock seconds spent in each phase, summed over the
/// evaluations since the force was made (or since reset). force::particle_mesh fills deposit,
/// fft, k_space and gather; force::p3m adds the short-range pair sum. The clock is read a few
/// times per evaluation (steady_clock, tens of nanoseconds each), so it is always on.

#include <chrono>
#include <cstddef>

namespace lagframe::force {

struct phase_times {
  double deposit = 0;  ///< the sources onto the mesh (zeroing the mesh included)
  double fft = 0;      ///< forward and inverse FFTs
  double k_space = 0;  ///< Green's function, gradients and interlacing in Fourier space
  double gather = 0;   ///< interpolating the force (or potential) back to the particles
  double pairs = 0;    ///< short-range pair forces (P3M)
  std::size_t evaluations = 0;  ///< Poisson solves timed

  [[nodiscard]] double total() const { return deposit + fft + k_space + gather + pairs; }
};

namespace detail {

/// Laps of a steady clock: lap(slot) adds the time since the previous lap (or restart) to slot.
class phase_stopwatch {
 public:
  void restart() { last_ = clock::now(); }
  void lap(double& slot) {
    const auto now = clock::now();
    slot += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }

 private:
  using clock = std::chrono::steady_clock;
  clock::time_point last_ = clock::now();
};

}  // namespace detail

}  // namespace lagframe::force
