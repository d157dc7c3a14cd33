// SPDX-License-Identifier: BSD-3-Clause
// force::p3m and its parts: the short-range kernel (fit accuracy, force = −dφ/dr, softening
// continuity), the float SIMD kernel against the double reference, the chaining-mesh pair sum
// against an O(N²) minimum-image sum of the same kernel, momentum conservation and thread-count
// independence, and the errors for impossible options.
#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/force/concepts.hpp"
#include "lagframe/force/p3m.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/mesh/tsc.hpp"
#include "lagframe/source/sheet.hpp"

using namespace lagframe;

static_assert(force::force_policy<force::p3m<mesh::cic, float>>);
static_assert(force::provides_potential<force::p3m<mesh::tsc, double>>);

namespace {

/// n points: a uniform background and, with `clustered`, a third of them in five compact
/// Gaussian clumps (some straddling the periodic boundary).
template <class Real>
std::vector<vec3<Real>> test_points(std::size_t n, double side, bool clustered, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, side);
  std::normal_distribution<double> g(0.0, 0.01 * side);
  std::vector<vec3<Real>> x(n);
  const std::size_t in_clumps = clustered ? n / 3 : 0;
  std::vector<vec3<double>> centres = {{0.3 * side, 0.5 * side, 0.5 * side}, {0.995 * side, 0.2 * side, 0.7 * side},
                                       {0.5 * side, 0.002 * side, 0.5 * side}, {0.8 * side, 0.8 * side, 0.999 * side},
                                       {0.1 * side, 0.9 * side, 0.3 * side}};
  for (std::size_t i = 0; i < n; ++i) {
    for (int d = 0; d < 3; ++d) {
      const double v = i < in_clumps ? centres[i % centres.size()][d] + g(rng) : u(rng);
      x[i][d] = static_cast<Real>(wrap_periodic(v, side));
    }
  }
  return x;
}

double norm(const vec3<double>& v) { return std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]); }

}  // namespace

TEST_CASE("short-range kernel: fit, derivative of the potential, softening" * doctest::test_suite("unit.force")) {
  for (const double cut : {2.0, 4.5, 7.0, 10.0}) {
    const force::short_range_kernel k(1.5, cut * 1.5, 0.1);
    CHECK(k.fit_error() <= force::short_range_kernel::fit_tolerance);
    CHECK(k.coefficients().size() <= 16);
    double worst = 0;
    for (int s = 1; s < 2000; ++s) {
      const double r = k.cutoff() * s / 2000.0;
      const double u = r / (2.0 * k.split());
      const double fitted = std::exp(-u * u) * k.fit(u);
      worst = std::max(worst, std::abs(fitted / force::short_range_kernel::split_fraction(u) - 1.0));
    }
    CHECK(worst <= 3e-7);
  }
  const force::short_range_kernel k(1.25, 4.5 * 1.25, 0.2);
  CHECK(k.spline_radius() == doctest::Approx(0.56));
  // K(r) r = dφ/dr (the acceleration K (x_j − x_i) points down the potential), across the spline pieces (q < ½, ½ ≤ q < 1) and beyond h.
  for (const double r : {0.05, 0.2, 0.27, 0.29, 0.4, 0.55, 0.57, 1.0, 2.5, 5.0}) {
    const double step = 1e-6;
    const double derivative = (k.potential(r + step) - k.potential(r - step)) / (2 * step);
    CHECK(k.force_factor(r) * r == doctest::Approx(derivative).epsilon(1e-7));
  }
  // Continuity at h and at q = ½; Newtonian limit of the spline beyond h; the cut.
  for (const double r : {0.28, 0.56}) {
    CHECK(k.force_factor(r * (1 - 1e-12)) == doctest::Approx(k.force_factor(r * (1 + 1e-12))).epsilon(1e-9));
    CHECK(k.potential(r * (1 - 1e-12)) == doctest::Approx(k.potential(r * (1 + 1e-12))).epsilon(1e-9));
  }
  CHECK(force::short_range_kernel::spline_force_factor(1.0, 0.5) == 1.0);
  CHECK(k.force_factor(k.cutoff()) == 0.0);
  CHECK(k.potential(0.0) == doctest::Approx(-(2.8 / 0.56 - 1.0 / (std::sqrt(std::numbers::pi) * 1.25))));
  // S(r_cut) = 1.75 % at the default cut (the truncation the docs quote).
  CHECK(force::short_range_kernel::split_fraction(2.25) == doctest::Approx(0.01750).epsilon(1e-3));
}

TEST_CASE("short-range kernel: impossible parameters are refused" * doctest::test_suite("unit.force")) {
  CHECK_THROWS_AS(force::short_range_kernel(0.0, 1.0, 0.0), config_error);
  CHECK_THROWS_AS(force::short_range_kernel(-1.0, 1.0, 0.0), config_error);
  CHECK_THROWS_WITH_AS(force::short_range_kernel(1.0, 1.5, 0.0), doctest::Contains("r_cut"), config_error);
  CHECK_THROWS_WITH_AS(force::short_range_kernel(1.0, 4.5, -0.1), doctest::Contains("epsilon"), config_error);
  CHECK_THROWS_WITH_AS(force::short_range_kernel(1.0, 4.5, 1.5), doctest::Contains("at most r_s"), config_error);
  const box b{.side_mpc_h = 100.0, .particles_1d = 8};
  using p3m_t = force::p3m<mesh::cic, float>;
  CHECK_THROWS_WITH_AS(p3m_t(b, {.mesh = {.grid_1d = 16}, .split_cells = 0.0}), doctest::Contains("split_cells"),
                       config_error);
  CHECK_THROWS_WITH_AS(p3m_t(b, {.mesh = {.grid_1d = 16}, .cutoff_split = 1.5}), doctest::Contains("cutoff_split"),
                       config_error);
  CHECK_THROWS_WITH_AS(p3m_t(b, {.mesh = {.grid_1d = 16}, .softening_spacing = -1.0}),
                       doctest::Contains("softening_spacing"), config_error);
  // ε = 1 spacing = 12.5 Mpc/h > r_s = 1.25 · 6.25 Mpc/h.
  CHECK_THROWS_WITH_AS(p3m_t(b, {.mesh = {.grid_1d = 16}, .softening_spacing = 1.0}), doctest::Contains("epsilon"),
                       config_error);
  // r_cut = 4.5 · 1.25 · 25 = 140 Mpc/h > 2L/5: the mesh is too coarse for the box.
  CHECK_THROWS_WITH_AS(p3m_t(b, {.mesh = {.grid_1d = 4}}), doctest::Contains("too small for the pair search"),
                       config_error);
  CHECK_THROWS_AS(p3m_t(b, {.mesh = {.grid_1d = 16, .greens = force::greens_function::optimal}}), config_error);
}

TEST_CASE_TEMPLATE("pair kernel of the fast path against the double reference" * doctest::test_suite("unit.force"),
                   Real, float, double) {
  const force::short_range_kernel k(1.25, 4.5 * 1.25, 0.1);
  const force::detail::pair_kernel<Real> fast(k);
  double worst = 0;
  for (int s = 1; s < 5000; ++s) {
    const double r = k.cutoff() * s / 5000.0;
    const double ref = k.force_factor(r);
    const auto r2 = static_cast<Real>(r * r);
    const double exact_r = std::sqrt(static_cast<double>(r2));  // the radius the fast path sees
    worst = std::max(worst, std::abs(static_cast<double>(fast.factor(r2)) / k.force_factor(exact_r) - 1.0));
    (void)ref;
  }
  // The batch path: one j per run, its accumulator holds −K(r) r.
  const int samples = 4999;
  std::vector<Real> xs(samples + 64, Real(1e15)), zeros(samples + 64, Real(0)), ax(samples + 64, Real(0)),
      ay(samples + 64, Real(0)), az(samples + 64, Real(0));
  double worst_batch = 0;
  for (int s = 0; s < samples; ++s) xs[static_cast<std::size_t>(s)] = static_cast<Real>(k.cutoff() * (s + 1) / 5000.0);
  for (int s = 0; s < samples; ++s) {
    const auto j = static_cast<std::size_t>(s);
    typename force::detail::pair_kernel<Real>::batch fx(Real(0)), fy(Real(0)), fz(Real(0));
    std::size_t pairs = 0;
    fast.run(xs.data(), zeros.data(), zeros.data(), ax.data(), ay.data(), az.data(), j, j + 1, Real(0), Real(0),
             Real(0), fx, fy, fz, pairs);
    const double r = static_cast<double>(xs[j]);
    const double k_batch = -static_cast<double>(ax[j]) / r;
    CHECK(pairs == 1);
    worst_batch = std::max(worst_batch, std::abs(k_batch / k.force_factor(r) - 1.0));
  }
  MESSAGE("largest relative error of the " << std::string(sizeof(Real) == 4 ? "float" : "double")
                                           << " pair kernel: " << worst << " (scalar), " << worst_batch << " (batches)");
  CHECK(worst <= (sizeof(Real) == 4 ? 1e-5 : 5e-7));  // measured 4.6e-6 (float), 3.5e-8 (double)
  CHECK(worst_batch <= (sizeof(Real) == 4 ? 1e-5 : 5e-7));  // the required bound is 1e-4
  CHECK(fast.factor(static_cast<Real>(k.cutoff() * k.cutoff())) == Real(0));
  CHECK(fast.factor(Real(0)) == Real(0));
}

TEST_CASE("chaining-mesh pair sum equals the O(N^2) minimum-image sum" * doctest::test_suite("unit.force")) {
  // 10⁴ particles (double), uniform and clustered, one particle per periodic image at most:
  // the brute-force sum of the same fitted kernel over all pairs with the nearest image.
  const box b{.side_mpc_h = 40.0, .particles_1d = 22};  // 10648 particles
  force::p3m<mesh::cic, double> p3m(b, {.mesh = {.grid_1d = 32}, .softening_spacing = 0.05});
  const force::detail::pair_kernel<double> fast(p3m.kernel());
  const double coupling = b.volume() / (4.0 * std::numbers::pi * static_cast<double>(b.particle_count()));
  for (const bool clustered : {false, true}) {
    const auto x = test_points<double>(b.particle_count(), b.side_mpc_h, clustered, clustered ? 5 : 4);
    std::vector<vec3<double>> acc(x.size());
    p3m.short_range_accelerations(x, acc, false);
    std::vector<vec3<double>> ref(x.size(), vec3<double>{0, 0, 0});
    std::size_t pairs = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
      for (std::size_t j = i + 1; j < x.size(); ++j) {
        vec3<double> d;
        for (int c = 0; c < 3; ++c) {
          d[c] = x[j][c] - x[i][c];
          d[c] -= b.side_mpc_h * std::round(d[c] / b.side_mpc_h);
        }
        const double f = fast.factor(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        if (f == 0.0) continue;
        ++pairs;
        for (int c = 0; c < 3; ++c) {
          ref[i][c] += coupling * f * d[c];
          ref[j][c] -= coupling * f * d[c];
        }
      }
    double worst = 0, scale = 0;
    for (std::size_t i = 0; i < x.size(); ++i) scale = std::max(scale, norm(ref[i]));
    for (std::size_t i = 0; i < x.size(); ++i) {
      const vec3<double> diff{acc[i][0] - ref[i][0], acc[i][1] - ref[i][1], acc[i][2] - ref[i][2]};
      worst = std::max(worst, norm(diff) / std::max(norm(ref[i]), 1e-3 * scale));
    }
    MESSAGE(std::string(clustered ? "clustered" : "uniform") << ": " << pairs << " pairs, largest relative difference " << worst);
    CHECK(p3m.last_pair_count() == pairs);
    CHECK(worst <= 1e-10);
  }
}

TEST_CASE("p3m conserves momentum and does not depend on the thread count" * doctest::test_suite("unit.force")) {
  const box b{.side_mpc_h = 64.0, .particles_1d = 24};
  force::p3m<mesh::cic, float> p3m(b, {.mesh = {.grid_1d = 48}});
  const auto x = test_points<float>(b.particle_count(), b.side_mpc_h, true, 9);
  const int threads = omp_get_max_threads();
  std::vector<std::vector<vec3<float>>> results;
  for (const int t : {1, 2, 3}) {
    omp_set_num_threads(t);
    std::vector<vec3<float>> acc(x.size());
    p3m.accelerations(x, acc);
    double net[3] = {0, 0, 0}, total = 0;
    for (const auto& a : acc) {
      for (int d = 0; d < 3; ++d) net[d] += a[d];
      total += std::sqrt(double(a[0]) * a[0] + double(a[1]) * a[1] + double(a[2]) * a[2]);
    }
    const double net_norm = std::sqrt(net[0] * net[0] + net[1] * net[1] + net[2] * net[2]);
    MESSAGE(t << " threads: |sum F| / sum |F| = " << net_norm / total << ", pairs " << p3m.last_pair_count());
    CHECK(net_norm <= 1e-6 * total);
    results.push_back(std::move(acc));
  }
  omp_set_num_threads(threads);
  CHECK(results[0] == results[1]);
  CHECK(results[0] == results[2]);
  // The phases of the three evaluations: the mesh's and the pair sums'.
  const auto t = p3m.times();
  CHECK(t.evaluations == 3);
  CHECK(t.deposit > 0.0);
  CHECK(t.gather > 0.0);
  CHECK(t.pairs > 0.0);
  p3m.reset_phase_times();
  CHECK(p3m.times().total() == 0.0);
}

TEST_CASE("p3m with the sheet source shows its long-range mesh's density source" *
          doctest::test_suite("unit.force")) {
  const box b{.side_mpc_h = 32.0, .particles_1d = 16};
  force::p3m<mesh::tsc, float, source::sheet> p3m(b, {.mesh = {.grid_1d = 32}});
  const double k = 2 * std::numbers::pi / b.side_mpc_h;
  // A plane wave along x with amplitude A: single-stream for A < 1, folded for A = 2.
  const auto plane_wave = [&](double amplitude) {
    std::vector<vec3<float>> x(b.particle_count());
    for (std::size_t p = 0; p < x.size(); ++p) {
      auto q = b.lagrangian_position<double>(p);
      q[0] += amplitude * std::sin(k * q[0] + 0.1) / k;
      for (int c = 0; c < 3; ++c) x[p][c] = static_cast<float>(wrap_periodic(q[c], b.side_mpc_h));
    }
    return x;
  };
  std::vector<vec3<float>> acc(b.particle_count());
  p3m.accelerations(plane_wave(0.5), acc);
  CHECK(p3m.density_source().used_sheet());
  CHECK(p3m.density_source().multistream_fraction() == 0.0);
  // Past crossing the default policy (global_switch) deposits the particles.
  p3m.accelerations(plane_wave(2.0), acc);
  CHECK(p3m.density_source().multistream_fraction() > 0.05);
  CHECK_FALSE(p3m.density_source().used_sheet());
  CHECK(&p3m.density_source() == &p3m.long_range().density_source());
}
