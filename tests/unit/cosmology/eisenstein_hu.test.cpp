// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "lagframe/cosmology/eisenstein_hu.hpp"

using namespace lagframe;
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

/// The no-wiggle form, eqs. 26–31, transcribed in the paper's own units: q with k in h/Mpc and
/// Γ_eff = Ω_0 h (…) in h/Mpc; s and k·s in Mpc.
double eh98_no_wiggle_paper(double k_h, double Om, double Ob, double h, double Tcmb) {
  const double th = Tcmb / 2.7;
  const double omh2 = Om * h * h, obh2 = Ob * h * h, ratio = Ob / Om;
  const double s = 44.5 * std::log(9.83 / omh2) / std::sqrt(1 + 10 * std::pow(obh2, 0.75));  // eq. 26
  const double alpha = 1 - 0.328 * std::log(431 * omh2) * ratio + 0.38 * std::log(22.3 * omh2) * ratio * ratio;  // eq. 31
  const double k_mpc = k_h * h;
  const double gamma_eff = Om * h * (alpha + (1 - alpha) / (1 + std::pow(0.43 * k_mpc * s, 4)));  // eq. 30
  const double q = k_h * th * th / gamma_eff;                                                     // eq. 28
  const double L0 = std::log(2 * std::numbers::e + 1.8 * q);                                      // eq. 29
  const double C0 = 14.2 + 731 / (1 + 62.5 * q);
  return L0 / (L0 + C0 * q * q);
}
}  // namespace

TEST_CASE("EH98 with BAO matches the published equations at several wavenumbers to 1e-6") {
  parameters planck;
  parameters wmap;
  wmap.omega_m = 0.25;
  wmap.omega_b = 0.04;
  wmap.h = 0.72;
  wmap.t_cmb = 2.725;
  parameters baryon_rich;
  baryon_rich.omega_m = 0.4;
  baryon_rich.omega_b = 0.1;
  baryon_rich.h = 0.6;
  for (const parameters& p : {planck, wmap, baryon_rich}) {
    const eisenstein_hu t(p);
    for (double k_h : {1e-4, 0.001, 0.02, 0.07, 0.15, 0.3, 1.0, 5.0, 50.0}) {
      CAPTURE(p.omega_m);
      CAPTURE(k_h);
      CHECK(t(k_h) == doctest::Approx(eh98_paper(k_h * p.h, p.omega_m, p.omega_b, p.h, p.t_cmb)).epsilon(1e-6));
    }
  }
}

TEST_CASE("EH98 no-wiggle matches the published equations 26-31 to 1e-6") {
  parameters wmap;
  wmap.omega_m = 0.25;
  wmap.omega_b = 0.04;
  wmap.h = 0.72;
  for (const parameters& p : {parameters{}, wmap}) {
    const eisenstein_hu t(p, wiggles::no_wiggle);
    CHECK(t.shape() == wiggles::no_wiggle);
    for (double k_h : {1e-4, 0.001, 0.02, 0.07, 0.15, 0.3, 1.0, 5.0, 50.0}) {
      CAPTURE(p.omega_m);
      CAPTURE(k_h);
      CHECK(t(k_h) == doctest::Approx(eh98_no_wiggle_paper(k_h, p.omega_m, p.omega_b, p.h, p.t_cmb)).epsilon(1e-6));
    }
    // Eq. 26 approximates the sound horizon of eq. 6 to about 2 % (EH98 §4.2).
    CHECK(t.sound_horizon_fit_mpc() == doctest::Approx(t.sound_horizon_mpc()).epsilon(0.02));
  }
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

TEST_CASE("EH98 edge cases: k = 0, invalid k, invalid parameters") {
  const parameters p;
  for (wiggles w : {wiggles::bao, wiggles::no_wiggle}) {
    const eisenstein_hu t(p, w);
    CHECK(t(0.0) == 1.0);
    CHECK(t(1e-30) == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(std::isnan(t(-0.1)));
    CHECK(std::isnan(t(std::numeric_limits<double>::quiet_NaN())));
    CHECK(t(1e3) > 0.0);
    CHECK(t(1e3) < t(1e2));
  }
  parameters no_baryons;
  no_baryons.omega_b = 0.0;
  CHECK_THROWS_WITH_AS(eisenstein_hu{no_baryons}, doctest::Contains("omega_b = 0"), config_error);
  parameters bad;
  bad.h = -1;
  CHECK_THROWS_WITH_AS(eisenstein_hu(bad, wiggles::no_wiggle), doctest::Contains("cosmology.h = -1"), config_error);
}
