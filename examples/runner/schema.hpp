// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// The runner's keys: one table (section, key, type, default, allowed values or range, one-line
// doc). The reader (config.cpp) takes the type, the default, the choices and the range of every
// key from it, an unknown key is one that is not in it, and `lagframe-run --print-config` prints
// it as a documented configuration; tests/runner/schema_keys.cmake checks that
// configs/quickstart.toml holds exactly its keys.

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "run_config.hpp"

namespace lagframe_run {

enum class value_type {
  boolean,
  count,    ///< a non-negative integer
  number,   ///< integer or floating point
  text,
  path,     ///< a string naming a file or folder (relative: to the configuration file's folder)
  choice,   ///< one of `choices`
  numbers,  ///< an array of numbers
  counts    ///< an array of non-negative integers
};

/// How a key is defaulted, and so how --print-config shows it.
enum class presence {
  fixed,     ///< `value` is the default (shown as a key, or as a comment when `inactive`)
  computed,  ///< the default follows from other keys (the doc says how); shown as a comment
  optional,  ///< unset unless given; shown as a comment with `value` as an example
  required   ///< must be given; shown with `value` as an example
};

/// Closed or open bounds of a number (infinite: unbounded).
struct range {
  double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
  bool lo_open = false, hi_open = false;

  [[nodiscard]] bool contains(double v) const {
    if (!std::isfinite(v)) return false;
    if (lo_open ? !(v > lo) : !(v >= lo)) return false;
    if (hi_open ? !(v < hi) : !(v <= hi)) return false;
    return true;
  }
  [[nodiscard]] bool bounded() const { return std::isfinite(lo) || std::isfinite(hi); }
};
inline constexpr double inf = std::numeric_limits<double>::infinity();
inline range positive() { return {0.0, inf, true, false}; }
inline range non_negative() { return {0.0, inf, false, false}; }
inline range closed(double lo, double hi) { return {lo, hi, false, false}; }
inline range open(double lo, double hi) { return {lo, hi, true, true}; }
inline range at_least(double lo) { return {lo, inf, false, false}; }

struct key_spec {
  std::string_view section, key;
  value_type type;
  presence when;
  std::string_view value;  ///< TOML literal: the default (fixed), or an example
  std::string_view doc;
  std::vector<std::string_view> choices{};  ///< value_type::choice
  range bounds{};                           ///< number, count, numbers, counts
  /// Fixed default, but unused unless another key asks for it (e.g. power_layout without a
  /// power_file): --print-config shows it as a comment.
  bool inactive = false;
  /// A restart refuses to continue a run whose value differed (all but the output keys that
  /// do not change the time grid, the restart keys and the FFT planning keys).
  bool same_on_restart = true;

  [[nodiscard]] std::string id() const { return std::string(section) + "." + std::string(key); }
};

struct section_spec {
  std::string_view name;
  std::string_view doc;
  bool required = false;  ///< [box]
  bool optional = false;  ///< [scola]: its presence switches sCOLA on
};

template <class E, std::size_t N>
std::vector<std::string_view> choices_of(const named<E> (&table)[N]) {
  std::vector<std::string_view> out;
  for (const auto& entry : table) out.push_back(entry.name);
  return out;
}

inline const std::vector<section_spec>& sections() {
  static const std::vector<section_spec> s = {
      {"cosmology", "background cosmology: flat or curved LCDM (Planck 2018-like defaults)"},
      {"box", "the periodic box and the particle grid (required)", true},
      {"initial_conditions", "the linear field and where the run starts: the seed, an IC file, or a restart"},
      {"frame", "the moving frame particles are integrated in"},
      {"force", "the gravity solver"},
      {"stepper", "time steps, kick/drift factors and which steps evaluate the force"},
      {"output", "what is written at each output redshift, and where"},
      {"lightcone", "present: the past lightcone of an observer is recorded, one HDF5 file per shell (frames inertial, lpt1, lpt2; needs HDF5)", false, true},
      {"halos", "present: FoF haloes, their mass function and (hod = true) HOD galaxies at each output redshift (docs/mocks.md; needs HDF5)", false, true},
      {"scola", "present: the box runs as independent sCOLA tiles (frame lpt1/lpt2, force pm, one output)", false, true},
  };
  return s;
}

/// Every key the runner accepts, in the order of --print-config.
inline const std::vector<key_spec>& schema() {
  using T = value_type;
  using P = presence;
  static const std::vector<key_spec> keys = {
      // [cosmology]
      {"cosmology", "omega_m", T::number, P::fixed, "0.3111", "total matter density today, Omega_m (CDM + baryons)", {}, positive()},
      {"cosmology", "omega_b", T::number, P::fixed, "0.049", "baryon density today, Omega_b <= omega_m (transfer function)", {}, non_negative()},
      {"cosmology", "omega_k", T::number, P::fixed, "0.0", "curvature density; Omega_Lambda = 1 - omega_m - omega_k", {}, open(-1.0, 1.0)},
      {"cosmology", "h", T::number, P::fixed, "0.6766", "H0 / (100 km/s/Mpc)", {}, open(0.0, 10.0)},
      {"cosmology", "n_s", T::number, P::fixed, "0.9665", "primordial spectral index", {}, open(0.0, 3.0)},
      {"cosmology", "sigma_8", T::number, P::fixed, "0.8102", "rms linear density in 8 Mpc/h spheres at z = 0 (normalises Eisenstein-Hu and T(k))", {}, positive()},
      {"cosmology", "t_cmb", T::number, P::fixed, "2.7255", "CMB temperature today in K (transfer function)", {}, positive()},
      // [box]
      {"box", "side_mpc_h", T::number, P::required, "128.0", "box side L in comoving Mpc/h", {}, positive()},
      {"box", "particles_1d", T::count, P::required, "64", "particles per side: N_p^3 particles on the Lagrangian grid", {}, closed(2, 4096)},
      // [initial_conditions]
      {"initial_conditions", "seed", T::count, P::fixed, "1", "white-noise seed (the same field at any thread count)", {}, non_negative()},
      {"initial_conditions", "power_spectrum", T::choice, P::fixed, "\"eisenstein_hu\"", "linear P(k): Eisenstein & Hu 1998 with or without BAO, or power_file", choices_of(power_kinds)},
      {"initial_conditions", "power_file", T::path, P::optional, "\"pk.dat\"", "power_spectrum = \"file\": a P(k) or T(k) table (CLASS or CAMB columns)"},
      {"initial_conditions", "power_layout", T::choice, P::fixed, "\"class_pk\"", "columns of power_file: P(k) at z = 0 or T(k), as CLASS or CAMB write them", choices_of(table_layouts), {}, true},
      {"initial_conditions", "normalise_to_sigma8", T::boolean, P::fixed, "false", "rescale a tabulated P(k) to cosmology.sigma_8 (false: used as given; T(k) is always normalised)", {}, {}, true},
      {"initial_conditions", "amplitude", T::choice, P::fixed, "\"gaussian\"", "Gaussian field, or fixed amplitudes |delta_k| (Angulo & Pontzen 2016)", choices_of(amplitudes)},
      {"initial_conditions", "inverted", T::boolean, P::fixed, "false", "flip the sign of the field: the paired partner of a realisation"},
      {"initial_conditions", "lpt_order", T::count, P::fixed, "2", "order of the LPT initial conditions (frames lpt2 and coca need 2)", {}, closed(1, 2)},
      {"initial_conditions", "z_start", T::number, P::fixed, "49.0", "starting redshift (not with file: the file sets it)", {}, {0.0, 1e4, true, false}},
      {"initial_conditions", "file", T::path, P::optional, "\"ics/snapshot_z9.000.hdf5\"", "start from this initial-condition file instead of the seed (box must match)"},
      {"initial_conditions", "file_format", T::choice, P::fixed, "\"gadget_hdf5\"", "format of file: Gadget-4 HDF5 layout, or Gadget-2 binary (formats 1 and 2)", choices_of(ic_formats), {}, true},
      {"initial_conditions", "id_convention", T::choice, P::fixed, "\"one_based\"", "ParticleIDs in file: one_based (N-GenIC, Gadget) or zero_based (MUSIC, monofonIC, lagframe)", choices_of(id_conventions), {}, true},
      {"initial_conditions", "length_unit_mpc_h", T::number, P::fixed, "0.001", "file_format = \"gadget2\": the file's length unit in Mpc/h (0.001: kpc/h)", {}, positive(), true},
      {"initial_conditions", "restart_directory", T::path, P::optional, "\"../out/run_quickstart\"", "continue the run whose output folder this is (same configuration; with restart_redshift)", {}, {}, false, false},
      {"initial_conditions", "restart_redshift", T::number, P::optional, "1.0", "restart from that run's snapshot at this output redshift (with restart_directory)", {}, non_negative(), false, false},
      {"initial_conditions", "restart_format", T::choice, P::fixed, "\"auto\"", "snapshot format to restart from; auto: the earlier run's output.snapshot", choices_of(restart_formats), {}, true, false},
      // [frame]
      {"frame", "type", T::choice, P::fixed, "\"lpt2\"", "inertial: no frame (PM, P3M); lpt1, lpt2: tCOLA; coca: tCOCA (lpt2 plus an emulator)", choices_of(frame_kinds)},
      {"frame", "fields", T::choice, P::fixed, "\"float\"", "type = \"lpt2\" with the PM force and COLA factors: Psi1, Psi2 as float, or fixed16 (int16 with one scale per field: 12 B less per particle, each component within 1.5e-5 of the field's largest)", choices_of(frame_fields_kinds), {}, true},
      {"frame", "emulator", T::choice, P::fixed, "\"fourier_linear\"", "type = \"coca\": the emulator of the residual momentum (torchscript: a build with libtorch)", choices_of(emulator_kinds), {}, true},
      {"frame", "emulator_file", T::path, P::optional, "\"../models/fourier_linear_64_128.bin\"", "type = \"coca\": the emulator's model (must fit the box, the particle grid and the time range)"},
      {"frame", "integration", T::choice, P::fixed, "\"as_lpt\"", "type = \"coca\": how the emulator's part of the frame is integrated (frame/emulated.hpp)", choices_of(integrations), {}, true},
      // [force]
      {"force", "type", T::choice, P::fixed, "\"pm\"", "pm: particle mesh; p3m: mesh plus the short-range pair force", choices_of(force_kinds)},
      {"force", "assignment", T::choice, P::computed, "\"cic\"", "mass assignment; default cic with type = \"pm\", tsc with \"p3m\"", choices_of(assignment_kinds)},
      {"force", "grid_1d", T::count, P::computed, "128", "mesh cells per side; default 2 x box.particles_1d", {}, closed(2, 8192)},
      {"force", "greens", T::choice, P::fixed, "\"exact\"", "Green's function; optimal: Hockney-Eastwood influence function (pm only)", choices_of(greens_kinds)},
      {"force", "optimal_diameter_cells", T::number, P::fixed, "3.0", "greens = \"optimal\": diameter of its reference cloud in mesh cells", {}, positive(), true},
      {"force", "gradient", T::choice, P::computed, "\"finite_difference_4\"", "default finite_difference_4 with type = \"pm\", spectral with \"p3m\"", choices_of(gradients)},
      {"force", "deconvolve", T::boolean, P::computed, "false", "divide by the squared assignment window; default false with pm, true with p3m"},
      {"force", "interlace", T::boolean, P::fixed, "false", "two meshes offset by half a cell: odd aliasing images cancel (twice the work)"},
      {"force", "planning", T::choice, P::fixed, "\"estimate\"", "FFTW planning effort (measure: slower start; keep a wisdom_file)", choices_of(plannings), {}, false, false},
      {"force", "wisdom_file", T::path, P::computed, "\"fftw_wisdom\"", "planning = \"measure\": FFTW wisdom kept in <wisdom_file>.f and .d; default fftw_wisdom beside the configuration file", {}, {}, false, false},
      {"force", "split_cells", T::number, P::fixed, "1.25", "type = \"p3m\": Gaussian force split r_s in mesh cells", {}, positive(), true},
      {"force", "cutoff_split", T::number, P::fixed, "5.0", "type = \"p3m\": pair-force cut-off r_cut / r_s", {}, closed(2.0, 10.0), true},
      {"force", "softening_spacing", T::number, P::fixed, "0.03333333333333333", "type = \"p3m\": Plummer-equivalent softening / mean particle spacing", {}, non_negative(), true},
      {"force", "source", T::choice, P::fixed, "\"particles\"", "what the mesh deposits: the particles, or the Lagrangian sheet resampled between them (docs/physics.md section 15; use it with tsc)", choices_of(source_kinds)},
      {"force", "sheet_resample", T::count, P::fixed, "2", "source = \"sheet\": n^3 sheet samples per particle", {}, closed(2, 8), true},
      {"force", "sheet_policy", T::choice, P::fixed, "\"global_switch\"", "source = \"sheet\": where streams cross, deposit the particles everywhere once switch_threshold is passed (global_switch), there only (blend), or never", choices_of(sheet_policies), {}, true},
      {"force", "sheet_interpolant", T::choice, P::fixed, "\"fourier\"", "source = \"sheet\": band-limited (fourier) or trilinear between the particles (no ringing where streams cross, less accurate before)", choices_of(sheet_interpolants), {}, true},
      {"force", "switch_threshold", T::number, P::fixed, "0.01", "sheet_policy = \"global_switch\": multi-stream fraction of the particles above which they are deposited instead", {}, closed(0.0, 1.0), true},
      // [stepper]
      {"stepper", "factors", T::choice, P::fixed, "\"auto\"", "kick and drift factors; auto: fastpm with frame.type = \"inertial\", cola otherwise", choices_of(factors_kinds)},
      {"stepper", "n_lpt", T::number, P::fixed, "-2.5", "cola factors: the residual grows as a^n_lpt within a step (non-zero)", {}, open(-4.0, 3.5)},
      {"stepper", "steps", T::count, P::fixed, "10", "time steps from z_start to the last output (an output off the grid adds a node)", {}, closed(1, 100000)},
      {"stepper", "spacing", T::choice, P::fixed, "\"linear\"", "steps uniform in a, or in ln a", choices_of(spacings)},
      {"stepper", "schedule", T::choice, P::fixed, "\"every_step\"", "which of the kick points 0 ... steps evaluate the force", choices_of(schedules)},
      {"stepper", "schedule_every", T::count, P::optional, "2", "schedule = \"every_nth\": the force at every n-th kick point (and the last)", {}, at_least(1)},
      {"stepper", "schedule_points", T::counts, P::optional, "[1, 3, 5, 7, 9]", "schedule = \"points\": kick points with a force, counted in steps (0 ... steps)", {}, non_negative()},
      {"stepper", "schedule_forces", T::count, P::optional, "8", "schedule = \"spread_late\": the number of force evaluations", {}, at_least(1)},
      {"stepper", "allow_skipped_forces", T::boolean, P::fixed, "false", "accept a schedule that skips forces in a frame without an emulator (gravity is lost)"},
      // [output]
      {"output", "directory", T::path, P::fixed, "\"out/run\"", "output folder, created if missing", {}, {}, false, false},
      {"output", "redshifts", T::numbers, P::fixed, "[0.0]", "output redshifts in [0, z_start], each once (z_start: the initial state)", {}, non_negative()},
      {"output", "power_spectrum", T::boolean, P::fixed, "true", "P(k) table pk_z<z>.txt (and its plot) at each output", {}, {}, false, false},
      {"output", "power_grid_1d", T::count, P::fixed, "0", "P(k) mesh cells per side; 0: force.grid_1d", {}, closed(0, 8192), false, false},
      {"output", "power_interlacing", T::boolean, P::fixed, "true", "interlaced P(k) estimator (odd aliasing images cancel)", {}, {}, false, false},
      {"output", "power_shot_noise", T::choice, P::fixed, "\"keep\"", "keep the Poisson shot noise (table column P_shot) or subtract it", choices_of(shot_noise_kinds), {}, false, false},
      {"output", "power_sheet_resample", T::count, P::fixed, "0", "0: P(k) of the particles; n >= 2: of the sheet resampled n^3 times per particle (no shot noise)", {}, closed(0, 8), false, false},
      {"output", "slice", T::boolean, P::fixed, "true", "projected density slice_z<z>.npy (and its picture) at each output", {}, {}, false, false},
      {"output", "slice_pixels", T::count, P::fixed, "512", "pixels per side of the slice", {}, closed(2, 8192), false, false},
      {"output", "slice_thickness_mpc_h", T::number, P::computed, "16.0", "thickness of the projected slab; default box.side_mpc_h / 8", {}, positive(), false, false},
      {"output", "snapshot", T::choice, P::fixed, "\"none\"", "particles at each output: npy (positions, momenta) or Gadget-4 HDF5", choices_of(snapshot_formats), {}, false, false},
      {"output", "snapshot_files", T::count, P::fixed, "1", "snapshot = \"gadget_hdf5\": files per snapshot", {}, at_least(1), true, false},
      {"output", "snapshot_double", T::boolean, P::fixed, "false", "snapshot = \"gadget_hdf5\": float64 datasets", {}, {}, true, false},
      {"output", "plots", T::boolean, P::fixed, "true", "PNG pictures through /usr/bin/python3 and matplotlib, when available", {}, {}, false, false},
      // [lightcone]
      {"lightcone", "observer", T::numbers, P::computed, "[64.0, 64.0, 64.0]", "observer position [x, y, z] in Mpc/h inside the box; default the box centre"},
      {"lightcone", "z_min", T::number, P::fixed, "0.0", "nearest redshift recorded (not below the last output redshift)", {}, non_negative()},
      {"lightcone", "z_max", T::number, P::fixed, "0.5", "farthest redshift recorded (not above the start)", {}, positive()},
      {"lightcone", "footprint", T::choice, P::fixed, "\"full_sky\"", "the whole sky, a cone around axis, or a rectangle in RA and Dec (RA = atan2(y, x), Dec = asin(z / r) about the observer)", choices_of(footprints)},
      {"lightcone", "axis", T::numbers, P::fixed, "[0.0, 0.0, 1.0]", "footprint = \"cone\": direction of the cone's axis", {}, {}, true},
      {"lightcone", "opening_deg", T::number, P::optional, "30.0", "footprint = \"cone\": half-opening angle in degrees, above 0 and at most 180", {}, {0.0, 180.0, true, false}},
      {"lightcone", "ra_deg", T::numbers, P::fixed, "[0.0, 90.0]", "footprint = \"rectangle\": right ascension [min, max] in degrees, 0 <= min < max <= 360", {}, {}, true},
      {"lightcone", "dec_deg", T::numbers, P::fixed, "[0.0, 30.0]", "footprint = \"rectangle\": declination [min, max] in degrees, -90 <= min < max <= 90", {}, {}, true},
      {"lightcone", "shell_edges_mpc_h", T::numbers, P::optional, "[500.0, 1000.0]", "comoving shell edges in Mpc/h, increasing (the range's ends are added); not with shell_width_mpc_h", {}, positive()},
      {"lightcone", "shell_width_mpc_h", T::number, P::optional, "100.0", "shells of this comoving width in Mpc/h from chi(z_min) out; neither key: one shell", {}, positive()},
      {"lightcone", "healpix_nside", T::count, P::fixed, "0", "HEALPix N_side of each shell's density map (a power of 2); 0: no maps", {}, closed(0, 8192)},
      {"lightcone", "max_replicas", T::count, P::fixed, "10", "periodic copies of the box allowed each way from the observer's", {}, closed(0, 1000)},
      {"lightcone", "particle_fraction", T::number, P::fixed, "1.0", "fraction of the particles whose crossings are listed (the same particles in every image); the maps count every crossing", {}, {0.0, 1.0, true, false}},
      {"lightcone", "only", T::boolean, P::fixed, "false", "with [scola]: the lightcone alone; each tile stops once its core can no longer cross it, tiles that never can do not run, and there is no final state to write"},
      // [halos]
      {"halos", "linking_length", T::number, P::fixed, "0.2", "FoF linking length b in units of the mean particle spacing", {}, open(0.0, 1.0), false, false},
      {"halos", "min_members", T::count, P::fixed, "20", "smallest FoF group kept, in particles", {}, at_least(2), false, false},
      {"halos", "centre", T::choice, P::fixed, "\"potential_minimum\"", "halo centre: the member with the lowest potential of the group, or the centre of mass", choices_of(halo_centres), {}, false, false},
      {"halos", "spherical_overdensity", T::boolean, P::fixed, "true", "M_200c, R_200c, M_200m, R_200m about the centre (from all particles, not only the members)", {}, {}, false, false},
      {"halos", "mass_bin_dex", T::number, P::fixed, "0.2", "width of the mass function's bins in log10 M, from min_members particles up", {}, {0.0, 2.0, true, false}, false, false},
      {"halos", "hod", T::boolean, P::fixed, "false", "populate the haloes with galaxies: Zheng et al. 2007 HOD, satellites on NFW profiles", {}, {}, false, false},
      {"halos", "hod_mass", T::choice, P::fixed, "\"fof\"", "hod = true: the halo mass the HOD reads (fof: the FoF mass, R_200m of that mass as the NFW radius)", choices_of(hod_masses), {}, true, false},
      {"halos", "hod_log_m_min", T::number, P::fixed, "13.38", "hod = true: log10 M_min [Msun/h], where <N_cen> = 1/2 (defaults: Zehavi et al. 2011, Mr < -21.5)", {}, open(0.0, 20.0), true, false},
      {"halos", "hod_sigma_log_m", T::number, P::fixed, "0.69", "hod = true: width sigma_logM of the central step (> 0)", {}, positive(), true, false},
      {"halos", "hod_log_m0", T::number, P::fixed, "13.35", "hod = true: log10 M_0 [Msun/h], the satellite cut-off", {}, open(0.0, 20.0), true, false},
      {"halos", "hod_log_m1", T::number, P::fixed, "14.2", "hod = true: log10 M_1 [Msun/h], <N_sat> = 1 at M = M_0 + M_1", {}, open(0.0, 20.0), true, false},
      {"halos", "hod_alpha", T::number, P::fixed, "1.09", "hod = true: satellite power-law slope alpha (>= 0)", {}, non_negative(), true, false},
      {"halos", "hod_seed", T::count, P::fixed, "1", "hod = true: seed of the per-halo random streams (the same galaxies at any thread count)", {}, non_negative(), true, false},
      {"halos", "line_of_sight", T::count, P::fixed, "2", "hod = true: axis (0 = x, 1 = y, 2 = z) of the galaxies' plane-parallel redshift-space positions", {}, closed(0, 2), true, false},
      {"halos", "bias", T::boolean, P::fixed, "true", "real-space P(k) of the haloes (and the galaxies) and the matter, and the bias b(k) = P_tm/P_mm", {}, {}, false, false},
      {"halos", "multipoles", T::boolean, P::fixed, "true", "redshift-space P0, P2, P4 of the matter (and the galaxies) averaged over the three axes, against Kaiser", {}, {}, false, false},
      {"halos", "fkp_p0", T::number, P::fixed, "10000.0", "[lightcone] with hod and multipoles: FKP weight P0 [(Mpc/h)^3] of the lightcone galaxies' multipoles (0: unit weights)", {}, non_negative(), true, false},
      // [scola]
      {"scola", "tiles_per_side", T::count, P::fixed, "2", "tiles per side (must divide box.particles_1d)", {}, at_least(1)},
      {"scola", "buffer_mpc_h", T::number, P::fixed, "0.0", "buffer around each tile's core in Mpc/h (whole particle spacings)", {}, non_negative()},
      {"scola", "shell_mpc_h", T::number, P::computed, "4.0", "LPT-only particles around the buffer; default 2 particle spacings", {}, non_negative()},
      {"scola", "boundary", T::choice, P::fixed, "\"lpt_expanded\"", "Dirichlet boundary potential of the tiles: second or first order", choices_of(boundaries)},
      {"scola", "follow_bulk_flow", T::boolean, P::fixed, "true", "tile meshes move with their particles' mean LPT displacement"},
      {"scola", "greens", T::choice, P::fixed, "\"exact\"", "tile Green's function (finite_difference: sine-transform eigenvalues)", choices_of(scola_greens_kinds)},
      {"scola", "executor", T::choice, P::fixed, "\"openmp\"", "tiles as OpenMP tasks, or one after another", choices_of(executors), {}, false, false},
      {"scola", "tile_directory", T::path, P::computed, "\"../out/run_scola/tiles\"", "tile files (a rerun skips the finished ones); default <output.directory>/tiles", {}, {}, false, false},
  };
  return keys;
}

/// The key section.key, or nullptr.
inline const key_spec* find_key(std::string_view section, std::string_view key) {
  for (const auto& k : schema())
    if (k.section == section && k.key == key) return &k;
  return nullptr;
}

inline const section_spec* find_section(std::string_view name) {
  for (const auto& s : sections())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace lagframe_run
