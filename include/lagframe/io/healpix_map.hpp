// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file healpix_map.hpp
/// A HEALPix map of a lightcone shell (docs/physics.md §16.4) as a NumPy .npy file of float64,
/// RING order, one value per pixel, written atomically: the counts as given (`delta = false`) or
/// the density contrast counts / mean − 1 (`delta = true`). Any HEALPix tool reads it
/// (healpy.mollview(numpy.load(path))).

#include <cstdint>
#include <filesystem>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/io/npy.hpp"
#include "lagframe/lightcone/healpix.hpp"

namespace lagframe::io {

inline void write_healpix_map(const std::filesystem::path& path, const std::vector<std::uint32_t>& counts,
                              bool delta = false) {
  const auto n = static_cast<std::int64_t>(counts.size());
  std::int64_t nside = 1;
  while (lightcone::healpix_pixels(nside) < n) nside *= 2;
  require(n > 0 && lightcone::healpix_pixels(nside) == n, "write_healpix_map pixel count", n,
          "12 N_side^2 pixels for a power of 2 N_side");
  double total = 0;
  for (const auto c : counts) total += c;
  const double mean = total / static_cast<double>(n);
  require(!delta || mean > 0, "write_healpix_map mean count", mean, "a map with particles (delta = counts/mean - 1)");
  std::vector<double> map(counts.size());
  for (std::size_t k = 0; k < counts.size(); ++k) map[k] = delta ? counts[k] / mean - 1.0 : static_cast<double>(counts[k]);
  write_npy(path, map, {map.size()});
}

}  // namespace lagframe::io
