// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>

#include "lagframe/cosmology/growth.hpp"
#include "lagframe/stepper/factors.hpp"
#include "lagframe/stepper/kick_drift_kick.hpp"

using namespace lagframe;
using namespace lagframe::stepper;

namespace {
cosmology::parameters einstein_de_sitter() {
  cosmology::parameters p;
  p.omega_m = 1.0;
  p.omega_b = 0.05;
  return p;
}
}  // namespace

TEST_CASE("Quinn factors equal the closed-form integrals in Einstein-de Sitter") {
  const cosmology::growth g(einstein_de_sitter());
  const factors::quinn q;
  // E = a^{-3/2}: ∫ da/(a²E) = 2(√a1 − √a0), ∫ da/(a³E) = 2(1/√a0 − 1/√a1).
  const double a0 = 0.05, a1 = 0.6;
  CHECK(q.kick(g, a0, a1, 0.3) == doctest::Approx(2 * (std::sqrt(a1) - std::sqrt(a0))).epsilon(1e-12));
  CHECK(q.drift(g, a0, a1, 0.3) == doctest::Approx(2 * (1 / std::sqrt(a0) - 1 / std::sqrt(a1))).epsilon(1e-12));
}

TEST_CASE("FastPM factors make linear growth exact for any step (Feng+16)") {
  cosmology::parameters p;  // Planck-like ΛCDM
  const cosmology::growth g(p);
  const factors::fastpm f;
  const double a0 = 0.1, a1 = 0.7, ac = 0.4;
  // Linear theory: p = T[D1] Ψ, g = (3/2)Ω_m D1 Ψ, x = D1 Ψ (Ψ = 1).
  const double kick = f.kick(g, a0, a1, ac) * 1.5 * p.omega_m * g.d1(ac);
  CHECK(kick == doctest::Approx(g.t_d1(a1) - g.t_d1(a0)).epsilon(1e-10));
  const double drift = f.drift(g, a0, a1, ac) * g.t_d1(ac);
  CHECK(drift == doctest::Approx(g.d1(a1) - g.d1(a0)).epsilon(1e-10));
}

TEST_CASE("COLA factors are exact for a residual momentum growing as a^n_LPT (TZE13 A.3)") {
  cosmology::parameters p;
  const cosmology::growth g(p);
  const factors::cola c{.n_lpt = -2.5};
  const double a0 = 0.2, a1 = 0.5, ac = 0.35;
  // If p_res = C a^n then dp/da = C n a^{n-1} = g/(a²E): g(ac) = C n ac^{n-1} ac² E(ac).
  const double n = c.n_lpt;
  const double g_c = n * std::pow(ac, n - 1) * ac * ac * g.bg().e(ac);
  CHECK(c.kick(g, a0, a1, ac) * g_c == doctest::Approx(std::pow(a1, n) - std::pow(a0, n)).epsilon(1e-12));
  // Drift: ∫ p(a)/(a³E) da with p = a^n, given p(ac) = ac^n.
  const double exact = stepper::detail::integrate_log_a([&](double a) { return std::pow(a, n) / (a * a * a * g.bg().e(a)); }, a0, a1);
  CHECK(c.drift(g, a0, a1, ac) * std::pow(ac, n) == doctest::Approx(exact).epsilon(1e-12));
  CHECK_THROWS_WITH_AS((factors::cola{.n_lpt = 0.0}.validate()), doctest::Contains("n_lpt = 0"), config_error);
}

TEST_CASE_TEMPLATE("every factor tends to the Quinn integrals for short steps and is additive at fixed ac", F,
                   factors::quinn, factors::fastpm, factors::cola) {
  const cosmology::growth g(cosmology::parameters{});
  const F f{};
  const factors::quinn q;
  const double a = 0.5, h = 1e-4;
  CHECK(f.kick(g, a - h, a + h, a) == doctest::Approx(q.kick(g, a - h, a + h, a)).epsilon(1e-7));
  CHECK(f.drift(g, a - h, a + h, a) == doctest::Approx(q.drift(g, a - h, a + h, a)).epsilon(1e-7));
  const double whole = f.kick(g, 0.3, 0.5, 0.4);
  const double split = f.kick(g, 0.3, 0.4, 0.4) + f.kick(g, 0.4, 0.5, 0.4);
  CHECK(split == doctest::Approx(whole).epsilon(1e-12));
}

namespace {
/// Records what the stepper asks of the system.
struct recording_system {
  std::vector<std::string> calls;
  void ensure_force(std::size_t j, double) { calls.push_back("F" + std::to_string(j)); }
  void kick(double a0, double a1, double ac, double) {
    calls.push_back("K" + std::to_string(static_cast<int>(std::lround(a0 * 100))) + "-" +
                    std::to_string(static_cast<int>(std::lround(a1 * 100))) + "@" +
                    std::to_string(static_cast<int>(std::lround(ac * 100))));
  }
  void drift(double a0, double a1, double, double) {
    calls.push_back("D" + std::to_string(static_cast<int>(std::lround(a0 * 100))) + "-" +
                    std::to_string(static_cast<int>(std::lround(a1 * 100))));
  }
};
}  // namespace

TEST_CASE("kick-drift-kick sequence, with and without skipped force evaluations") {
  const cosmology::growth g(cosmology::parameters{});
  kick_drift_kick<factors::quinn> all({.grid = time_grid::linear(0.2, 0.6, 2)});
  recording_system s;
  all.step(0, s, g);
  all.step(1, s, g);
  const std::vector<std::string> expected = {"F0", "K20-30@20", "D20-40", "F1", "K30-40@40",
                                             "F1", "K40-50@40", "D40-60", "F2", "K50-60@60"};
  CHECK(s.calls == expected);
  CHECK(all.force_evaluations() == 3);

  kick_drift_kick<factors::quinn> skip({.grid = time_grid::linear(0.2, 0.6, 2),
                                        .schedule = force_schedule::at_points({2})});
  recording_system t;
  skip.step(0, t, g);
  skip.step(1, t, g);
  const std::vector<std::string> expected_skip = {"D20-40", "D40-60", "F2", "K50-60@60"};
  CHECK(t.calls == expected_skip);
  CHECK_THROWS_AS((kick_drift_kick<factors::quinn>({.grid = time_grid::linear(0.2, 0.6, 2),
                                                    .schedule = force_schedule::at_points({3})})),
                  config_error);
}

TEST_CASE("frame_default factors follow the frame: COLA when it moves, FastPM without one") {
  cosmology::parameters p;
  const cosmology::growth g(p);
  factors::frame_default f;
  const double a0 = 0.1, a1 = 0.3, ac = 0.2;
  CHECK(f.kick(g, a0, a1, ac) == factors::cola{}.kick(g, a0, a1, ac));  // moving by default
  CHECK(f.drift(g, a0, a1, ac) == factors::cola{}.drift(g, a0, a1, ac));
  kick_drift_kick<> stepper(kdk_options{});
  stepper.bind_frame(false);
  CHECK(stepper.factors().kick(g, a0, a1, ac) == factors::fastpm{}.kick(g, a0, a1, ac));
  CHECK(stepper.factors().drift(g, a0, a1, ac) == factors::fastpm{}.drift(g, a0, a1, ac));
  stepper.bind_frame(true);
  CHECK(stepper.factors().kick(g, a0, a1, ac) == factors::cola{}.kick(g, a0, a1, ac));
  f.cola_factors.n_lpt = 0.0;
  CHECK_THROWS_AS(f.validate(), config_error);
}
