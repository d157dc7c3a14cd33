// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// What lagframe-run writes at an output time, and the state a run shares between its parts
// (progress, completed outputs, timings), which main() reports when a run is interrupted.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <lagframe/simulation.hpp>

#include "config.hpp"
#include "run_config.hpp"

namespace lagframe_run {

struct phase_times {
  double setup = 0, initial_conditions = 0, evolution = 0, outputs = 0;
};

struct run_context {
  run_context(const run_config& c, run_inputs& in, std::filesystem::path script_folder)
      : config(c), inputs(in), scripts(std::move(script_folder)) {}

  const run_config& config;
  run_inputs& inputs;
  std::filesystem::path scripts;  ///< folder of plot_power_spectrum.py and plot_slice.py
  bool python = false;            ///< /usr/bin/python3 with numpy and matplotlib is there
  std::size_t step = 0, steps = 0;  ///< the last completed step (of the merged grid)
  std::vector<double> completed;    ///< output redshifts whose files are all written
  phase_times times;
  std::size_t force_evaluations = 0;
};

/// P(k) table, slice and snapshot of one output time, written as one set of files (they
/// appear together or not at all; a Gadget snapshot is its own such set), then the pictures.
/// Checks for an interrupt request between files (lagframe::io::interrupted).
void write_outputs(run_context& ctx, const lf::snapshot_view<float>& s, double d1, double z);

/// Whether /usr/bin/python3 can import numpy and matplotlib.
bool python_plots_available();

/// "z0.000": the tag of an output redshift in file names.
std::string redshift_tag(double z);

}  // namespace lagframe_run
