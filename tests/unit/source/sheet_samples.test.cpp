// SPDX-License-Identifier: BSD-3-Clause
// source::sheet_samples: an unperturbed grid gives the finer Lagrangian lattice exactly, a
// translation (across the box edge) moves every sample with it, a smooth displacement is
// reproduced to second order in the grid spacing, samples stay inside their element after shell
// crossing, r = 1 returns the tracers, the order of the samples is as documented, the result does
// not depend on the thread count, and bad input is refused.
#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/source/sheet_samples.hpp"

using namespace lagframe;

namespace {

/// The periodic distance between two coordinates.
double periodic_gap(double a, double b, double side) {
  const double d = a - b;
  return std::abs(d - side * std::round(d / side));
}

/// The Lagrangian position of sample e of cell `cell` (r³ samples per cell, documented order):
/// node (r i + a, r j + b, r k + c) of the r-times finer lattice, with e = (a r + b) r + c.
std::array<double, 3> sample_lagrangian_position(const box& b, std::size_t cell, std::size_t e, std::size_t r) {
  const auto idx = b.lagrangian_index(cell);
  const std::size_t t[3] = {e / (r * r), (e / r) % r, e % r};
  std::array<double, 3> q{};
  for (int d = 0; d < 3; ++d)
    q[d] = (static_cast<double>(idx[d]) + static_cast<double>(t[d]) / static_cast<double>(r)) * b.lagrangian_spacing();
  return q;
}

/// Tracers at x = q + Ψ(q), Ψ(q) = amplitude · (sin(k q_x + 0.3), 0.5 cos(k q_y), 0.3 sin(k(q_x + q_z)))
/// with k = 2π/L, wrapped into the box.
std::vector<vec3<double>> smooth_tracers(const box& b, double amplitude) {
  std::vector<vec3<double>> x(b.particle_count());
  for (std::size_t p = 0; p < x.size(); ++p) {
    const auto q = b.lagrangian_position<double>(p);
    const double k = 2 * std::numbers::pi / b.side_mpc_h;
    const double psi[3] = {amplitude * std::sin(k * q[0] + 0.3), 0.5 * amplitude * std::cos(k * q[1]),
                           0.3 * amplitude * std::sin(k * (q[0] + q[2]))};
    for (int d = 0; d < 3; ++d) x[p][d] = wrap_periodic(q[d] + psi[d], b.side_mpc_h);
  }
  return x;
}

/// The largest distance of the samples from the exact sheet q' + Ψ(q') of smooth_tracers.
double worst_error(const box& b, double amplitude, std::size_t r) {
  const auto x = smooth_tracers(b, amplitude);
  const auto s = source::sheet_samples<double>(x, b, r);
  const double k = 2 * std::numbers::pi / b.side_mpc_h;
  double worst = 0;
  for (std::size_t cell = 0; cell < x.size(); ++cell) {
    for (std::size_t e = 0; e < r * r * r; ++e) {
      const auto q = sample_lagrangian_position(b, cell, e, r);
      const double exact[3] = {q[0] + amplitude * std::sin(k * q[0] + 0.3), q[1] + 0.5 * amplitude * std::cos(k * q[1]),
                               q[2] + 0.3 * amplitude * std::sin(k * (q[0] + q[2]))};
      for (int d = 0; d < 3; ++d)
        worst = std::max(worst, periodic_gap(s[cell * r * r * r + e][d], exact[d], b.side_mpc_h));
    }
  }
  return worst;
}

}  // namespace

TEST_CASE("sheet samples of an unperturbed grid are the finer Lagrangian lattice" * doctest::test_suite("unit.source")) {
  const box b{.side_mpc_h = 40.0, .particles_1d = 8};
  std::vector<vec3<float>> x(b.particle_count());
  for (std::size_t p = 0; p < x.size(); ++p) x[p] = b.lagrangian_position<float>(p);
  const auto s = source::sheet_samples<float>(x, b, 3);
  REQUIRE(s.size() == 27 * x.size());
  double worst = 0;
  for (std::size_t cell = 0; cell < x.size(); ++cell)
    for (std::size_t e = 0; e < 27; ++e) {
      const auto q = sample_lagrangian_position(b, cell, e, 3);
      for (int d = 0; d < 3; ++d) worst = std::max(worst, periodic_gap(s[cell * 27 + e][d], q[d], 40.0));
    }
  CHECK(worst < 1e-5);
  // r = 1: the tracers themselves.
  CHECK(source::sheet_samples<float>(x, b, 1) == x);
}

TEST_CASE("sheet samples move with a translation across the box edge" * doctest::test_suite("unit.source")) {
  const box b{.side_mpc_h = 16.0, .particles_1d = 8};
  const double shift[3] = {7.3, -3.1, 15.9};  // most tracers wrap, some corner sets straddle the edge
  std::vector<vec3<double>> x(b.particle_count());
  for (std::size_t p = 0; p < x.size(); ++p) {
    const auto q = b.lagrangian_position<double>(p);
    for (int d = 0; d < 3; ++d) x[p][d] = wrap_periodic(q[d] + shift[d], 16.0);
  }
  const auto s = source::sheet_samples<double>(x, b, 2);
  double worst = 0;
  for (std::size_t cell = 0; cell < x.size(); ++cell)
    for (std::size_t e = 0; e < 8; ++e) {
      const auto q = sample_lagrangian_position(b, cell, e, 2);
      for (int d = 0; d < 3; ++d) {
        CHECK(s[cell * 8 + e][d] >= 0.0);
        CHECK(s[cell * 8 + e][d] < 16.0);
        worst = std::max(worst, periodic_gap(s[cell * 8 + e][d], q[d] + shift[d], 16.0));
      }
    }
  CHECK(worst < 1e-12);
}

TEST_CASE("sheet samples of a smooth displacement converge at second order" * doctest::test_suite("unit.source")) {
  // The trilinear element's error is O((k Δq)²) of the displacement: halving Δq divides it by 4
  // (measured ratios 3.9–4.0). The displacement spans several cells (amplitude 1.5 Mpc/h in
  // 32 Mpc/h), so the minimum image is exercised but nothing crosses.
  const double amplitude = 1.5;
  const double coarse = worst_error(box{.side_mpc_h = 32.0, .particles_1d = 16}, amplitude, 2);
  const double fine = worst_error(box{.side_mpc_h = 32.0, .particles_1d = 32}, amplitude, 2);
  MESSAGE("largest error: ", coarse, " Mpc/h at 16^3, ", fine, " Mpc/h at 32^3");
  CHECK(coarse > 0.0);
  CHECK(coarse < 0.05 * amplitude);
  CHECK(coarse / fine > 3.6);
  CHECK(coarse / fine < 4.4);
}

TEST_CASE("sheet samples stay inside their element after shell crossing, at any thread count" *
          doctest::test_suite("unit.source")) {
  // A plane wave past crossing (x = q + A sin(kq)/k, A = 3): along x each sample lies between
  // its two corners' positions (a convex combination of their unwrapped displacements), even
  // where the sheet has folded and the corners have swapped places.
  const box b{.side_mpc_h = 32.0, .particles_1d = 16};
  const double k = 2 * std::numbers::pi / 32.0, amplitude = 3.0;
  std::vector<vec3<double>> x(b.particle_count());
  for (std::size_t p = 0; p < x.size(); ++p) {
    auto q = b.lagrangian_position<double>(p);
    q[0] = wrap_periodic(q[0] + amplitude * std::sin(k * q[0]) / k, 32.0);
    x[p] = q;
  }
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = source::sheet_samples<double>(x, b, 4);
  omp_set_num_threads(3);
  const auto three = source::sheet_samples<double>(x, b, 4);
  omp_set_num_threads(threads);
  CHECK(one == three);
  std::size_t folded = 0;
  for (std::size_t cell = 0; cell < x.size(); ++cell) {
    const auto idx = b.lagrangian_index(cell);
    const double q0 = static_cast<double>(idx[0]) * 2.0, q1 = q0 + 2.0;
    const double x0 = q0 + amplitude * std::sin(k * q0) / k, x1 = q1 + amplitude * std::sin(k * q1) / k;
    folded += x1 < x0 ? 1 : 0;
    for (std::size_t e = 0; e < 64; ++e) {
      const double v = one[cell * 64 + e][0];
      // Unwrap v next to the element, then test the interval.
      const double lo = std::min(x0, x1), hi = std::max(x0, x1);
      const double u = v - 32.0 * std::round((v - 0.5 * (lo + hi)) / 32.0);
      CHECK(u >= lo - 1e-9);
      CHECK(u <= hi + 1e-9);
    }
  }
  CHECK(folded > 0);  // the test does cross folds
}

TEST_CASE("sheet samples refuse bad input" * doctest::test_suite("unit.source")) {
  const box b{.side_mpc_h = 10.0, .particles_1d = 4};
  std::vector<vec3<float>> x(b.particle_count());
  for (std::size_t p = 0; p < x.size(); ++p) x[p] = b.lagrangian_position<float>(p);
  CHECK_THROWS_WITH_AS((void)source::sheet_samples<float>(x, b, 0), doctest::Contains("at least 1"), config_error);
  CHECK_THROWS_WITH_AS((void)source::sheet_samples<float>(std::span<const vec3<float>>(x.data(), 63), b, 2),
                       doctest::Contains("63"), config_error);
  x[5][1] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH_AS((void)source::sheet_samples<float>(x, b, 2), doctest::Contains("tracer 5"), numerical_error);
  const box negative{.side_mpc_h = -1.0, .particles_1d = 4};
  CHECK_THROWS_AS((void)source::sheet_samples<float>(x, negative, 2), config_error);
}
