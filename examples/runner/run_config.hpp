// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// The runner's configuration as the simulation code sees it: every choice an enum, every path
// absolute, every default filled in, the time grid and the force schedule already merged. It is
// made (and every key checked) by load_config (config.hpp) from the key table of schema.hpp;
// nothing here reads TOML.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <lagframe/core/box.hpp>
#include <lagframe/cosmology/parameters.hpp>
#include <lagframe/cosmology/power_table.hpp>
#include <lagframe/fft/plan.hpp>
#include <lagframe/force/greens_function.hpp>
#include <lagframe/force/particle_mesh.hpp>
#include <lagframe/frame/emulated.hpp>
#include <lagframe/halos/fof.hpp>
#include <lagframe/halos/hod.hpp>
#include <lagframe/halos/properties.hpp>
#include <lagframe/ic/gaussian_field.hpp>
#include <lagframe/io/gadget2_binary.hpp>
#include <lagframe/lightcone/lightcone.hpp>
#include <lagframe/scola/far_field.hpp>
#include <lagframe/scola/tiling.hpp>
#include <lagframe/source/options.hpp>

namespace lagframe_run {

namespace lf = lagframe;

/// A choice's spelling in the configuration and its value.
template <class E>
struct named {
  std::string_view name;
  E value;
};

enum class power_kind { eisenstein_hu, eisenstein_hu_no_wiggle, file };
inline constexpr named<power_kind> power_kinds[] = {{"eisenstein_hu", power_kind::eisenstein_hu},
                                                   {"eisenstein_hu_no_wiggle", power_kind::eisenstein_hu_no_wiggle},
                                                   {"file", power_kind::file}};
inline constexpr named<lf::cosmology::table_layout> table_layouts[] = {
    {"class_pk", lf::cosmology::table_layout::class_pk},
    {"camb_pk", lf::cosmology::table_layout::camb_pk},
    {"class_tk", lf::cosmology::table_layout::class_tk},
    {"camb_tk", lf::cosmology::table_layout::camb_tk}};
inline constexpr named<lf::ic::amplitude> amplitudes[] = {{"gaussian", lf::ic::amplitude::gaussian},
                                                         {"fixed", lf::ic::amplitude::fixed}};
enum class ic_format { gadget_hdf5, gadget2 };
inline constexpr named<ic_format> ic_formats[] = {{"gadget_hdf5", ic_format::gadget_hdf5},
                                                 {"gadget2", ic_format::gadget2}};
inline constexpr named<lf::io::id_convention> id_conventions[] = {{"one_based", lf::io::id_convention::one_based},
                                                                 {"zero_based", lf::io::id_convention::zero_based}};
enum class snapshot_format { none, npy, gadget_hdf5 };
/// restart_format: "auto" (none) takes the earlier run's output.snapshot.
inline constexpr named<snapshot_format> restart_formats[] = {
    {"auto", snapshot_format::none}, {"npy", snapshot_format::npy}, {"gadget_hdf5", snapshot_format::gadget_hdf5}};
inline constexpr named<snapshot_format> snapshot_formats[] = {
    {"none", snapshot_format::none}, {"npy", snapshot_format::npy}, {"gadget_hdf5", snapshot_format::gadget_hdf5}};

enum class frame_kind { inertial, lpt1, lpt2, coca };
/// How an LPT frame keeps Psi1 and Psi2 (frame/lpt_storage.hpp).
enum class frame_fields_kind { float32, fixed16 };
inline constexpr named<frame_fields_kind> frame_fields_kinds[] = {{"float", frame_fields_kind::float32},
                                                                 {"fixed16", frame_fields_kind::fixed16}};
inline constexpr named<frame_kind> frame_kinds[] = {{"inertial", frame_kind::inertial},
                                                   {"lpt1", frame_kind::lpt1},
                                                   {"lpt2", frame_kind::lpt2},
                                                   {"coca", frame_kind::coca}};
enum class emulator_kind { fourier_linear, torchscript };
inline constexpr named<emulator_kind> emulator_kinds[] = {{"fourier_linear", emulator_kind::fourier_linear},
                                                         {"torchscript", emulator_kind::torchscript}};
inline constexpr named<lf::frame::ml_integration> integrations[] = {{"as_lpt", lf::frame::ml_integration::as_lpt},
                                                                   {"as_particles", lf::frame::ml_integration::as_particles}};

enum class force_kind { pm, p3m };
inline constexpr named<force_kind> force_kinds[] = {{"pm", force_kind::pm}, {"p3m", force_kind::p3m}};
enum class assignment_kind { cic, tsc };
inline constexpr named<assignment_kind> assignment_kinds[] = {{"cic", assignment_kind::cic},
                                                             {"tsc", assignment_kind::tsc}};
enum class source_kind { particles, sheet };
inline constexpr named<source_kind> source_kinds[] = {{"particles", source_kind::particles}, {"sheet", source_kind::sheet}};
inline constexpr named<lf::source::multistream_policy> sheet_policies[] = {
    {"blend", lf::source::multistream_policy::blend},
    {"global_switch", lf::source::multistream_policy::global_switch},
    {"sheet_everywhere", lf::source::multistream_policy::sheet_everywhere}};
inline constexpr named<lf::source::sheet_interpolant> sheet_interpolants[] = {
    {"fourier", lf::source::sheet_interpolant::fourier}, {"trilinear", lf::source::sheet_interpolant::trilinear}};
inline constexpr named<lf::force::greens_function> greens_kinds[] = {
    {"exact", lf::force::greens_function::exact},
    {"finite_difference", lf::force::greens_function::finite_difference},
    {"optimal", lf::force::greens_function::optimal}};
inline constexpr named<lf::force::gradient> gradients[] = {{"finite_difference_4", lf::force::gradient::finite_difference_4},
                                                          {"spectral", lf::force::gradient::spectral}};
inline constexpr named<lf::fft::planning> plannings[] = {{"estimate", lf::fft::planning::estimate},
                                                        {"measure", lf::fft::planning::measure}};

enum class factors_kind { automatic, quinn, fastpm, cola };
inline constexpr named<factors_kind> factors_kinds[] = {{"auto", factors_kind::automatic},
                                                       {"quinn", factors_kind::quinn},
                                                       {"fastpm", factors_kind::fastpm},
                                                       {"cola", factors_kind::cola}};
enum class spacing_kind { linear, log };
inline constexpr named<spacing_kind> spacings[] = {{"linear", spacing_kind::linear}, {"log", spacing_kind::log}};
enum class schedule_kind { every_step, every_nth, points, interior, spread_late };
inline constexpr named<schedule_kind> schedules[] = {{"every_step", schedule_kind::every_step},
                                                    {"every_nth", schedule_kind::every_nth},
                                                    {"points", schedule_kind::points},
                                                    {"interior", schedule_kind::interior},
                                                    {"spread_late", schedule_kind::spread_late}};

enum class shot_noise_kind { keep, subtract };
inline constexpr named<shot_noise_kind> shot_noise_kinds[] = {{"keep", shot_noise_kind::keep},
                                                             {"subtract", shot_noise_kind::subtract}};

inline constexpr named<lf::lightcone::footprint> footprints[] = {{"full_sky", lf::lightcone::footprint::full_sky},
                                                                 {"cone", lf::lightcone::footprint::cone},
                                                                 {"rectangle", lf::lightcone::footprint::rectangle}};

inline constexpr named<lf::halos::halo_centre> halo_centres[] = {
    {"potential_minimum", lf::halos::halo_centre::potential_minimum},
    {"centre_of_mass", lf::halos::halo_centre::centre_of_mass}};
inline constexpr named<lf::halos::hod_mass> hod_masses[] = {
    {"fof", lf::halos::hod_mass::fof}, {"m200m", lf::halos::hod_mass::m200m}, {"m200c", lf::halos::hod_mass::m200c}};

inline constexpr named<lf::scola::boundary_potential> boundaries[] = {
    {"lpt_expanded", lf::scola::boundary_potential::lpt_expanded},
    {"lpt_linear", lf::scola::boundary_potential::lpt_linear}};
inline constexpr named<lf::force::greens_function> scola_greens_kinds[] = {
    {"exact", lf::force::greens_function::exact}, {"finite_difference", lf::force::greens_function::finite_difference}};
enum class executor_kind { openmp, sequential };
inline constexpr named<executor_kind> executors[] = {{"openmp", executor_kind::openmp},
                                                    {"sequential", executor_kind::sequential}};

/// The spelling of a choice (for messages).
template <class E, std::size_t N>
constexpr std::string_view name_of(const named<E> (&table)[N], E value) {
  for (const auto& entry : table)
    if (entry.value == value) return entry.name;
  return "?";
}

struct run_config {
  std::filesystem::path config_file;  ///< absolute path of the configuration file
  lf::cosmology::parameters cosmology;
  lf::box box;

  // [initial_conditions]
  std::uint64_t seed = 1;
  power_kind power = power_kind::eisenstein_hu;
  std::filesystem::path power_file;
  lf::cosmology::table_layout power_layout = lf::cosmology::table_layout::class_pk;
  bool normalise_to_sigma8 = false;
  lf::ic::amplitude amplitude = lf::ic::amplitude::gaussian;
  bool inverted = false;
  int lpt_order = 2;
  double z_start = 49.0;  ///< an IC file's own redshift when initial_conditions.file is set
  std::filesystem::path ic_file;  ///< empty: ICs from the seed
  ic_format ic_file_format = ic_format::gadget_hdf5;
  lf::io::id_convention id_convention = lf::io::id_convention::one_based;
  double ic_length_unit_mpc_h = 1e-3;
  std::filesystem::path restart_directory;  ///< empty: no restart
  double restart_redshift = 0;
  snapshot_format restart_format = snapshot_format::npy;  ///< resolved (never `none`)

  // [frame]
  frame_kind frame = frame_kind::lpt2;
  frame_fields_kind frame_fields = frame_fields_kind::float32;
  emulator_kind emulator = emulator_kind::fourier_linear;
  std::filesystem::path emulator_file;
  lf::frame::ml_integration integration = lf::frame::ml_integration::as_lpt;

  // [force]
  force_kind force = force_kind::pm;
  assignment_kind assignment = assignment_kind::cic;
  lf::force::pm_options pm;  ///< the PM force, or the long-range mesh of P3M (pm.source: the sheet's options)
  source_kind source = source_kind::particles;  ///< what the mesh deposits: the particles or the sheet
  double split_cells = 1.25, cutoff_split = 5.0, softening_spacing = 1.0 / 30.0;  ///< P3M
  std::filesystem::path wisdom_file;

  // [stepper]
  factors_kind factors = factors_kind::cola;  ///< resolved: never `automatic`
  double n_lpt = -2.5;
  std::size_t steps = 10;  ///< the user's steps (before output nodes are added)
  spacing_kind spacing = spacing_kind::linear;
  schedule_kind schedule = schedule_kind::every_step;
  bool allow_skipped_forces = false;
  /// The merged time grid: the user's nodes plus every output time, increasing; `grid_is_plain`
  /// when no node was added (the library's own linear / logarithmic grid is then used).
  std::vector<double> nodes;
  bool grid_is_plain = true;
  /// Kick points of the merged grid that evaluate the force.
  std::vector<std::size_t> force_points;

  // [output]
  std::filesystem::path directory;
  std::vector<double> output_redshifts;  ///< decreasing (time order)
  bool write_power_spectrum = true;
  std::size_t power_grid_1d = 0;  ///< resolved: the force mesh when 0 was asked
  bool power_interlacing = true;
  shot_noise_kind power_shot_noise = shot_noise_kind::keep;
  std::size_t power_sheet_resample = 0;  ///< > 1: P(k) from the sheet resampled n^3 times per particle
  bool write_slice = true;
  std::size_t slice_pixels = 512;
  double slice_thickness_mpc_h = 16;
  snapshot_format snapshot = snapshot_format::none;
  int snapshot_files = 1;
  bool snapshot_double = false;
  bool plots = true;

  // [lightcone] (present: the past lightcone is recorded, one HDF5 file per shell)
  bool lightcone = false;
  lf::lightcone::lightcone_options lightcone_options;  ///< shell_edges filled in from the width when given
  bool lightcone_only = false;  ///< [scola]: tiles stop when their core can no longer cross; no final state

  // [halos] (present: FoF haloes at each output time, and with hod HOD galaxies)
  bool halos = false;
  lf::halos::fof_options fof;  ///< linking_length (b), min_members; periodic box
  lf::halos::halo_centre halo_centre = lf::halos::halo_centre::potential_minimum;
  bool spherical_overdensity = true;
  double mass_bin_dex = 0.2;   ///< width of the mass function's bins
  bool hod = false;
  lf::halos::hod_parameters hod_parameters;
  lf::halos::hod_mass hod_mass = lf::halos::hod_mass::fof;
  std::uint64_t hod_seed = 1;
  int line_of_sight = 2;       ///< axis of the galaxies' redshift-space positions
  bool bias = true;            ///< halo (and galaxy) P(k) and b(k) = P_tm/P_mm
  bool multipoles = true;      ///< P0, P2, P4 in redshift space against Kaiser
  double fkp_p0 = 1e4;         ///< FKP P0 of the lightcone galaxies' multipoles, (Mpc/h)^3

  // [scola] (present: the box runs as sCOLA tiles)
  bool scola = false;
  lf::scola::tiling_options scola_tiling;
  lf::scola::boundary_potential scola_boundary = lf::scola::boundary_potential::lpt_expanded;
  bool scola_follow_bulk_flow = true;
  lf::force::greens_function scola_greens = lf::force::greens_function::exact;
  executor_kind scola_executor = executor_kind::openmp;
  std::filesystem::path scola_tile_directory;

  /// The effective configuration as TOML (every key in use with its value, paths absolute):
  /// written to run_summary.txt and compared by a restart.
  std::string effective_toml;

  [[nodiscard]] double a_start() const { return 1.0 / (1.0 + z_start); }
};

}  // namespace lagframe_run
