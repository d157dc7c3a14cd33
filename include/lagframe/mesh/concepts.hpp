// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file concepts.hpp
/// The `mass_assignment` concept: a separable B-spline stencil used both to deposit particles
/// onto a mesh and to interpolate a mesh back to particles (the same stencil both ways, which
/// with a symmetric Green's function and gradient means no self-force and momentum
/// conservation; docs/physics.md §5.4).
///
/// Mesh convention: the mesh cell i spans [iΔ, (i+1)Δ) and its value sits at its centre
/// (i + ½)Δ. A particle at x has grid coordinate u = x/Δ, so cell i is centred at u = i + ½.
/// The Lagrangian particle grid (q = iΔq, box.hpp) therefore lies on cell corners: for any
/// integer ratio N_g/N_p an unperturbed particle sits midway between mesh centres, where the
/// CIC/TSC density of a slightly displaced lattice is linear in the displacement (on the
/// centres it would depend on |displacement| and be shifted by half a cell).
///
/// A model A provides, for a coordinate u in grid units:
///   - `A::support`  (int): nodes per axis the stencil touches (NGP 1, CIC 2, TSC 3);
///   - `A::order`    (int): exponent p of the Fourier window W(k) = Π sinc(k_iΔ/2)^p;
///   - `A::name`     (std::string_view);
///   - `A::first_node(u)`: the lowest node index touched, as a floating value (floor-like);
///   - `A::weights(u, first, w)`: fills w[0..support) for nodes first, first+1, ...; the weights
///     are non-negative and sum to one.
/// Both functions are templates on the scalar type so SIMD batches can use them too.
/// Models: see ngp.hpp, cic.hpp, tsc.hpp.

#include <concepts>
#include <cstddef>
#include <string_view>

namespace lagframe::mesh {

template <class A>
concept has_stencil_shape = requires {
  { A::support } -> std::convertible_to<int>;
  { A::order } -> std::convertible_to<int>;
  { A::name } -> std::convertible_to<std::string_view>;
};

template <class A>
concept has_stencil_weights = requires(double u, double first, double (&w)[A::support]) {
  { A::first_node(u) } -> std::convertible_to<double>;
  A::weights(u, first, w);
};

template <class A>
concept mass_assignment = has_stencil_shape<A> && has_stencil_weights<A>;

}  // namespace lagframe::mesh
