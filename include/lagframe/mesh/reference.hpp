// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file reference.hpp
/// Plain scalar, single-threaded deposit and interpolation. They define what the optimised
/// kernels in deposit.hpp / interpolate.hpp must compute and are kept for tests.
///
/// Coordinates are in Mpc/h inside [0, L); a particle's grid coordinate is u = x/Δ and mesh cell
/// i is centred at u = i + ½ (mesh/concepts.hpp). Stencil node indices wrap periodically.

#include <cmath>
#include <cstddef>
#include <span>

#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/mesh/concepts.hpp"

namespace lagframe::mesh::reference {

namespace detail {
/// Periodic node index of `first + offset` (first may be −1 or N for particles at the edges).
inline std::size_t wrap_node(long first, int offset, long n) {
  long i = (first + offset) % n;
  return static_cast<std::size_t>(i < 0 ? i + n : i);
}
}  // namespace detail

/// grid(node) += mass · W(node − x/Δ) for one point x (Mpc/h, inside [−Δ, L]; nodes wrap).
template <mass_assignment A, class Real>
void deposit_point(real_field<Real>& grid, const vec3<double>& x, double mass) {
  const long n = static_cast<long>(grid.size_1d());
  const double inv_dx = 1.0 / grid.spacing();
  double u[3], first[3], w[3][A::support];
  for (int d = 0; d < 3; ++d) {
    u[d] = x[d] * inv_dx;
    first[d] = A::first_node(u[d]);
    A::weights(u[d], first[d], w[d]);
  }
  for (int a = 0; a < A::support; ++a) {
    const std::size_t i = detail::wrap_node(static_cast<long>(first[0]), a, n);
    for (int b = 0; b < A::support; ++b) {
      const std::size_t j = detail::wrap_node(static_cast<long>(first[1]), b, n);
      const double wab = w[0][a] * w[1][b];
      for (int c = 0; c < A::support; ++c) {
        const std::size_t k = detail::wrap_node(static_cast<long>(first[2]), c, n);
        grid(i, j, k) += static_cast<Real>(mass * wab * w[2][c]);
      }
    }
  }
}

/// grid(node) += mass · W(node − x/Δ) for every particle (accumulates; does not zero `grid`).
/// `shift` (Mpc/h) is added to every position first (used for interlacing).
template <mass_assignment A, class Real>
void deposit(std::span<const vec3<Real>> positions, Real mass, real_field<Real>& grid,
             const vec3<double>& shift = {0.0, 0.0, 0.0}) {
  for (const auto& x : positions)
    deposit_point<A>(grid, vec3<double>{static_cast<double>(x[0]) + shift[0], static_cast<double>(x[1]) + shift[1],
                                        static_cast<double>(x[2]) + shift[2]},
                     static_cast<double>(mass));
}

/// out[p] = Σ_node W(node − x_p/Δ) · grid(node).
template <mass_assignment A, class Real>
void interpolate(const real_field<Real>& grid, std::span<const vec3<Real>> positions,
                 std::span<Real> out) {
  const long n = static_cast<long>(grid.size_1d());
  const double inv_dx = 1.0 / grid.spacing();
  for (std::size_t p = 0; p < positions.size(); ++p) {
    double u[3], first[3], w[3][A::support];
    for (int d = 0; d < 3; ++d) {
      u[d] = static_cast<double>(positions[p][d]) * inv_dx;
      first[d] = A::first_node(u[d]);
      A::weights(u[d], first[d], w[d]);
    }
    double value = 0.0;
    for (int a = 0; a < A::support; ++a) {
      const std::size_t i = detail::wrap_node(static_cast<long>(first[0]), a, n);
      for (int b = 0; b < A::support; ++b) {
        const std::size_t j = detail::wrap_node(static_cast<long>(first[1]), b, n);
        const double wab = w[0][a] * w[1][b];
        for (int c = 0; c < A::support; ++c) {
          const std::size_t k = detail::wrap_node(static_cast<long>(first[2]), c, n);
          value += wab * w[2][c] * static_cast<double>(grid(i, j, k));
        }
      }
    }
    out[p] = static_cast<Real>(value);
  }
}

}  // namespace lagframe::mesh::reference
