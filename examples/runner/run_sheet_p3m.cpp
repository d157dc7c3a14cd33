// SPDX-License-Identifier: BSD-3-Clause
// lagframe-run with the P3M force whose long-range mesh is sourced by the Lagrangian sheet
// ([force] type = "p3m", source = "sheet"; the pair force always uses the particles), every
// frame and factor family.

#include <lagframe/force/p3m.hpp>

#include "simulate.hpp"

namespace lagframe_run {

void run_p3m_sheet(run_context& ctx) {
  if (ctx.config.assignment == assignment_kind::tsc)
    return run_with_force<lf::force::p3m<lf::mesh::tsc, float, lf::source::sheet>>(ctx);
  return run_with_force<lf::force::p3m<lf::mesh::cic, float, lf::source::sheet>>(ctx);
}

}  // namespace lagframe_run
