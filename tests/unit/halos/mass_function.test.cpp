// SPDX-License-Identifier: BSD-3-Clause
// halos::measure_mass_function and the fits: binning and Poisson errors of known masses, the
// Sheth–Tormen normalisation ∫ f dln ν = 1, Tinker et al. (2008) against hand-evaluated values
// and its redshift and Δ dependence, d ln σ/d ln M = −(n + 3)/6 for a power-law spectrum, and
// dn/d ln M assembled from its parts.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "lagframe/halos/mass_function.hpp"

using namespace lagframe;

TEST_CASE("binned dn/dlnM of known masses" * doctest::test_suite("unit.halos")) {
  const std::vector<double> m{1.5e13, 1.6e13, 3e13, 9.9e13, 1e14, 5e14, 2e15};
  const auto r = halos::measure_mass_function(m, 1000.0, 1e13, 1e15, 2);
  REQUIRE(r.count.size() == 2);
  CHECK(r.count[0] == 4);  // [1e13, 1e14)
  CHECK(r.count[1] == 2);  // [1e14, 1e15); 2e15 is outside
  const double dl = std::log(10.0);
  CHECK(r.dn_dlnm[0] == doctest::Approx(4.0 / (1000.0 * dl)).scale(0));
  CHECK(r.error[1] == doctest::Approx(std::sqrt(2.0) / (1000.0 * dl)).scale(0));
  CHECK(r.m_centre[0] == doctest::Approx(std::sqrt(1e27)));
  CHECK(r.m_mean[1] == doctest::Approx(3e14));
  CHECK_THROWS_AS(halos::measure_mass_function(m, 0.0, 1e13, 1e15, 2), config_error);
  CHECK_THROWS_AS(halos::measure_mass_function(m, 1.0, 1e13, 1e12, 2), config_error);
}

TEST_CASE("Sheth–Tormen is normalised and Tinker 2008 matches hand values" * doctest::test_suite("unit.halos")) {
  // ∫ f(ν) d ln ν = 1 (trapezoid in ln ν over [1e-14, 30]; f ∝ ν^0.4 below).
  double integral = 0;
  const double l0 = std::log(1e-14), l1 = std::log(30.0);
  const int steps = 200000;
  for (int i = 0; i <= steps; ++i) {
    const double w = (i == 0 || i == steps) ? 0.5 : 1.0;
    integral += w * halos::sheth_tormen_f(std::exp(l0 + (l1 - l0) * i / steps));
  }
  integral *= (l1 - l0) / steps;
  CHECK(integral == doctest::Approx(1.0).epsilon(2e-3).scale(0));
  // Tinker at σ = 1, Δ = 200, z = 0: 0.186 (2.57^1.47 + 1) e^{−1.19}.
  CHECK(halos::tinker08_f(1.0, 200.0, 0.0) == doctest::Approx(0.186 * (std::pow(2.57, 1.47) + 1.0) * std::exp(-1.19)).epsilon(1e-12).scale(0));
  // Δ = 800 row, z = 1: A (1+z)^−0.14, a (1+z)^−0.06, b (1+z)^−α with log α = −(0.75/log(800/75))^1.2.
  const double alpha = std::pow(10.0, -std::pow(0.75 / std::log10(800.0 / 75.0), 1.2));
  const double A = 0.248 * std::pow(2.0, -0.14), a = 1.87 * std::pow(2.0, -0.06), b = 1.59 * std::pow(2.0, -alpha);
  CHECK(halos::tinker08_f(0.7, 800.0, 1.0) == doctest::Approx(A * (std::pow(0.7 / b, -a) + 1.0) * std::exp(-1.58 / 0.49)).epsilon(1e-12).scale(0));
  // Between rows: between the neighbours' values.
  const double f300 = halos::tinker08_f(0.8, 300.0, 0.0), f400 = halos::tinker08_f(0.8, 400.0, 0.0);
  const double f350 = halos::tinker08_f(0.8, 350.0, 0.0);
  CHECK(f350 > std::min(f300, f400));
  CHECK(f350 < std::max(f300, f400));
  CHECK_THROWS_AS((void)halos::tinker08_f(1.0, 150.0, 0.0), config_error);
}

TEST_CASE("d ln sigma / d ln M of a power law and dn/dlnM from its parts" * doctest::test_suite("unit.halos")) {
  // P ∝ k^n with n = −2 (σ_R ∝ R^{−1/2}, i.e. σ ∝ M^{−1/6}) normalised to σ8 = 0.8.
  const auto power = cosmology::linear_power::from_function([](double k) { return std::pow(k, -2.0); }, 0.8);
  const cosmology::parameters p{};
  const halos::mass_function_theory t(power, p, 1.0);
  for (double m : {1e13, 1e14, 1e15}) CHECK(t.dlnsigma_dlnm(m) == doctest::Approx(-1.0 / 6.0).epsilon(2e-3).scale(0));
  // σ at R = 8 Mpc/h is σ8.
  const double m8 = 4.0 / 3.0 * std::numbers::pi * 512.0 * t.rho_mean();
  CHECK(t.sigma(m8) == doctest::Approx(0.8).epsilon(1e-4).scale(0));
  const double m = 3e14, s = t.sigma(m);
  CHECK(t.dn_dlnm(m, halos::mass_function_fit::tinker08) ==
        doctest::Approx(halos::tinker08_f(s, 200.0, 0.0) * t.rho_mean() / m / 6.0).epsilon(3e-3).scale(0));
  CHECK(t.dn_dlnm(m, halos::mass_function_fit::sheth_tormen) ==
        doctest::Approx(halos::sheth_tormen_f(1.686 / s) * t.rho_mean() / m / 6.0).epsilon(3e-3).scale(0));
  // Growth: at a = 0.5, σ scales by D1(0.5).
  const halos::mass_function_theory half(power, p, 0.5);
  const cosmology::growth g(p);
  CHECK(half.sigma(m) == doctest::Approx(g.d1(0.5) * s).epsilon(1e-9).scale(0));
  CHECK(half.delta_mean_of_200c() < t.delta_mean_of_200c());
  CHECK(t.delta_mean_of_200c() == doctest::Approx(200.0 / p.omega_m).epsilon(1e-9));
}

TEST_CASE("bin-averaged dn/dlnM against a fine midpoint sum" * doctest::test_suite("unit.halos")) {
  const auto power = cosmology::linear_power::from_function([](double k) { return std::pow(k, -2.0); }, 0.8);
  const cosmology::parameters p{};
  const halos::mass_function_theory t(power, p, 1.0);
  for (auto fit : {halos::mass_function_fit::sheth_tormen, halos::mass_function_fit::tinker08}) {
    // A 0.5 dex bin where dn/dlnM falls by a factor of several: the average is not the centre's value.
    const double lo = 3e14, hi = lo * std::pow(10.0, 0.5);
    double sum = 0;
    const int n = 200;
    for (int i = 0; i < n; ++i) sum += t.dn_dlnm(lo * std::pow(hi / lo, (i + 0.5) / n), fit);
    const double fine = sum / n, centre = t.dn_dlnm(std::sqrt(lo * hi), fit);
    CHECK(t.bin_average(lo, hi, fit) == doctest::Approx(fine).epsilon(1e-4).scale(0));
    CHECK(std::abs(fine / centre - 1.0) > 0.02);
  }
  CHECK_THROWS_AS((void)t.bin_average(1e14, 1e13, halos::mass_function_fit::tinker08), config_error);
  CHECK_THROWS_AS((void)t.bin_average(0.0, 1e13, halos::mass_function_fit::tinker08), config_error);
}
