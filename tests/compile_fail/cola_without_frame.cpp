// SPDX-License-Identifier: BSD-3-Clause
// Must not compile: COLA factors without a moving frame (wrong linear growth, silently).
#include "lagframe/force/particle_mesh.hpp"
#include "lagframe/frame/inertial.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/simulation.hpp"
#include "lagframe/stepper/kick_drift_kick.hpp"

namespace lf = lagframe;
using sim_t = lf::simulation<lf::frame::inertial<>, lf::force::particle_mesh<lf::mesh::cic>,
                             lf::stepper::kick_drift_kick<lf::stepper::factors::cola>>;
[[maybe_unused]] constexpr auto size = sizeof(sim_t);
