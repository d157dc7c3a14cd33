// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file executors.hpp
/// Ways to run the tiles of a tiled_run (tiled_run.hpp): one after the other, or as OpenMP
/// tasks (one tile per thread at a time, dynamic assignment). MPI ranks: mpi_executor.hpp.
/// Every executor first skips the tiles whose files already verify, so a killed or failed run
/// restarted with the same configuration only computes what is missing. A tile that throws
/// does not stop the others (OpenMP) or stops the sequence (sequential); either way its file
/// is absent and the first error is rethrown after the finished tiles are written.

#include <chrono>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <vector>

#include <omp.h>

namespace lagframe::scola {

/// What an executor did.
struct run_report {
  std::vector<std::size_t> ran;      ///< tiles computed by this call, ascending
  std::vector<std::size_t> skipped;  ///< tiles whose files already verified
  double seconds = 0;                ///< wall time of the call
  /// Evolved particles found outside their tile mesh, summed over the tiles run and their force
  /// evaluations (they got no residual force and followed the frame: docs/physics.md §11.2).
  std::size_t outside_events = 0;
};

namespace detail {

template <class Run>
std::vector<std::size_t> pending_tiles(const Run& run, run_report& report) {
  std::filesystem::create_directories(run.options().directory);
  std::vector<std::size_t> pending;
  for (std::size_t t = 0; t < run.tile_count(); ++t) {
    if (run.tile_done(t)) {
      report.skipped.push_back(t);
    } else {
      pending.push_back(t);
    }
  }
  return pending;
}

}  // namespace detail

/// Tiles one after the other on the calling thread (each tile's loops may use OpenMP).
template <class Run>
run_report run_sequential(const Run& run) {
  const auto start = std::chrono::steady_clock::now();
  run_report report;
  for (std::size_t t : detail::pending_tiles(run, report)) {
    report.outside_events += run.run_tile(t);
    report.ran.push_back(t);
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

/// Tiles as OpenMP work items over `threads` threads (0: omp_get_max_threads()), each tile on
/// one thread. Not to be called from inside a parallel region.
template <class Run>
run_report run_openmp(const Run& run, int threads = 0) {
  const auto start = std::chrono::steady_clock::now();
  run_report report;
  const auto pending = detail::pending_tiles(run, report);
  std::vector<std::exception_ptr> errors(pending.size());
  std::vector<char> done(pending.size(), 0);
  std::vector<std::size_t> outside(pending.size(), 0);
  const int team = threads > 0 ? threads : omp_get_max_threads();
  const long count = static_cast<long>(pending.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(team)
  for (long i = 0; i < count; ++i) {
    try {
      outside[static_cast<std::size_t>(i)] = run.run_tile(pending[static_cast<std::size_t>(i)]);
      done[static_cast<std::size_t>(i)] = 1;
    } catch (...) {
      errors[static_cast<std::size_t>(i)] = std::current_exception();
    }
  }
  for (std::size_t i = 0; i < pending.size(); ++i)
    if (done[i]) {
      report.ran.push_back(pending[i]);
      report.outside_events += outside[i];
    }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return report;
}

}  // namespace lagframe::scola
