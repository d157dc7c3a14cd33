// SPDX-License-Identifier: BSD-3-Clause
// Must not compile: the policies in the wrong order (a force where the frame belongs).
#include "lagframe/force/particle_mesh.hpp"
#include "lagframe/frame/lpt.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/simulation.hpp"
#include "lagframe/stepper/kick_drift_kick.hpp"

namespace lf = lagframe;
using sim_t = lf::simulation<lf::force::particle_mesh<lf::mesh::cic>, lf::frame::lpt<2>, lf::stepper::kick_drift_kick<>>;
[[maybe_unused]] constexpr auto size = sizeof(sim_t);
