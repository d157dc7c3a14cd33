// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>

#include "lagframe/cosmology/background.hpp"
#include "lagframe/cosmology/growth.hpp"

using namespace lagframe;
using namespace lagframe::cosmology;

namespace {
/// ∫_0^a da'/(a'³E³(a')), by the substitution a' = a t² (removes the a'^{3/2} endpoint
/// behaviour) and composite Gauss–Legendre, independent of the library's ODE integration.
double growth_integral(const background& bg, double a) {
  static const double x[5] = {0.0, 0.5384693101056831, -0.5384693101056831, 0.9061798459386640, -0.9061798459386640};
  static const double w[5] = {0.5688888888888889, 0.4786286704993665, 0.4786286704993665, 0.2369268850561891, 0.2369268850561891};
  const int pieces = 400;
  double sum = 0;
  for (int p = 0; p < pieces; ++p) {
    const double t0 = static_cast<double>(p) / pieces, t1 = static_cast<double>(p + 1) / pieces;
    for (int i = 0; i < 5; ++i) {
      const double t = 0.5 * (t0 + t1) + 0.5 * (t1 - t0) * x[i];
      const double ap = a * t * t;
      if (ap <= 0) continue;
      const double e = bg.e(ap);
      sum += 0.5 * (t1 - t0) * w[i] * (2 * a * t) / (ap * ap * ap * e * e * e);
    }
  }
  return sum;
}
double closed_form_d1(const background& bg, double a) {
  return bg.e(a) * growth_integral(bg, a) / (bg.e(1.0) * growth_integral(bg, 1.0));
}
}  // namespace

TEST_CASE("D1 matches the closed-form integral to 1e-6 (flat and curved LCDM)") {
  for (double ok : {0.0, 0.05, -0.05}) {
    parameters p;
    p.omega_k = ok;
    const growth g(p);
    for (double a : {0.02, 0.05, 0.1, 0.3, 0.5, 0.8, 1.0, 1.5}) {
      CAPTURE(ok);
      CAPTURE(a);
      CHECK(g.d1(a) == doctest::Approx(closed_form_d1(g.bg(), a)).epsilon(1e-6));
    }
  }
}

TEST_CASE("D2 agrees with -3/7 D1^2 Omega_m(a)^(-1/143) within 0.5 % for 0.02 <= a <= 1") {
  for (double om : {0.3111, 0.25}) {
    parameters p;
    p.omega_m = om;
    const growth g(p);
    for (double a = 0.02; a <= 1.0 + 1e-12; a += 0.02) {
      const double approx = -3.0 / 7.0 * g.d1(a) * g.d1(a) * std::pow(g.bg().omega_m_of_a(a), -1.0 / 143.0);
      CAPTURE(a);
      CHECK(g.d2(a) == doctest::Approx(approx).epsilon(0.005));
    }
  }
}

TEST_CASE("growth rates, Tassev operators and their derivatives are consistent") {
  const growth g(parameters{});
  for (double a : {0.05, 0.3, 0.7, 1.0}) {
    CAPTURE(a);
    CHECK(g.f1(a) == doctest::Approx(std::pow(g.bg().omega_m_of_a(a), 5.0 / 9.0)).epsilon(0.01));
    CHECK(g.f2(a) == doctest::Approx(2.0 * std::pow(g.bg().omega_m_of_a(a), 6.0 / 11.0)).epsilon(0.01));
    const double h = 1e-5 * a;
    const double dd1 = (g.d1(a + h) - g.d1(a - h)) / (2 * h);
    CHECK(g.dd1_da(a) == doctest::Approx(dd1).epsilon(1e-7));
    const double q = a * a * a * g.bg().e(a);
    CHECK(g.t_d1(a) == doctest::Approx(q * dd1).epsilon(1e-7));
    // T²[D] = Q d(T[D])/da.
    const double dt1 = (g.t_d1(a + h) - g.t_d1(a - h)) / (2 * h);
    const double dt2 = (g.t_d2(a + h) - g.t_d2(a - h)) / (2 * h);
    CHECK(g.t2_d1(a) == doctest::Approx(q * dt1).epsilon(1e-6));
    CHECK(g.t2_d2(a) == doctest::Approx(q * dt2).epsilon(1e-6));
  }
  CHECK(g.d1(1.0) == doctest::Approx(1.0).epsilon(1e-13));
}

TEST_CASE("bad cosmological parameters and ranges are refused with the value named") {
  parameters p;
  p.omega_m = -0.3;
  CHECK_THROWS_WITH_AS(p.validate(), doctest::Contains("omega_m = -0.3"), config_error);
  p = parameters{};
  p.h = std::nan("");
  CHECK_THROWS_WITH_AS(p.validate(), doctest::Contains("cosmology.h = nan"), config_error);
  p = parameters{};
  p.omega_b = 0.5;
  CHECK_THROWS_WITH_AS(p.validate(), doctest::Contains("omega_b = 0.5"), config_error);
  CHECK_THROWS_AS(growth(parameters{}, 1e-7, 1.0), config_error);
  const growth g(parameters{});
  CHECK_THROWS_WITH_AS((void)g.d1(5.0), doctest::Contains("a = 5"), config_error);
}
