// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file interpolate.hpp
/// Mesh → particle interpolation with a mass_assignment stencil (the adjoint of deposit).

#include <cstddef>
#include <span>

#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/mesh/reference.hpp"

namespace lagframe::mesh {

/// out[p] = Σ_node W(node − x_p/Δ) · grid(node). Positions in Mpc/h inside [0, L).
template <mass_assignment A, class Real>
void interpolate(const real_field<Real>& grid, std::span<const vec3<Real>> positions,
                 std::span<Real> out) {
  reference::interpolate<A>(grid, positions, out);
}

/// out[p][component] = Σ_node W(node − x_p/Δ) · grid(node); other components untouched.
template <mass_assignment A, class Real>
void interpolate(const real_field<Real>& grid, std::span<const vec3<Real>> positions,
                 std::span<vec3<Real>> out, int component) {
  const long n = static_cast<long>(grid.size_1d());
  const double inv_dx = 1.0 / grid.spacing();
#pragma omp parallel for schedule(static)
  for (std::size_t p = 0; p < positions.size(); ++p) {
    double u[3], first[3], w[3][A::support];
    for (int d = 0; d < 3; ++d) {
      u[d] = static_cast<double>(positions[p][d]) * inv_dx;
      first[d] = A::first_node(u[d]);
      A::weights(u[d], first[d], w[d]);
    }
    double value = 0.0;
    for (int a = 0; a < A::support; ++a) {
      const std::size_t i = reference::detail::wrap_node(static_cast<long>(first[0]), a, n);
      for (int b = 0; b < A::support; ++b) {
        const std::size_t j = reference::detail::wrap_node(static_cast<long>(first[1]), b, n);
        const double wab = w[0][a] * w[1][b];
        for (int c = 0; c < A::support; ++c) {
          const std::size_t k = reference::detail::wrap_node(static_cast<long>(first[2]), c, n);
          value += wab * w[2][c] * static_cast<double>(grid(i, j, k));
        }
      }
    }
    out[p][component] = static_cast<Real>(value);
  }
}

}  // namespace lagframe::mesh
