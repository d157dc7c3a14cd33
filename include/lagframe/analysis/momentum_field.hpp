// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file momentum_field.hpp
/// Mass and momentum density on a mesh, from the particles or from the resampled Lagrangian
/// sheet (docs/physics.md §15.4): every sample deposits its mass and its mass times its momentum
/// with the stencil A, so that the mass-weighted velocity field is v(node) = 100 · P(node) /
/// (a · ρ(node)) km/s wherever ρ > 0 (p is in Mpc/h, velocity in km/s = 100 p/a). With the sheet
/// (resample n > 1) the momentum is interpolated on the sheet with the same band-limited shift
/// as the positions (source::sheet::field_at), so cells between streams of particles still get
/// the sheet's own velocity; multi-stream regions are deposited like the particles (blend). The
/// weighted deposit is serial (deterministic): about n³ · N_p · support³ operations.

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/source/sheet.hpp"

namespace lagframe::analysis {

/// Mass (mean 1 per cell) and momentum density (Mpc/h per cell) on an N_g³ mesh.
struct momentum_field_result {
  std::vector<double> density;                   ///< (i·N + j)·N + k
  std::array<std::vector<double>, 3> momentum;   ///< Σ mass · p per node
  std::size_t grid_1d = 0;
};

namespace detail {
template <mesh::mass_assignment A, class Real>
void deposit_weighted(const vec3<Real>& x, double mass, const vec3<Real>& p, double side, momentum_field_result& out) {
  constexpr int S = A::support;
  const auto n = static_cast<long>(out.grid_1d);
  const double inv_dx = static_cast<double>(n) / side;
  double w[3][S];
  std::size_t idx[3][S];
  for (int d = 0; d < 3; ++d) {
    const double u = static_cast<double>(x[d]) * inv_dx;
    const double first = A::first_node(u);
    A::weights(u, first, w[d]);
    for (int s = 0; s < S; ++s) idx[d][s] = static_cast<std::size_t>(((static_cast<long>(first) + s) % n + n) % n);
  }
  for (int a = 0; a < S; ++a)
    for (int b = 0; b < S; ++b)
      for (int c = 0; c < S; ++c) {
        const double wm = mass * w[0][a] * w[1][b] * w[2][c];
        const std::size_t node = (idx[0][a] * out.grid_1d + idx[1][b]) * out.grid_1d + idx[2][c];
        out.density[node] += wm;
        for (int k = 0; k < 3; ++k) out.momentum[static_cast<std::size_t>(k)][node] += wm * static_cast<double>(p[k]);
      }
}
}  // namespace detail

/// Mass and momentum density of the particles (positions in [0, L), momenta, both in particle-
/// id order on the Lagrangian grid `b`) on a grid_1d³ mesh; resample > 1 uses the sheet.
template <mesh::mass_assignment A, class Real>
momentum_field_result momentum_field(std::span<const vec3<Real>> positions, std::span<const vec3<Real>> momenta,
                                     const box& b, std::size_t grid_1d, std::size_t resample = 2) {
  b.validate();
  require(grid_1d >= 2, "momentum_field grid_1d", grid_1d, "at least 2 cells per side");
  require(positions.size() == b.particle_count() && momenta.size() == b.particle_count(),
          "momentum_field number of particles", positions.size(),
          lagframe::detail::concat("the box's ", b.particle_count(), " positions and momenta"));
  momentum_field_result out;
  out.grid_1d = grid_1d;
  const std::size_t cells = grid_1d * grid_1d * grid_1d;
  out.density.assign(cells, 0.0);
  for (auto& m : out.momentum) m.assign(cells, 0.0);
  const double mass = static_cast<double>(cells) / static_cast<double>(b.particle_count());
  if (resample <= 1) {
    for (std::size_t i = 0; i < positions.size(); ++i)
      detail::deposit_weighted<A>(positions[i], mass, momenta[i], b.side_mpc_h, out);
    return out;
  }
  source::sheet::depositor<A, Real> sheet(b, {.resample = resample, .policy = source::multistream_policy::blend});
  // The blend policy: multi-stream particles as points, the others as their sheet samples.
  const auto flags = sheet.classify(positions);
  const std::vector<std::uint8_t> multistream(flags.begin(), flags.end());
  for (std::size_t i = 0; i < positions.size(); ++i)
    if (multistream[i] != 0) detail::deposit_weighted<A>(positions[i], mass, momenta[i], b.side_mpc_h, out);
  const double sample_mass = mass / static_cast<double>(resample * resample * resample);
  std::vector<vec3<Real>> xs, ps;
  for (std::size_t s = 0; s < resample * resample * resample; ++s) {
    const auto d = source::sheet::depositor<A, Real>::sample_offset(s, resample);
    xs = sheet.sheet_at(positions, d);
    ps = sheet.field_at(momenta, d);
    for (std::size_t i = 0; i < xs.size(); ++i)
      if (multistream[i] == 0) detail::deposit_weighted<A>(xs[i], sample_mass, ps[i], b.side_mpc_h, out);
  }
  return out;
}

}  // namespace lagframe::analysis
