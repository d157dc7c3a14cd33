// SPDX-License-Identifier: BSD-3-Clause
// A softened circular binary integrated with the P3M force: the orbit must keep its radius.
//
// Four equal binaries sit at the face-centred-cubic sites of a 100 Mpc/h box (2³ = 8
// particles): by cubic symmetry the other binaries and all periodic images exert no net force
// or tide on a binary's centre, and their quadrupoles perturb it by (d/D)⁴ ≈ 1e-6. Each binary
// has separation d = 3 Mpc/h, inside the spline radius h = 2.8 ε = 4.67 Mpc/h (ε = 1/30 of the
// 50 Mpc/h spacing), and u = d/(2 r_s) = 0.38 on the 32³ mesh (r_s = 3.9 Mpc/h), so the pair
// force, the spline softening and the mesh (4 % of the force there) all act. The orbits lie in
// different planes. The circular speed comes from the measured initial acceleration along the
// separation, v² = |a_∥| d/2; a leapfrog (kick–drift–kick) in a time variable with dv/dt = acc
// and 400 steps per orbit then keeps every separation within 1e-3 of d for 10 orbits (a force
// that is not central, or not conservative, makes the radius drift or oscillate), and every
// binary's centre of mass at its site (a pair force without Newton's third law moves it).
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/force/p3m.hpp"
#include "lagframe/mesh/tsc.hpp"

using namespace lagframe;

TEST_CASE("a softened circular binary keeps its radius under the P3M force" * doctest::test_suite("physics")) {
  const box b{.side_mpc_h = 100.0, .particles_1d = 2};
  force::p3m<mesh::tsc, double> p3m(b, {.mesh = {.grid_1d = 32, .grad = force::gradient::spectral, .deconvolve = true}});
  const double d = 3.0;
  CHECK(d < p3m.kernel().spline_radius());
  CHECK(d < 2.0 * p3m.kernel().split());
  const double side = b.side_mpc_h;
  const std::array<vec3<double>, 4> centres = {vec3<double>{25, 25, 25}, {75, 75, 25}, {75, 25, 75}, {25, 75, 75}};
  // Orbit planes: spanned by (e1, e2) per binary.
  const std::array<std::array<vec3<double>, 2>, 4> planes = {
      std::array<vec3<double>, 2>{vec3<double>{1, 0, 0}, {0, 1, 0}},
      {vec3<double>{0, 1, 0}, {0, 0, 1}},
      {vec3<double>{0.6, 0.8, 0}, {0, 0, 1}},
      {vec3<double>{0, 0.6, 0.8}, {1, 0, 0}}};
  std::vector<vec3<double>> x(8), v(8), acc(8);
  for (std::size_t m = 0; m < 4; ++m)
    for (int s = 0; s < 2; ++s) {
      const double sign = s == 0 ? 1.0 : -1.0;
      for (int c = 0; c < 3; ++c) x[2 * m + s][c] = centres[m][c] + sign * 0.5 * d * planes[m][0][c];
    }
  p3m.accelerations(x, acc);
  double period = 0;
  for (std::size_t m = 0; m < 4; ++m)
    for (int s = 0; s < 2; ++s) {
      const double sign = s == 0 ? 1.0 : -1.0;
      const auto& a = acc[2 * m + s];
      const double inward = -sign * (a[0] * planes[m][0][0] + a[1] * planes[m][0][1] + a[2] * planes[m][0][2]);
      REQUIRE(inward > 0);
      const double speed = std::sqrt(inward * 0.5 * d);
      period = 2 * std::numbers::pi * 0.5 * d / speed;
      for (int c = 0; c < 3; ++c) v[2 * m + s][c] = sign * speed * planes[m][1][c];
    }
  const int steps_per_orbit = 400, orbits = 10;
  const double dt = period / steps_per_orbit;
  double worst = 0, centre_drift = 0;
  for (int step = 0; step < steps_per_orbit * orbits; ++step) {
    for (std::size_t i = 0; i < 8; ++i)
      for (int c = 0; c < 3; ++c) v[i][c] += 0.5 * dt * acc[i][c];
    for (std::size_t i = 0; i < 8; ++i)
      for (int c = 0; c < 3; ++c) x[i][c] = wrap_periodic(x[i][c] + dt * v[i][c], side);
    p3m.accelerations(x, acc);
    for (std::size_t i = 0; i < 8; ++i)
      for (int c = 0; c < 3; ++c) v[i][c] += 0.5 * dt * acc[i][c];
    for (std::size_t m = 0; m < 4; ++m) {
      double r2 = 0;
      for (int c = 0; c < 3; ++c) {
        double diff = x[2 * m][c] - x[2 * m + 1][c];
        diff -= side * std::round(diff / side);
        r2 += diff * diff;
      }
      worst = std::max(worst, std::abs(std::sqrt(r2) / d - 1.0));
      // The centre of mass stays at its FCC site (Newton's third law; no tide by symmetry).
      double c2 = 0;
      for (int c = 0; c < 3; ++c) {
        double mid = x[2 * m + 1][c] + 0.5 * (x[2 * m][c] - x[2 * m + 1][c] - side * std::round((x[2 * m][c] - x[2 * m + 1][c]) / side));
        mid -= centres[m][c];
        mid -= side * std::round(mid / side);
        c2 += mid * mid;
      }
      centre_drift = std::max(centre_drift, std::sqrt(c2));
    }
  }
  std::printf("binary: period %.4g, 10 orbits of 400 steps, largest |d/d0 - 1| = %.2e, centre drift %.2e Mpc/h\n",
              period, worst, centre_drift);
  CHECK(worst <= 1e-3);  // measured 3.5e-4
  CHECK(centre_drift <= 1e-6 * d);
}
