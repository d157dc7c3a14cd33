// SPDX-License-Identifier: BSD-3-Clause
// lagframe-run with the particle-mesh force ([force] type = "pm"), every frame and factor family.

#include "simulate.hpp"

namespace lagframe_run {

void run_pm(run_context& ctx) {
  if (ctx.config.assignment == assignment_kind::tsc) return run_with_force<lf::force::particle_mesh<lf::mesh::tsc>>(ctx);
  return run_with_force<lf::force::particle_mesh<lf::mesh::cic>>(ctx);
}

}  // namespace lagframe_run
