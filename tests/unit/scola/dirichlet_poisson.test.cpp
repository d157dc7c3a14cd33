// SPDX-License-Identifier: BSD-3-Clause
// The sine-transform Dirichlet Poisson solver (scola/dirichlet_poisson.hpp) and the tile PM
// force built on it (force/dirichlet_pm.hpp), against manufactured and analytic solutions.

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "lagframe/force/dirichlet_pm.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/scola/dirichlet_poisson.hpp"

using lagframe::scola::dirichlet_poisson;
using lagframe::scola::node_grid;
namespace force = lagframe::force;

namespace {

template <class F>
void fill_all(node_grid<double>& g, const F& f) {
  const long n = static_cast<long>(g.cells());
  for (long i = -2; i <= n + 2; ++i)
    for (long j = -2; j <= n + 2; ++j)
      for (long k = -2; k <= n + 2; ++k) g(i, j, k) = f(i, j, k);
}

}  // namespace

TEST_CASE("finite-difference Green's function: the 7-point discrete problem is solved to rounding") {
  const std::size_t n = 24;
  const double h = 0.7;
  const auto exact = [h](long i, long j, long k) {
    const double x = i * h, y = j * h, z = k * h;
    return std::sin(0.31 * x + 0.2) * std::cos(0.17 * y) + 0.05 * x * y - 0.02 * z * z + std::exp(-0.01 * x * z);
  };
  node_grid<double> truth(n), delta(n), phi(n);
  fill_all(truth, exact);
  const long nl = static_cast<long>(n);
  for (long i = 1; i < nl; ++i)
    for (long j = 1; j < nl; ++j)
      for (long k = 1; k < nl; ++k)
        delta(i, j, k) = (truth(i + 1, j, k) + truth(i - 1, j, k) + truth(i, j + 1, k) + truth(i, j - 1, k) +
                          truth(i, j, k + 1) + truth(i, j, k - 1) - 6.0 * truth(i, j, k)) /
                         (h * h);
  fill_all(phi, [&](long i, long j, long k) { return phi.is_boundary(i, j, k) ? truth(i, j, k) : 0.0; });
  dirichlet_poisson<double> solver(n, h, force::greens_function::finite_difference);
  solver.solve(delta, phi);
  double worst = 0;
  for (std::size_t s = 0; s < phi.values().size(); ++s)
    worst = std::max(worst, std::abs(phi.values()[s] - truth.values()[s]));
  CHECK(worst < 1e-11);
}

TEST_CASE("exact Green's function: a sine mode with zero boundary gets −1/k², a harmonic lift is exact") {
  const std::size_t n = 20;
  const double h = 1.5, side = n * h;
  const double kx = std::numbers::pi * 3 / side, ky = std::numbers::pi * 1 / side, kz = std::numbers::pi * 5 / side;
  const double k2 = kx * kx + ky * ky + kz * kz;
  node_grid<double> delta(n), phi(n);
  // Source: one sine mode; boundary: the linear (harmonic) function 2 + 0.3x − 0.1y + 0.05z.
  const auto lin = [h](long i, long j, long k) { return 2.0 + 0.3 * i * h - 0.1 * j * h + 0.05 * k * h; };
  fill_all(delta, [&](long i, long j, long k) { return std::sin(kx * i * h) * std::sin(ky * j * h) * std::sin(kz * k * h); });
  fill_all(phi, [&](long i, long j, long k) { return phi.is_boundary(i, j, k) ? lin(i, j, k) : 0.0; });
  dirichlet_poisson<double> solver(n, h, force::greens_function::exact);
  solver.solve(delta, phi);
  double worst = 0;
  const long nl = static_cast<long>(n);
  for (long i = 1; i < nl; ++i)
    for (long j = 1; j < nl; ++j)
      for (long k = 1; k < nl; ++k)
        worst = std::max(worst, std::abs(phi(i, j, k) - (lin(i, j, k) - delta(i, j, k) / k2)));
  CHECK(worst < 1e-12);
}

TEST_CASE("float solver agrees with double to single precision") {
  const std::size_t n = 16;
  node_grid<float> df(n), pf(n);
  node_grid<double> dd(n), pd(n);
  const long nl = static_cast<long>(n);
  for (long i = -2; i <= nl + 2; ++i)
    for (long j = -2; j <= nl + 2; ++j)
      for (long k = -2; k <= nl + 2; ++k) {
        const double v = std::cos(0.4 * i + 0.1 * j * k);
        dd(i, j, k) = v;
        df(i, j, k) = static_cast<float>(v);
        const double b = pd.is_boundary(i, j, k) ? 0.1 * i - 0.2 * k : 0.0;
        pd(i, j, k) = b;
        pf(i, j, k) = static_cast<float>(b);
      }
  dirichlet_poisson<double>(n, 1.0).solve(dd, pd);
  dirichlet_poisson<float>(n, 1.0).solve(df, pf);
  double worst = 0, scale = 0;
  for (std::size_t s = 0; s < pd.values().size(); ++s) {
    worst = std::max(worst, std::abs(pd.values()[s] - pf.values()[s]));
    scale = std::max(scale, std::abs(pd.values()[s]));
  }
  CHECK(worst < 1e-5 * scale);
}

TEST_CASE("dirichlet_pm: one particle with the isolated point-mass potential on the boundary") {
  // ∇²φ = δ with δ = m δ_D(x − c) − 1 (m = 1/n̄): φ = −m/(4π r) − |x − c|²/6 in free space.
  const std::size_t cells = 32;
  force::tile_mesh mesh;
  mesh.origin = {10.0, -5.0, 3.0};
  mesh.cells = cells;
  mesh.spacing = 1.0;
  mesh.periodic_side = 100.0;
  mesh.mean_density = 0.125;  // m = 8 (Mpc/h)³
  const double m = 1.0 / mesh.mean_density;
  const std::array<double, 3> c{mesh.origin[0] + 15.5, mesh.origin[1] + 16.0, mesh.origin[2] + 16.25};
  const auto exact = [&](const std::array<double, 3>& x) {
    double r2 = 0;
    for (int d = 0; d < 3; ++d) r2 += (x[d] - c[d]) * (x[d] - c[d]);
    return -m / (4.0 * std::numbers::pi * std::sqrt(r2)) - r2 / 6.0;
  };
  const auto node_x = [&](long i, long j, long k) {
    return std::array<double, 3>{mesh.origin[0] + i * mesh.spacing, mesh.origin[1] + j * mesh.spacing,
                                 mesh.origin[2] + k * mesh.spacing};
  };
  force::dirichlet_pm_options options;
  options.greens = force::greens_function::finite_difference;
  force::dirichlet_pm<lagframe::mesh::cic, double> pm(mesh, options);
  pm.set_boundary([&](node_grid<double>& phi) {
    const long n = static_cast<long>(cells);
    for (long i = -2; i <= n + 2; ++i)
      for (long j = -2; j <= n + 2; ++j)
        for (long k = -2; k <= n + 2; ++k)
          if (phi.is_boundary(i, j, k)) phi(i, j, k) = exact(node_x(i, j, k));
  });
  // The source plus a far-away particle outside the mesh (must be flagged, carry no mass).
  std::vector<lagframe::vec3<double>> x{{c[0], c[1], c[2]}, {c[0] + 40.0, c[1], c[2]}};
  std::vector<lagframe::vec3<double>> acc(2);
  pm.accelerations(x, acc);
  CHECK(pm.outside_count() == 1);
  CHECK(pm.outside()[1] == 1);
  CHECK(acc[1][0] == 0.0);
  // Potential at nodes ≥ 3 cells from the source: the CIC-smoothed source is Newtonian there.
  double err2 = 0, ref2 = 0;
  const long n = static_cast<long>(cells);
  for (long i = 1; i < n; ++i)
    for (long j = 1; j < n; ++j)
      for (long k = 1; k < n; ++k) {
        const auto xn = node_x(i, j, k);
        double r2 = 0;
        for (int d = 0; d < 3; ++d) r2 += (xn[d] - c[d]) * (xn[d] - c[d]);
        if (r2 < 9.0) continue;
        const double point = -m / (4.0 * std::numbers::pi * std::sqrt(r2));
        const double e = pm.potential()(i, j, k) - exact(xn);
        err2 += e * e;
        ref2 += point * point;
      }
  MESSAGE("rms potential error beyond 3 cells / point-mass potential: ", std::sqrt(err2 / ref2));
  CHECK(std::sqrt(err2 / ref2) < 0.01);
  // No self-force on the isolated particle beyond the background term −∇(−|x−c|²/6) = 0 at c.
  CHECK(std::abs(acc[0][0]) < 1e-3 * m / (4.0 * std::numbers::pi * 9.0));
}

TEST_CASE("dirichlet_pm refuses impossible meshes") {
  force::tile_mesh mesh;
  mesh.cells = 8;
  mesh.spacing = -1.0;
  mesh.periodic_side = 100;
  mesh.mean_density = 1;
  CHECK_THROWS_WITH_AS((force::dirichlet_pm<lagframe::mesh::cic, float>(mesh)),
                       doctest::Contains("tile mesh spacing"), lagframe::config_error);
  mesh.spacing = 20.0;
  CHECK_THROWS_WITH_AS((force::dirichlet_pm<lagframe::mesh::cic, float>(mesh)),
                       doctest::Contains("tile mesh extent"), lagframe::config_error);
  mesh.spacing = 1.0;
  force::dirichlet_pm<lagframe::mesh::cic, float> pm(mesh);
  std::vector<lagframe::vec3<float>> x(1, {1, 1, 1}), acc(1);
  CHECK_THROWS_WITH_AS(pm.accelerations(x, acc), doctest::Contains("boundary"), lagframe::config_error);
}
