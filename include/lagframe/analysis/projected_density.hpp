// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file projected_density.hpp
/// Surface density of a slab of particles projected along z onto a 2D grid (2D cloud-in-cell),
/// and its rendering to an 8-bit image with a logarithmic colour scale.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"

namespace lagframe::analysis {

/// Particles with z in [z_min, z_max) deposited with 2D CIC on pixels×pixels over the box face;
/// returns the overdensity 1 + δ_2D (mean 1 over the image), row-major with x along rows.
template <class Real>
std::vector<double> projected_density(std::span<const vec3<Real>> positions, double side,
                                      std::size_t pixels, double z_min, double z_max) {
  require(pixels >= 2, "image pixels", pixels, "at least 2");
  require(z_max > z_min, "slab z_max", z_max, lagframe::detail::concat("a value above z_min = ", z_min));
  std::vector<double> image(pixels * pixels, 0.0);
  const double scale = static_cast<double>(pixels) / side;
  std::size_t count = 0;
  for (const auto& x : positions) {
    const double z = x[2];
    if (z < z_min || z >= z_max) continue;
    ++count;
    const double u = x[0] * scale, v = x[1] * scale;
    const double fu = std::floor(u), fv = std::floor(v);
    const double du = u - fu, dv = v - fv;
    const auto n = static_cast<long>(pixels);
    const long i0 = static_cast<long>(fu) % n, j0 = static_cast<long>(fv) % n;
    const long i1 = (i0 + 1) % n, j1 = (j0 + 1) % n;
    image[i0 * n + j0] += (1 - du) * (1 - dv);
    image[i0 * n + j1] += (1 - du) * dv;
    image[i1 * n + j0] += du * (1 - dv);
    image[i1 * n + j1] += du * dv;
  }
  if (count > 0) {
    const double mean = static_cast<double>(count) / static_cast<double>(image.size());
    for (double& v : image) v /= mean;
  }
  return image;
}

/// Map 1 + δ to bytes with log10 between `log_min` and `log_max`, through a dark-to-bright
/// colour ramp (RGB, 3 bytes per pixel).
inline std::vector<std::uint8_t> render_log_density(const std::vector<double>& image,
                                                    double log_min = -1.0, double log_max = 2.0) {
  std::vector<std::uint8_t> rgb(image.size() * 3);
  for (std::size_t i = 0; i < image.size(); ++i) {
    const double l = std::log10(std::max(image[i], 1e-6));
    const double t = std::clamp((l - log_min) / (log_max - log_min), 0.0, 1.0);
    // A simple perceptually increasing ramp: black → purple → orange → white.
    const double r = std::clamp(1.6 * t, 0.0, 1.0);
    const double g = std::clamp(1.6 * t - 0.55, 0.0, 1.0);
    const double b = std::clamp(t < 0.4 ? 1.5 * t : 0.6 - (t - 0.4) + std::max(0.0, 2.5 * (t - 0.8)), 0.0, 1.0);
    rgb[3 * i + 0] = static_cast<std::uint8_t>(std::lround(255 * r));
    rgb[3 * i + 1] = static_cast<std::uint8_t>(std::lround(255 * g));
    rgb[3 * i + 2] = static_cast<std::uint8_t>(std::lround(255 * b));
  }
  return rgb;
}

}  // namespace lagframe::analysis
