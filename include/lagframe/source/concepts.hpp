// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file concepts.hpp
/// The `density_source` concept: what the Poisson solver of a mesh force sees as the mass
/// (docs/physics.md §15). A source is a tag type naming a depositor:
///   - `S::name` (std::string_view);
///   - `S::template depositor<Assignment, Real>`, constructible from (const box&, const
///     source_options&), with `d.deposit(positions, mass, grid, shift)` → void: add to the mesh
///     `grid` the mass of the particles at `positions` (+ `shift`), `mass` per particle, spread
///     with the stencil Assignment; positions are one per particle of the box, in particle-id
///     (Lagrangian) order; threading and determinism as mesh::deposit.
///   - optionally `d.deposit_replacing(positions, mass, grid, shift)`: the same mass, but the
///     grid's previous contents discarded (bitwise grid.fill(0) then deposit). Mesh forces use
///     it where present, because zeroing each plane just before the deposit writes it saves a
///     trip of the mesh through memory.
/// Models: source::particles (each particle deposited as a point: mesh::deposit) and
/// source::sheet (the Lagrangian sheet resampled between the particles, source/sheet.hpp).

#include <concepts>
#include <span>
#include <string_view>

#include "lagframe/core/box.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/source/options.hpp"

namespace lagframe::source {

template <class S, class Assignment, class Real>
concept density_source =
    requires { { S::name } -> std::convertible_to<std::string_view>; } &&
    std::constructible_from<typename S::template depositor<Assignment, Real>, const box&, const source_options&> &&
    requires(typename S::template depositor<Assignment, Real>& d, std::span<const vec3<Real>> x, Real mass,
             real_field<Real>& grid, const vec3<double>& shift) { d.deposit(x, mass, grid, shift); };

}  // namespace lagframe::source
