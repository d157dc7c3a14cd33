// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file particles.hpp
/// source::particles: every particle deposited as a point with the assignment stencil
/// (mesh::deposit): the usual mass of a particle-mesh force.

#include <span>
#include <string_view>

#include "lagframe/core/box.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/mesh/deposit.hpp"
#include "lagframe/source/options.hpp"

namespace lagframe::source {

struct particles {
  static constexpr std::string_view name = "particles";

  template <mesh::mass_assignment Assignment, class Real>
  class depositor {
   public:
    depositor(const box& /*b*/, const source_options& /*o*/) {}
    void deposit(std::span<const vec3<Real>> x, Real mass, real_field<Real>& grid, const vec3<double>& shift) {
      mesh::deposit<Assignment>(x, mass, grid, workspace_, shift);
    }
    /// grid = the particles' mass (mesh::deposit_replacing: the previous contents discarded,
    /// bitwise the same as zeroing the grid and calling deposit, with less memory traffic).
    void deposit_replacing(std::span<const vec3<Real>> x, Real mass, real_field<Real>& grid,
                           const vec3<double>& shift) {
      mesh::deposit_replacing<Assignment>(x, mass, grid, workspace_, shift);
    }
    /// The deposit's sort buffers (scratch between deposits; force::particle_mesh lends them).
    mesh::deposit_workspace& workspace() { return workspace_; }

   private:
    mesh::deposit_workspace workspace_;
  };
};

}  // namespace lagframe::source
