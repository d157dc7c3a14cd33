// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// The entry points of a run (one per force type, and sCOLA) and the clock; light enough for
// lagframe_run.cpp, which does not instantiate any simulation (simulate.hpp does).

#include <chrono>

#include "outputs.hpp"

namespace lagframe_run {

/// The whole run, for one force type and density source each (run_pm.cpp, run_p3m.cpp,
/// run_sheet_pm.cpp, run_sheet_p3m.cpp), and sCOLA (run_scola.cpp).
void run_pm(run_context& ctx);
void run_p3m(run_context& ctx);
void run_pm_sheet(run_context& ctx);
void run_p3m_sheet(run_context& ctx);
void run_scola(run_context& ctx);

using clock_type = std::chrono::steady_clock;
inline double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

}  // namespace lagframe_run
