// SPDX-License-Identifier: BSD-3-Clause
// source::sheet: the band-limited resampling is exact for a band-limited displacement, the mass
// is conserved for every policy before and after shell crossing, the multi-stream criterion
// flags a plane wave exactly from its crossing on, the global switch falls back to the
// particles, the trilinear interpolant is exact for a translation and stays inside the sheet's
// element after crossing, and impossible options are refused. (Accuracy against the exact density:
// tests/physics/sheet_exactness.test.cpp.)
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <numbers>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/mesh/tsc.hpp"
#include "lagframe/source/particles.hpp"
#include "lagframe/source/sheet.hpp"

using namespace lagframe;

namespace {

const double side = 32.0;

std::array<double, 3> smooth_psi(double x, double y, double z) {
  const double k = 2 * std::numbers::pi / side;
  return {0.8 * std::sin(k * x + 0.3) + 0.5 * std::sin(k * (x + 2 * y - z) + 1.0), 0.3 * std::cos(2 * k * y),
          0.2 * std::sin(k * (z + y))};
}

/// A plane wave along x: x = q + A sin(kq)/k; A > 1 has crossed.
template <class Real>
std::vector<vec3<Real>> plane_wave(const box& b, double amplitude) {
  const double k = 2 * std::numbers::pi / b.side_mpc_h;
  std::vector<vec3<Real>> x(b.particle_count());
  for (std::size_t p = 0; p < x.size(); ++p) {
    auto q = b.lagrangian_position<double>(p);
    q[0] += amplitude * std::sin(k * q[0] + 0.1) / k;
    for (int c = 0; c < 3; ++c) x[p][c] = static_cast<Real>(wrap_periodic(q[c], b.side_mpc_h));
  }
  return x;
}

}  // namespace

TEST_CASE("the band-limited resampling reproduces a band-limited sheet" * doctest::test_suite("unit.source")) {
  const box b{.side_mpc_h = side, .particles_1d = 8};
  std::vector<vec3<double>> x(b.particle_count());
  for (std::size_t p = 0; p < x.size(); ++p) {
    const auto q = b.lagrangian_position<double>(p);
    const auto s = smooth_psi(q[0], q[1], q[2]);
    for (int c = 0; c < 3; ++c) x[p][c] = wrap_periodic(q[c] + s[c], side);
  }
  source::sheet::depositor<mesh::cic, double> d(b, {});
  for (const std::array<double, 3> shift : {std::array<double, 3>{0.5, 0.25, 0.75}, std::array<double, 3>{0.0, 0.5, 0.0}}) {
    const auto& s = d.sheet_at(x, shift);
    double worst = 0;
    for (std::size_t p = 0; p < x.size(); ++p) {
      const auto q = b.lagrangian_position<double>(p);
      double qs[3];
      for (int c = 0; c < 3; ++c) qs[c] = q[c] + shift[c] * b.lagrangian_spacing();
      const auto ps = smooth_psi(qs[0], qs[1], qs[2]);
      for (int c = 0; c < 3; ++c) {
        double e = wrap_periodic(qs[c] + ps[c], side) - s[p][c];
        e -= side * std::round(e / side);
        worst = std::max(worst, std::abs(e));
      }
    }
    CHECK(worst < 1e-12);
  }
}

TEST_CASE("the sheet conserves mass for every policy, before and after crossing" * doctest::test_suite("unit.source")) {
  const box b{.side_mpc_h = side, .particles_1d = 8};
  for (const double amplitude : {0.5, 3.0}) {
    const auto x = plane_wave<float>(b, amplitude);
    for (const auto policy : {source::multistream_policy::blend, source::multistream_policy::global_switch,
                              source::multistream_policy::sheet_everywhere}) {
      for (const std::size_t n : {1, 2, 3}) {
        for (const auto interpolant : {source::sheet_interpolant::fourier, source::sheet_interpolant::trilinear}) {
          source::sheet::depositor<mesh::tsc, float> d(b, {.resample = n, .policy = policy, .interpolant = interpolant});
          real_field<float> grid(16, side);
          grid.fill(0.0f);
          d.deposit(x, 1.0f, grid, {0, 0, 0});
          CHECK(grid.sum() == doctest::Approx(static_cast<double>(b.particle_count())).epsilon(1e-6));
        }
      }
    }
  }
}

TEST_CASE("the trilinear sheet: exact for a translation, second order along a wave, inside its element when folded" *
          doctest::test_suite("unit.source")) {
  const box b{.side_mpc_h = side, .particles_1d = 16};
  const double dq = b.lagrangian_spacing();
  const auto distance = [](double a, double c) {
    double e = a - c;
    return std::abs(e - side * std::round(e / side));
  };
  source::sheet::depositor<mesh::tsc, double> d(b, {.interpolant = source::sheet_interpolant::trilinear});
  const std::array<double, 3> shift{0.5, 0.25, 0.75};

  // A translation across the periodic boundary: every sample is q + dΔq + c.
  std::vector<vec3<double>> x(b.particle_count());
  const double c[3] = {5.3, -7.9, 31.2};
  for (std::size_t p = 0; p < x.size(); ++p) {
    const auto q = b.lagrangian_position<double>(p);
    for (int a = 0; a < 3; ++a) x[p][a] = wrap_periodic(q[a] + c[a], side);
  }
  double worst = 0;
  const auto& moved = d.sheet_at(x, shift);
  for (std::size_t p = 0; p < x.size(); ++p) {
    const auto q = b.lagrangian_position<double>(p);
    for (int a = 0; a < 3; ++a) worst = std::max(worst, distance(moved[p][a], q[a] + shift[a] * dq + c[a]));
  }
  CHECK(worst < 1e-12);

  // A plane wave x = q + A sin(kq + 0.1)/k before crossing (A = 0.5): along y and z the sheet
  // is exact; along x the linear interpolant's error is at most (t(1 − t)/2) Δq² max|x''| =
  // Δq² A k / 8 at t = ½, and it is not exact (it is an interpolant, not the band-limited one).
  // After crossing (A = 3) each sample lies between its two x-neighbours: inside the element.
  for (const double amplitude : {0.5, 3.0}) {
    const auto wave = plane_wave<double>(b, amplitude);
    const double k = 2 * std::numbers::pi / side;
    const auto& s = d.sheet_at(wave, shift);
    double worst_x = 0, worst_yz = 0;
    std::size_t outside = 0;
    for (std::size_t p = 0; p < wave.size(); ++p) {
      const auto q = b.lagrangian_position<double>(p);
      const double qx = q[0] + shift[0] * dq;
      worst_x = std::max(worst_x, distance(s[p][0], qx + amplitude * std::sin(k * qx + 0.1) / k));
      for (int a = 1; a < 3; ++a) worst_yz = std::max(worst_yz, distance(s[p][a], q[a] + shift[a] * dq));
      // The two x-neighbours (i, i + 1) of the sample, unwrapped around the sample.
      const std::size_t n = b.particles_1d, i = p / (n * n), next = (((i + 1) % n) * n * n) + p % (n * n);
      double lo = wave[p][0] - s[p][0], hi = wave[next][0] - s[p][0];
      lo -= side * std::round(lo / side);
      hi -= side * std::round(hi / side);
      if (0.0 < std::min(lo, hi) - 1e-12 || 0.0 > std::max(lo, hi) + 1e-12) ++outside;
    }
    CHECK(worst_yz < 1e-12);
    CHECK(outside == 0);
    if (amplitude < 1) {
      CHECK(worst_x <= dq * dq * amplitude * k / 8 * (1 + 1e-9));
      CHECK(worst_x > 1e-3 * dq * dq * amplitude * k / 8);
    }
  }
}

TEST_CASE("multi-stream flags and the global switch" * doctest::test_suite("unit.source")) {
  const box b{.side_mpc_h = side, .particles_1d = 16};
  real_field<float> grid(16, side);
  {
    source::sheet::depositor<mesh::tsc, float> d(b, {});
    grid.fill(0.0f);
    d.deposit(plane_wave<float>(b, 0.9), 1.0f, grid, {0, 0, 0});  // before crossing
    CHECK(d.multistream_fraction() == 0.0);
    CHECK(d.used_sheet());
    grid.fill(0.0f);
    d.deposit(plane_wave<float>(b, 2.0), 1.0f, grid, {0, 0, 0});  // after: a fold around the caustic
    CHECK(d.multistream_fraction() > 0.05);
    CHECK(d.multistream_fraction() < 0.95);
    // The flagged particles are those whose planes fold over their neighbours': the central
    // difference of x across them is ≤ 0.
    const auto flags = d.multistream_flags();
    const double k = 2 * std::numbers::pi / side, dq = b.lagrangian_spacing();
    for (std::size_t i = 0; i < 16; ++i) {
      const auto crossed = [&](long plane) {
        const double q = dq * static_cast<double>((plane + 16) % 16);
        // The central-difference Jacobian of the plane: [x(q + Δq) − x(q − Δq)] / 2Δq.
        const double xp = q + dq + 2.0 * std::sin(k * (q + dq) + 0.1) / k, xm = q - dq + 2.0 * std::sin(k * (q - dq) + 0.1) / k;
        return (xp - xm) / (2 * dq) <= 0.0;
      };
      const bool expected = crossed(long(i));
      CHECK(static_cast<bool>(flags[i * 256]) == expected);
    }
  }
  {
    source::sheet::depositor<mesh::tsc, float> d(b, {.policy = source::multistream_policy::global_switch,
                                                     .switch_threshold = 0.01});
    grid.fill(0.0f);
    d.deposit(plane_wave<float>(b, 2.0), 1.0f, grid, {0, 0, 0});
    CHECK_FALSE(d.used_sheet());  // past the threshold: the particles
    real_field<float> particles(16, side);
    particles.fill(0.0f);
    source::particles::depositor<mesh::tsc, float>(b, {}).deposit(plane_wave<float>(b, 2.0), 1.0f, particles, {0, 0, 0});
    for (std::size_t i = 0; i < 16; ++i) CHECK(grid(i, 3, 5) == particles(i, 3, 5));
  }
}

TEST_CASE("sheet source: impossible options and inputs are refused" * doctest::test_suite("unit.source")) {
  const box b{.side_mpc_h = side, .particles_1d = 8};
  using sheet_t = source::sheet::depositor<mesh::cic, float>;
  CHECK_THROWS_WITH_AS(sheet_t(b, {.resample = 0}), doctest::Contains("source_options.resample"), config_error);
  CHECK_THROWS_AS(sheet_t(b, {.switch_threshold = 1.5}), config_error);
  sheet_t d(b, {});
  real_field<float> grid(8, side);
  const std::vector<vec3<float>> too_few(100, vec3<float>{1, 1, 1});
  CHECK_THROWS_WITH_AS(d.deposit(too_few, 1.0f, grid, {0, 0, 0}), doctest::Contains("one per particle"), config_error);
}
