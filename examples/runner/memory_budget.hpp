// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// The memory a configuration will need, estimated before anything is allocated: per phase of
// the run (setup, initial conditions, evolution, outputs; for sCOLA the evolution is the tiles)
// and per component (the program itself, particles, frame fields, force meshes and buffers, IC
// work arrays, analysis meshes, I/O buffers, lightcone, sCOLA tiles, [halos]). The sizes follow the
// allocations of the library and of lagframe-run (each formula cites its header);
// `lagframe-run --check` prints the table, a run whose peak exceeds the memory available is
// refused unless --force is given, and run_summary.txt puts the measured peak beside it.

#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include "config.hpp"
#include "memory_usage.hpp"
#include "run_config.hpp"

namespace lagframe_run {

enum class memory_part { program, particles, frame, force, ic_work, analysis, io, lightcone, tiles, haloes };
inline constexpr std::size_t memory_part_count = 10;
inline constexpr std::array<const char*, memory_part_count> memory_part_names = {
    "program", "particles", "frame fields", "force meshes", "IC work", "analysis meshes", "I/O buffers", "lightcone",
    "sCOLA tiles", "haloes"};

struct memory_budget {
  /// bytes[phase][part]: what is allocated at the peak of that phase.
  std::array<std::array<double, memory_part_count>, run_phase_count> bytes{};
  std::size_t particles = 0;

  [[nodiscard]] double total(run_phase p) const;
  [[nodiscard]] run_phase peak_phase() const;
  [[nodiscard]] double peak() const { return total(peak_phase()); }
};

/// Whether the P(k) of an output is measured in the force's own two meshes and with its deposit
/// buffers (the power mesh is the force mesh, the particles are deposited): no analysis mesh
/// is allocated then.
bool power_in_force_meshes(const run_config& c);

/// The estimate for configuration `c` with `inputs` read; `resident` is the program's resident
/// set now (the program, its libraries and the inputs: the inputs that the run releases are
/// taken out of the program's part and counted where they live).
memory_budget estimate_memory(const run_config& c, const run_inputs& inputs, std::size_t resident);

/// The table printed by --check and at the start of a run.
std::string format_budget(const memory_budget& b);

/// Throws config_error (exit status 2) when the estimated peak exceeds the memory available
/// (`available` plus `resident`, what the program holds already), unless `force`; returns a
/// one-line note on the comparison.
std::string check_memory(const memory_budget& b, const std::optional<available_memory>& available,
                         std::size_t resident, bool force);

}  // namespace lagframe_run
