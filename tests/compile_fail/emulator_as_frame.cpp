// SPDX-License-Identifier: BSD-3-Clause
// Must not compile: an emulator passed where the frame belongs (tCOCA is frame::emulated).
#include "lagframe/force/particle_mesh.hpp"
#include "lagframe/frame/emulators/none.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/simulation.hpp"
#include "lagframe/stepper/kick_drift_kick.hpp"

namespace lf = lagframe;
using sim_t = lf::simulation<lf::frame::emulators::none<float>, lf::force::particle_mesh<lf::mesh::cic>,
                             lf::stepper::kick_drift_kick<>>;
[[maybe_unused]] constexpr auto size = sizeof(sim_t);
