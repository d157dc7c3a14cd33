// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// What lagframe-run measures of its own memory: the resident set and its peak (VmRSS and VmHWM
// of /proc/self/status; getrusage's ru_maxrss where /proc is missing), the memory the system can
// still give (MemAvailable of /proc/meminfo, or the LAGFRAME_RUN_AVAILABLE_MIB environment
// variable, which stands in for it: tests fake a small machine with it), and which phase of the
// run raised the peak. Nothing here resets the peak: /usr/bin/time -v and ru_maxrss stay valid.

#include <array>
#include <cstddef>
#include <optional>
#include <string>

namespace lagframe_run {

/// The phases of a run, in the order of the budget (memory_budget.hpp) and the summary.
enum class run_phase { setup, initial_conditions, evolution, outputs };
inline constexpr std::size_t run_phase_count = 4;
inline constexpr std::array<const char*, run_phase_count> run_phase_names = {"setup", "initial conditions",
                                                                              "evolution", "outputs"};

inline constexpr double mib = 1024.0 * 1024.0;

/// Resident set and its peak so far, in bytes (0 when they cannot be read).
struct process_memory {
  std::size_t resident = 0;
  std::size_t peak = 0;
};
process_memory read_process_memory();

/// Memory the system can still give, in bytes, and where the figure comes from
/// ("MemAvailable in /proc/meminfo" or "LAGFRAME_RUN_AVAILABLE_MIB"); nullopt when neither is
/// readable. A malformed LAGFRAME_RUN_AVAILABLE_MIB is a config_error naming it.
struct available_memory {
  std::size_t bytes = 0;
  std::string source;
};
std::optional<available_memory> read_available_memory();

/// Which phase raised the peak: call enter() at every phase boundary (evolution and outputs
/// alternate); the peak reached while a phase ran is recorded for it when it rose then.
class memory_tracker {
 public:
  memory_tracker();
  void enter(run_phase p);
  /// Reads the peak once more and attributes any rise to the current phase.
  void finish() { enter(current_); }

  /// Resident set when the tracker was made (the program, its libraries and the inputs read).
  [[nodiscard]] std::size_t start_resident() const { return start_.resident; }
  /// The peak so far (bytes) and the phase during which it was reached (meaningless when it
  /// was reached before the run, while the configuration and its files were read).
  [[nodiscard]] std::size_t peak() const { return last_peak_; }
  [[nodiscard]] run_phase peak_phase() const { return peak_phase_; }
  [[nodiscard]] bool peak_before_run() const { return last_peak_ == start_.peak; }
  /// The peak reached before the tracker was made (reading the configuration and its files).
  [[nodiscard]] std::size_t start_peak() const { return start_.peak; }
  /// Highest peak reached while phase p ran, 0 when the peak did not rise during it.
  [[nodiscard]] std::size_t phase_peak(run_phase p) const { return phase_peak_[static_cast<std::size_t>(p)]; }

 private:
  process_memory start_;
  run_phase current_ = run_phase::setup;
  run_phase peak_phase_ = run_phase::setup;
  std::size_t last_peak_ = 0;
  std::array<std::size_t, run_phase_count> phase_peak_{};
};

}  // namespace lagframe_run
