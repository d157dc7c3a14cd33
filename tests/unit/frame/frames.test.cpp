// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "lagframe/cosmology/growth.hpp"
#include "lagframe/frame/concepts.hpp"
#include "lagframe/frame/inertial.hpp"
#include "lagframe/frame/lpt.hpp"

using namespace lagframe;

namespace {
/// Four particles on a 2³-sized box worth of fields with arbitrary smooth displacements.
ic::lpt_fields<double> toy_fields() {
  ic::lpt_fields<double> f;
  f.grid = box{.side_mpc_h = 10.0, .particles_1d = 2};
  f.order = 2;
  for (std::size_t i = 0; i < 8; ++i) {
    f.psi1.push_back({0.3 + 0.1 * i, -0.2 * i, 0.05});
    f.psi2.push_back({-0.01 * i, 0.02, 0.003 * i});
  }
  return f;
}
}  // namespace

static_assert(frame::frame_policy<frame::inertial<float>>);
static_assert(frame::frame_policy<frame::lpt<1, float>>);
static_assert(frame::frame_policy<frame::lpt<2, double>>);
static_assert(!frame::frame_policy<int>);

TEST_CASE("LPT frame: drift with zero residual momentum follows the LPT trajectory") {
  const cosmology::growth g(cosmology::parameters{});
  const auto fields = toy_fields();
  const frame::lpt<2, double> fr(g, fields);
  const double a0 = 0.1, a1 = 0.5;
  std::vector<vec3<double>> x(8), pi(8, vec3<double>{0, 0, 0});
  for (std::size_t i = 0; i < 8; ++i)
    for (int d = 0; d < 3; ++d)
      x[i][d] = wrap_periodic(5.0 * (d == 0 ? i / 4 : d == 1 ? (i / 2) % 2 : i % 2) +
                                  g.d1(a0) * fields.psi1[i][d] + g.d2(a0) * fields.psi2[i][d], 10.0);
  fr.drift(x, pi, {a0, a1, 0.3, 123.0});
  for (std::size_t i = 0; i < 8; ++i)
    for (int d = 0; d < 3; ++d) {
      const double q = 5.0 * (d == 0 ? i / 4 : d == 1 ? (i / 2) % 2 : i % 2);
      const double expected = wrap_periodic(q + g.d1(a1) * fields.psi1[i][d] + g.d2(a1) * fields.psi2[i][d], 10.0);
      CHECK(x[i][d] == doctest::Approx(expected).epsilon(1e-12));
    }
}

TEST_CASE("LPT frame: the second-order LPT force leaves no residual kick (TZE13 eq. 2.1 cancellation)") {
  const cosmology::growth g(cosmology::parameters{});
  const auto fields = toy_fields();
  const frame::lpt<2, double> fr(g, fields);
  const double ac = 0.4, K = 0.37;
  const double om = cosmology::parameters{}.omega_m;
  // −∇φ on the 2LPT trajectory: D1 Ψ1 + (D2 − D1²) Ψ2 (docs/physics.md §9.3).
  std::vector<vec3<double>> acc(8), pi(8, vec3<double>{1.0, 2.0, 3.0});
  for (std::size_t i = 0; i < 8; ++i)
    for (int d = 0; d < 3; ++d)
      acc[i][d] = g.d1(ac) * fields.psi1[i][d] + (g.d2(ac) - g.d1(ac) * g.d1(ac)) * fields.psi2[i][d];
  fr.kick(pi, acc, {0.3, 0.5, ac, K, 1.5 * om * K});
  for (std::size_t i = 0; i < 8; ++i) {
    CHECK(pi[i][0] == doctest::Approx(1.0).epsilon(1e-13));
    CHECK(pi[i][1] == doctest::Approx(2.0).epsilon(1e-13));
    CHECK(pi[i][2] == doctest::Approx(3.0).epsilon(1e-13));
  }
}

TEST_CASE("frames: momentum in and out of the frame, inertial frame coasts") {
  const cosmology::growth g(cosmology::parameters{});
  const auto fields = toy_fields();
  const frame::lpt<1, double> fr1(g, fields);
  std::vector<vec3<double>> p(8, vec3<double>{0, 0, 0});
  fr1.add_momentum(p, 0.5, 1.0);
  CHECK(p[3][0] == doctest::Approx(g.t_d1(0.5) * fields.psi1[3][0]));
  fr1.add_momentum(p, 0.5, -1.0);
  CHECK(p[3][0] == doctest::Approx(0.0).scale(1.0));

  const frame::inertial<double> in(g, fields);
  std::vector<vec3<double>> x(8, vec3<double>{9.5, 1.0, 0.0}), pi(8, vec3<double>{1.0, 0.0, -1.0});
  in.drift(x, pi, {0.1, 0.2, 0.15, 2.0});
  CHECK(x[0][0] == doctest::Approx(1.5));  // wrapped through the periodic boundary
  CHECK(x[0][2] == doctest::Approx(8.0));
  std::vector<vec3<double>> acc(8, vec3<double>{1.0, 1.0, 1.0});
  in.kick(pi, acc, {0.1, 0.2, 0.15, 0.5, 0.25});
  CHECK(pi[0][0] == doctest::Approx(1.25));

  auto bad = fields;
  bad.order = 1;
  bad.psi2.clear();
  CHECK_THROWS_AS((frame::lpt<2, double>(g, bad)), config_error);
}
