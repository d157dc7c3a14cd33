// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file healpix.hpp
/// HEALPix pixel index of a direction, RING ordering (Górski et al. 2005, ApJ 622, 759, §4 and
/// their pixel-index relations for the equatorial belt |z| ≤ 2/3 and the polar caps), for maps
/// of 12 N_side² equal-area pixels (docs/physics.md §16.4). Checked against healpy's
/// vec2pix(nest=False) in tests/unit/lightcone/healpix.test.cpp.

#include <cmath>
#include <cstdint>
#include <numbers>

#include "lagframe/core/error.hpp"

namespace lagframe::lightcone {

/// Number of pixels of an N_side map.
[[nodiscard]] inline std::int64_t healpix_pixels(std::int64_t nside) { return 12 * nside * nside; }

/// RING index of the direction (x, y, z) (any length > 0) on an N_side map. The azimuth of a
/// direction along the axis is taken as 0, and near the poles (|cos θ| > 0.99) sin θ is computed
/// from x and y rather than from 1 − |cos θ|, as in the reference implementation, so that
/// directions on pixel boundaries fall into the same pixel.
[[nodiscard]] inline std::int64_t healpix_ring_index(std::int64_t nside, double x, double y, double z) {
  const double r = std::sqrt(x * x + y * y + z * z);
  const double cos_theta = z / r;
  const double phi = (x == 0.0 && y == 0.0) ? 0.0 : std::atan2(y, x);
  double tt = std::fmod(phi * (2.0 / std::numbers::pi), 4.0);  // φ/(π/2) in [0, 4)
  if (tt < 0) tt += 4.0;
  const double za = std::abs(cos_theta);
  const auto ns = static_cast<double>(nside);
  if (za <= 2.0 / 3.0) {
    // Equatorial belt: the edge lines through the point, ascending and descending.
    const double t1 = ns * (0.5 + tt), t2 = ns * cos_theta * 0.75;
    const auto jp = static_cast<std::int64_t>(t1 - t2);  // both >= 0
    const auto jm = static_cast<std::int64_t>(t1 + t2);
    const std::int64_t ring = nside + 1 + jp - jm;  // 1 … 2 N_side + 1, from z = 2/3 down
    const std::int64_t shift = 1 - (ring & 1);
    const std::int64_t ip = ((jp + jm - nside + shift + 1 + 8 * nside) / 2) % (4 * nside);
    return 2 * nside * (nside - 1) + (ring - 1) * 4 * nside + ip;
  }
  // Polar caps: sqrt(3(1 − |z|)) = sin θ / sqrt((1 + |z|)/3).
  const double tp = tt - std::floor(tt);
  const double tmp = za < 0.99 ? ns * std::sqrt(3.0 * (1.0 - za))
                               : ns * (std::sqrt(x * x + y * y) / r) / std::sqrt((1.0 + za) / 3.0);
  const auto jp = static_cast<std::int64_t>(tp * tmp);
  const auto jm = static_cast<std::int64_t>((1.0 - tp) * tmp);
  const std::int64_t ring = jp + jm + 1;  // from the nearest pole
  std::int64_t ip = static_cast<std::int64_t>(tt * static_cast<double>(ring));
  ip %= 4 * ring;
  if (cos_theta > 0) return 2 * ring * (ring - 1) + ip;
  return healpix_pixels(nside) - 2 * ring * (ring + 1) + ip;
}

}  // namespace lagframe::lightcone
