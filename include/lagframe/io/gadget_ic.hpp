// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file gadget_ic.hpp
/// Initial conditions in Gadget HDF5 format (Gadget-4's N-GenIC, MUSIC and monofonIC with HDF5
/// output, Gadget-4-layout files of io/gadget_hdf5.hpp) mapped onto lagframe's Lagrangian grid.
/// Requires the HDF5 C library (link lagframe::hdf5).
///
/// The files are read with io::read_gadget_snapshot (type-1 particles only; other particle
/// types are ignored); positions are converted with /Parameters UnitLength_in_cm (Mpc/h when
/// absent), velocities u = v_pec/√a with UnitVelocity_in_cm_per_s (km/s when absent) into
/// lagframe's momentum p = a³E dx/da = a^{3/2} u / 100 Mpc/h (v_pec = 100 p / a km/s,
/// docs/physics.md §1.2). Particles are placed at the grid index given by their ParticleIDs in the
/// generators' order id = (ix·N + iy)·N + iz (+1 for id_convention::one_based: N-GenIC and
/// Gadget-4; MUSIC and monofonIC are zero_based). id_convention, ic_particles, raw_ic and
/// map_to_grid(const raw_ic&, id_convention) live in io/gadget2_binary.hpp.

#include <cmath>
#include <filesystem>
#include <string>
#include <utility>

#include "lagframe/core/error.hpp"
#include "lagframe/io/gadget2_binary.hpp"
#include "lagframe/io/gadget_hdf5.hpp"

namespace lagframe::io {

/// Maps a Gadget snapshot read by read_gadget_snapshot onto the Lagrangian grid (see
/// map_to_grid(const raw_ic&, id_convention)); `source` names the file(s) in error messages.
inline ic_particles map_to_grid(const gadget_snapshot& s, id_convention convention, std::string source = "Gadget snapshot") {
  const auto& h = s.header;
  raw_ic raw;
  raw.source = std::move(source);
  raw.box_size_mpc_h = h.box_size * h.units.length_in_cm / detail::mpc_in_cm;
  raw.a = h.time;
  raw.positions = s.positions;  // already Mpc/h
  raw.velocities = s.velocities;
  raw.ids = s.ids;
  const double to_km_s = h.units.velocity_in_cm_per_s / detail::km_per_s_in_cm_per_s;
  if (to_km_s != 1.0) {
    for (auto& v : raw.velocities)
      for (auto& c : v) c *= to_km_s;
  }
  return map_to_grid(raw, convention);
}

/// Reads Gadget HDF5 initial conditions (one file or several, as read_gadget_snapshot accepts
/// `path_or_base`) and maps them onto the Lagrangian grid. Throws io_error naming the file for
/// unreadable files and for particle sets that do not form a full N³ grid (non-cube count,
/// out-of-range or repeated id, naming the id).
inline ic_particles read_gadget_hdf5_ic(const std::filesystem::path& path_or_base, id_convention convention) {
  return map_to_grid(read_gadget_snapshot(path_or_base), convention, path_or_base.string());
}

}  // namespace lagframe::io
