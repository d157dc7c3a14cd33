// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include "support/temp_file.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <string>

#include "lagframe/cosmology/linear_power.hpp"

using namespace lagframe;
using namespace lagframe::cosmology;

namespace {

/// σ_R by an independent quadrature of the spectrum's operator(): trapezoid in ln k over
/// [1e-5, 100] h/Mpc with 2e5 points (≥ 60 points per oscillation of W² for R ≤ 8).
template <class P>
double sigma_by_trapezoid(const P& power, double r) {
  constexpr int n = 200000;
  const double l0 = std::log(1e-5), l1 = std::log(100.0);
  double sum = 0;
  for (int i = 0; i <= n; ++i) {
    const double k = std::exp(l0 + (l1 - l0) * i / n);
    const double x = k * r;
    const double w = 3 * (std::sin(x) - x * std::cos(x)) / (x * x * x);
    sum += (i == 0 || i == n ? 0.5 : 1.0) * k * k * k * power(k) * w * w;
  }
  return std::sqrt(sum * (l1 - l0) / n / (2 * std::numbers::pi * std::numbers::pi));
}

/// Test files live in their own temporary folder.
struct temp_file : test::temp_file {
  temp_file(const std::string& name, const std::string& text) : test::temp_file("lagframe_linear_power_test", name, text) {}
};

}  // namespace

TEST_CASE("sigma_8 of the normalised EH98 spectrum equals the parameter to 1e-4") {
  for (wiggles w : {wiggles::bao, wiggles::no_wiggle}) {
    parameters p;
    p.sigma_8 = 0.75;
    const auto power = linear_power::from_eisenstein_hu(p, w);
    CHECK(sigma_by_trapezoid(power, 8.0) == doctest::Approx(p.sigma_8).epsilon(1e-4));
    CHECK(power.sigma_r(8.0) == doctest::Approx(p.sigma_8).epsilon(1e-10));
    // sigma_r against the same independent quadrature at other radii.
    CHECK(power.sigma_r(2.0) == doctest::Approx(sigma_by_trapezoid(power, 2.0)).epsilon(1e-4));
    CHECK(power.sigma_r(50.0) == doctest::Approx(sigma_by_trapezoid(power, 50.0)).epsilon(1e-4));
    CHECK(power.sigma_r(2.0) > power.sigma_r(8.0));
  }
}

TEST_CASE("the EH98 spectrum has the shape A k^n_s T^2") {
  const parameters p;
  const auto power = linear_power::from_eisenstein_hu(p);
  const eisenstein_hu t(p);
  auto shape = [&](double k) { return std::pow(k, p.n_s) * t(k) * t(k); };
  const double k_ref = 0.01;
  for (double k : {2e-5, 1e-3, 0.05, 0.1, 0.2, 0.5, 3.0, 50.0}) {
    CAPTURE(k);
    // Log–log interpolation on a grid with Δ ln k ≈ 0.004 through the BAO wiggles.
    CHECK(power(k) / power(k_ref) == doctest::Approx(shape(k) / shape(k_ref)).epsilon(2e-4));
  }
  // Outside the internal grid: power laws continuing the end intervals.
  const double slope_low = std::log(power(1e-5 * 1.01) / power(1e-5)) / std::log(1.01);
  CHECK(slope_low == doctest::Approx(p.n_s).epsilon(1e-3));
  CHECK(power(1e-7) == doctest::Approx(power(1e-5) * std::pow(1e-2, slope_low)).epsilon(1e-6));
  CHECK(power(1e3) < power(1e2));
  CHECK(power(0.0) == 0.0);
  CHECK(power(-1.0) == 0.0);
  CHECK(std::isnan(power(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("sigma_r of a power law scales as R^-(n+3)/2") {
  for (double n : {-1.0, -2.0}) {
    const auto power = linear_power::from_function([n](double k) { return std::pow(k, n); }, 0.0);
    CAPTURE(n);
    CHECK(power(0.5) == doctest::Approx(std::pow(0.5, n)).epsilon(1e-12));
    const double ratio = power.sigma_r(4.0) / power.sigma_r(8.0);
    CHECK(ratio == doctest::Approx(std::pow(2.0, (n + 3) / 2)).epsilon(1e-5));
  }
  const auto normalised = linear_power::from_function([](double k) { return std::pow(k, -1.5); }, 0.9);
  CHECK(normalised.sigma_r(8.0) == doctest::Approx(0.9).epsilon(1e-10));
  CHECK_THROWS_WITH_AS(linear_power::from_function([](double) { return -1.0; }, 0.0),
                       doctest::Contains("P(k) at k = 1e-05"), config_error);
  CHECK_THROWS_WITH_AS(linear_power::from_function([](double) { return 1.0; }, -0.8),
                       doctest::Contains("sigma_8 = -0.8"), config_error);
  CHECK_THROWS_WITH_AS((void)normalised.sigma_r(0.0), doctest::Contains("radius = 0"), config_error);
}

TEST_CASE("P(k) files are interpolated log-log, and renormalised on request") {
  // P = 1000 k^-1 for k in [0.01, 10.24]: linear in log–log, so interpolation and extrapolation are exact.
  std::string text = "# k (h/Mpc)  P (Mpc/h)^3\n";
  for (double k = 0.01; k < 11; k *= 2) {
    char line[96];
    std::snprintf(line, sizeof line, "%.17g %.17g\n", k, 1000.0 / k);
    text += line;
  }
  const temp_file file("pk.dat", text);
  const parameters p;
  for (auto layout : {table_layout::class_pk, table_layout::camb_pk}) {
    const auto power = linear_power::from_file(file.str(), layout, p, false);
    for (double k : {1e-4, 0.01, 0.05, 0.3, 10.0, 50.0}) {
      CAPTURE(k);
      CHECK(power(k) == doctest::Approx(1000.0 / k).epsilon(1e-9));
    }
  }
  const auto renormalised = linear_power::from_file(file.str(), table_layout::class_pk, p, true);
  CHECK(renormalised.sigma_r(8.0) == doctest::Approx(p.sigma_8).epsilon(1e-10));
  CHECK(sigma_by_trapezoid(renormalised, 8.0) == doctest::Approx(p.sigma_8).epsilon(1e-4));
  CHECK(renormalised(0.3) / renormalised(0.03) == doctest::Approx(0.1).epsilon(1e-9));

  parameters bad = p;
  bad.sigma_8 = -1;
  CHECK_THROWS_WITH_AS(linear_power::from_file(file.str(), table_layout::class_pk, bad, true),
                       doctest::Contains("sigma_8 = -1"), config_error);
  CHECK_THROWS_WITH_AS(linear_power::from_file("/nonexistent/pk.dat", table_layout::camb_pk, p, false),
                       doctest::Contains("/nonexistent/pk.dat"), io_error);
}

TEST_CASE("transfer-function files build P = A k^n_s T^2 (CAMB) and A k^(n_s-4) d_tot^2 (CLASS)") {
  const parameters p;
  const auto eh = linear_power::from_eisenstein_hu(p);
  const eisenstein_hu t(p);
  std::string camb = "#  k/h  CDM  baryon  photon  nu  mass_nu  total\n";
  std::string cls = "# some header\n#    1:k (h/Mpc)    2:d_g    3:d_b    4:d_cdm    5:d_tot    6:phi\n";
  for (double k = 1e-5; k < 120; k *= 1.05) {
    const double tk = t(k);
    char line[256];
    std::snprintf(line, sizeof line, "%.10e 1 1 1 1 1 %.10e\n", k, tk);
    camb += line;
    // CLASS normalises to unit initial curvature: δ_tot ∝ −k² T(k) on all scales.
    std::snprintf(line, sizeof line, "%.10e 0 0 0 %.10e 0\n", k, -3.0 * k * k * tk);
    cls += line;
  }
  const temp_file camb_file("tk_camb.dat", camb);
  const temp_file class_file("tk_class.dat", cls);
  // The flag is ignored for transfer layouts: they are always normalised to σ8.
  const auto from_camb = linear_power::from_file(camb_file.str(), table_layout::camb_tk, p, false);
  const auto from_class = linear_power::from_file(class_file.str(), table_layout::class_tk, p, false);
  CHECK(from_camb.sigma_r(8.0) == doctest::Approx(p.sigma_8).epsilon(1e-10));
  CHECK(from_class.sigma_r(8.0) == doctest::Approx(p.sigma_8).epsilon(1e-10));
  for (double k : {1e-4, 0.01, 0.1, 0.5, 5.0}) {
    CAPTURE(k);
    // Log–log interpolation between table rows 5 % apart in k.
    CHECK(from_camb(k) == doctest::Approx(eh(k)).epsilon(1e-3));
    CHECK(from_class(k) == doctest::Approx(eh(k)).epsilon(1e-3));
  }
  const temp_file zero_t("tk_zero.dat", "0.1 1 1 1 1 1 1\n0.2 1 1 1 1 1 0\n0.3 1 1 1 1 1 1\n0.4 1 1 1 1 1 1\n");
  CHECK_THROWS_WITH_AS(linear_power::from_file(zero_t.str(), table_layout::camb_tk, p, true),
                       doctest::Contains("k = 0.2"), io_error);
}
