// SPDX-License-Identifier: BSD-3-Clause
// lagframe-run's own memory, as Linux reports it (memory_usage.hpp).

#include "memory_usage.hpp"

#include <sys/resource.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <lagframe/core/error.hpp>

namespace lagframe_run {

namespace {

/// The value in kB of the line "Name:   1234 kB" of a /proc file, or nullopt.
std::optional<std::size_t> proc_kib(const char* file, const std::string& name) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(name.size() + 1));
    std::size_t kib = 0;
    if (fields >> kib) return kib;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

process_memory read_process_memory() {
  process_memory m;
  if (const auto rss = proc_kib("/proc/self/status", "VmRSS")) m.resident = *rss * 1024;
  if (const auto hwm = proc_kib("/proc/self/status", "VmHWM")) {
    m.peak = *hwm * 1024;
  } else {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    m.peak = static_cast<std::size_t>(u.ru_maxrss) * 1024;  // kB on Linux
  }
  return m;
}

std::optional<available_memory> read_available_memory() {
  if (const char* fake = std::getenv("LAGFRAME_RUN_AVAILABLE_MIB"); fake != nullptr && *fake != '\0') {
    char* end = nullptr;
    const double v = std::strtod(fake, &end);
    if (end == fake || *end != '\0' || !(v >= 0.0) || v > 1e12)
      throw lagframe::config_error(std::string("config: environment variable LAGFRAME_RUN_AVAILABLE_MIB = \"") + fake +
                                   "\" is invalid: expected a number of MiB >= 0 (it stands in for MemAvailable)");
    return available_memory{static_cast<std::size_t>(v * mib), "LAGFRAME_RUN_AVAILABLE_MIB"};
  }
  if (const auto kib = proc_kib("/proc/meminfo", "MemAvailable"))
    return available_memory{*kib * 1024, "MemAvailable in /proc/meminfo"};
  return std::nullopt;
}

memory_tracker::memory_tracker() : start_(read_process_memory()), last_peak_(start_.peak) {}

void memory_tracker::enter(run_phase p) {
  const std::size_t peak = read_process_memory().peak;
  if (peak > last_peak_) {
    last_peak_ = peak;
    peak_phase_ = current_;
    auto& slot = phase_peak_[static_cast<std::size_t>(current_)];
    if (peak > slot) slot = peak;
  }
  current_ = p;
}

}  // namespace lagframe_run
