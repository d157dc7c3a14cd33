// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file catalogue_hdf5.hpp
/// Halo and galaxy catalogues in HDF5, written atomically (a temporary name renamed when the file
/// is complete, io/atomic_file.hpp). Requires the HDF5 C library: link lagframe::hdf5.
///
/// Halo catalogue: Gadget-4's group-catalogue layout (fof_subhalo_tab_NNN.hdf5, as written by its
/// fof_io::write_header_fields and the fields registered in the fof_io constructor), FoF part,
/// one file, so that readers of Gadget-4 catalogues work:
///
///   /Header attributes
///     Ngroups_ThisFile, Ngroups_Total      uint64   number of groups
///     Nsubhalos_ThisFile, Nsubhalos_Total  uint64   0 (no subhalos)
///     Nids_ThisFile, Nids_Total            uint64   particles in groups (= Σ GroupLen)
///     NumFiles                             int32    1
///     Time, Redshift, BoxSize              float64  a, 1/a − 1, L (UnitLength/h; 0 for an open set)
///   lagframe extras (ignored by Gadget readers): Omega0, OmegaLambda, HubbleParam (float64),
///   LinkingLength (UnitLength/h), MinGroupLength (int32), ParticleMass (UnitMass/h),
///   CentreDefinition (int32: 0 potential minimum, 1 centre of mass)
///   /Parameters attributes: UnitLength_in_cm, UnitMass_in_g, UnitVelocity_in_cm_per_s, Omega0,
///     OmegaLambda, OmegaBaryon, HubbleParam, BoxSize (float64), ComovingIntegrationOn (int32)
///   /Group datasets (only when there are groups, as in Gadget-4), one row per group in the
///   fof_groups order (decreasing length):
///     GroupLen         int32        members
///     GroupLenType     int32 ×6     [0, GroupLen, 0, 0, 0, 0]
///     GroupOffsetType  int64 ×6     [0, first member's row in /IDs/ID, 0, …]
///     GroupMass        float32      FoF mass, UnitMass/h (1e10 Msun/h by default)
///     GroupMassType    float32 ×6   [0, GroupMass, 0, …]
///     GroupPos         float32 ×3   centre (potential minimum, or centre of mass), UnitLength/h
///     GroupVel         float32 ×3   Gadget's internal velocity a·v_pec of the mean (the peculiar
///                                   velocity in km/s is GroupVel / a), UnitVelocity
///     GroupAscale      float32      a (of each halo: on a lightcone, its members' mean crossing)
///     GroupNsubs       int32        0;   GroupFirstSub int64  −1
///     Group_M_Mean200, Group_R_Mean200, Group_M_Crit200, Group_R_Crit200   float32 (with SO masses)
///     lagframe extras: GroupCM float32 ×3, GroupVelDisp float32 (1D, km/s), GroupRmax float32
///   /IDs/ID  uint64: the particle ids of all members, group after group (Gadget-4 writes it with
///     FOF_STOREIDS; Gadget-4's own offsets refer to a group-ordered snapshot instead).
///
/// Galaxy catalogue (lagframe's own layout):
///   /Header attributes: NumGalaxies, NumCentrals, NumSatellites, Seed (uint64); BoxSize, Time,
///     Redshift, Omega0, OmegaLambda, HubbleParam (float64); HOD_log_M_min, HOD_sigma_log_M,
///     HOD_log_M_0, HOD_log_M_1, HOD_alpha (float64), HOD_satellites_follow_centrals (int32);
///     LineOfSightAxis (int32; −1 without redshift-space positions)
///   /Galaxies: Position (float64 N×3, Mpc/h, real space), Velocity (float64 N×3, peculiar km/s),
///     HaloIndex (uint64), Central (int32: 1 central, 0 satellite), and RedshiftSpacePosition
///     (float64 N×3) when given.
///   On a lightcone (sky coordinates given): BoxSize 0, Time 1 and Redshift 0 (each galaxy has
///   its own ZCos), the Header attribute Observer (float64 ×3, Mpc/h), and /Galaxies RA, DEC (degrees),
///   ZCos, ZObs, Chi, ChiObs (Mpc/h) (float64 N each; lightcone_halos.hpp); RedshiftSpacePosition
///   is then the observer plus ChiObs along the direction of the galaxy.
///
/// Not thread-safe (the serial HDF5 library is not): call from one thread at a time. Errors:
/// io_error naming the file and object.

#include <hdf5.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/halos/hod.hpp"
#include "lagframe/halos/lightcone_halos.hpp"
#include "lagframe/halos/properties.hpp"
#include "lagframe/io/atomic_file.hpp"
#include "lagframe/io/hdf5_detail.hpp"

namespace lagframe::halos {

/// Units of the halo catalogue (Gadget's internal units; defaults Mpc/h, 1e10 Msun/h, km/s).
struct catalogue_units {
  double length_in_cm = 3.085678e24;
  double mass_in_g = 1.989e43;
  double velocity_in_cm_per_s = 1e5;
};

namespace detail {

template <class T>
hid_t h5_memory_type() {
  if constexpr (std::is_same_v<T, std::int64_t>) return H5T_NATIVE_INT64;
  else return io::detail::h5_native_type<T>();
}

/// Writes `data` (rows × width values, row-major) as dataset `name` of `group` with file type `file_type`.
template <class T>
void write_dataset(hid_t group, const std::filesystem::path& file, const std::string& where, const char* name,
                   hid_t file_type, std::size_t rows, std::size_t width, const std::vector<T>& data) {
  using namespace io::detail;
  const std::string object = where + "/" + name;
  const hsize_t dims[2] = {static_cast<hsize_t>(rows), static_cast<hsize_t>(width)};
  h5_space space(h5_check(H5Screate_simple(width == 1 ? 1 : 2, dims, nullptr), file, object, "dataspace creation"));
  h5_dataset set(h5_check(H5Dcreate2(group, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), file,
                          object, "dataset creation"));
  if (rows > 0)
    h5_check_status(H5Dwrite(set.get(), h5_memory_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), file, object,
                    "dataset write");
  if (!set.close()) hdf5_fail(file, object, "dataset close");
}

/// Reads dataset `name` of `group` as T, checking that it has `width` columns; returns the rows.
template <class T>
std::vector<T> read_dataset(hid_t group, const std::filesystem::path& file, const std::string& where, const char* name,
                            std::size_t width, std::size_t& rows) {
  using namespace io::detail;
  const std::string object = where + "/" + name;
  if (H5Lexists(group, name, H5P_DEFAULT) <= 0)
    throw io_error(lagframe::detail::concat("lagframe: missing HDF5 dataset '", object, "' in ", file.string()));
  h5_dataset set(h5_check(H5Dopen2(group, name, H5P_DEFAULT), file, object, "dataset open"));
  h5_space space(h5_check(H5Dget_space(set.get()), file, object, "dataspace"));
  hsize_t dims[2] = {0, 0};
  const int rank = H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  const std::size_t got_width = rank == 2 ? static_cast<std::size_t>(dims[1]) : 1;
  if (rank < 1 || rank > 2 || got_width != width)
    throw io_error(lagframe::detail::concat("lagframe: HDF5 dataset '", object, "' in ", file.string(), " has rank ",
                                            rank, " and ", got_width, " columns, expected ", width));
  rows = static_cast<std::size_t>(dims[0]);
  std::vector<T> out(rows * width);
  if (rows > 0)
    h5_check_status(H5Dread(set.get(), h5_memory_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), file, object,
                    "dataset read");
  return out;
}

inline std::vector<double> flatten(const std::vector<vec3<double>>& v, double scale = 1.0) {
  std::vector<double> out(3 * v.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    for (std::size_t d = 0; d < 3; ++d) out[3 * i + d] = scale * v[i][d];
  return out;
}

inline void write_units_and_cosmology(hid_t file_id, const std::filesystem::path& f, const cosmology::parameters& c,
                                      const catalogue_units& u, double box) {
  using namespace io::detail;
  h5_group params(h5_check(H5Gcreate2(file_id, "Parameters", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), f, "Parameters",
                           "group creation"));
  const std::string w = "Parameters";
  write_scalar_attribute<double>(params.get(), f, w, "UnitLength_in_cm", u.length_in_cm);
  write_scalar_attribute<double>(params.get(), f, w, "UnitMass_in_g", u.mass_in_g);
  write_scalar_attribute<double>(params.get(), f, w, "UnitVelocity_in_cm_per_s", u.velocity_in_cm_per_s);
  write_scalar_attribute<double>(params.get(), f, w, "Omega0", c.omega_m);
  write_scalar_attribute<double>(params.get(), f, w, "OmegaLambda", c.omega_lambda());
  write_scalar_attribute<double>(params.get(), f, w, "OmegaBaryon", c.omega_b);
  write_scalar_attribute<double>(params.get(), f, w, "HubbleParam", c.h);
  write_scalar_attribute<double>(params.get(), f, w, "BoxSize", box);
  write_scalar_attribute<std::int32_t>(params.get(), f, w, "ComovingIntegrationOn", 1);
}

}  // namespace detail

/// Writes the FoF part of a Gadget-4 group catalogue (layout in the file comment). `ids` are the
/// particle ids of the points (empty: the point index, i.e. lagframe's id for simulation states).
inline void write_fof_tab_hdf5(const std::filesystem::path& path, const halo_catalogue& cat, const fof_groups& groups,
                               std::span<const std::uint64_t> ids = {}, const catalogue_units& units = {}) {
  using namespace io::detail;
  require(groups.groups() == cat.size(), "write_fof_tab_hdf5: groups", groups.groups(),
          lagframe::detail::concat("the catalogue's ", cat.size(), " halos"));
  require(ids.empty() || ids.size() == groups.group_of.size(), "write_fof_tab_hdf5: number of ids", ids.size(),
          lagframe::detail::concat("none or one per point (", groups.group_of.size(), ")"));
  require(units.length_in_cm > 0 && units.mass_in_g > 0 && units.velocity_in_cm_per_s > 0,
          "write_fof_tab_hdf5: units", units.length_in_cm, "positive units");
  const double to_length = 3.085678e24 / units.length_in_cm;  // Mpc/h → file units
  const double to_mass = 1.989e33 / units.mass_in_g;          // Msun/h → file units
  const double to_velocity = 1e5 / units.velocity_in_cm_per_s;
  const std::size_t ng = cat.size();
  const std::uint64_t nids = groups.members.size();
  io::write_atomically(path, [&](const std::filesystem::path& tmp) {
    const std::filesystem::path& f = path;
    hdf5_quiet quiet;
    h5_file file(h5_check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), f, tmp.string(),
                          "file creation"));
    {
      h5_group header(h5_check(H5Gcreate2(file.get(), "Header", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), f, "Header",
                               "group creation"));
      const hid_t g = header.get();
      const std::string w = "Header";
      write_scalar_attribute<std::uint64_t>(g, f, w, "Ngroups_ThisFile", ng);
      write_scalar_attribute<std::uint64_t>(g, f, w, "Nsubhalos_ThisFile", 0);
      write_scalar_attribute<std::uint64_t>(g, f, w, "Nids_ThisFile", nids);
      write_scalar_attribute<std::uint64_t>(g, f, w, "Ngroups_Total", ng);
      write_scalar_attribute<std::uint64_t>(g, f, w, "Nsubhalos_Total", 0);
      write_scalar_attribute<std::uint64_t>(g, f, w, "Nids_Total", nids);
      write_scalar_attribute<std::int32_t>(g, f, w, "NumFiles", 1);
      write_scalar_attribute<double>(g, f, w, "Time", cat.a);
      write_scalar_attribute<double>(g, f, w, "Redshift", 1.0 / cat.a - 1.0);
      write_scalar_attribute<double>(g, f, w, "BoxSize", cat.box_side * to_length);
      write_scalar_attribute<double>(g, f, w, "Omega0", cat.cosmology.omega_m);
      write_scalar_attribute<double>(g, f, w, "OmegaLambda", cat.cosmology.omega_lambda());
      write_scalar_attribute<double>(g, f, w, "HubbleParam", cat.cosmology.h);
      write_scalar_attribute<double>(g, f, w, "LinkingLength", cat.linking_length * to_length);
      write_scalar_attribute<std::int32_t>(g, f, w, "MinGroupLength", static_cast<std::int32_t>(cat.min_members));
      write_scalar_attribute<double>(g, f, w, "ParticleMass", cat.particle_mass * to_mass);
      write_scalar_attribute<std::int32_t>(g, f, w, "CentreDefinition",
                                           cat.centre == halo_centre::potential_minimum ? 0 : 1);
    }
    detail::write_units_and_cosmology(file.get(), f, cat.cosmology, units, cat.box_side * to_length);
    if (ng > 0) {
      h5_group group(h5_check(H5Gcreate2(file.get(), "Group", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), f, "Group",
                              "group creation"));
      const hid_t g = group.get();
      const std::string w = "Group";
      std::vector<std::int32_t> len(ng), len_type(6 * ng, 0), nsubs(ng, 0);
      std::vector<std::int64_t> offset_type(6 * ng, 0), first_sub(ng, -1);
      std::vector<float> mass(ng), mass_type(6 * ng, 0.0f), ascale(ng, static_cast<float>(cat.a));
      std::vector<vec3<double>> internal_velocity(cat.velocity);  // a·v_pec, each halo at its own a
      for (std::size_t k = 0; k < ng; ++k) {
        const double a_k = cat.scale_factor.size() == ng ? cat.scale_factor[k] : cat.a;
        ascale[k] = static_cast<float>(a_k);
        for (auto& v : internal_velocity[k]) v *= a_k;
      }
      for (std::size_t k = 0; k < ng; ++k) {
        if (cat.length[k] > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
          throw io_error(lagframe::detail::concat("lagframe: ", f.string(), ": group ", k, " has ", cat.length[k],
                                                  " members, more than GroupLen (int32) can hold"));
        len[k] = static_cast<std::int32_t>(cat.length[k]);
        len_type[6 * k + 1] = len[k];
        offset_type[6 * k + 1] = static_cast<std::int64_t>(cat.offset[k]);
        mass[k] = static_cast<float>(cat.mass[k] * to_mass);
        mass_type[6 * k + 1] = mass[k];
      }
      const auto as_float = [](const std::vector<double>& v, double s) {
        std::vector<float> out(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) out[i] = static_cast<float>(s * v[i]);
        return out;
      };
      const hid_t f32 = H5T_IEEE_F32LE, i32 = H5T_STD_I32LE, i64 = H5T_STD_I64LE;
      detail::write_dataset(g, f, w, "GroupLen", i32, ng, 1, len);
      detail::write_dataset(g, f, w, "GroupLenType", i32, ng, 6, len_type);
      detail::write_dataset(g, f, w, "GroupOffsetType", i64, ng, 6, offset_type);
      detail::write_dataset(g, f, w, "GroupMass", f32, ng, 1, mass);
      detail::write_dataset(g, f, w, "GroupMassType", f32, ng, 6, mass_type);
      detail::write_dataset(g, f, w, "GroupPos", f32, ng, 3, as_float(detail::flatten(cat.position), to_length));
      detail::write_dataset(g, f, w, "GroupVel", f32, ng, 3, as_float(detail::flatten(internal_velocity), to_velocity));
      detail::write_dataset(g, f, w, "GroupAscale", f32, ng, 1, ascale);
      detail::write_dataset(g, f, w, "GroupNsubs", i32, ng, 1, nsubs);
      detail::write_dataset(g, f, w, "GroupFirstSub", i64, ng, 1, first_sub);
      if (cat.has_spherical_overdensity) {
        detail::write_dataset(g, f, w, "Group_M_Mean200", f32, ng, 1, as_float(cat.m200m, to_mass));
        detail::write_dataset(g, f, w, "Group_R_Mean200", f32, ng, 1, as_float(cat.r200m, to_length));
        detail::write_dataset(g, f, w, "Group_M_Crit200", f32, ng, 1, as_float(cat.m200c, to_mass));
        detail::write_dataset(g, f, w, "Group_R_Crit200", f32, ng, 1, as_float(cat.r200c, to_length));
      }
      detail::write_dataset(g, f, w, "GroupCM", f32, ng, 3, as_float(detail::flatten(cat.centre_of_mass), to_length));
      detail::write_dataset(g, f, w, "GroupVelDisp", f32, ng, 1, as_float(cat.velocity_dispersion, to_velocity));
      detail::write_dataset(g, f, w, "GroupRmax", f32, ng, 1, as_float(cat.radius_max, to_length));
      if (!group.close()) hdf5_fail(f, "Group", "group close");
    }
    if (nids > 0) {
      h5_group idg(h5_check(H5Gcreate2(file.get(), "IDs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), f, "IDs",
                            "group creation"));
      std::vector<std::uint64_t> id(nids);
      for (std::size_t k = 0; k < nids; ++k) id[k] = ids.empty() ? groups.members[k] : ids[groups.members[k]];
      detail::write_dataset(idg.get(), f, "IDs", "ID", H5T_STD_U64LE, nids, 1, id);
      if (!idg.close()) hdf5_fail(f, "IDs", "group close");
    }
    if (!file.close()) hdf5_fail(f, "/", "file close");
  });
}

/// A Gadget-4 group catalogue read back (FoF fields; single file), in lagframe units.
struct fof_tab {
  std::uint64_t ngroups = 0, nids = 0, nsubhalos = 0;
  int num_files = 0;
  double time = 0, redshift = 0, box_size = 0;  ///< box in Mpc/h
  std::vector<std::size_t> length;              ///< GroupLen
  std::vector<std::int64_t> offset;             ///< GroupOffsetType[1]
  std::vector<double> mass;                     ///< GroupMass in Msun/h
  std::vector<vec3<double>> position;           ///< GroupPos in Mpc/h
  std::vector<vec3<double>> velocity;           ///< GroupVel as stored (a·v_pec in UnitVelocity)
  std::vector<double> m200m, m200c;             ///< Msun/h (empty when absent)
  std::vector<std::uint64_t> ids;               ///< /IDs/ID (empty when absent)
};

/// Reads a single-file Gadget-4 group catalogue (the datasets listed in fof_tab); io_error naming
/// the file and object for anything missing or inconsistent.
inline fof_tab read_fof_tab_hdf5(const std::filesystem::path& path) {
  using namespace io::detail;
  hdf5_quiet quiet;
  if (!std::filesystem::is_regular_file(path))
    throw io_error(lagframe::detail::concat("lagframe: group catalogue ", path.string(), " not found"));
  h5_file file(h5_check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "/", "file open"));
  fof_tab t;
  double length_unit = 3.085678e24, mass_unit = 1.989e43;
  if (H5Lexists(file.get(), "Parameters", H5P_DEFAULT) > 0) {
    h5_group p(h5_check(H5Gopen2(file.get(), "Parameters", H5P_DEFAULT), path, "Parameters", "group open"));
    if (has_attribute(p.get(), "UnitLength_in_cm"))
      length_unit = read_attribute<double>(p.get(), path, "Parameters", "UnitLength_in_cm", 1)[0];
    if (has_attribute(p.get(), "UnitMass_in_g"))
      mass_unit = read_attribute<double>(p.get(), path, "Parameters", "UnitMass_in_g", 1)[0];
  }
  const double to_mpc = length_unit / 3.085678e24, to_msun = mass_unit / 1.989e33;
  {
    if (H5Lexists(file.get(), "Header", H5P_DEFAULT) <= 0)
      throw io_error(lagframe::detail::concat("lagframe: missing HDF5 group 'Header' in ", path.string()));
    h5_group h(h5_check(H5Gopen2(file.get(), "Header", H5P_DEFAULT), path, "Header", "group open"));
    t.ngroups = read_attribute<std::uint64_t>(h.get(), path, "Header", "Ngroups_Total", 1)[0];
    t.nids = read_attribute<std::uint64_t>(h.get(), path, "Header", "Nids_Total", 1)[0];
    t.nsubhalos = read_attribute<std::uint64_t>(h.get(), path, "Header", "Nsubhalos_Total", 1)[0];
    t.num_files = read_attribute<std::int32_t>(h.get(), path, "Header", "NumFiles", 1)[0];
    t.time = read_attribute<double>(h.get(), path, "Header", "Time", 1)[0];
    t.redshift = read_attribute<double>(h.get(), path, "Header", "Redshift", 1)[0];
    t.box_size = read_attribute<double>(h.get(), path, "Header", "BoxSize", 1)[0] * to_mpc;
  }
  if (t.num_files != 1)
    throw io_error(lagframe::detail::concat("lagframe: ", path.string(), " is part ", "of a ", t.num_files,
                                            "-file catalogue (only single files are read)"));
  if (t.ngroups > 0) {
    h5_group g(h5_check(H5Gopen2(file.get(), "Group", H5P_DEFAULT), path, "Group", "group open"));
    std::size_t rows = 0;
    const auto check = [&](const char* name) {
      if (rows != t.ngroups)
        throw io_error(lagframe::detail::concat("lagframe: ", path.string(), ": Group/", name, " has ", rows,
                                                " rows, Ngroups_Total = ", t.ngroups));
    };
    const auto len = detail::read_dataset<std::int32_t>(g.get(), path, "Group", "GroupLen", 1, rows);
    check("GroupLen");
    const auto off = detail::read_dataset<std::int64_t>(g.get(), path, "Group", "GroupOffsetType", 6, rows);
    check("GroupOffsetType");
    const auto mass = detail::read_dataset<double>(g.get(), path, "Group", "GroupMass", 1, rows);
    check("GroupMass");
    const auto pos = detail::read_dataset<double>(g.get(), path, "Group", "GroupPos", 3, rows);
    check("GroupPos");
    const auto vel = detail::read_dataset<double>(g.get(), path, "Group", "GroupVel", 3, rows);
    check("GroupVel");
    for (std::size_t k = 0; k < rows; ++k) {
      t.length.push_back(static_cast<std::size_t>(len[k]));
      t.offset.push_back(off[6 * k + 1]);
      t.mass.push_back(mass[k] * to_msun);
      t.position.push_back({pos[3 * k] * to_mpc, pos[3 * k + 1] * to_mpc, pos[3 * k + 2] * to_mpc});
      t.velocity.push_back({vel[3 * k], vel[3 * k + 1], vel[3 * k + 2]});
    }
    if (H5Lexists(g.get(), "Group_M_Mean200", H5P_DEFAULT) > 0) {
      t.m200m = detail::read_dataset<double>(g.get(), path, "Group", "Group_M_Mean200", 1, rows);
      t.m200c = detail::read_dataset<double>(g.get(), path, "Group", "Group_M_Crit200", 1, rows);
      for (auto& m : t.m200m) m *= to_msun;
      for (auto& m : t.m200c) m *= to_msun;
    }
  }
  if (H5Lexists(file.get(), "IDs", H5P_DEFAULT) > 0) {
    h5_group g(h5_check(H5Gopen2(file.get(), "IDs", H5P_DEFAULT), path, "IDs", "group open"));
    std::size_t rows = 0;
    t.ids = detail::read_dataset<std::uint64_t>(g.get(), path, "IDs", "ID", 1, rows);
    if (rows != t.nids)
      throw io_error(lagframe::detail::concat("lagframe: ", path.string(), ": IDs/ID has ", rows,
                                              " rows, Nids_Total = ", t.nids));
  }
  return t;
}

/// What a galaxy file records besides the galaxies.
struct galaxy_file_info {
  double box_side = 0;                   ///< Mpc/h (0: open set)
  double a = 1;                          ///< scale factor
  cosmology::parameters cosmology{};
  hod_parameters hod{};
  std::uint64_t seed = 0;
  int line_of_sight_axis = -1;           ///< axis of `redshift_space` (−1: none given, or radial)
  vec3<double> observer{};               ///< with sky coordinates: the observer, Mpc/h
};

/// Writes a galaxy catalogue (layout in the file comment); `redshift_space` may be empty.
inline void write_galaxies_hdf5(const std::filesystem::path& path, const galaxy_catalogue& gal,
                                const galaxy_file_info& info, std::span<const vec3<double>> redshift_space = {},
                                const sky_coordinates* sky = nullptr) {
  using namespace io::detail;
  const std::size_t n = gal.size();
  require(sky == nullptr || sky->size() == n, "write_galaxies_hdf5: sky coordinates", sky == nullptr ? 0 : sky->size(),
          lagframe::detail::concat("one per galaxy (", n, ")"));
  require(redshift_space.empty() || redshift_space.size() == n, "write_galaxies_hdf5: redshift-space positions",
          redshift_space.size(), lagframe::detail::concat("none or one per galaxy (", n, ")"));
  io::write_atomically(path, [&](const std::filesystem::path& tmp) {
    const std::filesystem::path& f = path;
    hdf5_quiet quiet;
    h5_file file(h5_check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), f, tmp.string(),
                          "file creation"));
    {
      h5_group header(h5_check(H5Gcreate2(file.get(), "Header", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), f, "Header",
                               "group creation"));
      const hid_t g = header.get();
      const std::string w = "Header";
      const std::size_t cen = gal.centrals();
      write_scalar_attribute<std::uint64_t>(g, f, w, "NumGalaxies", n);
      write_scalar_attribute<std::uint64_t>(g, f, w, "NumCentrals", cen);
      write_scalar_attribute<std::uint64_t>(g, f, w, "NumSatellites", n - cen);
      write_scalar_attribute<std::uint64_t>(g, f, w, "Seed", info.seed);
      write_scalar_attribute<double>(g, f, w, "BoxSize", info.box_side);
      write_scalar_attribute<double>(g, f, w, "Time", info.a);
      write_scalar_attribute<double>(g, f, w, "Redshift", 1.0 / info.a - 1.0);
      write_scalar_attribute<double>(g, f, w, "Omega0", info.cosmology.omega_m);
      write_scalar_attribute<double>(g, f, w, "OmegaLambda", info.cosmology.omega_lambda());
      write_scalar_attribute<double>(g, f, w, "HubbleParam", info.cosmology.h);
      write_scalar_attribute<double>(g, f, w, "HOD_log_M_min", info.hod.log_m_min);
      write_scalar_attribute<double>(g, f, w, "HOD_sigma_log_M", info.hod.sigma_log_m);
      write_scalar_attribute<double>(g, f, w, "HOD_log_M_0", info.hod.log_m0);
      write_scalar_attribute<double>(g, f, w, "HOD_log_M_1", info.hod.log_m1);
      write_scalar_attribute<double>(g, f, w, "HOD_alpha", info.hod.alpha);
      write_scalar_attribute<std::int32_t>(g, f, w, "HOD_satellites_follow_centrals",
                                           info.hod.satellites_follow_centrals ? 1 : 0);
      write_scalar_attribute<std::int32_t>(g, f, w, "LineOfSightAxis", redshift_space.empty() ? -1 : info.line_of_sight_axis);
      if (sky != nullptr) {
        write_attribute<double>(g, f, w, "Observer", {info.observer[0], info.observer[1], info.observer[2]}, false);
      }
    }
    {
      h5_group group(h5_check(H5Gcreate2(file.get(), "Galaxies", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), f, "Galaxies",
                              "group creation"));
      const hid_t g = group.get();
      const std::string w = "Galaxies";
      const hid_t f64 = H5T_IEEE_F64LE;
      detail::write_dataset(g, f, w, "Position", f64, n, 3, detail::flatten(gal.position));
      detail::write_dataset(g, f, w, "Velocity", f64, n, 3, detail::flatten(gal.velocity));
      detail::write_dataset(g, f, w, "HaloIndex", H5T_STD_U64LE, n, 1, gal.halo);
      std::vector<std::int32_t> central(gal.central.begin(), gal.central.end());
      detail::write_dataset(g, f, w, "Central", H5T_STD_I32LE, n, 1, central);
      if (!redshift_space.empty())
        detail::write_dataset(g, f, w, "RedshiftSpacePosition", f64, n, 3,
                              detail::flatten(std::vector<vec3<double>>(redshift_space.begin(), redshift_space.end())));
      if (sky != nullptr) {
        detail::write_dataset(g, f, w, "RA", f64, n, 1, sky->ra_deg);
        detail::write_dataset(g, f, w, "DEC", f64, n, 1, sky->dec_deg);
        detail::write_dataset(g, f, w, "ZCos", f64, n, 1, sky->z_cos);
        detail::write_dataset(g, f, w, "ZObs", f64, n, 1, sky->z_obs);
        detail::write_dataset(g, f, w, "Chi", f64, n, 1, sky->chi);
        detail::write_dataset(g, f, w, "ChiObs", f64, n, 1, sky->chi_obs);
      }
      if (!group.close()) hdf5_fail(f, "Galaxies", "group close");
    }
    if (!file.close()) hdf5_fail(f, "/", "file close");
  });
}

/// Reads a galaxy file written by write_galaxies_hdf5 (positions, velocities, halo, central;
/// the redshift-space positions into `redshift_space` when present).
inline galaxy_catalogue read_galaxies_hdf5(const std::filesystem::path& path,
                                           std::vector<vec3<double>>* redshift_space = nullptr) {
  using namespace io::detail;
  hdf5_quiet quiet;
  if (!std::filesystem::is_regular_file(path))
    throw io_error(lagframe::detail::concat("lagframe: galaxy catalogue ", path.string(), " not found"));
  h5_file file(h5_check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "/", "file open"));
  if (H5Lexists(file.get(), "Galaxies", H5P_DEFAULT) <= 0)
    throw io_error(lagframe::detail::concat("lagframe: missing HDF5 group 'Galaxies' in ", path.string()));
  h5_group g(h5_check(H5Gopen2(file.get(), "Galaxies", H5P_DEFAULT), path, "Galaxies", "group open"));
  std::size_t rows = 0, n = 0;
  const auto pos = detail::read_dataset<double>(g.get(), path, "Galaxies", "Position", 3, n);
  const auto vel = detail::read_dataset<double>(g.get(), path, "Galaxies", "Velocity", 3, rows);
  const auto halo = detail::read_dataset<std::uint64_t>(g.get(), path, "Galaxies", "HaloIndex", 1, rows);
  const auto cen = detail::read_dataset<std::int32_t>(g.get(), path, "Galaxies", "Central", 1, rows);
  if (vel.size() != 3 * n || halo.size() != n || cen.size() != n)
    throw io_error(lagframe::detail::concat("lagframe: ", path.string(), ": Galaxies datasets of different lengths (",
                                            n, " positions)"));
  galaxy_catalogue out;
  for (std::size_t i = 0; i < n; ++i) {
    out.position.push_back({pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]});
    out.velocity.push_back({vel[3 * i], vel[3 * i + 1], vel[3 * i + 2]});
    out.halo.push_back(halo[i]);
    out.central.push_back(static_cast<std::uint8_t>(cen[i]));
  }
  if (redshift_space != nullptr && H5Lexists(g.get(), "RedshiftSpacePosition", H5P_DEFAULT) > 0) {
    const auto s = detail::read_dataset<double>(g.get(), path, "Galaxies", "RedshiftSpacePosition", 3, rows);
    redshift_space->clear();
    for (std::size_t i = 0; i < rows; ++i) redshift_space->push_back({s[3 * i], s[3 * i + 1], s[3 * i + 2]});
  }
  return out;
}

}  // namespace lagframe::halos
