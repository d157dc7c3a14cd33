// SPDX-License-Identifier: BSD-3-Clause
// lagframe-run with the P3M force ([force] type = "p3m"), every frame and factor family.

#include <lagframe/force/p3m.hpp>

#include "simulate.hpp"

namespace lagframe_run {

void run_p3m(run_context& ctx) {
  if (ctx.config.assignment == assignment_kind::tsc) return run_with_force<lf::force::p3m<lf::mesh::tsc>>(ctx);
  return run_with_force<lf::force::p3m<lf::mesh::cic>>(ctx);
}

}  // namespace lagframe_run
