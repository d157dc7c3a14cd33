// SPDX-License-Identifier: BSD-3-Clause
// analysis::momentum_field: a lattice in uniform motion gives a uniform density and that
// velocity at every node, with the particles and with the sheet; a Zel'dovich plane wave (p ∝ Ψ)
// before crossing gives the sheet's velocity, the velocity of the flow at the node, far better
// than the particles do between them; the mass is conserved.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "lagframe/analysis/momentum_field.hpp"
#include "lagframe/core/box.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/mesh/tsc.hpp"

using namespace lagframe;

TEST_CASE("momentum field of a lattice in uniform motion" * doctest::test_suite("unit.analysis")) {
  const box b{.side_mpc_h = 32.0, .particles_1d = 8};
  std::vector<vec3<double>> x(b.particle_count()), p(b.particle_count(), vec3<double>{1.5, -2.0, 0.25});
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = b.lagrangian_position<double>(i);
  for (const std::size_t n : {1, 2}) {
    const auto f = analysis::momentum_field<mesh::cic, double>(x, p, b, 16, n);
    for (std::size_t node = 0; node < f.density.size(); ++node) {
      CHECK(f.density[node] == doctest::Approx(1.0).epsilon(1e-12));
      CHECK(f.momentum[0][node] / f.density[node] == doctest::Approx(1.5).epsilon(1e-12));
      CHECK(f.momentum[1][node] / f.density[node] == doctest::Approx(-2.0).epsilon(1e-12));
    }
  }
}

TEST_CASE("sheet velocity of a Zel'dovich plane wave" * doctest::test_suite("unit.analysis")) {
  const box b{.side_mpc_h = 32.0, .particles_1d = 8};
  const double k = 2 * std::numbers::pi / b.side_mpc_h, amp = 0.5, growth_rate = 3.0;
  std::vector<vec3<double>> x(b.particle_count()), p(b.particle_count());
  for (std::size_t i = 0; i < x.size(); ++i) {
    auto q = b.lagrangian_position<double>(i);
    const double psi = amp * std::sin(k * q[0]) / k;
    x[i] = {wrap_periodic(q[0] + psi, b.side_mpc_h), q[1], q[2]};
    p[i] = {growth_rate * psi, 0.0, 0.0};  // linear theory: p ∝ Ψ
  }
  // The flow's velocity at Eulerian x: p = growth_rate · Ψ(q(x)), q(x) by Newton's method.
  const auto flow = [&](double xe) {
    double q = xe;
    for (int it = 0; it < 50; ++it) q -= (q + amp * std::sin(k * q) / k - xe) / (1 + amp * std::cos(k * q));
    return growth_rate * amp * std::sin(k * q) / k;
  };
  const std::size_t ng = 32;
  double err_particles = 0, err_sheet = 0, total_mass = 0;
  const auto particles = analysis::momentum_field<mesh::tsc, double>(x, p, b, ng, 1);
  const auto sheet = analysis::momentum_field<mesh::tsc, double>(x, p, b, ng, 4);
  for (std::size_t i = 0; i < ng; ++i) {
    const std::size_t node = (i * ng + 4) * ng + 4;  // on a lattice plane in y and z: particles reach it
    const double expected = flow((i + 0.5) * b.side_mpc_h / ng);
    if (particles.density[node] > 0) err_particles = std::max(err_particles, std::abs(particles.momentum[0][node] / particles.density[node] - expected));
    err_sheet = std::max(err_sheet, std::abs(sheet.momentum[0][node] / sheet.density[node] - expected));
  }
  for (double v : sheet.density) total_mass += v;
  MESSAGE("largest velocity error: particles " << err_particles << ", sheet (n = 4) " << err_sheet
                                               << " (amplitude " << growth_rate * amp / k << ")");
  CHECK(total_mass == doctest::Approx(static_cast<double>(ng * ng * ng)).epsilon(1e-12));
  CHECK(err_sheet * 5 <= err_particles);
  CHECK(err_sheet <= 0.05 * growth_rate * amp / k);  // the mass-weighted window average of a varying flow
}
