// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file lightcone_hdf5.hpp
/// One HDF5 file per lightcone shell (docs/physics.md §16.5), written under a temporary name and
/// renamed when complete, so a shell file on disk is always whole:
///   /id        uint64 [n]       particle id (Lagrangian grid index)
///   /replica   int32  [n, 3]    periodic replica of the box the particle was seen in
///   /a         float64 [n]      scale factor at the crossing
///   /position  float32 [n, 3]   Mpc/h, in the replica's coordinates (observer at `observer`)
///   /velocity  float32 [n, 3]   peculiar velocity in km/s (100 p / a)
///   /healpix_counts uint32 [12 nside²]  counts per RING pixel (only when nside > 0)
/// attributes on the root: shell, chi_min, chi_max (Mpc/h), z_min, z_max of the shell, observer
/// (Mpc/h), box_size (Mpc/h), nside, complete (1 for a finished shell, 0 for the partial state
/// of a shell saved for a restart), a_front (the scale factor up to which a partial shell holds
/// its crossings; 0 for a complete one), omega_m, omega_b, omega_k, h, n_s, sigma_8, and what a
/// reader needs to rebuild the selection (e.g. an unclustered catalogue of the same shell):
/// particles_1d (0 if not given), footprint (0 full sky, 1 cone, 2 rectangle), axis, opening_deg
/// (degrees), ra_deg and dec_deg (the rectangle's [min, max] in degrees), particle_fraction (lightcone::kept_particle). lightcone_info(cone, cosmology) fills them all.
///
/// Restarts: save_lightcone_pending writes the shells in progress (complete = 0) at the time of a
/// restart snapshot; resume_lightcone, given the restart time, marks complete shells done and
/// restores the partial ones, refusing a partial file saved at another time.
///
/// Requires the HDF5 C library (link lagframe::hdf5).

#include <hdf5.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/cosmology/parameters.hpp"
#include "lagframe/io/atomic_file.hpp"
#include "lagframe/io/hdf5_detail.hpp"
#include "lagframe/lightcone/lightcone.hpp"

namespace lagframe::io {

/// What a shell file records beside the crossings.
struct lightcone_file_info {
  vec3<double> observer{};  ///< Mpc/h
  double box_size = 0;      ///< Mpc/h
  std::int64_t nside = 0;
  cosmology::parameters cosmology{};
  std::size_t particles_1d = 0;  ///< particles per side of the box (0: not recorded)
  lightcone::footprint shape = lightcone::footprint::full_sky;
  vec3<double> axis{0.0, 0.0, 1.0};
  double opening_deg = 180.0;
  std::array<double, 2> ra_deg{0.0, 360.0};
  std::array<double, 2> dec_deg{-90.0, 90.0};
  double particle_fraction = 1.0;
};

/// Everything a shell file records about `cone` (observer, box, footprint, maps, kept fraction).
[[nodiscard]] inline lightcone_file_info lightcone_info(const lightcone::lightcone& cone,
                                                        const cosmology::parameters& cosmology) {
  const auto& o = cone.options();
  return {.observer = o.observer, .box_size = cone.domain().side_mpc_h, .nside = o.healpix_nside,
          .cosmology = cosmology, .particles_1d = cone.domain().particles_1d, .shape = o.shape, .axis = o.axis,
          .opening_deg = o.opening_deg, .ra_deg = o.ra_deg, .dec_deg = o.dec_deg,
          .particle_fraction = o.particle_fraction};
}

/// `<directory>/<base>_<shell, three digits>.hdf5`.
[[nodiscard]] inline std::filesystem::path lightcone_shell_path(const std::filesystem::path& directory,
                                                                const std::string& base, std::size_t shell) {
  std::ostringstream name;
  name << base << '_' << std::setw(3) << std::setfill('0') << shell << ".hdf5";
  return directory / name.str();
}

namespace detail {

template <class T>
void write_lightcone_dataset(hid_t file, const std::filesystem::path& f, const char* name, hid_t file_type,
                             const std::vector<T>& values, std::size_t width) {
  const std::size_t count = width == 0 ? 0 : values.size() / width;
  const hsize_t dims[2] = {static_cast<hsize_t>(count), static_cast<hsize_t>(width)};
  const int rank = width == 1 ? 1 : 2;
  h5_space space(h5_check(H5Screate_simple(rank, dims, nullptr), f, name, "dataspace creation"));
  h5_dataset dset(h5_check(H5Dcreate2(file, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), f,
                           name, "dataset creation"));
  if (count > 0)
    h5_check_status(H5Dwrite(dset.get(), h5_native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), f, name,
                    "dataset write");
  if (!dset.close()) hdf5_fail(f, name, "dataset close");
}

template <class T>
std::vector<T> read_lightcone_dataset(hid_t file, const std::filesystem::path& f, const char* name,
                                      std::size_t width, std::size_t* count) {
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0)
    throw io_error(lagframe::detail::concat("lagframe: lightcone shell ", f.string(), " has no dataset '", name, "'"));
  h5_dataset dset(h5_check(H5Dopen2(file, name, H5P_DEFAULT), f, name, "dataset open"));
  h5_space space(h5_check(H5Dget_space(dset.get()), f, name, "dataset dataspace"));
  hsize_t dims[2] = {0, 0};
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank != (width == 1 ? 1 : 2) || H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0 ||
      (rank == 2 && dims[1] != width))
    throw io_error(lagframe::detail::concat("lagframe: lightcone shell ", f.string(), ": dataset '", name,
                                            "' is not [n", width == 1 ? "]" : ", 3]"));
  *count = static_cast<std::size_t>(dims[0]);
  std::vector<T> values(*count * width);
  if (*count > 0)
    h5_check_status(H5Dread(dset.get(), h5_native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), f, name,
                    "dataset read");
  return values;
}

/// The root attributes of a shell file (see the file comment).
inline void write_lightcone_attributes(hid_t g, const std::filesystem::path& path, std::size_t index, double chi_min,
                                       double chi_max, const lightcone_file_info& info, bool complete, double a_front) {
  const std::string w = "/";
  write_scalar_attribute<std::uint64_t>(g, path, w, "shell", index);
  write_scalar_attribute<double>(g, path, w, "chi_min", chi_min);
  write_scalar_attribute<double>(g, path, w, "chi_max", chi_max);
  // The shell's redshift range, from the cosmology's comoving distance (docs/physics.md §16.1).
  const lightcone::comoving_distance chi(cosmology::background(info.cosmology), 0.01);
  write_scalar_attribute<double>(g, path, w, "z_min", 1.0 / chi.scale_factor(chi_min) - 1.0);
  write_scalar_attribute<double>(g, path, w, "z_max", 1.0 / chi.scale_factor(chi_max) - 1.0);
  write_array_attribute<double, 3>(g, path, w, "observer", {info.observer[0], info.observer[1], info.observer[2]});
  write_scalar_attribute<double>(g, path, w, "box_size", info.box_size);
  write_scalar_attribute<std::uint64_t>(g, path, w, "nside", static_cast<std::uint64_t>(info.nside));
  write_scalar_attribute<std::int32_t>(g, path, w, "complete", complete ? 1 : 0);
  write_scalar_attribute<double>(g, path, w, "a_front", complete ? 0.0 : a_front);
  const auto& c = info.cosmology;
  write_scalar_attribute<double>(g, path, w, "omega_m", c.omega_m);
  write_scalar_attribute<double>(g, path, w, "omega_b", c.omega_b);
  write_scalar_attribute<double>(g, path, w, "omega_k", c.omega_k);
  write_scalar_attribute<double>(g, path, w, "h", c.h);
  write_scalar_attribute<double>(g, path, w, "n_s", c.n_s);
  write_scalar_attribute<double>(g, path, w, "sigma_8", c.sigma_8);
  write_scalar_attribute<std::uint64_t>(g, path, w, "particles_1d", info.particles_1d);
  write_scalar_attribute<std::int32_t>(g, path, w, "footprint", static_cast<std::int32_t>(info.shape));
  write_array_attribute<double, 3>(g, path, w, "axis", {info.axis[0], info.axis[1], info.axis[2]});
  write_scalar_attribute<double>(g, path, w, "opening_deg", info.opening_deg);
  write_array_attribute<double, 2>(g, path, w, "ra_deg", {info.ra_deg[0], info.ra_deg[1]});
  write_array_attribute<double, 2>(g, path, w, "dec_deg", {info.dec_deg[0], info.dec_deg[1]});
  write_scalar_attribute<double>(g, path, w, "particle_fraction", info.particle_fraction);
}

}  // namespace detail

/// Writes shell `s` to `path` atomically. `complete` = false marks the saved partial state of a
/// shell that the front has not yet passed (read back by read_lightcone_shell for a restart).
inline void write_lightcone_shell(const std::filesystem::path& path, const lightcone::shell& s,
                                  const lightcone_file_info& info, bool complete = true, double a_front = 0.0) {
  using namespace io::detail;
  require(info.box_size > 0.0, "write_lightcone_shell box_size", info.box_size, "a positive box size in Mpc/h");
  write_atomically(path, [&](const std::filesystem::path& tmp) {
    hdf5_quiet quiet;
    h5_file file(h5_check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), path, tmp.string(),
                          "file creation"));
    const hid_t g = file.get();
    const auto n = s.particles.size();
    std::vector<std::uint64_t> id(n);
    std::vector<std::int32_t> replica(3 * n);
    std::vector<double> a(n);
    std::vector<float> position(3 * n), velocity(3 * n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& c = s.particles[i];
      id[i] = c.id;
      a[i] = c.a;
      for (int d = 0; d < 3; ++d) {
        replica[3 * i + d] = c.replica[d];
        position[3 * i + d] = static_cast<float>(c.position[d]);
        velocity[3 * i + d] = static_cast<float>(100.0 * c.momentum[d] / c.a);  // km/s (DESIGN units)
      }
    }
    write_lightcone_dataset(g, path, "id", H5T_STD_U64LE, id, 1);
    write_lightcone_dataset(g, path, "replica", H5T_STD_I32LE, replica, 3);
    write_lightcone_dataset(g, path, "a", H5T_IEEE_F64LE, a, 1);
    write_lightcone_dataset(g, path, "position", H5T_IEEE_F32LE, position, 3);
    write_lightcone_dataset(g, path, "velocity", H5T_IEEE_F32LE, velocity, 3);
    if (!s.healpix_counts.empty())
      write_lightcone_dataset(g, path, "healpix_counts", H5T_STD_U32LE, s.healpix_counts, 1);
    write_lightcone_attributes(g, path, s.index, s.chi_min, s.chi_max, info, complete, a_front);
    if (!file.close()) hdf5_fail(path, tmp.string(), "file close");
  });
}

/// A shell file read back: the shell (velocities converted back to momenta) and whether it is
/// complete.
struct lightcone_shell_file {
  lightcone::shell shell;
  bool complete = false;
  double a_front = 0;  ///< partial shells: the time up to which the crossings are recorded
  lightcone_file_info info;
};

[[nodiscard]] inline lightcone_shell_file read_lightcone_shell(const std::filesystem::path& path) {
  using namespace io::detail;
  if (!std::filesystem::is_regular_file(path))
    throw io_error(lagframe::detail::concat("lagframe: lightcone shell file ", path.string(), " does not exist"));
  hdf5_quiet quiet;
  h5_file file(h5_check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, path.string(), "file open"));
  const hid_t g = file.get();
  const std::string w = "/";
  lightcone_shell_file out;
  out.shell.index = static_cast<std::size_t>(read_attribute<std::uint64_t>(g, path, w, "shell", 1)[0]);
  out.shell.chi_min = read_attribute<double>(g, path, w, "chi_min", 1)[0];
  out.shell.chi_max = read_attribute<double>(g, path, w, "chi_max", 1)[0];
  const auto obs = read_attribute<double>(g, path, w, "observer", 3);
  out.info.observer = {obs[0], obs[1], obs[2]};
  out.info.box_size = read_attribute<double>(g, path, w, "box_size", 1)[0];
  out.info.nside = static_cast<std::int64_t>(read_attribute<std::uint64_t>(g, path, w, "nside", 1)[0]);
  out.complete = read_attribute<std::int32_t>(g, path, w, "complete", 1)[0] != 0;
  out.a_front = read_attribute<double>(g, path, w, "a_front", 1)[0];
  auto& c = out.info.cosmology;
  c.omega_m = read_attribute<double>(g, path, w, "omega_m", 1)[0];
  c.omega_b = read_attribute<double>(g, path, w, "omega_b", 1)[0];
  c.omega_k = read_attribute<double>(g, path, w, "omega_k", 1)[0];
  c.h = read_attribute<double>(g, path, w, "h", 1)[0];
  c.n_s = read_attribute<double>(g, path, w, "n_s", 1)[0];
  c.sigma_8 = read_attribute<double>(g, path, w, "sigma_8", 1)[0];
  if (has_attribute(g, "particles_1d")) {  // files written before these were recorded lack them
    out.info.particles_1d = static_cast<std::size_t>(read_attribute<std::uint64_t>(g, path, w, "particles_1d", 1)[0]);
    const auto shape = read_attribute<std::int32_t>(g, path, w, "footprint", 1)[0];
    if (shape < 0 || shape > 2)
      throw io_error(lagframe::detail::concat("lagframe: ", path.string(), ": footprint = ", shape,
                                              " is not a footprint (0 full sky, 1 cone, 2 rectangle)"));
    out.info.shape = static_cast<lightcone::footprint>(shape);
    if (has_attribute(g, "ra_deg")) {
      const auto ra = read_attribute<double>(g, path, w, "ra_deg", 2), dec = read_attribute<double>(g, path, w, "dec_deg", 2);
      out.info.ra_deg = {ra[0], ra[1]};
      out.info.dec_deg = {dec[0], dec[1]};
    }
    const auto axis = read_attribute<double>(g, path, w, "axis", 3);
    out.info.axis = {axis[0], axis[1], axis[2]};
    out.info.opening_deg = read_attribute<double>(g, path, w, "opening_deg", 1)[0];
    out.info.particle_fraction = read_attribute<double>(g, path, w, "particle_fraction", 1)[0];
  }
  std::size_t n = 0, m = 0;
  const auto id = read_lightcone_dataset<std::uint64_t>(g, path, "id", 1, &n);
  const auto replica = read_lightcone_dataset<std::int32_t>(g, path, "replica", 3, &m);
  const auto a = read_lightcone_dataset<double>(g, path, "a", 1, &m);
  const auto position = read_lightcone_dataset<float>(g, path, "position", 3, &m);
  const auto velocity = read_lightcone_dataset<float>(g, path, "velocity", 3, &m);
  if (replica.size() != 3 * n || a.size() != n || position.size() != 3 * n || velocity.size() != 3 * n)
    throw io_error(lagframe::detail::concat("lagframe: lightcone shell ", path.string(),
                                            ": datasets of different lengths (id has ", n, " entries)"));
  out.shell.particles.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& p = out.shell.particles[i];
    p.id = id[i];
    p.a = a[i];
    for (int d = 0; d < 3; ++d) {
      p.replica[d] = replica[3 * i + d];
      p.position[d] = position[3 * i + d];
      p.momentum[d] = velocity[3 * i + d] * a[i] / 100.0;
    }
  }
  if (H5Lexists(g, "healpix_counts", H5P_DEFAULT) > 0)
    out.shell.healpix_counts = read_lightcone_dataset<std::uint32_t>(g, path, "healpix_counts", 1, &m);
  return out;
}

/// Writes the shells `lc` has in progress as partial files (complete = 0), for a restart from
/// the current time lc.a_front().
inline void save_lightcone_pending(const lightcone::lightcone& lc, const std::filesystem::path& directory,
                                   const std::string& base, const lightcone_file_info& info) {
  for (const auto& s : lc.pending())
    write_lightcone_shell(lightcone_shell_path(directory, base, s.index), s, info, false, lc.a_front());
}

/// Prepares `lc` to continue a run restarted at scale factor `a_restart`: complete shell files
/// are marked done, partial ones restored. A partial file saved at another time than a_restart
/// would lose or repeat crossings and is refused. Returns the number of complete shells found.
inline std::size_t resume_lightcone(lightcone::lightcone& lc, const std::filesystem::path& directory,
                                    const std::string& base, double a_restart) {
  std::size_t complete = 0;
  for (std::size_t s = 0; s < lc.shell_count(); ++s) {
    const auto path = lightcone_shell_path(directory, base, s);
    if (!std::filesystem::exists(path)) continue;
    auto f = read_lightcone_shell(path);
    require(f.shell.index == s, "lightcone shell file", path.string(), lagframe::detail::concat("shell index ", s));
    if (f.complete) {
      lc.mark_done(s);
      ++complete;
      continue;
    }
    require(std::abs(f.a_front - a_restart) <= 1e-9 * a_restart, "lightcone partial shell a_front", f.a_front,
            lagframe::detail::concat("the restart time a = ", a_restart, " (", path.string(),
                                     " was saved at another time; restart from the snapshot written with it)"));
    lc.restore(std::move(f.shell));
  }
  return complete;
}

}  // namespace lagframe::io
