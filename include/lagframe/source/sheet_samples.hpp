// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file sheet_samples.hpp
/// The Lagrangian sheet of a set of tracers, sampled as points: the mass that source::sheet
/// describes, in a form any point-based analysis can read (friends-of-friends groups, counts in
/// cells). The tracers x(q) sit on the Lagrangian grid q = Δq (i, j, k) in particle-id order;
/// the sheet between them is the trilinear interpolant of their displacements
/// Ψ(q) = x(q) − q (minimum image, so Ψ is continuous across the box):
///     x(q + t Δq) = q + t Δq + Σ_m w_m(t) Ψ(q_m),  t ∈ [0, 1)³,
/// w_m the trilinear weights of the cell's eight corners q_m (Abel, Hahn & Kaehler 2012 use
/// tetrahedra; the trilinear element is their hexahedral analogue). This is the `trilinear`
/// interpolant of source::sheet, whose sheet_at() computes it; sheet_samples() evaluates it at t = (a, b, c)/r for a, b, c = 0 … r − 1:
/// (r N)³ points of mass 1/r³ tracer each, which on an unperturbed grid are exactly the (r N)³
/// Lagrangian lattice. Each sample stays inside the hexahedron its corners span, folded or not,
/// so it does not ring after shell crossing as a band-limited interpolant does.
///
/// Why: counting friends-of-friends groups on the tracers themselves samples the mass as coarsely
/// as the tracer grid, and in filaments that alone splits the matter into many small chance
/// groups. Measured with examples/sheet_fragmentation (docs/physics.md §15.6): a (2N)³ run seen
/// through its own N³-grid particles has 4–5 times as many groups below Wang & White's M_lim as
/// through all of its particles; groups found on the N³ runs' sheet samples (r = 2) match the
/// (2N)³ run's.
///
/// Sample (i, j, k; a, b, c) is stored at index ((i N + j) N + k) r³ + (a r + b) r + c: the r³
/// samples of a Lagrangian cell follow each other, cells in tracer order. Positions are wrapped
/// into [0, L). Memory: r³ N³ positions. Threads: one OpenMP loop over Lagrangian planes; the
/// result does not depend on the thread count.

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/source/options.hpp"
#include "lagframe/source/sheet.hpp"

namespace lagframe::source {

/// The sheet of the tracers x (one per particle of `b`, in id order, positions in Mpc/h) sampled
/// at r³ points per Lagrangian cell (see the file comment). Throws config_error for r outside
/// 1 … 8 or a tracer count that is not the box's, numerical_error for a position that is not
/// finite.
template <class Real>
[[nodiscard]] std::vector<vec3<Real>> sheet_samples(std::span<const vec3<Real>> x, const box& b, std::size_t r) {
  b.validate();
  require(r >= 1, "sheet_samples: samples per Lagrangian cell and axis", r, "at least 1");
  require(r <= 8, "sheet_samples: samples per Lagrangian cell and axis", r, "at most 8 (r³ points per particle)");
  require(x.size() == b.particle_count(), "sheet_samples: number of tracer positions", x.size(),
          lagframe::detail::concat("the box's particle count ", b.particle_count(), " (one per Lagrangian grid node)"));
  for (std::size_t p = 0; p < x.size(); ++p)
    for (int d = 0; d < 3; ++d)
      if (!std::isfinite(static_cast<double>(x[p][d]))) {
        throw numerical_error(lagframe::detail::concat("lagframe: sheet_samples: tracer ", p, " has a non-finite position (",
                                                    x[p][0], ", ", x[p][1], ", ", x[p][2], ")"));
      }
  // The trilinear sheet of source::sheet (its sheet_at), evaluated at each of the r³ offsets.
  // sheet_at uses neither the depositor's mass assignment nor its resampling factor.
  sheet::depositor<mesh::cic, Real> interpolant(b, {.resample = 1, .interpolant = sheet_interpolant::trilinear});
  const std::size_t r3 = r * r * r;
  std::vector<vec3<Real>> out(x.size() * r3);
  for (std::size_t e = 0; e < r3; ++e) {
    const std::array<double, 3> t = {static_cast<double>(e / (r * r)) / static_cast<double>(r),
                                     static_cast<double>((e / r) % r) / static_cast<double>(r),
                                     static_cast<double>(e % r) / static_cast<double>(r)};
    const std::vector<vec3<Real>>& at = interpolant.sheet_at(x, t);
    const auto count = static_cast<std::ptrdiff_t>(x.size());
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t p = 0; p < count; ++p) out[static_cast<std::size_t>(p) * r3 + e] = at[static_cast<std::size_t>(p)];
  }
  return out;
}

}  // namespace lagframe::source
