// SPDX-License-Identifier: BSD-3-Clause
// Compile-only: positive and negative checks of lagframe's concepts.
#include "lagframe/mesh/cic.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/mesh/ngp.hpp"
#include "lagframe/mesh/tsc.hpp"

namespace {
struct not_a_stencil {};
struct stencil_without_weights {
  static constexpr int support = 2;
  static constexpr int order = 2;
  static constexpr std::string_view name = "x";
};
}  // namespace

static_assert(lagframe::mesh::mass_assignment<lagframe::mesh::ngp>);
static_assert(lagframe::mesh::mass_assignment<lagframe::mesh::cic>);
static_assert(lagframe::mesh::mass_assignment<lagframe::mesh::tsc>);
static_assert(!lagframe::mesh::mass_assignment<not_a_stencil>);
static_assert(!lagframe::mesh::mass_assignment<stencil_without_weights>);

// The sCOLA tile force is a force policy (any stepper-driven system may use it).
#include "lagframe/force/concepts.hpp"
#include "lagframe/force/dirichlet_pm.hpp"
static_assert(lagframe::force::force_policy<lagframe::force::dirichlet_pm<lagframe::mesh::cic, float>>);
static_assert(lagframe::force::force_policy<lagframe::force::dirichlet_pm<lagframe::mesh::tsc, double>>);
static_assert(!lagframe::force::provides_potential<lagframe::force::dirichlet_pm<lagframe::mesh::cic, float>>);
