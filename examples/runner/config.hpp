// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// Loading a configuration: the TOML file and the --set overrides are read against the key
// table (schema.hpp), checked key by key and then across keys, and every file a key names is
// read (P(k) table, IC file, emulator, restart snapshot and the earlier run's configuration),
// all before anything is written. Any problem is a lagframe::config_error whose one-line
// message names the key, its line in the file (or "(--set)"), the value and the fix.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <lagframe/core/vec3.hpp>
#include <lagframe/cosmology/linear_power.hpp>
#include <lagframe/io/gadget2_binary.hpp>

#include "emulator.hpp"
#include "run_config.hpp"

namespace lagframe_run {

/// Positions and total momenta of an earlier run's snapshot (lagframe units).
struct restart_state {
  double a = 0;
  std::vector<lf::vec3<float>> positions, momenta;
};

/// What the configuration's files hold, read once while checking.
struct run_inputs {
  std::optional<lf::cosmology::linear_power> power;
  std::optional<lf::io::ic_particles> ics;  ///< initial_conditions.file
  std::optional<restart_state> restart;     ///< initial_conditions.restart_directory
  std::optional<any_emulator> emulator;     ///< frame.type = "coca"
};

/// Reads and checks `file` with the "section.key=value" `overrides`; fills `inputs`. Notes
/// (sorted output redshifts, the sigma_8 of a P(k) table) are printed on stdout.
run_config load_config(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                       run_inputs& inputs);

/// The documented reference configuration: every key with its default (or an example) and
/// its doc line.
std::string reference_config();

/// A number as a TOML literal, shortest form that reads back exactly ("128.0", "0.049").
std::string toml_number(double v);

}  // namespace lagframe_run
