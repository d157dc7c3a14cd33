// SPDX-License-Identifier: BSD-3-Clause
// Must not compile: bare time-step factors passed where the stepper belongs.
#include "lagframe/force/particle_mesh.hpp"
#include "lagframe/frame/inertial.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/simulation.hpp"
#include "lagframe/stepper/factors.hpp"

namespace lf = lagframe;
using sim_t = lf::simulation<lf::frame::inertial<>, lf::force::particle_mesh<lf::mesh::cic>, lf::stepper::factors::fastpm>;
[[maybe_unused]] constexpr auto size = sizeof(sim_t);
