// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file mpi_executor.hpp
/// Tiles of a tiled_run handed to MPI ranks (needs <mpi.h>: link MPI::MPI_CXX). Every rank
/// builds the same tiled_run (the full-box LPT fields are cheap next to the tiles and are made
/// redundantly on each rank), lists the tiles whose files do not verify, longest first
/// (tiled_run::tile_cost), and takes every size-th of them starting at its rank. There is no communication during the evolution:
/// two barriers only, one so that all ranks list the same pending tiles, one at the end so
/// that rank 0 may assemble. Tile files are bit-identical to the other executors'.

#include <mpi.h>

#include <chrono>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <vector>

#include "lagframe/scola/executors.hpp"

namespace lagframe::scola {

/// Runs this rank's share of the pending tiles; report.ran lists the tiles this rank computed.
/// A tile that throws stops this rank after the barrier (the others finish theirs) and is
/// rethrown; rerunning the job computes only the missing tiles.
template <class Run>
run_report run_mpi(const Run& run, MPI_Comm comm = MPI_COMM_WORLD) {
  const auto start = std::chrono::steady_clock::now();
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  if (rank == 0) std::filesystem::create_directories(run.options().directory);
  MPI_Barrier(comm);
  run_report report;
  const auto pending = detail::pending_tiles(run, report);
  MPI_Barrier(comm);  // nobody writes a tile before every rank has listed the pending ones
  std::exception_ptr failure;
  for (std::size_t i = static_cast<std::size_t>(rank); i < pending.size(); i += static_cast<std::size_t>(size)) {
    try {
      detail::record(report, pending[i], run.run_tile(pending[i]));
    } catch (...) {
      failure = std::current_exception();
      break;
    }
  }
  MPI_Barrier(comm);
  detail::finish(report);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failure) std::rethrow_exception(failure);
  return report;
}

}  // namespace lagframe::scola
