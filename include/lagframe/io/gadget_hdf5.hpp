// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file gadget_hdf5.hpp
/// Gadget-4-layout HDF5 snapshots of a lagframe simulation state: writing and reading.
/// Requires the HDF5 C library: link the optional target lagframe::hdf5 (lagframe::lagframe
/// itself does not depend on HDF5).
///
/// Layout (as written by Gadget-4's snap_io::write_header_fields and IO_Def::write_file; the
/// units and scaling exponents as registered in snap_io::init_basic):
///
///   /Header   attributes
///     NumPart_ThisFile      uint64[6]   particles of each type in this file (only type 1 used)
///     NumPart_Total         uint64[6]   particles of each type in the whole snapshot
///     MassTable             float64[6]  MassTable[1] = particle mass (UnitMass_in_g, 1e10 Msun/h
///                                       by default) = 27.7536627 Ω_m L³ / N with L in Mpc/h
///                                       (ρ_crit = 2.77536627e11 h² Msun / Mpc³)
///     Time                  float64     scale factor a
///     Redshift              float64     1/a − 1
///     BoxSize               float64     L in UnitLength_in_cm/h (Mpc/h by default)
///     NumFilesPerSnapshot   int32
///   Gadget-2/3-style extras that Gadget-4 does not write but older readers expect (Gadget-4
///   ignores them when reading):
///     NumPart_Total_HighWord uint32[6]  upper 32 bits of NumPart_Total
///     Omega0, OmegaLambda, HubbleParam  float64
///     Flag_Sfr, Flag_Cooling, Flag_Feedback, Flag_StellarAge, Flag_Metals  int32 = 0
///     Flag_DoublePrecision  int32       1 when the datasets are float64
///   (Gadget-4 also writes the strings Git_commit and Git_date; they describe Gadget-4's own
///   source and are not written here.)
///
///   /Parameters  attributes (Gadget-4 stores its parameter file here; the subset that
///   describes this snapshot): UnitLength_in_cm, UnitMass_in_g, UnitVelocity_in_cm_per_s,
///   Omega0, OmegaLambda, OmegaBaryon, HubbleParam, BoxSize (float64), ComovingIntegrationOn,
///   NumFilesPerSnapshot (int32).
///
///   /PartType1   datasets (only in files holding at least one particle, as Gadget-4 does)
///     Coordinates  float32 (float64 with double_precision) N×3, comoving, UnitLength_in_cm/h
///     Velocities   same type, N×3: Gadget's u = v_pec / √a in UnitVelocity_in_cm_per_s (km/s),
///                  i.e. u = 100 p / a^{3/2} for lagframe's momentum p = a³E dx/da in Mpc/h
///                  (v_pec = 100 p / a km/s, docs/physics.md §1.2)
///     ParticleIDs  uint64 N: lagframe's particle id, the 0-based Lagrangian grid index
///                  (ix·N + iy)·N + iz (core/box.hpp)
///   Coordinates and Velocities carry Gadget-4's unit attributes a_scaling, h_scaling,
///   length_scaling, mass_scaling, velocity_scaling, to_cgs (float64): the physical cgs value
///   is stored · a^a_scaling · h^h_scaling · to_cgs (Coordinates 1, −1, 1, 0, 0,
///   UnitLength_in_cm; Velocities 0.5, 0, 0, 0, 1, UnitVelocity_in_cm_per_s).
///
/// Files: `base.hdf5` for one file, `base.0.hdf5` … `base.(n−1).hdf5` for n files; file k
/// holds particles [k·N/n, (k+1)·N/n) in id order (the first N mod n files one more). Each
/// file is written under `<name>.tmp`, and all are renamed when every file is complete
/// (io::atomic_file_set); if any file of a multi-file snapshot fails or the write is
/// interrupted, the temporaries of this snapshot are
/// removed, so an interrupted write leaves neither a partial snapshot nor temporaries.
///
/// Not thread-safe (the serial HDF5 library is not): call from one thread at a time.

#include <hdf5.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/cosmology/parameters.hpp"
#include "lagframe/io/atomic_file.hpp"
#include "lagframe/io/hdf5_detail.hpp"
#include "lagframe/simulation.hpp"

namespace lagframe::io {

/// Gadget's internal unit system, stored in /Parameters. Defaults: lengths in Mpc/h, masses
/// in 1e10 Msun/h, velocities in km/s (the usual cosmological Gadget choice).
struct gadget_units {
  double length_in_cm = 3.085678e24;    ///< UnitLength_in_cm (h⁻¹ implied): 1 Mpc
  double mass_in_g = 1.989e43;          ///< UnitMass_in_g (h⁻¹ implied): 1e10 Msun
  double velocity_in_cm_per_s = 1e5;    ///< UnitVelocity_in_cm_per_s: 1 km/s

  /// Throws config_error naming the first non-positive or non-finite unit.
  void validate() const {
    auto ok = [](double v) { return std::isfinite(v) && v > 0.0; };
    require(ok(length_in_cm), "gadget_units.length_in_cm", length_in_cm, "a positive length in cm");
    require(ok(mass_in_g), "gadget_units.mass_in_g", mass_in_g, "a positive mass in g");
    require(ok(velocity_in_cm_per_s), "gadget_units.velocity_in_cm_per_s", velocity_in_cm_per_s,
            "a positive velocity in cm/s");
  }
};

struct gadget_write_options {
  int files = 1;                  ///< NumFilesPerSnapshot, 1 ≤ files ≤ particle count
  bool double_precision = false;  ///< float64 datasets instead of Gadget's default float32
  gadget_units units{};
};

/// Header of a snapshot as stored in the file (values in the file's Gadget units).
/// Attributes a file may lack (Gadget-4 itself writes no Omega0 / OmegaLambda / HubbleParam
/// in /Header) are taken from /Parameters, else left NaN; missing units are the defaults.
struct snapshot_header {
  double box_size = 0;          ///< BoxSize (UnitLength_in_cm/h)
  double time = 0;              ///< Time = a
  double redshift = 0;          ///< Redshift
  double omega0 = 0;            ///< Omega0
  double omega_lambda = 0;      ///< OmegaLambda
  double hubble_param = 0;      ///< HubbleParam
  std::uint64_t num_part_total = 0;  ///< NumPart_Total[1] (with NumPart_Total_HighWord[1])
  int num_files = 1;            ///< NumFilesPerSnapshot
  double mass_table_part1 = 0;  ///< MassTable[1] (UnitMass_in_g/h)
  bool double_precision = false;  ///< PartType1 datasets stored as float64
  gadget_units units{};         ///< from /Parameters (defaults if absent)
};

/// A snapshot read back: type-1 particles of all files, in file order.
struct gadget_snapshot {
  snapshot_header header;
  std::vector<vec3<double>> positions;   ///< comoving Mpc/h (stored · UnitLength_in_cm / 1 Mpc)
  std::vector<vec3<double>> velocities;  ///< as stored (Gadget's v_pec/√a in UnitVelocity)
  std::vector<std::uint64_t> ids;        ///< ParticleIDs
};

namespace detail {

inline constexpr double mpc_in_cm = 3.085678e24;
inline constexpr double msun_1e10_in_g = 1.989e43;
inline constexpr double km_per_s_in_cm_per_s = 1e5;
/// ρ_crit today in 1e10 Msun/h per (Mpc/h)³ (= 2.77536627e11 h² Msun/Mpc³).
inline constexpr double rho_crit_1e10_msun_h2_per_mpc3 = 27.7536627;
/// Particles per block when converting velocities and ids.
inline constexpr std::size_t gadget_block = std::size_t{1} << 18;

/// Test probe: if set, called after each object of a file has been written with that object's
/// name ("Header", "PartType1/Coordinates", ...); it may throw to simulate a failed write.
inline thread_local void (*gadget_write_probe)(const std::filesystem::path& file, std::string_view object) =
    nullptr;

inline void gadget_probe(const std::filesystem::path& file, std::string_view object) {
  if (gadget_write_probe != nullptr) gadget_write_probe(file, object);
}

inline std::filesystem::path gadget_file_name(const std::filesystem::path& base, int files, int k) {
  std::filesystem::path p = base;
  p += files > 1 ? lagframe::detail::concat(".", k, ".hdf5") : std::string(".hdf5");
  return p;
}

/// Everything one file needs, computed once from the snapshot.
struct gadget_file_plan {
  double a = 0;
  double box_size = 0;          // file length units
  double mass = 0;              // file mass units
  double length_scale = 1;      // Mpc/h → file length units
  double velocity_factor = 1;   // p (Mpc/h) → stored velocity
  std::uint64_t total = 0;
  int files = 1;
  const cosmology::parameters* cosmology = nullptr;
  gadget_write_options options;
};

template <class Scalar>
void write_block_dataset(hid_t group, const std::filesystem::path& file, const std::string& object,
                         const char* name, hid_t file_type, std::size_t count, std::size_t width,
                         auto&& fill /* (first, n, Scalar* out) */) {
  const hsize_t dims[2] = {static_cast<hsize_t>(count), static_cast<hsize_t>(width)};
  const int rank = width == 1 ? 1 : 2;
  h5_space fspace(h5_check(H5Screate_simple(rank, dims, nullptr), file, object, "dataspace creation"));
  h5_dataset dset(h5_check(H5Dcreate2(group, name, file_type, fspace.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                           file, object, "dataset creation"));
  std::vector<Scalar> buffer;
  for (std::size_t first = 0; first < count; first += gadget_block) {
    const std::size_t n = std::min(gadget_block, count - first);
    buffer.resize(n * width);
    fill(first, n, buffer.data());
    const hsize_t start[2] = {static_cast<hsize_t>(first), 0};
    const hsize_t block[2] = {static_cast<hsize_t>(n), static_cast<hsize_t>(width)};
    h5_check_status(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, block, nullptr), file,
                    object, "hyperslab selection");
    h5_space mspace(h5_check(H5Screate_simple(rank, block, nullptr), file, object, "dataspace creation"));
    h5_check_status(H5Dwrite(dset.get(), h5_native_type<Scalar>(), mspace.get(), fspace.get(), H5P_DEFAULT,
                             buffer.data()),
                    file, object, "dataset write");
  }
  if (!dset.close()) hdf5_fail(file, object, "dataset close");
}

inline void write_scaling_attributes(hid_t dset, const std::filesystem::path& file, const std::string& object,
                                     const std::array<double, 6>& s) {
  static constexpr const char* names[6] = {"a_scaling",        "h_scaling", "length_scaling",
                                           "mass_scaling",     "velocity_scaling", "to_cgs"};
  for (int i = 0; i < 6; ++i) write_scalar_attribute<double>(dset, file, object, names[i], s[i]);
}

template <class Real>
void write_gadget_file(const std::filesystem::path& tmp, const std::filesystem::path& final_name,
                       const snapshot_view<Real>& s, const gadget_file_plan& plan,
                       std::size_t first, std::size_t count) {
  const std::filesystem::path& f = final_name;  // errors name the file the user asked for
  hdf5_quiet quiet;
  h5_file file(h5_check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), f, tmp.string(),
                        "file creation"));
  const std::uint64_t n_this = count;
  const auto& units = plan.options.units;
  const auto& cosmo = *plan.cosmology;
  {
    h5_group header(h5_check(H5Gcreate2(file.get(), "Header", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), f,
                             "Header", "group creation"));
    const hid_t g = header.get();
    const std::string w = "Header";
    write_array_attribute<std::uint64_t, 6>(g, f, w, "NumPart_ThisFile", {0, n_this, 0, 0, 0, 0});
    write_array_attribute<std::uint64_t, 6>(g, f, w, "NumPart_Total", {0, plan.total, 0, 0, 0, 0});
    write_array_attribute<std::uint32_t, 6>(g, f, w, "NumPart_Total_HighWord",
                                            {0, static_cast<std::uint32_t>(plan.total >> 32), 0, 0, 0, 0});
    write_array_attribute<double, 6>(g, f, w, "MassTable", {0, plan.mass, 0, 0, 0, 0});
    write_scalar_attribute<double>(g, f, w, "Time", plan.a);
    write_scalar_attribute<double>(g, f, w, "Redshift", 1.0 / plan.a - 1.0);
    write_scalar_attribute<double>(g, f, w, "BoxSize", plan.box_size);
    write_scalar_attribute<std::int32_t>(g, f, w, "NumFilesPerSnapshot", plan.files);
    write_scalar_attribute<double>(g, f, w, "Omega0", cosmo.omega_m);
    write_scalar_attribute<double>(g, f, w, "OmegaLambda", cosmo.omega_lambda());
    write_scalar_attribute<double>(g, f, w, "HubbleParam", cosmo.h);
    for (const char* flag : {"Flag_Sfr", "Flag_Cooling", "Flag_Feedback", "Flag_StellarAge", "Flag_Metals"}) {
      write_scalar_attribute<std::int32_t>(g, f, w, flag, 0);
    }
    write_scalar_attribute<std::int32_t>(g, f, w, "Flag_DoublePrecision", plan.options.double_precision ? 1 : 0);
  }
  gadget_probe(f, "Header");
  {
    h5_group params(h5_check(H5Gcreate2(file.get(), "Parameters", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), f,
                             "Parameters", "group creation"));
    const hid_t g = params.get();
    const std::string w = "Parameters";
    write_scalar_attribute<double>(g, f, w, "UnitLength_in_cm", units.length_in_cm);
    write_scalar_attribute<double>(g, f, w, "UnitMass_in_g", units.mass_in_g);
    write_scalar_attribute<double>(g, f, w, "UnitVelocity_in_cm_per_s", units.velocity_in_cm_per_s);
    write_scalar_attribute<double>(g, f, w, "Omega0", cosmo.omega_m);
    write_scalar_attribute<double>(g, f, w, "OmegaLambda", cosmo.omega_lambda());
    write_scalar_attribute<double>(g, f, w, "OmegaBaryon", cosmo.omega_b);
    write_scalar_attribute<double>(g, f, w, "HubbleParam", cosmo.h);
    write_scalar_attribute<double>(g, f, w, "BoxSize", plan.box_size);
    write_scalar_attribute<std::int32_t>(g, f, w, "ComovingIntegrationOn", 1);
    write_scalar_attribute<std::int32_t>(g, f, w, "NumFilesPerSnapshot", plan.files);
  }
  gadget_probe(f, "Parameters");
  if (count > 0) {
    h5_group part(h5_check(H5Gcreate2(file.get(), "PartType1", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), f,
                           "PartType1", "group creation"));
    const hid_t ftype = plan.options.double_precision ? H5T_IEEE_F64LE : H5T_IEEE_F32LE;
    const double ls = plan.length_scale, vf = plan.velocity_factor;
    auto positions = s.positions.subspan(first, count);
    auto momenta = s.momenta.subspan(first, count);
    write_block_dataset<double>(part.get(), f, "PartType1/Coordinates", "Coordinates", ftype, count, 3,
                                [&](std::size_t b, std::size_t n, double* out) {
                                  for (std::size_t i = 0; i < n; ++i)
                                    for (int d = 0; d < 3; ++d)
                                      out[3 * i + d] = ls * static_cast<double>(positions[b + i][d]);
                                });
    gadget_probe(f, "PartType1/Coordinates");
    throw_if_interrupted();
    write_block_dataset<double>(part.get(), f, "PartType1/Velocities", "Velocities", ftype, count, 3,
                                [&](std::size_t b, std::size_t n, double* out) {
                                  for (std::size_t i = 0; i < n; ++i)
                                    for (int d = 0; d < 3; ++d)
                                      out[3 * i + d] = vf * static_cast<double>(momenta[b + i][d]);
                                });
    gadget_probe(f, "PartType1/Velocities");
    throw_if_interrupted();
    write_block_dataset<std::uint64_t>(part.get(), f, "PartType1/ParticleIDs", "ParticleIDs", H5T_STD_U64LE,
                                       count, 1, [&](std::size_t b, std::size_t n, std::uint64_t* out) {
                                         for (std::size_t i = 0; i < n; ++i) out[i] = first + b + i;
                                       });
    gadget_probe(f, "PartType1/ParticleIDs");
    // Unit attributes (Gadget-4 snap_io::init_basic): reopen each dataset to attach them.
    const std::array<std::pair<const char*, std::array<double, 6>>, 2> scalings = {{
        {"Coordinates", {1.0, -1.0, 1.0, 0.0, 0.0, units.length_in_cm}},
        {"Velocities", {0.5, 0.0, 0.0, 0.0, 1.0, units.velocity_in_cm_per_s}},
    }};
    for (const auto& [name, sc] : scalings) {
      const std::string object = std::string("PartType1/") + name;
      h5_dataset dset(h5_check(H5Dopen2(part.get(), name, H5P_DEFAULT), f, object, "dataset open"));
      write_scaling_attributes(dset.get(), f, object, sc);
    }
  }
  if (!file.close()) hdf5_fail(f, tmp.string(), "file close");
}

}  // namespace detail

/// Writes the type-1 (dark matter) particles of `s` as a Gadget-4 HDF5 snapshot: `base.hdf5`,
/// or `base.0.hdf5` … `base.(n−1).hdf5` when opt.files = n > 1 (layout in the file comment).
/// Throws config_error for an inconsistent snapshot_view or options (before any file is
/// created) and io_error naming the file and object when HDF5 fails.
template <class Real>
void write_gadget_snapshot(const std::filesystem::path& base, const snapshot_view<Real>& s,
                           const gadget_write_options& opt = {}) {
  static_assert(std::is_floating_point_v<Real>, "lagframe::io::write_gadget_snapshot: Real must be float or double");
  require(s.domain != nullptr, "write_gadget_snapshot snapshot_view.domain", "null", "a box");
  require(s.cosmology != nullptr, "write_gadget_snapshot snapshot_view.cosmology", "null", "cosmology parameters");
  s.domain->validate();
  s.cosmology->validate();
  opt.units.validate();
  require(std::isfinite(s.a) && s.a > 0.0, "write_gadget_snapshot a", s.a, "a positive scale factor");
  const std::size_t n = s.domain->particle_count();
  require(s.positions.size() == n, "write_gadget_snapshot positions.size()", s.positions.size(),
          lagframe::detail::concat(n, " (the box's particle count)"));
  require(s.momenta.size() == n, "write_gadget_snapshot momenta.size()", s.momenta.size(),
          lagframe::detail::concat(n, " (the box's particle count)"));
  require(opt.files >= 1 && static_cast<std::size_t>(opt.files) <= n, "gadget_write_options.files", opt.files,
          lagframe::detail::concat("a file count in [1, ", n, "]"));

  detail::gadget_file_plan plan;
  plan.a = s.a;
  plan.length_scale = detail::mpc_in_cm / opt.units.length_in_cm;
  plan.box_size = s.domain->side_mpc_h * plan.length_scale;
  plan.mass = detail::rho_crit_1e10_msun_h2_per_mpc3 * s.cosmology->omega_m * s.domain->volume() /
              static_cast<double>(n) * (detail::msun_1e10_in_g / opt.units.mass_in_g);
  // v_pec = 100 p / a km/s; Gadget stores v_pec / sqrt(a).
  plan.velocity_factor =
      100.0 / (s.a * std::sqrt(s.a)) * (detail::km_per_s_in_cm_per_s / opt.units.velocity_in_cm_per_s);
  plan.total = n;
  plan.files = opt.files;
  plan.cosmology = s.cosmology;
  plan.options = opt;

  // Every part under its temporary name first, then all renamed: a multi-file snapshot appears
  // whole or not at all (also when interrupted, io/interrupt.hpp).
  atomic_file_set set;
  const std::size_t files = static_cast<std::size_t>(opt.files);
  for (std::size_t k = 0; k < files; ++k) {
    const std::size_t first = k * (n / files) + std::min(k, n % files);
    const std::size_t count = n / files + (k < n % files ? 1 : 0);
    const auto name = detail::gadget_file_name(base, opt.files, static_cast<int>(k));
    detail::write_gadget_file(set.temporary(name), name, s, plan, first, count);
  }
  set.commit();
}

namespace detail {

struct gadget_file_contents {
  snapshot_header header;
  std::uint64_t this_file = 0;
};

inline double optional_double(hid_t header, hid_t params, const std::filesystem::path& f, const char* name) {
  if (has_attribute(header, name)) return read_attribute<double>(header, f, "Header", name, 1)[0];
  if (params >= 0 && has_attribute(params, name)) return read_attribute<double>(params, f, "Parameters", name, 1)[0];
  return std::numeric_limits<double>::quiet_NaN();
}

/// Reads one file's header and appends its type-1 particles to `out`.
inline gadget_file_contents read_gadget_file(const std::filesystem::path& f, gadget_snapshot& out) {
  hdf5_quiet quiet;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(f, ec)) {
    throw io_error(lagframe::detail::concat("lagframe: Gadget snapshot file ", f.string(), " does not exist"));
  }
  h5_file file(h5_check(H5Fopen(f.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), f, f.string(), "file open"));
  if (H5Lexists(file.get(), "Header", H5P_DEFAULT) <= 0) {
    throw io_error(lagframe::detail::concat("lagframe: no 'Header' group in ", f.string(), " (not a Gadget snapshot)"));
  }
  h5_group header(h5_check(H5Gopen2(file.get(), "Header", H5P_DEFAULT), f, "Header", "group open"));
  h5_group params;
  if (H5Lexists(file.get(), "Parameters", H5P_DEFAULT) > 0) {
    params = h5_group(h5_check(H5Gopen2(file.get(), "Parameters", H5P_DEFAULT), f, "Parameters", "group open"));
  }
  const hid_t g = header.get();
  gadget_file_contents c;
  snapshot_header& h = c.header;
  const auto this_file = read_attribute<std::uint64_t>(g, f, "Header", "NumPart_ThisFile", 6);
  auto total = read_attribute<std::uint64_t>(g, f, "Header", "NumPart_Total", 6);
  if (has_attribute(g, "NumPart_Total_HighWord") && total[1] <= 0xffffffffULL) {
    const auto high = read_attribute<std::uint64_t>(g, f, "Header", "NumPart_Total_HighWord", 6);
    total[1] += high[1] << 32;
  }
  c.this_file = this_file[1];
  h.num_part_total = total[1];
  h.mass_table_part1 = read_attribute<double>(g, f, "Header", "MassTable", 6)[1];
  h.time = read_attribute<double>(g, f, "Header", "Time", 1)[0];
  h.redshift = read_attribute<double>(g, f, "Header", "Redshift", 1)[0];
  h.box_size = read_attribute<double>(g, f, "Header", "BoxSize", 1)[0];
  h.num_files = read_attribute<std::int32_t>(g, f, "Header", "NumFilesPerSnapshot", 1)[0];
  h.omega0 = optional_double(g, params.get(), f, "Omega0");
  h.omega_lambda = optional_double(g, params.get(), f, "OmegaLambda");
  h.hubble_param = optional_double(g, params.get(), f, "HubbleParam");
  if (params.valid()) {
    auto unit = [&](const char* name, double fallback) {
      return has_attribute(params.get(), name) ? read_attribute<double>(params.get(), f, "Parameters", name, 1)[0]
                                               : fallback;
    };
    h.units.length_in_cm = unit("UnitLength_in_cm", h.units.length_in_cm);
    h.units.mass_in_g = unit("UnitMass_in_g", h.units.mass_in_g);
    h.units.velocity_in_cm_per_s = unit("UnitVelocity_in_cm_per_s", h.units.velocity_in_cm_per_s);
  }

  const bool has_group = H5Lexists(file.get(), "PartType1", H5P_DEFAULT) > 0;
  if (!has_group) {
    if (c.this_file == 0 && h.num_part_total > 0) return c;  // Gadget omits empty groups
    throw io_error(lagframe::detail::concat("lagframe: no 'PartType1' group in ", f.string(), " (NumPart_ThisFile[1] = ",
                                            c.this_file, ", NumPart_Total[1] = ", h.num_part_total, ")"));
  }
  h5_group part(h5_check(H5Gopen2(file.get(), "PartType1", H5P_DEFAULT), f, "PartType1", "group open"));
  const std::size_t n = c.this_file;
  auto read_dataset = [&](const char* name, std::size_t width, hid_t memtype, void* dest, bool* is_double) {
    const std::string object = std::string("PartType1/") + name;
    if (H5Lexists(part.get(), name, H5P_DEFAULT) <= 0) {
      throw io_error(lagframe::detail::concat("lagframe: missing dataset '", object, "' in ", f.string()));
    }
    h5_dataset dset(h5_check(H5Dopen2(part.get(), name, H5P_DEFAULT), f, object, "dataset open"));
    h5_space space(h5_check(H5Dget_space(dset.get()), f, object, "dataset dataspace"));
    const int rank = H5Sget_simple_extent_ndims(space.get());
    hsize_t dims[2] = {0, 1};
    if (rank != (width == 1 ? 1 : 2) || H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0 ||
        dims[0] != n || (width > 1 && dims[1] != width)) {
      throw io_error(lagframe::detail::concat("lagframe: dataset '", object, "' in ", f.string(), " has shape (",
                                              dims[0], ", ", rank == 2 ? dims[1] : 1, "), expected (", n, ", ",
                                              width, ")"));
    }
    if (is_double != nullptr) {
      h5_type type(h5_check(H5Dget_type(dset.get()), f, object, "dataset type"));
      *is_double = H5Tget_size(type.get()) == 8;
    }
    if (n > 0) {
      h5_check_status(H5Dread(dset.get(), memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, dest), f, object, "dataset read");
    }
  };
  static_assert(sizeof(vec3<double>) == 3 * sizeof(double), "vec3<double> must be three packed doubles");
  const std::size_t offset = out.ids.size();
  out.positions.resize(offset + n);
  out.velocities.resize(offset + n);
  out.ids.resize(offset + n);
  read_dataset("Coordinates", 3, H5T_NATIVE_DOUBLE, out.positions.data() + offset, &h.double_precision);
  read_dataset("Velocities", 3, H5T_NATIVE_DOUBLE, out.velocities.data() + offset, nullptr);
  read_dataset("ParticleIDs", 1, H5T_NATIVE_UINT64, out.ids.data() + offset, nullptr);
  const double to_mpc_h = h.units.length_in_cm / mpc_in_cm;
  if (to_mpc_h != 1.0) {
    for (std::size_t i = offset; i < offset + n; ++i)
      for (auto& x : out.positions[i]) x *= to_mpc_h;
  }
  return c;
}

}  // namespace detail

/// Reads the type-1 particles of a Gadget HDF5 snapshot (Gadget-4 or Gadget-2/3 header
/// attribute types). `path_or_base` may be: an existing file (`x.hdf5`; if it is piece
/// `stem.k.hdf5` of a multi-file snapshot, all pieces of `stem` are read), or a base name
/// `stem` for which `stem.0.hdf5` (multi-file, NumFilesPerSnapshot pieces) or `stem.hdf5`
/// exists. Particles are concatenated in file order. Throws io_error naming the file for a
/// missing file, a missing Header / PartType1 group or dataset, wrong dataset shapes, or
/// particle counts that disagree with NumPart_ThisFile / NumPart_Total.
inline gadget_snapshot read_gadget_snapshot(const std::filesystem::path& path_or_base) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path base;
  bool multi = false;
  if (fs::is_regular_file(path_or_base, ec)) {
    // A piece "stem.k.hdf5" of a multi-file snapshot stands for the whole snapshot.
    const fs::path p = path_or_base;
    if (p.extension() == ".hdf5") {
      const fs::path stem = p.stem();  // "stem.k"
      const std::string k = stem.extension().string();
      const bool numbered = k.size() > 1 && std::all_of(k.begin() + 1, k.end(), [](char ch) {
        return ch >= '0' && ch <= '9';
      });
      if (numbered) {
        fs::path candidate = p.parent_path() / stem.stem();
        if (fs::is_regular_file(detail::gadget_file_name(candidate, 2, 0), ec)) {
          gadget_snapshot probe;
          const auto c = detail::read_gadget_file(p, probe);
          if (c.header.num_files > 1) {
            base = candidate;
            multi = true;
          }
        }
      }
    }
    if (!multi) {
      gadget_snapshot out;
      const auto c = detail::read_gadget_file(p, out);
      out.header = c.header;
      if (out.ids.size() != c.this_file) {
        throw io_error(lagframe::detail::concat("lagframe: ", p.string(), " holds ", out.ids.size(),
                                                " particles, NumPart_ThisFile[1] = ", c.this_file));
      }
      return out;
    }
  } else if (fs::is_regular_file(detail::gadget_file_name(path_or_base, 2, 0), ec)) {
    base = path_or_base;
    multi = true;
  } else if (fs::is_regular_file(detail::gadget_file_name(path_or_base, 1, 0), ec)) {
    return read_gadget_snapshot(detail::gadget_file_name(path_or_base, 1, 0));
  } else {
    throw io_error(lagframe::detail::concat("lagframe: Gadget snapshot ", path_or_base.string(),
                                            " not found (tried ", path_or_base.string(), ", ",
                                            detail::gadget_file_name(path_or_base, 2, 0).string(), " and ",
                                            detail::gadget_file_name(path_or_base, 1, 0).string(), ")"));
  }

  gadget_snapshot out;
  const auto first_name = detail::gadget_file_name(base, 2, 0);
  const auto first = detail::read_gadget_file(first_name, out);
  out.header = first.header;
  const int files = first.header.num_files;
  if (files < 1) {
    throw io_error(lagframe::detail::concat("lagframe: ", first_name.string(), " has NumFilesPerSnapshot = ", files));
  }
  std::uint64_t sum = first.this_file;
  for (int k = 1; k < files; ++k) {
    const auto name = detail::gadget_file_name(base, 2, k);
    const auto c = detail::read_gadget_file(name, out);
    if (c.header.num_part_total != first.header.num_part_total || c.header.num_files != files) {
      throw io_error(lagframe::detail::concat("lagframe: ", name.string(), " has NumPart_Total[1] = ",
                                              c.header.num_part_total, ", NumFilesPerSnapshot = ", c.header.num_files,
                                              ", but ", first_name.string(), " has ", first.header.num_part_total,
                                              ", ", files));
    }
    sum += c.this_file;
  }
  if (sum != out.header.num_part_total || out.ids.size() != sum) {
    throw io_error(lagframe::detail::concat("lagframe: snapshot ", base.string(), " holds ", out.ids.size(),
                                            " particles in ", files, " files, NumPart_Total[1] = ",
                                            out.header.num_part_total));
  }
  return out;
}

}  // namespace lagframe::io
