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

/// A zoom: particles within `width`/2 of `centre` in x and y and `thickness`/2 in z (nearest
/// periodic image), deposited with 2D CIC on pixels×pixels covering [centre − width/2,
/// centre + width/2)² (row-major, x along rows). Returns 1 + δ relative to the box's mean
/// surface density of such a slab, N_p·thickness/L³ per unit area, so that zooms of different
/// runs or windows share one scale. Throws config_error for a window wider than the box.
template <class Real>
std::vector<double> projected_density_window(std::span<const vec3<Real>> positions, double side,
                                             const vec3<double>& centre, double width, double thickness,
                                             std::size_t pixels) {
  require(pixels >= 2, "image pixels", pixels, "at least 2");
  require(width > 0.0 && width <= side, "zoom width (Mpc/h)", width, "a width in (0, L]");
  require(thickness > 0.0 && thickness <= side, "zoom slab thickness (Mpc/h)", thickness, "a thickness in (0, L]");
  std::vector<double> image(pixels * pixels, 0.0);
  const double scale = static_cast<double>(pixels) / width;
  const auto n = static_cast<long>(pixels);
  const auto nearest = [side](double d) { return d - side * std::round(d / side); };
  for (const auto& x : positions) {
    if (std::abs(nearest(static_cast<double>(x[2]) - centre[2])) >= 0.5 * thickness) continue;
    const double u = (nearest(static_cast<double>(x[0]) - centre[0]) + 0.5 * width) * scale - 0.5;
    const double v = (nearest(static_cast<double>(x[1]) - centre[1]) + 0.5 * width) * scale - 0.5;
    const double fu = std::floor(u), fv = std::floor(v);
    const double du = u - fu, dv = v - fv;
    const long i0 = static_cast<long>(fu), j0 = static_cast<long>(fv);
    const auto add = [&](long i, long j, double w) {
      if (i >= 0 && i < n && j >= 0 && j < n) image[static_cast<std::size_t>(i * n + j)] += w;
    };
    add(i0, j0, (1 - du) * (1 - dv));
    add(i0, j0 + 1, (1 - du) * dv);
    add(i0 + 1, j0, du * (1 - dv));
    add(i0 + 1, j0 + 1, du * dv);
  }
  const double pixel = width / static_cast<double>(pixels);
  const double expected = static_cast<double>(positions.size()) * thickness / (side * side * side) * pixel * pixel;
  for (double& v : image) v /= expected;
  return image;
}

/// The densest point of a particle set: the centre of the cell of an N_g³ CIC mesh with the
/// largest mass within its 3³ neighbourhood (periodic), refined to the centre of mass of the
/// particles within one cell of it (nearest image). A cheap stand-in for "the largest halo".
template <class Real>
vec3<double> densest_point(std::span<const vec3<Real>> positions, double side, std::size_t grid_1d) {
  require(grid_1d >= 3, "densest_point grid_1d", grid_1d, "at least 3 cells per side");
  const auto n = static_cast<long>(grid_1d);
  const double cell = side / static_cast<double>(grid_1d);
  std::vector<double> count(grid_1d * grid_1d * grid_1d, 0.0);
  const auto wrap = [n](long i) { return ((i % n) + n) % n; };
  for (const auto& x : positions) {
    const long i = wrap(static_cast<long>(std::floor(x[0] / cell))), j = wrap(static_cast<long>(std::floor(x[1] / cell))),
               k = wrap(static_cast<long>(std::floor(x[2] / cell)));
    count[static_cast<std::size_t>((i * n + j) * n + k)] += 1.0;
  }
  double best = -1;
  long bi = 0, bj = 0, bk = 0;
  for (long i = 0; i < n; ++i)
    for (long j = 0; j < n; ++j)
      for (long k = 0; k < n; ++k) {
        double sum = 0;
        for (long a = -1; a <= 1; ++a)
          for (long b = -1; b <= 1; ++b)
            for (long c = -1; c <= 1; ++c)
              sum += count[static_cast<std::size_t>((wrap(i + a) * n + wrap(j + b)) * n + wrap(k + c))];
        if (sum > best) best = sum, bi = i, bj = j, bk = k;
      }
  const vec3<double> guess{(static_cast<double>(bi) + 0.5) * cell, (static_cast<double>(bj) + 0.5) * cell,
                           (static_cast<double>(bk) + 0.5) * cell};
  vec3<double> shift{0, 0, 0};
  double members = 0;
  for (const auto& x : positions) {
    vec3<double> d;
    bool inside = true;
    for (int a = 0; a < 3; ++a) {
      d[a] = static_cast<double>(x[a]) - guess[a];
      d[a] -= side * std::round(d[a] / side);
      inside = inside && std::abs(d[a]) < 1.5 * cell;
    }
    if (!inside) continue;
    for (int a = 0; a < 3; ++a) shift[a] += d[a];
    members += 1.0;
  }
  vec3<double> centre = guess;
  if (members > 0)
    for (int a = 0; a < 3; ++a) {
      centre[a] += shift[a] / members;
      centre[a] -= side * std::floor(centre[a] / side);
    }
  return centre;
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
