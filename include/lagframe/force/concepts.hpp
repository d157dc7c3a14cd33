// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file concepts.hpp
/// The `force_policy` concept: the gravitational acceleration of every particle, solving the
/// code-unit Poisson equation ∇²φ = δ (docs/physics.md §1.2).
///
/// A model F provides
///   - `F::real_type` (float or double) and `F::name` (convertible to std::string_view);
///   - `f.accelerations(positions, acc)` → void, with `positions` a
///     std::span<const vec3<real_type>> and `acc` a std::span<vec3<real_type>> of the same size:
///     acc[i] = −∇φ(x_i), where ∇²φ = δ is sourced by the particles' own density contrast, each
///     particle carrying mass 1/n̄ (n̄ = N_p/V). Units Mpc/h (φ is in (Mpc/h)²).
///     Cosmology-independent: the stepper multiplies by (3/2)Ω_m (docs/physics.md §1.2, §8.2).
///     Preconditions: positions in Mpc/h inside [0, L); one position per particle of the box.
///     Threading: may spawn an OpenMP team (and FFTW threads); must not be called from inside
///     a parallel region; not reentrant (a model owns work meshes), so one object per
///     concurrent caller. Allocation: none after construction beyond buffers sized on the
///     first call (see each model).
/// Optional capability `provides_potential`: `f.potentials(positions, phi)` → void gives
/// phi[i] = φ(x_i) with the same Green's function and deconvolution as the force, for energy
/// checks (Layzer–Irvine, docs/physics.md §13.3). The k = 0 mode of φ is zero.
///
/// The concept is a conjunction of small named concepts so that a failed check names the
/// missing piece. Models: force/particle_mesh.hpp.

#include <concepts>
#include <span>
#include <string_view>

#include "lagframe/core/vec3.hpp"

namespace lagframe::force {

/// F names its scalar type and itself.
template <class F>
concept has_force_identity = requires {
  typename F::real_type;
  { F::name } -> std::convertible_to<std::string_view>;
};

/// f.accelerations(positions, acc) fills acc with −∇φ at the positions.
template <class F>
concept computes_accelerations =
    has_force_identity<F> &&
    requires(F& f, std::span<const vec3<typename F::real_type>> x, std::span<vec3<typename F::real_type>> acc) {
      { f.accelerations(x, acc) } -> std::same_as<void>;
    };

/// A gravity solver usable by lagframe::simulation.
template <class F>
concept force_policy = has_force_identity<F> && computes_accelerations<F>;

/// A force policy that can also report the potential φ(x_i) at the particles.
template <class F>
concept provides_potential =
    force_policy<F> && requires(F& f, std::span<const vec3<typename F::real_type>> x,
                                std::span<typename F::real_type> phi) {
      { f.potentials(x, phi) } -> std::same_as<void>;
    };

}  // namespace lagframe::force
