// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// What lagframe-run writes at an output time, and the state a run shares between its parts
// (progress, completed outputs, timings), which main() reports when a run is interrupted.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <lagframe/core/field.hpp>
#include <lagframe/fft/plan.hpp>
#include <lagframe/force/phase_times.hpp>
#include <lagframe/mesh/deposit.hpp>
#include <lagframe/simulation.hpp>

#include "config.hpp"
#include "memory_budget.hpp"
#include "memory_usage.hpp"
#include "run_config.hpp"

namespace lagframe_run {

struct phase_times {
  double setup = 0, initial_conditions = 0, evolution = 0, outputs = 0;
};

/// Storage an output time may use instead of allocating its own: the force's two work meshes
/// and deposit buffers (force::particle_mesh::work_mesh, when the P(k) mesh is the force mesh),
/// and the P(k) plan made once at setup (FFTW_ESTIMATE, as analysis::density_modes makes it).
struct analysis_storage {
  lf::real_field<float>* meshes[2] = {nullptr, nullptr};
  lf::mesh::deposit_workspace* workspace = nullptr;
  std::unique_ptr<lf::fft::r2c_plan<float>> power_plan;
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
  std::optional<lf::force::phase_times> force_times;  ///< the mesh force's breakdown (not sCOLA)
  std::string sheet_switch;  ///< when the sheet source switched to the particles (global_switch)
  memory_tracker memory;         ///< the measured peak, and the phase that raised it
  memory_budget budget;          ///< the estimate (memory_budget.hpp)
  analysis_storage analysis;     ///< what P(k) may borrow
  std::function<void()> after_commit;  ///< called once an output time's files are committed
};

/// P(k) table, slice and snapshot of one output time, written as one set of files (they
/// appear together or not at all; a Gadget snapshot is its own such set), then the pictures.
/// Checks for an interrupt request between files (lagframe::io::interrupted). The momenta of
/// `s` are read only for a snapshot and for [halos] (they may be empty otherwise).
void write_outputs(run_context& ctx, const lf::snapshot_view<float>& s, double d1, double z);

/// A picture by one of the plotting scripts (`script` in ctx.scripts, run by /usr/bin/python3
/// with `args`); prints what it wrote or why it failed; a left-over temporary is removed.
bool plot(const run_context& ctx, const std::string& script, std::vector<std::string> args, const std::filesystem::path& png);

/// Whether /usr/bin/python3 can import numpy and matplotlib.
bool python_plots_available();

/// "z0.000": the tag of an output redshift in file names.
std::string redshift_tag(double z);

/// "deposit 1.2 s, FFTs 2.3 s, ... over N Poisson solves (X ms each)": the force's breakdown
/// for the console and run_summary.txt.
std::string force_time_text(const lf::force::phase_times& t);

}  // namespace lagframe_run
