// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file executors.hpp
/// Ways to run the tiles of a tiled_run (tiled_run.hpp): one after the other, or as OpenMP
/// tasks (one tile per thread at a time, dynamic assignment). MPI ranks: mpi_executor.hpp.
/// Every executor first skips the tiles whose files already verify, so a killed or failed run
/// restarted with the same configuration only computes what is missing. Pending tiles start
/// longest first (tiled_run::tile_cost, the predicted particle-steps: lightcone-only runs stop
/// tiles at different times), so the last tiles to finish are short ones; the results do not
/// depend on the order. A tile that throws
/// does not stop the others (OpenMP) or stops the sequence (sequential); either way its file
/// is absent and the first error is rethrown after the finished tiles are written.

#include <algorithm>
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
  std::vector<double> tile_seconds;  ///< wall time of each tile in `ran` (same order)
  std::vector<std::size_t> tile_steps;  ///< steps each tile in `ran` ran (same order)
  /// Σ tile_seconds: the measured tile-seconds (the work, whatever the executor's width).
  [[nodiscard]] double total_tile_seconds() const {
    double s = 0;
    for (const double x : tile_seconds) s += x;
    return s;
  }
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
  // Longest first; ties (and equal costs) in tile order, so the order is deterministic.
  if constexpr (requires(std::size_t t) { run.tile_cost(t); })
    std::stable_sort(pending.begin(), pending.end(),
                     [&](std::size_t x, std::size_t y) { return run.tile_cost(x) > run.tile_cost(y); });
  return pending;
}

/// Records what tile t did; `ran` is sorted into ascending tile order by finish().
template <class Result>
void record(run_report& report, std::size_t t, const Result& r) {
  report.ran.push_back(t);
  report.outside_events += r.outside_events;
  report.tile_seconds.push_back(r.seconds);
  report.tile_steps.push_back(r.steps);
}

/// Sorts ran (with its per-tile figures) into ascending tile order.
inline void finish(run_report& report) {
  std::vector<std::size_t> order(report.ran.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return report.ran[x] < report.ran[y]; });
  run_report sorted = report;
  for (std::size_t i = 0; i < order.size(); ++i) {
    sorted.ran[i] = report.ran[order[i]];
    sorted.tile_seconds[i] = report.tile_seconds[order[i]];
    sorted.tile_steps[i] = report.tile_steps[order[i]];
  }
  report = std::move(sorted);
}

}  // namespace detail

/// Tiles one after the other on the calling thread (each tile's loops may use OpenMP).
template <class Run>
run_report run_sequential(const Run& run) {
  const auto start = std::chrono::steady_clock::now();
  run_report report;
  for (std::size_t t : detail::pending_tiles(run, report)) detail::record(report, t, run.run_tile(t));
  detail::finish(report);
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
  std::vector<decltype(run.run_tile(0))> results(pending.size());
  const int team = threads > 0 ? threads : omp_get_max_threads();
  const long count = static_cast<long>(pending.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(team)
  for (long i = 0; i < count; ++i) {
    try {
      results[static_cast<std::size_t>(i)] = run.run_tile(pending[static_cast<std::size_t>(i)]);
      done[static_cast<std::size_t>(i)] = 1;
    } catch (...) {
      errors[static_cast<std::size_t>(i)] = std::current_exception();
    }
  }
  for (std::size_t i = 0; i < pending.size(); ++i)
    if (done[i]) detail::record(report, pending[i], results[i]);
  detail::finish(report);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return report;
}

}  // namespace lagframe::scola
