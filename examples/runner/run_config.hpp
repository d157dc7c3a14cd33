// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// The runner's configuration: one TOML file (toml++), every key checked before anything runs.
// An unknown key, a value of the wrong type or an impossible value is a lagframe::config_error
// whose one-line message names the key, its line in the file and what was expected.

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <lagframe/force/p3m.hpp>
#include <lagframe/lagframe.hpp>
#include <lagframe/scola/tiling.hpp>

namespace lagframe_run {

namespace lf = lagframe;

struct run_config {
  lf::cosmology::parameters cosmology;
  lf::box box;
  // initial conditions
  std::uint64_t seed = 1;
  std::string power_spectrum = "eisenstein_hu";  // eisenstein_hu | eisenstein_hu_no_wiggle | file
  std::string power_file;
  lf::cosmology::table_layout power_layout = lf::cosmology::table_layout::class_pk;
  bool normalise_file_to_sigma8 = true;
  lf::ic::amplitude amplitude = lf::ic::amplitude::gaussian;
  bool inverted = false;
  int lpt_order = 2;
  double z_start = 49.0;
  std::filesystem::path ic_file;            // empty: generate the ICs from the seed
  std::string ic_format = "gadget_hdf5";     // gadget_hdf5 | gadget2
  std::string id_convention = "one_based";   // one_based (N-GenIC, Gadget) | zero_based (MUSIC, monofonIC)
  double ic_length_unit_mpc_h = 1e-3;        // gadget2 only: file length unit (kpc/h)
  std::filesystem::path restart_directory;  // empty: start from the ICs
  double restart_redshift = -1;
  std::string restart_format = "npy";  // npy | gadget_hdf5
  // frame, force, stepper
  std::string frame = "lpt2";  // inertial | lpt1 | lpt2 | coca (tCOCA: lpt2 + fourier_linear emulator)
  std::filesystem::path emulator_file;      // coca: a fourier_linear model file
  std::string integration = "as_lpt";       // coca: as_lpt | as_particles (frame/emulated.hpp)
  std::string force_type = "pm";   // pm | p3m
  std::string assignment = "cic";  // cic | tsc (p3m default: tsc)
  lf::force::pm_options pm;        // the PM force, or the long-range mesh of p3m
  lf::force::p3m_options p3m;      // p3m: split, cut-off, softening (p3m.mesh is filled from pm)
  std::string wisdom_file;
  std::string factors = "cola";  // quinn | fastpm | cola
  double n_lpt = -2.5;
  std::size_t steps = 10;
  std::string spacing = "linear";  // linear | log
  std::string schedule = "every_step";  // every_step | every_nth | points | interior | spread_late
  std::size_t schedule_forces = 8;      // spread_late: number of force evaluations
  std::size_t schedule_every = 1;
  std::vector<std::size_t> schedule_points;
  // outputs
  std::filesystem::path directory = "out/run";
  std::vector<double> output_redshifts{0.0};
  bool write_power_spectrum = true;
  std::size_t power_grid_1d = 0;  // 0: the force mesh size
  bool write_slice = true;
  std::size_t slice_pixels = 512;
  double slice_thickness_mpc_h = 0;  // 0: an eighth of the box
  std::string snapshot = "none";  // none | npy | gadget_hdf5
  int snapshot_files = 1;         // gadget_hdf5: files per snapshot
  bool snapshot_double = false;   // gadget_hdf5: float64 datasets
  bool plots = true;  // P(k) PNG through python3-matplotlib when available
  // sCOLA (the [scola] section; absent: the whole box evolves as one simulation)
  bool scola = false;
  lf::scola::tiling_options scola_tiling;
  std::string scola_boundary = "lpt_expanded";  // lpt_expanded | lpt_linear
  bool scola_follow_bulk_flow = true;
  std::string scola_greens = "exact";           // exact | finite_difference
  std::string scola_executor = "openmp";        // openmp | sequential
  std::filesystem::path scola_tile_directory;   // default: <output.directory>/tiles
};

/// Strict reader: every lookup records the key; leftover keys are errors.
class config_reader {
 public:
  explicit config_reader(const toml::table& root) : root_(root) {}

  template <class T>
  T get(std::string_view section, std::string_view key, T fallback) {
    const std::string path = std::string(section) + "." + std::string(key);
    used_.insert(path);
    const toml::node* node = root_.at_path(path).node();
    if (node == nullptr) return fallback;
    if constexpr (std::is_same_v<T, bool>) {
      if (auto v = node->value_exact<bool>()) return *v;
      fail(path, *node, "true or false");
    } else if constexpr (std::is_floating_point_v<T>) {
      if (auto v = node->value<double>(); v && (node->is_floating_point() || node->is_integer())) return static_cast<T>(*v);
      fail(path, *node, "a number");
    } else if constexpr (std::is_integral_v<T>) {
      if (auto v = node->value_exact<std::int64_t>()) {
        if constexpr (std::is_unsigned_v<T>) {
          if (*v < 0) fail(path, *node, "a non-negative integer");
        }
        return static_cast<T>(*v);
      }
      fail(path, *node, "an integer");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = node->value_exact<std::string>()) return *v;
      fail(path, *node, "a string");
    }
    return fallback;
  }

  template <class T>
  std::vector<T> get_array(std::string_view section, std::string_view key, std::vector<T> fallback) {
    const std::string path = std::string(section) + "." + std::string(key);
    used_.insert(path);
    const toml::node* node = root_.at_path(path).node();
    if (node == nullptr) return fallback;
    const toml::array* array = node->as_array();
    if (array == nullptr) fail(path, *node, "an array");
    std::vector<T> out;
    for (const auto& element : *array) {
      if constexpr (std::is_floating_point_v<T>) {
        auto v = element.value<double>();
        if (!v || !(element.is_floating_point() || element.is_integer())) fail(path, element, "an array of numbers");
        out.push_back(static_cast<T>(*v));
      } else {
        auto v = element.value_exact<std::int64_t>();
        if (!v || *v < 0) fail(path, element, "an array of non-negative integers");
        out.push_back(static_cast<T>(*v));
      }
    }
    return out;
  }

  /// A string restricted to `choices`.
  std::string choice(std::string_view section, std::string_view key, std::string fallback,
                     std::initializer_list<std::string_view> choices) {
    std::string value = get<std::string>(section, key, fallback);
    for (auto c : choices)
      if (value == c) return value;
    std::string expected = "one of";
    for (auto c : choices) expected += std::string(" \"") + std::string(c) + "\"";
    fail_value(section, key, "\"" + value + "\"", expected);
    return value;
  }

  /// Throw for an impossible value of section.key (with its line when the key is in the file).
  [[noreturn]] void fail_value(std::string_view section, std::string_view key, const std::string& value,
                               const std::string& expected) const {
    const std::string path = std::string(section) + "." + std::string(key);
    const toml::node* node = root_.at_path(path).node();
    std::ostringstream msg;
    msg << "config: " << path;
    if (node != nullptr) msg << where(*node);
    msg << " = " << value << " is invalid: expected " << expected;
    throw lf::config_error(msg.str());
  }

  /// Every key of the file must have been read: report the first that was not.
  void reject_unknown_keys() const { walk(root_, ""); }

 private:
  /// " (line N)" for a key read from the file, " (--set)" for one given on the command line.
  static std::string where(const toml::node& node) {
    const auto line = node.source().begin.line;
    return line > 0 ? " (line " + std::to_string(line) + ")" : std::string(" (--set)");
  }

  [[noreturn]] void fail(const std::string& path, const toml::node& node, std::string_view expected) const {
    std::ostringstream msg;
    msg << "config: " << path << where(node) << " has the wrong type ("
        << node.type() << "): expected " << expected;
    throw lf::config_error(msg.str());
  }

  void walk(const toml::table& table, const std::string& prefix) const {
    for (const auto& [key, node] : table) {
      const std::string path = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
      if (const auto* sub = node.as_table(); sub != nullptr && prefix.empty()) {
        if (known_sections().count(path) == 0) unknown(path, node);
        walk(*sub, path);
      } else if (used_.count(path) == 0) {
        unknown(path, node);
      }
    }
  }
  [[noreturn]] static void unknown(const std::string& path, const toml::node& node) {
    std::ostringstream msg;
    msg << "config: unknown key '" << path << "'" << where(node)
        << ": check its spelling against configs/quickstart.toml";
    throw lf::config_error(msg.str());
  }
  static const std::set<std::string>& known_sections() {
    static const std::set<std::string> s = {"cosmology", "box", "initial_conditions", "frame", "force", "stepper", "output", "scola"};
    return s;
  }

  const toml::table& root_;
  std::set<std::string> used_;
};

/// Read and check a whole configuration.
inline run_config read_config(const toml::table& root) {
  config_reader r(root);
  run_config c;
  auto& cp = c.cosmology;
  cp.omega_m = r.get("cosmology", "omega_m", cp.omega_m);
  cp.omega_b = r.get("cosmology", "omega_b", cp.omega_b);
  cp.omega_k = r.get("cosmology", "omega_k", cp.omega_k);
  cp.h = r.get("cosmology", "h", cp.h);
  cp.n_s = r.get("cosmology", "n_s", cp.n_s);
  cp.sigma_8 = r.get("cosmology", "sigma_8", cp.sigma_8);
  cp.t_cmb = r.get("cosmology", "t_cmb", cp.t_cmb);

  c.box.side_mpc_h = r.get("box", "side_mpc_h", 128.0);
  c.box.particles_1d = r.get<std::size_t>("box", "particles_1d", 64);
  if (!(c.box.side_mpc_h > 0.0) || !std::isfinite(c.box.side_mpc_h))
    r.fail_value("box", "side_mpc_h", std::to_string(c.box.side_mpc_h), "a positive length in Mpc/h");
  if (c.box.particles_1d < 2 || c.box.particles_1d > 4096)
    r.fail_value("box", "particles_1d", std::to_string(c.box.particles_1d), "an integer in [2, 4096]");

  c.seed = r.get<std::uint64_t>("initial_conditions", "seed", c.seed);
  c.power_spectrum = r.choice("initial_conditions", "power_spectrum", c.power_spectrum,
                              {"eisenstein_hu", "eisenstein_hu_no_wiggle", "file"});
  c.power_file = r.get<std::string>("initial_conditions", "power_file", "");
  const std::string layout = r.choice("initial_conditions", "power_layout", "class_pk", {"class_pk", "camb_pk", "class_tk", "camb_tk"});
  c.power_layout = layout == "class_pk"   ? lf::cosmology::table_layout::class_pk
                   : layout == "camb_pk"  ? lf::cosmology::table_layout::camb_pk
                   : layout == "class_tk" ? lf::cosmology::table_layout::class_tk
                                          : lf::cosmology::table_layout::camb_tk;
  c.normalise_file_to_sigma8 = r.get("initial_conditions", "normalise_to_sigma8", true);
  if (c.power_spectrum == "file") {
    if (c.power_file.empty())
      r.fail_value("initial_conditions", "power_file", "\"\"", "a P(k) or T(k) file when power_spectrum = \"file\"");
    if (!std::filesystem::exists(c.power_file))
      r.fail_value("initial_conditions", "power_file", "\"" + c.power_file + "\"", "an existing file");
  }
  c.amplitude = r.choice("initial_conditions", "amplitude", "gaussian", {"gaussian", "fixed"}) == "fixed"
                    ? lf::ic::amplitude::fixed
                    : lf::ic::amplitude::gaussian;
  c.inverted = r.get("initial_conditions", "inverted", false);
  c.lpt_order = r.get("initial_conditions", "lpt_order", 2);
  if (c.lpt_order != 1 && c.lpt_order != 2)
    r.fail_value("initial_conditions", "lpt_order", std::to_string(c.lpt_order), "1 or 2");
  c.z_start = r.get("initial_conditions", "z_start", c.z_start);
  if (!(c.z_start > 0.0) || c.z_start > 1e4)
    r.fail_value("initial_conditions", "z_start", std::to_string(c.z_start), "a redshift in (0, 10000]");

  c.ic_file = r.get<std::string>("initial_conditions", "file", "");
  c.ic_format = r.choice("initial_conditions", "file_format", "gadget_hdf5", {"gadget_hdf5", "gadget2"});
  c.id_convention = r.choice("initial_conditions", "id_convention", "one_based", {"one_based", "zero_based"});
  c.ic_length_unit_mpc_h = r.get("initial_conditions", "length_unit_mpc_h", 1e-3);
  if (!(c.ic_length_unit_mpc_h > 0.0))
    r.fail_value("initial_conditions", "length_unit_mpc_h", std::to_string(c.ic_length_unit_mpc_h), "a positive length in Mpc/h");
#if !defined(LAGFRAME_RUN_HAS_HDF5)
  if (!c.ic_file.empty() && c.ic_format == "gadget_hdf5")
    r.fail_value("initial_conditions", "file_format", "\"gadget_hdf5\"", "\"gadget2\": built without HDF5");
#endif
  c.restart_directory = r.get<std::string>("initial_conditions", "restart_directory", "");
  c.restart_redshift = r.get("initial_conditions", "restart_redshift", -1.0);
  c.restart_format = r.choice("initial_conditions", "restart_format", "npy", {"npy", "gadget_hdf5"});
  if (!c.restart_directory.empty()) {
    if (!std::filesystem::is_directory(c.restart_directory))
      r.fail_value("initial_conditions", "restart_directory", "\"" + c.restart_directory.string() + "\"",
                   "the output directory of an earlier run");
    if (!(c.restart_redshift >= 0.0 && c.restart_redshift < c.z_start))
      r.fail_value("initial_conditions", "restart_redshift", std::to_string(c.restart_redshift),
                   "the redshift of one of that run's snapshots, below z_start");
#if !defined(LAGFRAME_RUN_HAS_HDF5)
    if (c.restart_format == "gadget_hdf5")
      r.fail_value("initial_conditions", "restart_format", "\"gadget_hdf5\"", "\"npy\": built without HDF5");
#endif
  }

  c.frame = r.choice("frame", "type", c.frame, {"inertial", "lpt1", "lpt2", "coca"});
  if ((c.frame == "lpt2" || c.frame == "coca") && c.lpt_order != 2)
    r.fail_value("frame", "type", "\"" + c.frame + "\"", "initial_conditions.lpt_order = 2 for the second-order frame");
  c.emulator_file = r.get<std::string>("frame", "emulator_file", "");
  c.integration = r.choice("frame", "integration", c.integration, {"as_lpt", "as_particles"});
  if (c.frame == "coca" && c.emulator_file.empty())
    r.fail_value("frame", "emulator_file", "\"\"", "a fourier_linear model file with type = \"coca\"");
  if (c.frame == "coca" && !std::filesystem::is_regular_file(c.emulator_file))
    r.fail_value("frame", "emulator_file", "\"" + c.emulator_file.string() + "\"", "an existing file");

  c.force_type = r.choice("force", "type", c.force_type, {"pm", "p3m"});
  const bool p3m = c.force_type == "p3m";
  c.assignment = r.choice("force", "assignment", p3m ? "tsc" : c.assignment, {"cic", "tsc"});
  c.pm.grid_1d = r.get<std::size_t>("force", "grid_1d", 2 * c.box.particles_1d);
  if (c.pm.grid_1d < 2 || c.pm.grid_1d > 8192)
    r.fail_value("force", "grid_1d", std::to_string(c.pm.grid_1d), "a mesh size in [2, 8192]");
  const std::string greens = r.choice("force", "greens", "exact", {"exact", "finite_difference", "optimal"});
  c.pm.greens = greens == "exact" ? lf::force::greens_function::exact
                : greens == "optimal" ? lf::force::greens_function::optimal
                                      : lf::force::greens_function::finite_difference;
  // p3m's mesh defaults (spectral gradient, W^-2 deconvolution) are those of force::p3m_options.
  c.pm.grad = r.choice("force", "gradient", p3m ? "spectral" : "finite_difference_4", {"finite_difference_4", "spectral"}) ==
                      "spectral"
                  ? lf::force::gradient::spectral
                  : lf::force::gradient::finite_difference_4;
  c.pm.deconvolve = r.get("force", "deconvolve", p3m);
  c.pm.interlace = r.get("force", "interlace", false);
  c.p3m.split_cells = r.get("force", "split_cells", c.p3m.split_cells);
  c.p3m.cutoff_split = r.get("force", "cutoff_split", c.p3m.cutoff_split);
  c.p3m.softening_spacing = r.get("force", "softening_spacing", c.p3m.softening_spacing);
  if (!p3m) {
    for (const char* key : {"split_cells", "cutoff_split", "softening_spacing"})
      if (root.at_path(std::string("force.") + key).node() != nullptr)
        r.fail_value("force", key, "(set)", "type = \"p3m\" (the key belongs to the P3M force)");
  }
  c.pm.planning = r.choice("force", "planning", "estimate", {"estimate", "measure"}) == "measure"
                      ? lf::fft::planning::measure
                      : lf::fft::planning::estimate;
  c.wisdom_file = r.get<std::string>("force", "wisdom_file", "");
  if (p3m) {
    c.p3m.mesh = c.pm;
    try {
      c.p3m.validate();
      (void)lf::force::short_range_kernel(c.p3m.split_cells * c.box.side_mpc_h / static_cast<double>(c.pm.grid_1d),
                                          c.p3m.cutoff_split * c.p3m.split_cells * c.box.side_mpc_h /
                                              static_cast<double>(c.pm.grid_1d),
                                          c.p3m.softening_spacing * c.box.lagrangian_spacing());
    } catch (const lf::config_error& e) {
      r.fail_value("force", "type", "\"p3m\"", e.what());
    }
  }

  c.factors = r.choice("stepper", "factors", c.factors, {"quinn", "fastpm", "cola"});
  c.n_lpt = r.get("stepper", "n_lpt", c.n_lpt);
  if (!(c.n_lpt != 0.0 && c.n_lpt > -4.0 && c.n_lpt < 3.5))
    r.fail_value("stepper", "n_lpt", std::to_string(c.n_lpt), "a non-zero exponent in (-4, 3.5)");
  c.steps = r.get<std::size_t>("stepper", "steps", c.steps);
  if (c.steps < 1 || c.steps > 100000) r.fail_value("stepper", "steps", std::to_string(c.steps), "an integer in [1, 100000]");
  c.spacing = r.choice("stepper", "spacing", c.spacing, {"linear", "log"});
  c.schedule = r.choice("stepper", "schedule", c.schedule, {"every_step", "every_nth", "points", "interior", "spread_late"});
  c.schedule_forces = r.get<std::size_t>("stepper", "schedule_forces", c.schedule_forces);
  c.schedule_every = r.get<std::size_t>("stepper", "schedule_every", 1);
  if (c.schedule_every < 1) r.fail_value("stepper", "schedule_every", "0", "an integer >= 1");
  c.schedule_points = r.get_array<std::size_t>("stepper", "schedule_points", {});

  c.directory = r.get<std::string>("output", "directory", c.directory.string());
  c.output_redshifts = r.get_array<double>("output", "redshifts", c.output_redshifts);
  if (c.output_redshifts.empty()) r.fail_value("output", "redshifts", "[]", "at least one output redshift");
  for (double z : c.output_redshifts)
    if (!(z >= 0.0) || !(z < c.z_start))
      r.fail_value("output", "redshifts", std::to_string(z),
                   "redshifts in [0, initial_conditions.z_start = " + std::to_string(c.z_start) + ")");
  c.write_power_spectrum = r.get("output", "power_spectrum", true);
  c.power_grid_1d = r.get<std::size_t>("output", "power_grid_1d", 0);
  c.write_slice = r.get("output", "slice", true);
  c.slice_pixels = r.get<std::size_t>("output", "slice_pixels", 512);
  if (c.slice_pixels < 2 || c.slice_pixels > 8192)
    r.fail_value("output", "slice_pixels", std::to_string(c.slice_pixels), "an image size in [2, 8192]");
  c.slice_thickness_mpc_h = r.get("output", "slice_thickness_mpc_h", c.box.side_mpc_h / 8);
  if (!(c.slice_thickness_mpc_h > 0.0) || c.slice_thickness_mpc_h > c.box.side_mpc_h)
    r.fail_value("output", "slice_thickness_mpc_h", std::to_string(c.slice_thickness_mpc_h), "a thickness in (0, box.side_mpc_h]");
  c.snapshot = r.choice("output", "snapshot", "none", {"none", "npy", "gadget_hdf5"});
  c.snapshot_files = r.get("output", "snapshot_files", 1);
  if (c.snapshot_files < 1 || static_cast<std::size_t>(c.snapshot_files) > c.box.particle_count())
    r.fail_value("output", "snapshot_files", std::to_string(c.snapshot_files), "between 1 and the number of particles");
  c.snapshot_double = r.get("output", "snapshot_double", false);
#if !defined(LAGFRAME_RUN_HAS_HDF5)
  if (c.snapshot == "gadget_hdf5")
    r.fail_value("output", "snapshot", "\"gadget_hdf5\"", "\"none\" or \"npy\": this lagframe-run was built without HDF5 (libhdf5-dev)");
#endif
  c.plots = r.get("output", "plots", true);

  c.scola = root.contains("scola");
  if (c.scola) {
    c.scola_tiling.tiles_per_side = r.get<std::size_t>("scola", "tiles_per_side", 2);
    c.scola_tiling.buffer_mpc_h = r.get("scola", "buffer_mpc_h", 0.0);
    const double shell = r.get("scola", "shell_mpc_h", -1.0);
    if (shell >= 0.0) c.scola_tiling.shell_mpc_h = shell;
    c.scola_boundary = r.choice("scola", "boundary", c.scola_boundary, {"lpt_expanded", "lpt_linear"});
    c.scola_follow_bulk_flow = r.get("scola", "follow_bulk_flow", true);
    c.scola_greens = r.choice("scola", "greens", c.scola_greens, {"exact", "finite_difference"});
    c.scola_executor = r.choice("scola", "executor", c.scola_executor, {"openmp", "sequential"});
    c.scola_tile_directory = r.get<std::string>("scola", "tile_directory", (c.directory / "tiles").string());
    // The tile mesh has the resolution of the force mesh.
    if (c.pm.grid_1d % c.box.particles_1d != 0)
      r.fail_value("force", "grid_1d", std::to_string(c.pm.grid_1d),
                   "a multiple of box.particles_1d with [scola] (tile meshes have grid_1d/particles_1d cells per particle)");
    c.scola_tiling.mesh_per_particle = c.pm.grid_1d / c.box.particles_1d;
    if (c.frame == "inertial" || c.frame == "coca")
      r.fail_value("frame", "type", "\"" + c.frame + "\"", "\"lpt1\" or \"lpt2\" with [scola]");
    if (p3m)
      r.fail_value("force", "type", "\"p3m\"", "\"pm\" with [scola] (tiles solve Poisson with Dirichlet boundaries on their mesh)");
    if (c.output_redshifts.size() != 1)
      r.fail_value("output", "redshifts", std::to_string(c.output_redshifts.size()) + " redshifts",
                   "one redshift with [scola] (tiles deliver their final state only)");
    if (!c.ic_file.empty() || !c.restart_directory.empty())
      r.fail_value("scola", "tiles_per_side", std::to_string(c.scola_tiling.tiles_per_side),
                   "no [scola] with initial_conditions.file or restart_directory (a rerun resumes from the tile files)");
    try {
      (void)lf::scola::tiling(c.box, c.scola_tiling);
    } catch (const lf::config_error& e) {
      throw lf::config_error(std::string("config: [scola]: ") + e.what());
    }
  }

  r.reject_unknown_keys();
  c.cosmology.validate();  // the remaining physical constraints (E² > 0, Ω_b < Ω_m, …)
  // tCOCA: the emulator must fit the box, the particle grid and the run's time range, checked
  // before anything is written.
  if (c.frame == "coca") {
    try {
      const lf::frame::emulators::fourier_linear<float> emulator(std::make_shared<const lf::frame::emulators::fourier_linear_model>(
          lf::frame::emulators::fourier_linear_model::load(c.emulator_file)));
      const double z_end = *std::min_element(c.output_redshifts.begin(), c.output_redshifts.end());
      emulator.validate(c.box, 1.0 / (1.0 + c.z_start), 1.0 / (1.0 + z_end));
    } catch (const lf::error& e) {
      r.fail_value("frame", "emulator_file", "\"" + c.emulator_file.string() + "\"", e.what());
    }
  }
  return c;
}

/// Apply one "--set section.key=value" override: the value is parsed as TOML.
inline void apply_override(toml::table& root, const std::string& assignment) {
  const auto eq = assignment.find('=');
  const auto dot = assignment.find('.');
  if (eq == std::string::npos || dot == std::string::npos || dot > eq) {
    throw lf::config_error("config: --set '" + assignment + "' is invalid: expected section.key=value");
  }
  const std::string section = assignment.substr(0, dot);
  const std::string key = assignment.substr(dot + 1, eq - dot - 1);
  const std::string value = assignment.substr(eq + 1);
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value);
  } catch (const toml::parse_error&) {
    // A bare word is taken as a string.
    parsed = toml::table{{"v", value}};
  }
  if (!root.contains(section)) root.insert(section, toml::table{});
  toml::table* sec = root[section].as_table();
  if (sec == nullptr) throw lf::config_error("config: --set '" + assignment + "': '" + section + "' is not a section");
  sec->insert_or_assign(key, *parsed["v"].node());
}

}  // namespace lagframe_run
