// SPDX-License-Identifier: BSD-3-Clause
// The far field of sCOLA tiles (scola/far_field.hpp): the LPT potentials recovered from the
// displacement fields, and the plane-by-plane boundary fill against point-by-point evaluation.

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "lagframe/cosmology/growth.hpp"
#include "lagframe/scola/far_field.hpp"
#include "support/plane_wave.hpp"

using namespace lagframe;

TEST_CASE("φ1 and ½|ψ1|² of a plane wave, interpolated between grid nodes") {
  const test::plane_wave wave{.grid = box{.side_mpc_h = 64.0, .particles_1d = 32}, .mode = 2, .d_cross = 5.0};
  const scola::far_field<double> far(wave.fields<double>(2));
  const double k = wave.k();
  for (double x : {-11.44, -3.3, 0.0, 7.7, 20.1, 40.56, 63.9}) {
    const auto v = far.at({x, 3.3, 5.0});
    // ψ1 = sin(kq)/(k d_c) = −∂φ1  ⇒  φ1 = cos(kq)/(k² d_c). 16 grid points per wavelength: the
    // 4-point interpolation is good to ≈ (kΔq)⁴/24 ≈ 1e-3 of the amplitude between nodes.
    CHECK(v[0] == doctest::Approx(std::cos(k * x) / (k * k * wave.d_cross)).epsilon(1e-3));
    CHECK(v[1] == doctest::Approx(0.0));
    CHECK(v[2] == doctest::Approx(0.5 * wave.psi(x) * wave.psi(x)).epsilon(2e-3));
  }
}

TEST_CASE("the plane-by-plane boundary fill equals point-by-point interpolation") {
  // A field with structure along every axis: a few plane waves in different directions.
  const box grid{.side_mpc_h = 48.0, .particles_1d = 16};
  ic::lpt_fields<double> f;
  f.grid = grid;
  f.order = 2;
  f.psi1.resize(grid.particle_count());
  f.psi2.resize(grid.particle_count());
  const double kf = 2.0 * std::numbers::pi / grid.side_mpc_h;
  for (std::size_t i = 0; i < grid.particle_count(); ++i) {
    const auto q = grid.lagrangian_position(i);
    const double s1 = std::sin(kf * q[0] + 2 * kf * q[1]), s2 = std::sin(3 * kf * q[2] - kf * q[0]);
    f.psi1[i] = {0.3 * s1 - 0.1 * s2, 0.6 * s1, 0.3 * s2};
    f.psi2[i] = {0.05 * s2, 0.0, -0.15 * s2};
  }
  const scola::far_field<double> far(f);
  const cosmology::growth g(cosmology::parameters{});
  const std::array<double, 3> origin{-7.0, 30.5, 12.25}, shift{0.7, -1.3, 2.9};
  const std::size_t cells = 11;
  const double h = 1.5;
  const scola::tile_boundary<double> boundary(far, origin, cells, h, scola::boundary_potential::lpt_expanded);
  scola::node_grid<double> phi(cells);
  phi.fill(-1e30);
  boundary.fill(phi, g, 0.6, shift);
  const double d1 = g.d1(0.6), d2 = g.d2(0.6);
  std::size_t visited = 0;
  double worst = 0;
  const long n = static_cast<long>(cells);
  for (long i = -2; i <= n + 2; ++i)
    for (long j = -2; j <= n + 2; ++j)
      for (long k = -2; k <= n + 2; ++k) {
        if (!phi.is_boundary(i, j, k)) {
          CHECK(phi(i, j, k) == -1e30);  // interior untouched
          continue;
        }
        ++visited;
        const auto v = far.at({origin[0] + shift[0] + i * h, origin[1] + shift[1] + j * h, origin[2] + shift[2] + k * h});
        const double expect = d1 * v[0] + (d2 - d1 * d1) * v[1] + d1 * d1 * v[2];
        worst = std::max(worst, std::abs(phi(i, j, k) - expect));
      }
  CHECK(visited == boundary.nodes());
  CHECK(worst < 1e-12);
}
