// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "lagframe/cosmology/growth.hpp"

using namespace lagframe;
using namespace lagframe::cosmology;

namespace {

/// E(a) written out here, not taken from the library.
double e_of_a(const parameters& p, double a) {
  const double ol = 1.0 - p.omega_m - p.omega_k;
  return std::sqrt((p.omega_m + p.omega_k * a + ol * a * a * a) / (a * a * a));
}

/// I(a) = ∫_0^a da'/(a'³E³(a')), with a' = a t² (the integrand becomes a smooth polynomial-like
/// function of t, ∝ t⁴ near 0) and composite 5-point Gauss–Legendre in t. Independent of the
/// library's ODE integration.
double growth_integral(const parameters& p, double a) {
  constexpr double x[5] = {0.0, 0.5384693101056831, -0.5384693101056831, 0.9061798459386640, -0.9061798459386640};
  constexpr double w[5] = {0.5688888888888889, 0.4786286704993665, 0.4786286704993665, 0.2369268850561891,
                           0.2369268850561891};
  constexpr int pieces = 200;
  double sum = 0;
  for (int j = 0; j < pieces; ++j) {
    const double t0 = static_cast<double>(j) / pieces, t1 = static_cast<double>(j + 1) / pieces;
    for (int i = 0; i < 5; ++i) {
      const double t = 0.5 * (t0 + t1) + 0.5 * (t1 - t0) * x[i];
      const double ap = a * t * t;
      const double e = e_of_a(p, ap);
      sum += 0.5 * (t1 - t0) * w[i] * (2 * a * t) / (ap * ap * ap * e * e * e);
    }
  }
  return sum;
}

/// D1 ∝ E(a) I(a) (Heath 1977; valid for w = −1 with curvature), normalised to D1(1) = 1.
double closed_form_d1(const parameters& p, double a) {
  return e_of_a(p, a) * growth_integral(p, a) / (e_of_a(p, 1.0) * growth_integral(p, 1.0));
}

/// T[D1] = a³E dD1/da from differentiating E·I/I(1) analytically:
/// a³E dD1/da = (1/E) [1/I(1) − (3Ω_m/(2a) + Ω_k) D1]   (docs/physics.md §2.2).
double closed_form_t_d1(const parameters& p, double a) {
  const double d1 = closed_form_d1(p, a);
  return (1.0 / growth_integral(p, 1.0) - (1.5 * p.omega_m / a + p.omega_k) * d1) / e_of_a(p, a);
}

double omega_m_of_a(const parameters& p, double a) {
  const double e = e_of_a(p, a);
  return p.omega_m / (a * a * a * e * e);
}

}  // namespace

TEST_CASE("D1 and T[D1] match the closed-form integral to 1e-6 (flat and curved LCDM)") {
  for (double ok : {0.0, 0.05, -0.05}) {
    parameters p;
    p.omega_k = ok;
    const growth g(p);
    double worst_d = 0, worst_t = 0;
    for (double a : {0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 1.0, 1.2, 1.5}) {
      CAPTURE(ok);
      CAPTURE(a);
      const double d_ref = closed_form_d1(p, a);
      const double t_ref = closed_form_t_d1(p, a);
      CHECK(g.d1(a) == doctest::Approx(d_ref).epsilon(1e-6));
      CHECK(g.t_d1(a) == doctest::Approx(t_ref).epsilon(1e-6));
      worst_d = std::max(worst_d, std::abs(g.d1(a) / d_ref - 1));
      worst_t = std::max(worst_t, std::abs(g.t_d1(a) / t_ref - 1));
    }
    // The integration tolerance is 1e-10: the agreement is far better than required.
    CAPTURE(ok);
    CHECK(worst_d < 1e-9);
    CHECK(worst_t < 1e-9);
  }
}

TEST_CASE("D2 agrees with -3/7 D1^2 Omega_m(a)^(-1/143) within 0.5 % for 0.02 <= a <= 1") {
  for (double om : {0.3111, 0.25}) {
    parameters p;
    p.omega_m = om;
    const growth g(p);
    for (int i = 1; i <= 50; ++i) {
      const double a = 0.02 * i;
      const double approx = -3.0 / 7.0 * g.d1(a) * g.d1(a) * std::pow(omega_m_of_a(p, a), -1.0 / 143.0);
      CAPTURE(om);
      CAPTURE(a);
      CHECK(g.d2(a) < 0.0);
      CHECK(g.d2(a) == doctest::Approx(approx).epsilon(0.005));
    }
  }
}

TEST_CASE("early times follow the Einstein-de Sitter growing modes") {
  parameters p;
  p.omega_k = 0.05;
  const growth g(p, 1e-8, 2.0);
  // Corrections are O(Ω_k a/Ω_m) ≈ 2e-8 at a = 1e-7.
  CHECK(g.d1(1e-8) / 1e-8 == doctest::Approx(g.d1(1e-7) / 1e-7).epsilon(1e-6));
  CHECK(g.d2(1e-8) / (g.d1(1e-8) * g.d1(1e-8)) == doctest::Approx(-3.0 / 7.0).epsilon(1e-6));
  CHECK(g.f1(1e-8) == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(g.f2(1e-8) == doctest::Approx(2.0).epsilon(1e-6));
  // Tables over different ranges agree.
  const growth narrow(p, 0.05, 1.0);
  const growth edge(p, 1e-5, 100.0);
  for (double a : {0.05, 0.3, 1.0}) {
    CAPTURE(a);
    CHECK(narrow.d1(a) == doctest::Approx(g.d1(a)).epsilon(1e-9));
    CHECK(narrow.d2(a) == doctest::Approx(g.d2(a)).epsilon(1e-9));
    CHECK(edge.d1(a) == doctest::Approx(g.d1(a)).epsilon(1e-9));
    CHECK(edge.t_d2(a) == doctest::Approx(g.t_d2(a)).epsilon(1e-9));
  }
  CHECK(g.d1(1.0) == doctest::Approx(1.0).epsilon(1e-14));
  CHECK(edge.d1(100.0) > edge.d1(2.0));
  CHECK_NOTHROW((void)g.d1(2.0));
  CHECK_NOTHROW((void)g.d1(1e-8));
}

TEST_CASE("growth rates, Tassev operators and their derivatives are consistent") {
  for (double ok : {0.0, -0.05}) {
    parameters p;
    p.omega_k = ok;
    const growth g(p);
    for (double a : {0.01, 0.05, 0.3, 0.7, 1.0, 1.8}) {
      CAPTURE(ok);
      CAPTURE(a);
      const double om_a = omega_m_of_a(p, a);
      CHECK(g.omega_m() == p.omega_m);
      CHECK(g.f1(a) == doctest::Approx(std::pow(om_a, 5.0 / 9.0)).epsilon(0.01));
      CHECK(g.f2(a) == doctest::Approx(2.0 * std::pow(om_a, 6.0 / 11.0)).epsilon(0.01));
      // Central differences in a (truncation ~h²/6 · D''' ≈ 1e-10 relative).
      const double h = 1e-5 * a;
      const double dd1 = (g.d1(a + h) - g.d1(a - h)) / (2 * h);
      const double dd2 = (g.d2(a + h) - g.d2(a - h)) / (2 * h);
      CHECK(g.dd1_da(a) == doctest::Approx(dd1).epsilon(1e-7));
      CHECK(g.dd2_da(a) == doctest::Approx(dd2).epsilon(1e-7));
      CHECK(g.f1(a) == doctest::Approx(a * dd1 / g.d1(a)).epsilon(1e-7));
      CHECK(g.f2(a) == doctest::Approx(a * dd2 / g.d2(a)).epsilon(1e-7));
      const double q = a * a * a * e_of_a(p, a);
      CHECK(g.t_d1(a) == doctest::Approx(q * dd1).epsilon(1e-7));
      CHECK(g.t_d2(a) == doctest::Approx(q * dd2).epsilon(1e-7));
      // T²[D] = Q d(T[D])/da, so d(T[D])/da = T²[D]/(a³E).
      const double dt1 = (g.t_d1(a + h) - g.t_d1(a - h)) / (2 * h);
      const double dt2 = (g.t_d2(a + h) - g.t_d2(a - h)) / (2 * h);
      CHECK(dt1 == doctest::Approx(g.t2_d1(a) / q).epsilon(1e-6));
      CHECK(dt2 == doctest::Approx(g.t2_d2(a) / q).epsilon(1e-6));
      CHECK(g.t2_d1(a) == doctest::Approx(1.5 * p.omega_m * a * g.d1(a)).epsilon(1e-14));
    }
  }
}

TEST_CASE("growth tables are built quickly") {
  // Built in every simulation; the budget is 50 ms (typically ~1 ms).
  const auto start = std::chrono::steady_clock::now();
  constexpr int repeats = 5;
  double sink = 0;
  for (int i = 0; i < repeats; ++i) sink += growth(parameters{}, 1e-3, 2.0).d1(0.5);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / repeats;
  CAPTURE(ms);
  CHECK(sink > 0);
  CHECK(ms < 50.0);
}

TEST_CASE("bad ranges, bad a and recollapsing models are refused with the value named") {
  CHECK_THROWS_WITH_AS(growth(parameters{}, 1e-9, 2.0), doctest::Contains("a_min = 1e-09"), config_error);
  CHECK_THROWS_WITH_AS(growth(parameters{}, 0.0, 2.0), doctest::Contains("a_min = 0"), config_error);
  CHECK_THROWS_WITH_AS(growth(parameters{}, 1e-3, 0.9), doctest::Contains("a_max = 0.9"), config_error);
  CHECK_THROWS_WITH_AS(growth(parameters{}, 1e-3, std::nan("")), doctest::Contains("a_max = nan"), config_error);
  CHECK_THROWS_WITH_AS(growth(parameters{}, 1e-3, 500.0), doctest::Contains("a_max = 500"), config_error);
  parameters bad;
  bad.omega_m = -0.3;
  CHECK_THROWS_WITH_AS(growth{bad}, doctest::Contains("omega_m = -0.3"), config_error);
  // Ω_k = 0.75, Ω_Λ = −0.05: E² > 0 up to a = 2 (valid parameters) but E² < 0 by a ≈ 4.7.
  parameters closed;
  closed.omega_m = 0.3;
  closed.omega_k = 0.75;
  CHECK_NOTHROW(closed.validate());
  CHECK_NOTHROW(growth(closed, 1e-3, 2.0));
  CHECK_THROWS_WITH_AS(growth(closed, 1e-3, 10.0), doctest::Contains("<= 0 at a = "), config_error);
  const growth g(parameters{}, 0.01, 2.0);
  CHECK_THROWS_WITH_AS((void)g.d1(5.0), doctest::Contains("a = 5"), config_error);
  CHECK_THROWS_WITH_AS((void)g.t_d2(0.005), doctest::Contains("a = 0.005"), config_error);
  CHECK_THROWS_WITH_AS((void)g.f1(std::nan("")), doctest::Contains("a = nan"), config_error);
}
