// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file crossing.hpp
/// What a lightcone records (docs/physics.md §16): one particle on the past lightcone of the
/// observer (a crossing), and a shell of them between two comoving distances with its HEALPix
/// map. Shared by the lightcone observer (lightcone.hpp), sCOLA tile files (scola/tile_file.hpp)
/// and the shell files (io/lightcone_hdf5.hpp).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "lagframe/core/vec3.hpp"

namespace lagframe::lightcone {

/// One particle on the lightcone.
struct crossing {
  std::uint64_t id = 0;                    ///< particle id in the full box (Lagrangian grid index)
  std::array<std::int32_t, 3> replica{0, 0, 0};
  double a = 0;              ///< scale factor at the crossing
  vec3<double> position{};   ///< Mpc/h, in the replica's coordinates (x + nL)
  vec3<double> momentum{};   ///< total p = a³E dx/da in Mpc/h (velocity km/s = 100 p/a)
};

/// A shell: its range and crossings (sorted by id, then replica, once complete), and its HEALPix
/// map (counts per pixel) when asked.
struct shell {
  std::size_t index = 0;
  double chi_min = 0, chi_max = 0;  ///< Mpc/h
  std::vector<crossing> particles;
  std::vector<std::uint32_t> healpix_counts;  ///< 12 N_side² pixels, RING order
};

/// The order of crossings in a shell: by id, then replica.
[[nodiscard]] inline bool recorded_before(const crossing& x, const crossing& y) {
  return x.id != y.id ? x.id < y.id : x.replica < y.replica;
}

/// Sorts crossings by id, then replica: the order of every shell handed out, whatever the
/// thread count or the tiles that found them.
inline void sort_crossings(std::vector<crossing>& v) { std::sort(v.begin(), v.end(), recorded_before); }

}  // namespace lagframe::lightcone
