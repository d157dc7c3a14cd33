// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "lagframe/cosmology/eisenstein_hu.hpp"
#include "lagframe/cosmology/linear_power.hpp"

using namespace lagframe::cosmology;

namespace {
/// Eisenstein & Hu 1998 eqs. 2–24 transcribed straight from the paper for one k [Mpc⁻¹].
double eh98_paper(double k, double Om, double Ob, double h, double Tcmb) {
  const double th = Tcmb / 2.7;
  const double w_m = Om * h * h, w_b = Ob * h * h, fb = Ob / Om, fc = (Om - Ob) / Om;
  const double zeq = 2.5e4 * w_m * std::pow(th, -4);                                   // eq. 2
  const double keq = 0.0746 * w_m * std::pow(th, -2);                                   // eq. 3
  const double b1 = 0.313 * std::pow(w_m, -0.419) * (1 + 0.607 * std::pow(w_m, 0.674)); // eq. 4
  const double b2 = 0.238 * std::pow(w_m, 0.223);
  const double zd = 1291 * std::pow(w_m, 0.251) / (1 + 0.659 * std::pow(w_m, 0.828)) * (1 + b1 * std::pow(w_b, b2));
  const double Req = 31.5 * w_b * std::pow(th, -4) * (1000 / zeq);                      // eq. 5
  const double Rd = 31.5 * w_b * std::pow(th, -4) * (1000 / zd);
  const double s = (2 / (3 * keq)) * std::sqrt(6 / Req) *
                   std::log((std::sqrt(1 + Rd) + std::sqrt(Rd + Req)) / (1 + std::sqrt(Req)));  // eq. 6
  const double ksilk = 1.6 * std::pow(w_b, 0.52) * std::pow(w_m, 0.73) * (1 + std::pow(10.4 * w_m, -0.95));  // eq. 7
  const double q = k / (13.41 * keq);                                                    // eq. 10
  const double a1 = std::pow(46.9 * w_m, 0.670) * (1 + std::pow(32.1 * w_m, -0.532));  // eq. 11
  const double a2 = std::pow(12.0 * w_m, 0.424) * (1 + std::pow(45.0 * w_m, -0.582));
  const double alpha_c = std::pow(a1, -fb) * std::pow(a2, -std::pow(fb, 3));
  const double bb1 = 0.944 / (1 + std::pow(458 * w_m, -0.708));                          // eq. 12
  const double bb2 = std::pow(0.395 * w_m, -0.0266);
  const double beta_c = 1 / (1 + bb1 * (std::pow(fc, bb2) - 1));
  auto T0 = [&](double alpha, double beta) {                                             // eqs. 19–20
    const double C = 14.2 / alpha + 386 / (1 + 69.9 * std::pow(q, 1.08));
    const double L = std::log(std::numbers::e + 1.8 * beta * q);
    return L / (L + C * q * q);
  };
  const double f = 1 / (1 + std::pow(k * s / 5.4, 4));                                  // eq. 18
  const double Tc = f * T0(1, beta_c) + (1 - f) * T0(alpha_c, beta_c);                   // eq. 17
  const double y = (1 + zeq) / (1 + zd);                                                 // eq. 15
  const double G = y * (-6 * std::sqrt(1 + y) + (2 + 3 * y) * std::log((std::sqrt(1 + y) + 1) / (std::sqrt(1 + y) - 1)));
  const double alpha_b = 2.07 * keq * s * std::pow(1 + Rd, -0.75) * G;                  // eq. 14
  const double beta_node = 8.41 * std::pow(w_m, 0.435);                                 // eq. 23
  const double beta_b = 0.5 + fb + (3 - 2 * fb) * std::sqrt(std::pow(17.2 * w_m, 2) + 1);  // eq. 24
  const double stilde = s / std::pow(1 + std::pow(beta_node / (k * s), 3), 1.0 / 3.0);  // eq. 22
  const double Tb = (T0(1, 1) / (1 + std::pow(k * s / 5.2, 2)) +
                     alpha_b / (1 + std::pow(beta_b / (k * s), 3)) * std::exp(-std::pow(k / ksilk, 1.4))) *
                    std::sin(k * stilde) / (k * stilde);                                 // eq. 21
  return fb * Tb + fc * Tc;                                                              // eq. 16
}
}  // namespace

TEST_CASE("EH98 with BAO matches the published equations at several wavenumbers to 1e-6") {
  parameters p;
  const eisenstein_hu t(p);
  for (double k_h : {0.001, 0.02, 0.07, 0.15, 0.3, 1.0, 5.0}) {
    CAPTURE(k_h);
    CHECK(t(k_h) == doctest::Approx(eh98_paper(k_h * p.h, p.omega_m, p.omega_b, p.h, p.t_cmb)).epsilon(1e-6));
  }
  parameters q;
  q.omega_m = 0.25;
  q.omega_b = 0.04;
  q.h = 0.72;
  const eisenstein_hu t2(q);
  CHECK(t2(0.1) == doctest::Approx(eh98_paper(0.1 * q.h, q.omega_m, q.omega_b, q.h, q.t_cmb)).epsilon(1e-6));
}

TEST_CASE("BAO and no-wiggle shapes agree on large scales and tend to one") {
  const parameters p;
  const eisenstein_hu bao(p, wiggles::bao), smooth(p, wiggles::no_wiggle);
  for (double k = 1e-4; k < 0.005; k *= 1.5) {
    CAPTURE(k);
    CHECK(bao(k) == doctest::Approx(smooth(k)).epsilon(0.01));
  }
  CHECK(bao(1e-6) == doctest::Approx(1.0).epsilon(1e-4));
  CHECK(smooth(1e-6) == doctest::Approx(1.0).epsilon(1e-4));
  // The wiggles are there: the ratio oscillates by a few per cent around the BAO scale.
  double lo = 1, hi = 1;
  for (double k = 0.03; k < 0.3; k += 0.002) {
    lo = std::min(lo, bao(k) / smooth(k));
    hi = std::max(hi, bao(k) / smooth(k));
  }
  CHECK(hi - lo > 0.03);
}

TEST_CASE("sigma_8 of the normalised spectrum equals the parameter to 1e-4") {
  parameters p;
  const auto power = linear_power::from_eisenstein_hu(p);
  // Independent quadrature: trapezoid in ln k over [1e-4, 50] with 200000 points.
  const int n = 200000;
  const double l0 = std::log(1e-4), l1 = std::log(50.0);
  double sum = 0;
  for (int i = 0; i <= n; ++i) {
    const double k = std::exp(l0 + (l1 - l0) * i / n);
    const double x = 8.0 * k;
    const double w = 3 * (std::sin(x) - x * std::cos(x)) / (x * x * x);
    sum += (i == 0 || i == n ? 0.5 : 1.0) * k * k * k * power(k) * w * w;
  }
  const double sigma = std::sqrt(sum * (l1 - l0) / n / (2 * std::numbers::pi * std::numbers::pi));
  CHECK(sigma == doctest::Approx(p.sigma_8).epsilon(1e-4));
  CHECK(power.sigma_r(8.0) == doctest::Approx(p.sigma_8).epsilon(1e-6));
}
