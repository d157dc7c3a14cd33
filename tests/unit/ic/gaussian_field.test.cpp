// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <complex>
#include <cstring>
#include <limits>
#include <numbers>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/ic/gaussian_field.hpp"

using namespace lagframe;

namespace {

struct omp_threads_guard {
  int saved = omp_get_max_threads();
  ~omp_threads_guard() { omp_set_num_threads(saved); }
};

/// A smooth power law with a mild turnover, P in (Mpc/h)^3.
double test_power(double k) { return 2.0e4 * std::pow(k / 0.1, -1.2) / (1.0 + (k / 0.5) * (k / 0.5)); }

constexpr double two_pi = 2.0 * std::numbers::pi;

template <class Real>
double mode_k(const real_field<Real>& f, std::size_t i, std::size_t j, std::size_t k) {
  const std::size_t n = f.size_1d();
  const double a = static_cast<double>(wavenumber_index(i, n));
  const double b = static_cast<double>(wavenumber_index(j, n));
  const double c = static_cast<double>(wavenumber_index(k, n));
  return two_pi / f.side() * std::sqrt(a * a + b * b + c * c);
}

/// |Δ³ δ_k^FFT|² / V: the estimator of P for one mode (docs/physics.md §1.3).
template <class Real>
double mode_power(const real_field<Real>& f, std::complex<double> m) {
  const double d3 = std::pow(f.spacing(), 3);
  return std::norm(m) * d3 * d3 / std::pow(f.side(), 3);
}

template <class Real>
std::complex<double> as_double(std::complex<Real> z) {
  return {static_cast<double>(z.real()), static_cast<double>(z.imag())};
}

template <class Real>
bool bitwise_equal(const real_field<Real>& a, const real_field<Real>& b) {
  return a.storage().size() == b.storage().size() &&
         std::memcmp(a.data(), b.data(), a.storage().size() * sizeof(Real)) == 0;
}

}  // namespace

TEST_CASE_TEMPLATE("fixed-amplitude modes have |delta_k|^2/V = P(k) for every non-zero mode",
                   Real, double, float) {
  const box b{.side_mpc_h = 200.0, .particles_1d = 16};
  const auto modes = ic::linear_density_modes<Real>(
      b, test_power, {.seed = 3, .mode = ic::amplitude::fixed, .inverted = false});
  REQUIRE(modes.size_1d() == 16);
  CHECK(modes.side() == 200.0);
  CHECK(modes.mode(0, 0, 0) == std::complex<Real>(0, 0));
  double worst = 0.0;
  std::size_t checked = 0;
  for (std::size_t i = 0; i < 16; ++i)
    for (std::size_t j = 0; j < 16; ++j)
      for (std::size_t k = 0; k <= 8; ++k) {
        if (i == 0 && j == 0 && k == 0) continue;
        const double p = test_power(mode_k(modes, i, j, k));
        worst = std::max(worst, std::abs(mode_power(modes, as_double(modes.mode(i, j, k))) / p - 1.0));
        ++checked;
      }
  CHECK(checked == 16 * 16 * 9 - 1);
  MESSAGE("fixed amplitude: worst relative error of |delta_k|^2/V vs P = ", worst);
  CHECK(worst < 1e-5);
}

TEST_CASE("fixed-amplitude field has the exact real-space variance sum_k P(k)/V (Parseval)" *
          doctest::test_suite("unit.ic")) {
  // Checks the convention delta(x) = backward(modes)/N^3 end to end.
  const box b{.side_mpc_h = 150.0, .particles_1d = 16};
  auto f = ic::linear_density_modes<double>(b, test_power, {.seed = 11, .mode = ic::amplitude::fixed});
  double expected = 0.0;
  for (std::size_t i = 0; i < 16; ++i)
    for (std::size_t j = 0; j < 16; ++j)
      for (std::size_t k = 0; k < 16; ++k) {
        if (i == 0 && j == 0 && k == 0) continue;
        const double a = static_cast<double>(wavenumber_index(i, 16));
        const double c = static_cast<double>(wavenumber_index(j, 16));
        const double e = static_cast<double>(wavenumber_index(k, 16));
        expected += test_power(two_pi / 150.0 * std::sqrt(a * a + c * c + e * e));
      }
  expected /= b.volume();
  fft::r2c_plan<double> plan(16);
  plan.backward(f);
  double var = 0.0;
  for (std::size_t i = 0; i < 16; ++i)
    for (std::size_t j = 0; j < 16; ++j)
      for (std::size_t k = 0; k < 16; ++k) var += std::pow(f(i, j, k) / 4096.0, 2);
  var /= 4096.0;
  CHECK(var == doctest::Approx(expected).epsilon(1e-10));
  CHECK(std::abs(f.sum()) < 1e-9 * std::sqrt(expected) * 4096.0 * 4096.0);  // k = 0 is zero
}

TEST_CASE("Gaussian field: binned P(k) matches the input within 3 sigma in every shell (32^3)" *
          doctest::test_suite("unit.ic")) {
  const std::size_t n = 32;
  const box b{.side_mpc_h = 300.0, .particles_1d = n};
  const auto modes = ic::linear_density_modes<double>(b, test_power, {.seed = 42});
  // Independent modes of the full N^3 transform: a pair {k, -k} counts once with weight 2 (it
  // appears twice on the full grid), a self-conjugate mode (every index 0 or N/2) once with
  // weight 1. Var of |delta|^2/V: P^2 for a complex mode, 2 P^2 for a real one.
  const std::size_t shells = 30;
  std::vector<double> weight(shells, 0.0), measured(shells, 0.0), expected(shells, 0.0),
      variance(shells, 0.0);
  const auto full = [&](std::size_t i, std::size_t j, std::size_t k) {
    if (k <= n / 2) return modes.mode(i, j, k);
    return std::conj(modes.mode((n - i) % n, (n - j) % n, n - k));
  };
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t pi = (n - i) % n, pj = (n - j) % n, pk = (n - k) % n;
        const std::size_t self = (i * n + j) * n + k, partner = (pi * n + pj) * n + pk;
        if (self == 0 || partner < self) continue;
        const bool real_mode = (partner == self);
        const double w = real_mode ? 1.0 : 2.0;
        const double a = static_cast<double>(wavenumber_index(i, n));
        const double c = static_cast<double>(wavenumber_index(j, n));
        const double e = static_cast<double>(wavenumber_index(k, n));
        const double m = std::sqrt(a * a + c * c + e * e);
        const auto shell = static_cast<std::size_t>(std::lround(m));
        const double p = test_power(two_pi / b.side_mpc_h * m);
        weight[shell] += w;
        measured[shell] += w * mode_power(modes, full(i, j, k));
        expected[shell] += w * p;
        variance[shell] += w * w * (real_mode ? 2.0 : 1.0) * p * p;
      }
  std::size_t tested = 0;
  double worst_sigma = 0.0;
  for (std::size_t s = 1; s < shells; ++s) {
    if (weight[s] == 0.0) continue;
    const double sigma = std::sqrt(variance[s]) / weight[s];
    const double dev = (measured[s] - expected[s]) / weight[s] / sigma;
    worst_sigma = std::max(worst_sigma, std::abs(dev));
    CAPTURE(s);
    CAPTURE(dev);
    CHECK(std::abs(dev) < 3.0);
    ++tested;
  }
  MESSAGE("Gaussian P(k): ", tested, " shells, worst deviation ", worst_sigma, " sigma");
  CHECK(tested == 28);  // shells 1 .. round(sqrt(3)*16) = 28
}

TEST_CASE("linear_density_modes is bit-identical at 1, 2 and 3 threads" *
          doctest::test_suite("unit.ic")) {
  omp_threads_guard guard;
  const box b{.side_mpc_h = 100.0, .particles_1d = 24};
  omp_set_num_threads(1);
  const auto ref = ic::linear_density_modes<double>(b, test_power, {.seed = 5});
  for (int t : {2, 3}) {
    omp_set_num_threads(t);
    CHECK(bitwise_equal(ref, ic::linear_density_modes<double>(b, test_power, {.seed = 5})));
  }
}

TEST_CASE("paired fields are exact negatives; seeds and precisions agree" *
          doctest::test_suite("unit.ic")) {
  const box b{.side_mpc_h = 100.0, .particles_1d = 16};
  for (auto mode : {ic::amplitude::gaussian, ic::amplitude::fixed}) {
    const auto plus = ic::linear_density_modes<double>(b, test_power, {.seed = 9, .mode = mode});
    const auto minus = ic::linear_density_modes<double>(
        b, test_power, {.seed = 9, .mode = mode, .inverted = true});
    bool negated = true;
    for (std::size_t s = 0; s < plus.storage().size(); ++s)
      negated = negated && (minus.storage()[s] == -plus.storage()[s]);
    CHECK(negated);
  }
  // float and double use the same noise: the fields agree to float round-off.
  const auto d = ic::linear_density_modes<double>(b, test_power, {.seed = 9});
  const auto f = ic::linear_density_modes<float>(b, test_power, {.seed = 9});
  double diff = 0.0, norm = 0.0;
  for (std::size_t s = 0; s < d.storage().size(); ++s) {
    diff = std::max(diff, std::abs(static_cast<double>(f.storage()[s]) - d.storage()[s]));
    norm = std::max(norm, std::abs(d.storage()[s]));
  }
  CHECK(diff < 1e-5 * norm);
  // Different seeds give different fields.
  const auto other = ic::linear_density_modes<double>(b, test_power, {.seed = 10});
  CHECK_FALSE(bitwise_equal(d, other));
}

TEST_CASE("a bad power spectrum or box is refused, naming the value" * doctest::test_suite("unit.ic")) {
  const box b{.side_mpc_h = 100.0, .particles_1d = 8};
  CHECK_THROWS_WITH_AS(
      (void)ic::linear_density_modes<double>(b, [](double k) { return k > 0.3 ? -1.0 : 1.0; }, {}),
      doctest::Contains("= -1"), config_error);
  CHECK_THROWS_AS((void)ic::linear_density_modes<double>(
                      b, [](double) { return std::numeric_limits<double>::quiet_NaN(); }, {}),
                  numerical_error);
  CHECK_THROWS_WITH_AS((void)ic::linear_density_modes<double>(
                           box{.side_mpc_h = 100.0, .particles_1d = 1}, test_power, {}),
                       doctest::Contains("particles_1d = 1"), config_error);
}
