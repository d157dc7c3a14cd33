// SPDX-License-Identifier: BSD-3-Clause
// lagframe-run with the particle-mesh force sourced by the Lagrangian sheet ([force] type = "pm",
// source = "sheet"; source/sheet.hpp, docs/physics.md §15), every frame and factor family.

#include "simulate.hpp"

namespace lagframe_run {

void run_pm_sheet(run_context& ctx) {
  if (ctx.config.assignment == assignment_kind::tsc)
    return run_with_force<lf::force::particle_mesh<lf::mesh::tsc, float, lf::source::sheet>>(ctx);
  return run_with_force<lf::force::particle_mesh<lf::mesh::cic, float, lf::source::sheet>>(ctx);
}

}  // namespace lagframe_run
