// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file deposit.hpp
/// Particle → mesh deposit with a mass_assignment stencil.

#include <span>

#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/mesh/reference.hpp"

namespace lagframe::mesh {

/// Reusable buffers of the deposit (kept between calls so the hot loop never allocates).
struct deposit_workspace {};

/// grid(node) += mass · W(node − x/Δ) for every particle (accumulates; does not zero `grid`).
/// Positions in Mpc/h inside [0, L); `shift` (Mpc/h) is added to each position (interlacing).
template <mass_assignment A, class Real>
void deposit(std::span<const vec3<Real>> positions, Real mass, real_field<Real>& grid,
             deposit_workspace& /*workspace*/, const vec3<double>& shift = {0.0, 0.0, 0.0}) {
  reference::deposit<A>(positions, mass, grid, shift);
}

}  // namespace lagframe::mesh
