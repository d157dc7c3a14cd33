// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file box.hpp
/// The periodic simulation box and its Lagrangian particle grid.
///
/// Grid conventions. Lagrangian (particle-grid) fields: node (i, j, k) of the N_p³ grid is the
/// point q = (i, j, k)·Δq, Δq = L/N_p; particle id = (ix·N + iy)·N + iz, stable for the whole
/// run, and particles are stored in id order. Force and analysis meshes: cell (i, j, k) of an
/// N_g³ mesh spans [iΔ, (i+1)Δ) per axis and is centred at (i + ½)Δ (mesh/concepts.hpp), so the
/// unperturbed particle lattice lies on mesh cell corners.

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"

namespace lagframe {

/// Periodic cube of side `side_mpc_h` (comoving Mpc/h) holding particles_1d³ particles.
struct box {
  double side_mpc_h = 0.0;
  std::size_t particles_1d = 0;

  /// Throws config_error naming the first impossible value.
  void validate() const {
    require(std::isfinite(side_mpc_h) && side_mpc_h > 0.0, "box.side_mpc_h", side_mpc_h,
            "a positive, finite length in Mpc/h");
    require(particles_1d >= 2, "box.particles_1d", particles_1d, "at least 2");
    require(particles_1d <= 4096, "box.particles_1d", particles_1d, "at most 4096");
  }

  [[nodiscard]] std::size_t particle_count() const {
    return particles_1d * particles_1d * particles_1d;
  }
  /// Lagrangian grid spacing Δq = L / N_p in Mpc/h.
  [[nodiscard]] double lagrangian_spacing() const {
    return side_mpc_h / static_cast<double>(particles_1d);
  }
  [[nodiscard]] double volume() const { return side_mpc_h * side_mpc_h * side_mpc_h; }

  /// Lagrangian grid indices of particle `id`.
  [[nodiscard]] std::array<std::size_t, 3> lagrangian_index(std::size_t id) const {
    const std::size_t n = particles_1d;
    return {id / (n * n), (id / n) % n, id % n};
  }
  /// Lagrangian position q of particle `id` in Mpc/h.
  template <class Real = double>
  [[nodiscard]] vec3<Real> lagrangian_position(std::size_t id) const {
    const auto idx = lagrangian_index(id);
    const double dq = lagrangian_spacing();
    return {static_cast<Real>(static_cast<double>(idx[0]) * dq),
            static_cast<Real>(static_cast<double>(idx[1]) * dq),
            static_cast<Real>(static_cast<double>(idx[2]) * dq)};
  }
};

/// Wrap a coordinate into [0, L). Handles values several box lengths away.
template <class Real>
[[nodiscard]] inline Real wrap_periodic(Real x, Real side) {
  x = x - side * std::floor(x / side);
  // Rounding can map a tiny negative number onto `side` itself.
  return x >= side ? Real(0) : x;
}

}  // namespace lagframe
