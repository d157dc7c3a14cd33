// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file interpolate.hpp
/// Mesh → particle interpolation with a mass_assignment stencil, the adjoint (transpose) of
/// deposit: value(x) = Σ_node W(node − x/Δ) · grid(node) (docs/physics.md §5.4; using the same
/// stencil both ways is what gives PM no self-force and momentum conservation).
///
/// Particles are processed in blocks of 64 (detail/stencil_block.hpp): stencils computed with
/// SIMD into structure-of-arrays buffers, grid values gathered with scalar loads and summed
/// in double in the same order as reference::interpolate, so each result is the reference's
/// (bitwise, unless the compiler contracts multiply-adds differently in the two).
///
/// Threading: OpenMP over blocks with a static schedule; every particle's value is computed
/// by one thread independently of the others, so results do not depend on the thread count.
/// Do not call from inside a parallel region. Positions in Mpc/h inside [0, L) (anything in
/// [−L, 2L) is wrapped periodically); a non-finite or farther position throws config_error
/// naming the particle, after the parallel loop (the output is then unspecified).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/mesh/detail/position_check.hpp"
#include "lagframe/mesh/detail/stencil_block.hpp"

namespace lagframe::mesh {

namespace detail {

/// For every particle p: values[g] = Σ W · grids[g] for each of the G grids (one stencil
/// evaluation shared by all of them), then sink(p, values).
template <mass_assignment A, bool Simd, std::size_t G, class Real, class Sink>
void interpolate_blocks(const std::array<const real_field<Real>*, G>& grids,
                        std::span<const vec3<Real>> positions, Sink sink) {
  constexpr int S = A::support;
  const real_field<Real>& g0 = *grids[0];
  const auto n = static_cast<std::int32_t>(g0.size_1d());
  const std::size_t nn = g0.size_1d();
  const std::size_t pl = g0.padded_last();
  const double inv_dx = 1.0 / g0.spacing();
  const double side = g0.side();
  const Real* data[G];
  for (std::size_t g = 0; g < G; ++g) data[g] = grids[g]->data();

  const std::size_t np = positions.size();
  const std::size_t blocks = (np + block_size - 1) / block_size;
  std::size_t first_bad = np;
#pragma omp parallel for schedule(static) reduction(min : first_bad)
  for (std::size_t blk = 0; blk < blocks; ++blk) {
    stencil_block<A> sb;
    const std::size_t b = blk * block_size;
    const std::size_t m = std::min(block_size, np - b);
    for (std::size_t q = 0; q < m; ++q) {
      const auto& x = positions[b + q];
      const double cx = static_cast<double>(x[0]);
      const double cy = static_cast<double>(x[1]);
      const double cz = static_cast<double>(x[2]);
      const bool ok = coordinate_ok(cx, side) && coordinate_ok(cy, side) && coordinate_ok(cz, side);
      if (!ok) first_bad = std::min(first_bad, b + q);
      sb.coord[0][q] = ok ? cx : 0.0;
      sb.coord[1][q] = ok ? cy : 0.0;
      sb.coord[2][q] = ok ? cz : 0.0;
    }
    sb.template pad<Simd>(m);
    sb.template compute<Simd>(m, inv_dx, n);
    for (std::size_t q = 0; q < m; ++q) {
      std::size_t ii[S], jj[S], kk[S];
      stencil_nodes<S>(sb.node[0][q], n, ii);
      stencil_nodes<S>(sb.node[1][q], n, jj);
      stencil_nodes<S>(sb.node[2][q], n, kk);
      double value[G] = {};
      for (int a = 0; a < S; ++a) {
        const std::size_t plane = ii[a] * nn;
        const double wa = sb.weight[0][a][q];
        for (int c = 0; c < S; ++c) {
          const std::size_t row = (plane + jj[c]) * pl;
          const double wab = wa * sb.weight[1][c][q];
          for (int e = 0; e < S; ++e) {
            // Same association as reference::interpolate: (w_x w_y · w_z) · grid.
            const double w = wab * sb.weight[2][e][q];
            for (std::size_t g = 0; g < G; ++g) {
              value[g] += w * static_cast<double>(data[g][row + kk[e]]);
            }
          }
        }
      }
      sink(b + q, value);
    }
  }
  if (first_bad < np) {
    throw_bad_position("mesh::interpolate", first_bad, positions[first_bad], {0.0, 0.0, 0.0}, side);
  }
}

inline void require_output_size(std::size_t out, std::size_t positions) {
  require(out == positions, "mesh::interpolate output size", out,
          lagframe::detail::concat("one entry per position (", positions, ")"));
}

template <mass_assignment A, bool Simd, class Real>
void interpolate_scalar_field(const real_field<Real>& grid, std::span<const vec3<Real>> positions,
                              std::span<Real> out) {
  require_output_size(out.size(), positions.size());
  interpolate_blocks<A, Simd, 1>(std::array<const real_field<Real>*, 1>{&grid}, positions,
                                 [out](std::size_t p, const double* v) {
                                   out[p] = static_cast<Real>(v[0]);
                                 });
}

template <mass_assignment A, bool Simd, class Real>
void interpolate_component(const real_field<Real>& grid, std::span<const vec3<Real>> positions,
                           std::span<vec3<Real>> out, int component) {
  require(component >= 0 && component < 3, "mesh::interpolate component", component,
          "0, 1 or 2");
  require_output_size(out.size(), positions.size());
  const auto d = static_cast<std::size_t>(component);
  interpolate_blocks<A, Simd, 1>(std::array<const real_field<Real>*, 1>{&grid}, positions,
                                 [out, d](std::size_t p, const double* v) {
                                   out[p][d] = static_cast<Real>(v[0]);
                                 });
}

template <mass_assignment A, bool Simd, class Real>
void interpolate_vector(const real_field<Real>& gx, const real_field<Real>& gy,
                        const real_field<Real>& gz, std::span<const vec3<Real>> positions,
                        std::span<vec3<Real>> out) {
  for (const real_field<Real>* g : {&gy, &gz}) {
    require(g->size_1d() == gx.size_1d(), "mesh::interpolate size of the y/z grid", g->size_1d(),
            lagframe::detail::concat("the x grid's size ", gx.size_1d()));
    require(g->side() == gx.side(), "mesh::interpolate side of the y/z grid", g->side(),
            lagframe::detail::concat("the x grid's side ", gx.side()));
  }
  require_output_size(out.size(), positions.size());
  interpolate_blocks<A, Simd, 3>(std::array<const real_field<Real>*, 3>{&gx, &gy, &gz},
                                 positions, [out](std::size_t p, const double* v) {
                                   out[p] = {static_cast<Real>(v[0]), static_cast<Real>(v[1]),
                                             static_cast<Real>(v[2])};
                                 });
}

}  // namespace detail

/// out[p] = Σ_node W(node − x_p/Δ) · grid(node). `out` has one entry per position.
template <mass_assignment A, class Real>
void interpolate(const real_field<Real>& grid, std::span<const vec3<Real>> positions,
                 std::span<Real> out) {
  detail::interpolate_scalar_field<A, true>(grid, positions, out);
}

/// out[p][component] = Σ_node W(node − x_p/Δ) · grid(node); other components untouched.
template <mass_assignment A, class Real>
void interpolate(const real_field<Real>& grid, std::span<const vec3<Real>> positions,
                 std::span<vec3<Real>> out, int component) {
  detail::interpolate_component<A, true>(grid, positions, out, component);
}

/// out[p] = (Σ W·gx, Σ W·gy, Σ W·gz): three grids (e.g. the force components) interpolated
/// with one stencil evaluation per particle; same values as three calls of the component
/// overload, about half the work. The grids must share their size and box side.
template <mass_assignment A, class Real>
void interpolate(const real_field<Real>& gx, const real_field<Real>& gy,
                 const real_field<Real>& gz, std::span<const vec3<Real>> positions,
                 std::span<vec3<Real>> out) {
  detail::interpolate_vector<A, true>(gx, gy, gz, positions, out);
}

/// The three interpolate() overloads with scalar instead of SIMD stencils (for comparison).
template <mass_assignment A, class Real>
void interpolate_scalar(const real_field<Real>& grid, std::span<const vec3<Real>> positions,
                        std::span<Real> out) {
  detail::interpolate_scalar_field<A, false>(grid, positions, out);
}
template <mass_assignment A, class Real>
void interpolate_scalar(const real_field<Real>& grid, std::span<const vec3<Real>> positions,
                        std::span<vec3<Real>> out, int component) {
  detail::interpolate_component<A, false>(grid, positions, out, component);
}
template <mass_assignment A, class Real>
void interpolate_scalar(const real_field<Real>& gx, const real_field<Real>& gy,
                        const real_field<Real>& gz, std::span<const vec3<Real>> positions,
                        std::span<vec3<Real>> out) {
  detail::interpolate_vector<A, false>(gx, gy, gz, positions, out);
}

}  // namespace lagframe::mesh
