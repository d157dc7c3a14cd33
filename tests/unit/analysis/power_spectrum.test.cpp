// SPDX-License-Identifier: BSD-3-Clause
// analysis::power_spectrum / density_modes / cross_power / transfer: exact binning of known
// modes, Poisson shot noise (with and without the aliasing correction and interlacing), the
// amplitude of a deconvolved plane wave, self cross-correlation, option validation; modes
// computed in a force's borrowed work meshes equal those of density_modes.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <span>
#include <vector>

#include "lagframe/analysis/cross_power.hpp"
#include "lagframe/analysis/power_spectrum.hpp"
#include "lagframe/core/box.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/force/particle_mesh.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/mesh/tsc.hpp"

using namespace lagframe;

namespace {

std::vector<vec3<double>> poisson_particles(std::size_t count, double side, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, side);
  std::vector<vec3<double>> x(count);
  for (auto& p : x) p = {wrap_periodic(u(rng), side), wrap_periodic(u(rng), side), wrap_periodic(u(rng), side)};
  return x;
}

}  // namespace

TEST_CASE("known modes land in the right bin with the right weight" * doctest::test_suite("unit.analysis")) {
  // δ(x) = A cos(2π n·x/L), n = (2, 1, 0), on a 16³ grid: δ_k = A V/2 at ±n, so each of those
  // two wavevectors has |δ_k|²/V = A²V/4 and the bin [1.5, 2.5)k_f averages it over all M
  // wavevectors in the shell (counted here by brute force): P = (A²V/4)·2/M, modes = M/2.
  const std::size_t n = 16;
  const double side = 50.0, amp = 0.3;
  real_field<double> f(n, side);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k)
        f(i, j, k) = amp * std::cos(2.0 * std::numbers::pi * (2.0 * i + 1.0 * j) / static_cast<double>(n));
  fft::r2c_plan<double>(n).forward(f);
  const analysis::spectrum_options opt{.grid_1d = n};
  const auto p = analysis::power_spectrum_of_modes(f, opt);
  const double kf = 2.0 * std::numbers::pi / side;
  REQUIRE(p.k.size() == n / 2);  // bins centred at 1..8 k_f
  double total_vectors = 0;
  for (std::size_t b = 0; b < p.k.size(); ++b) {
    // Brute-force count and mean |k| of the integer vectors with |m| in [b + ½, b + 3/2).
    double count = 0, ksum = 0;
    const int h = static_cast<int>(n / 2);
    for (int x = -h; x < h; ++x)
      for (int y = -h; y < h; ++y)
        for (int z = -h; z < h; ++z) {
          const double m = std::sqrt(double(x * x + y * y + z * z));
          if (m >= b + 0.5 && m < b + 1.5) count += 1, ksum += m * kf;
        }
    total_vectors += count;
    CAPTURE(b);
    CHECK(p.modes[b] == doctest::Approx(count / 2).epsilon(1e-12));
    CHECK(p.k[b] == doctest::Approx(ksum / count).epsilon(1e-12));
    const double expected = b == 1 ? amp * amp * side * side * side / 4.0 * 2.0 / count : 0.0;
    CHECK(p.power[b] == doctest::Approx(expected).epsilon(1e-10).scale(1e-6));
  }
  CHECK(total_vectors > 0);
}

TEST_CASE_TEMPLATE("Poisson particles: P = 1/n̄ before and 0 after shot-noise subtraction" *
                       doctest::test_suite("unit.analysis"),
                   A, mesh::cic, mesh::tsc) {
  // 30000 random particles, 32³ mesh, deconvolved. Per bin, P̂ of a Poisson set has relative
  // scatter 1/√modes; tolerance 5/√modes per bin. Raw P·n̄ ≈ C₁/W² ≈ 1 below k_N/2 (within
  // 1.5 % there); after subtracting the aliased shot noise it is ≈ 0 at all k up to k_N, also
  // with interlacing (even-image shot noise), and over all bins together to 4/√(Σ modes).
  const double side = 100.0;
  const std::size_t np = 30000;
  const double nbar = static_cast<double>(np) / (side * side * side);
  const auto x = poisson_particles(np, side, 99);
  const double k_nyq = std::numbers::pi * 32 / side;
  for (const bool interlacing : {false, true}) {
    CAPTURE(interlacing);
    const auto raw = analysis::power_spectrum<A>(std::span<const vec3<double>>(x), side,
                                                 analysis::spectrum_options{.grid_1d = 32, .interlacing = interlacing});
    for (std::size_t b = 0; b < raw.k.size(); ++b) {
      if (raw.k[b] > 0.5 * k_nyq) continue;
      CAPTURE(raw.k[b]);
      CHECK(std::abs(raw.power[b] * nbar - 1.0) < 5.0 / std::sqrt(raw.modes[b]) + 0.015);
    }
    const auto sub = analysis::power_spectrum<A>(
        std::span<const vec3<double>>(x), side,
        analysis::spectrum_options{.grid_1d = 32, .interlacing = interlacing, .subtract_shot_noise = true});
    double weighted = 0, modes = 0;
    for (std::size_t b = 0; b < sub.k.size(); ++b) {
      CAPTURE(sub.k[b]);
      CHECK(std::abs(sub.power[b] * nbar) < 5.0 / std::sqrt(sub.modes[b]));
      weighted += sub.power[b] * nbar * sub.modes[b];
      modes += sub.modes[b];
    }
    CHECK(std::abs(weighted / modes) < 4.0 / std::sqrt(modes));
  }
}

TEST_CASE("interlacing removes most of the aliased shot noise near Nyquist" * doctest::test_suite("unit.analysis")) {
  // Raw (unsubtracted) deconvolved P·n̄ of a Poisson set is C₁/W², ≈ 2 at the axis Nyquist for
  // CIC; interlacing keeps only even images and brings it back towards 1. Compared over bins
  // above 0.7 k_N: the mean |P n̄ − 1| must drop by at least a factor 2.
  const double side = 100.0;
  const std::size_t np = 30000;
  const double nbar = static_cast<double>(np) / (side * side * side);
  const auto x = poisson_particles(np, side, 5);
  const double k_nyq = std::numbers::pi * 32 / side;
  double deviation[2] = {0, 0};
  for (const bool interlacing : {false, true}) {
    const auto p = analysis::power_spectrum<mesh::cic>(std::span<const vec3<double>>(x), side,
                                                       analysis::spectrum_options{.grid_1d = 32, .interlacing = interlacing});
    int bins = 0;
    for (std::size_t b = 0; b < p.k.size(); ++b) {
      if (p.k[b] < 0.7 * k_nyq) continue;
      deviation[interlacing] += std::abs(p.power[b] * nbar - 1.0);
      ++bins;
    }
    deviation[interlacing] /= bins;
  }
  CHECK(deviation[1] < 0.5 * deviation[0]);
}

TEST_CASE("deconvolved modes of a plane-wave lattice have the Zel'dovich amplitude" *
          doctest::test_suite("unit.analysis")) {
  // 16³ lattice displaced by x = q + A sin(kq)/k (k = k_f, A = 0.1) on a 32³ CIC mesh. Exactly,
  // δ(x) = Σ_m 2(−1)^m J_m(mA) cos(mkx), so the k_f coefficient of δ is −J₁(A): the unnormalised
  // mode (1,0,0) must be N_g³·(−J₁(A)), real (origin phase removed). Tolerance 1e-3 relative
  // with interlacing (residual even-image aliasing of the lattice ≈ 5e-4); without
  // deconvolution the CIC window sinc²(π/32) = 0.9968 must show up as an error > 2e-3.
  const box b{.side_mpc_h = 100.0, .particles_1d = 16};
  const double amp = 0.1, k = 2.0 * std::numbers::pi / b.side_mpc_h;
  std::vector<vec3<double>> x(b.particle_count());
  for (std::size_t i = 0; i < x.size(); ++i) {
    auto q = b.lagrangian_position<double>(i);
    q[0] = wrap_periodic(q[0] + amp * std::sin(k * q[0]) / k, b.side_mpc_h);
    x[i] = q;
  }
  const double expected = -std::pow(32.0, 3) * std::cyl_bessel_j(1.0, amp);
  const auto on = analysis::density_modes<mesh::cic>(std::span<const vec3<double>>(x), b.side_mpc_h,
                                                     analysis::spectrum_options{.grid_1d = 32, .interlacing = true});
  CHECK(std::abs(on.mode(1, 0, 0).real() / expected - 1.0) < 1e-3);
  CHECK(std::abs(on.mode(1, 0, 0).imag() / expected) < 1e-6);
  CHECK(std::abs(on.mode(0, 1, 0)) < 1e-6 * std::abs(expected));
  const auto off = analysis::density_modes<mesh::cic>(
      std::span<const vec3<double>>(x), b.side_mpc_h,
      analysis::spectrum_options{.grid_1d = 32, .interlacing = true, .deconvolve = false});
  CHECK(std::abs(off.mode(1, 0, 0).real() / expected - 1.0) > 2e-3);
  // The shell-averaged power in the first bin, |m| in [½, 3/2): the two wavevectors ±k_f x̂
  // out of the 18 there (6 with |m| = 1, 12 with |m| = √2), i.e. 9 modes.
  const auto p = analysis::power_spectrum<mesh::cic>(std::span<const vec3<double>>(x), b.side_mpc_h,
                                                     analysis::spectrum_options{.grid_1d = 32, .interlacing = true});
  const double volume = std::pow(b.side_mpc_h, 3);
  const double j1 = std::cyl_bessel_j(1.0, amp);
  CHECK(p.power[0] == doctest::Approx(volume * j1 * j1 * 2.0 / 18.0).epsilon(2e-3));
  CHECK(p.modes[0] == doctest::Approx(9.0));
}

TEST_CASE("cross power of a set with itself has r = 1" * doctest::test_suite("unit.analysis")) {
  const double side = 80.0;
  const auto x = poisson_particles(5000, side, 17);
  const auto y = poisson_particles(5000, side, 18);
  const analysis::spectrum_options opt{.grid_1d = 16, .interlacing = true};
  const auto c = analysis::cross_power<mesh::cic>(std::span<const vec3<double>>(x), std::span<const vec3<double>>(x), side, opt);
  const auto p = analysis::power_spectrum<mesh::cic>(std::span<const vec3<double>>(x), side, opt);
  REQUIRE(c.k.size() == p.k.size());
  for (std::size_t b = 0; b < c.k.size(); ++b) {
    CHECK(c.r[b] == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(c.p_ab[b] == doctest::Approx(p.power[b]).epsilon(1e-12));
    CHECK(c.p_a[b] == doctest::Approx(p.power[b]).epsilon(1e-12));
    CHECK(c.modes[b] == p.modes[b]);
  }
  // Two independent Poisson sets are uncorrelated: |r| ≲ 1/√modes.
  const auto u = analysis::cross_power<mesh::cic>(std::span<const vec3<double>>(x), std::span<const vec3<double>>(y), side, opt);
  for (std::size_t b = 0; b < u.k.size(); ++b) CHECK(std::abs(u.r[b]) < 5.0 / std::sqrt(u.modes[b]));
}

TEST_CASE("transfer function and option validation" * doctest::test_suite("unit.analysis")) {
  const analysis::power_spectrum_result ref{{0.1, 0.2}, {4.0, 9.0}, {3.0, 9.0}};
  const analysis::power_spectrum_result test{{0.1, 0.2}, {1.0, 36.0}, {3.0, 9.0}};
  const auto t = analysis::transfer(test, ref);
  CHECK(t[0] == doctest::Approx(0.5));
  CHECK(t[1] == doctest::Approx(2.0));
  CHECK_THROWS_AS((void)analysis::transfer(analysis::power_spectrum_result{{0.1}, {1.0}, {3.0}}, ref), config_error);
  CHECK_THROWS_AS((void)analysis::transfer(analysis::power_spectrum_result{{0.1, 0.25}, {1.0, 1.0}, {3.0, 9.0}}, ref),
                  config_error);
  CHECK_THROWS_AS((void)analysis::transfer(analysis::power_spectrum_result{{0.1, 0.2}, {-1.0, 1.0}, {3.0, 9.0}}, ref),
                  numerical_error);

  CHECK_THROWS_WITH_AS(analysis::spectrum_options{}.validate(), doctest::Contains("grid_1d = 0"), config_error);
  CHECK_THROWS_WITH_AS((analysis::spectrum_options{.grid_1d = 8, .dk = -1}.validate()), doctest::Contains("dk = -1"),
                       config_error);
  CHECK_THROWS_WITH_AS((analysis::spectrum_options{.grid_1d = 8, .k_max = std::nan("")}.validate()),
                       doctest::Contains("k_max"), config_error);
  const auto x = poisson_particles(100, 10.0, 1);
  const std::span<const vec3<double>> xs(x);
  CHECK_THROWS_WITH_AS((void)analysis::power_spectrum<mesh::cic>(xs, 10.0, analysis::spectrum_options{.grid_1d = 8, .dk = 1.0, .k_max = 0.5}),
                       doctest::Contains("k_max = 0.5"), config_error);
  CHECK_THROWS_AS((void)analysis::power_spectrum<mesh::cic>(xs, -1.0, analysis::spectrum_options{.grid_1d = 8}), config_error);
  const auto modes = analysis::density_modes<mesh::cic>(xs, 10.0, analysis::spectrum_options{.grid_1d = 8});
  CHECK_THROWS_WITH_AS((void)analysis::power_spectrum_of_modes<mesh::cic>(modes, analysis::spectrum_options{.grid_1d = 8, .subtract_shot_noise = true}),
                       doctest::Contains("shot_noise_nbar = 0"), config_error);
  CHECK_THROWS_AS((void)analysis::power_spectrum_of_modes(modes, analysis::spectrum_options{.grid_1d = 16}), config_error);
}

TEST_CASE_TEMPLATE("density modes in a force's work meshes: the same modes, the same next force" *
                       doctest::test_suite("unit.analysis"),
                   A, mesh::cic, mesh::tsc) {
  // The runner measures P(k) in the force's two meshes between force evaluations: the modes
  // must be bitwise those of density_modes (whatever the meshes held before), and the force
  // evaluated afterwards bitwise the one before.
  const double side = 40.0;
  const box b{.side_mpc_h = side, .particles_1d = 12};
  const auto xd = poisson_particles(b.particle_count(), side, 7);
  std::vector<vec3<float>> x(xd.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    for (int d = 0; d < 3; ++d) x[i][d] = static_cast<float>(xd[i][d]);
  const std::span<const vec3<float>> xs(x);
  force::particle_mesh<A, float> pm(b, force::pm_options{.grid_1d = 24, .interlace = true});
  std::vector<vec3<float>> before(x.size()), after(x.size());
  pm.accelerations(xs, before);
  for (const bool interlacing : {false, true}) {
    const analysis::spectrum_options opt{.grid_1d = 24, .interlacing = interlacing};
    const auto own = analysis::density_modes<A>(xs, side, opt);
    pm.work_mesh(0).fill(std::nanf(""));
    pm.work_mesh(1).fill(std::nanf(""));
    const fft::r2c_plan<float> plan(24, fft::planning::estimate);
    analysis::density_modes_into<A>(xs, opt, pm.work_mesh(0), &pm.work_mesh(1), pm.deposit_workspace(), plan);
    const auto& lent = pm.work_mesh(0);
    bool same = true;
    for (std::size_t k = 0; k < own.storage().size(); ++k) same = same && own.storage()[k] == lent.storage()[k];
    CHECK(same);
    pm.accelerations(xs, after);
    bool unchanged = true;
    for (std::size_t i = 0; i < x.size(); ++i)
      for (int d = 0; d < 3; ++d) unchanged = unchanged && before[i][d] == after[i][d];
    CHECK(unchanged);
  }
  const fft::r2c_plan<float> wrong(16, fft::planning::estimate);
  CHECK_THROWS_WITH_AS(analysis::density_modes_into<A>(xs, analysis::spectrum_options{.grid_1d = 24}, pm.work_mesh(0), static_cast<real_field<float>*>(nullptr),
                                                       pm.deposit_workspace(), wrong),
                       doctest::Contains("mesh size"), config_error);
  CHECK_THROWS_WITH_AS(analysis::density_modes_into<A>(xs, analysis::spectrum_options{.grid_1d = 24, .interlacing = true},
                                                       pm.work_mesh(0), static_cast<real_field<float>*>(nullptr), pm.deposit_workspace(), fft::r2c_plan<float>(24)),
                       doctest::Contains("second mesh"), config_error);
}
