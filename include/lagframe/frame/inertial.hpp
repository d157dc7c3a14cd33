// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file inertial.hpp
/// No frame: π is the total momentum, so the loop is a plain PM code (docs/physics.md §1.2,
/// §8.1: the equations of motion with the kick–drift–kick leapfrog).

#include <cstddef>
#include <span>
#include <string_view>

#include "lagframe/core/box.hpp"
#include "lagframe/cosmology/growth.hpp"
#include "lagframe/frame/concepts.hpp"
#include "lagframe/ic/lpt.hpp"

namespace lagframe::frame {

template <class Real = float>
class inertial {
 public:
  using real_type = Real;
  static constexpr std::string_view name = "inertial";
  /// No frame: particles are not carried by any trajectory (frame::is_moving).
  static constexpr bool moving = false;

  /// The LPT fields only set the initial conditions; the frame keeps none of them.
  inertial(const cosmology::growth& /*g*/, ic::lpt_fields<Real> fields)
      : side_(static_cast<Real>(fields.grid.side_mpc_h)) {}

  void kick(std::span<vec3<Real>> pi, std::span<const vec3<Real>> acc,
            const kick_interval& k) const {
    const Real s = static_cast<Real>(k.force_scale);
    const std::size_t n = pi.size();
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i)
      for (int d = 0; d < 3; ++d) pi[i][d] += s * acc[i][d];
  }

  void drift(std::span<vec3<Real>> x, std::span<const vec3<Real>> pi,
             const drift_interval& dr) const {
    const Real f = static_cast<Real>(dr.factor);
    const std::size_t n = x.size();
    const Real side = side_;
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i)
      for (int d = 0; d < 3; ++d) x[i][d] = wrap_periodic(x[i][d] + f * pi[i][d], side);
  }

  void add_momentum(std::span<vec3<Real>> /*p*/, double /*a*/, double /*sign*/) const {}

  /// No frame: no displacement of its own, no momentum of its own (lightcone crossings).
  [[nodiscard]] vec3<double> frame_displacement(std::size_t /*i*/, double /*a0*/, double /*a*/) const { return {0, 0, 0}; }
  [[nodiscard]] vec3<double> frame_momentum(std::size_t /*i*/, double /*a*/) const { return {0, 0, 0}; }
  /// No displacement terms (frame/lpt.hpp has two).
  static constexpr int displacement_terms = 0;
  [[nodiscard]] double displacement_growth(int /*k*/, double /*a0*/, double /*a*/) const { return 0.0; }
  [[nodiscard]] vec3<double> displacement_vector(std::size_t /*i*/, int /*k*/) const { return {0, 0, 0}; }

 private:
  Real side_;
};

}  // namespace lagframe::frame
