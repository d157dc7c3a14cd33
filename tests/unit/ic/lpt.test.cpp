// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <complex>
#include <cstring>
#include <functional>
#include <limits>
#include <numbers>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/ic/gaussian_field.hpp"
#include "lagframe/ic/lpt.hpp"

using namespace lagframe;

namespace {

constexpr double two_pi = 2.0 * std::numbers::pi;

double test_power(double k) { return 1.0e4 * std::pow(k / 0.1, -1.5) * std::exp(-k * k); }

/// Fourier modes (unnormalised forward FFT) of a real-space field given as f(x, y, z).
template <class Real>
real_field<Real> modes_of(const box& b, const std::function<double(double, double, double)>& f) {
  const std::size_t n = b.particles_1d;
  const double dq = b.lagrangian_spacing();
  real_field<Real> g(n, b.side_mpc_h);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k)
        g(i, j, k) = static_cast<Real>(f(static_cast<double>(i) * dq, static_cast<double>(j) * dq,
                                         static_cast<double>(k) * dq));
  fft::r2c_plan<Real> plan(n);
  plan.forward(g);
  return g;
}

/// max over particles and components of |psi - expected(q)| / scale.
template <class Real>
double max_error(const box& b, const std::vector<vec3<Real>>& psi,
                 const std::function<vec3<double>(double, double, double)>& expected) {
  double worst = 0.0;
  for (std::size_t id = 0; id < b.particle_count(); ++id) {
    const auto q = b.lagrangian_position<double>(id);
    const auto e = expected(q[0], q[1], q[2]);
    for (std::size_t c = 0; c < 3; ++c)
      worst = std::max(worst, std::abs(static_cast<double>(psi[id][c]) - e[c]));
  }
  return worst;
}

}  // namespace

TEST_CASE("div psi1 = -delta0 to round-off for a Gaussian field without Nyquist content" *
          doctest::test_suite("unit.ic")) {
  const std::size_t n = 16;
  const box b{.side_mpc_h = 120.0, .particles_1d = n};
  auto modes = ic::linear_density_modes<double>(b, test_power, {.seed = 17});
  // The documented Nyquist treatment drops the Nyquist element of each first derivative, so the
  // identity is exact for the part of delta0 with no Nyquist index: remove it here.
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k <= n / 2; ++k)
        if (i == n / 2 || j == n / 2 || k == n / 2) modes.mode(i, j, k) = 0.0;

  const auto lpt = ic::lpt_displacements(b, modes, 1);
  CHECK(lpt.order == 1);
  CHECK(lpt.grid.particles_1d == n);
  REQUIRE(lpt.psi1.size() == n * n * n);
  REQUIRE(lpt.psi2.size() == n * n * n);
  bool psi2_zero = true;
  for (const auto& v : lpt.psi2) psi2_zero = psi2_zero && v[0] == 0.0 && v[1] == 0.0 && v[2] == 0.0;
  CHECK(psi2_zero);

  // Spectral divergence computed here: sum_c i k_c FFT(psi1_c), Nyquist along c zeroed.
  fft::r2c_plan<double> plan(n);
  real_field<double> div(n, b.side_mpc_h);
  for (std::size_t c = 0; c < 3; ++c) {
    real_field<double> comp(n, b.side_mpc_h);
    for (std::size_t id = 0; id < b.particle_count(); ++id) {
      const auto idx = b.lagrangian_index(id);
      comp(idx[0], idx[1], idx[2]) = lpt.psi1[id][c];
    }
    plan.forward(comp);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = 0; k <= n / 2; ++k) {
          const std::size_t along[3] = {i, j, k};
          if (along[c] == n / 2) continue;
          const double kc = two_pi / b.side_mpc_h * static_cast<double>(wavenumber_index(along[c], n));
          div.mode(i, j, k) += std::complex<double>(0.0, kc) * comp.mode(i, j, k);
        }
  }
  plan.backward(div);
  auto delta = modes;
  plan.backward(delta);
  double worst = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) {
        const double d0 = delta(i, j, k) / 4096.0;
        worst = std::max(worst, std::abs(div(i, j, k) / 4096.0 + d0));
        scale = std::max(scale, std::abs(d0));
      }
  MESSAGE("max |div psi1 + delta0| / max |delta0| = ", worst / scale);
  CHECK(scale > 0.0);
  CHECK(worst < 1e-12 * scale);
}

TEST_CASE_TEMPLATE("single plane wave: psi1 = -A sin(kx)/k, psi2 = 0", Real, double, float) {
  const box b{.side_mpc_h = 64.0, .particles_1d = 16};
  const double amp = 0.7;
  const double k1 = two_pi / b.side_mpc_h * 3.0;
  const auto modes = modes_of<Real>(b, [&](double x, double, double) { return amp * std::cos(k1 * x); });
  const auto lpt = ic::lpt_displacements(b, modes, 2);
  CHECK(lpt.order == 2);
  const double eps = std::is_same_v<Real, double> ? 1e-12 : 1e-5;
  const double psi1_scale = amp / k1;
  CHECK(max_error(b, lpt.psi1, [&](double x, double, double) {
          return vec3<double>{-amp * std::sin(k1 * x) / k1, 0.0, 0.0};
        }) < eps * psi1_scale);
  // The 2LPT source of a single plane wave vanishes identically.
  CHECK(max_error(b, lpt.psi2, [](double, double, double) { return vec3<double>{0.0, 0.0, 0.0}; }) <
        eps * amp * psi1_scale);
}

TEST_CASE("two crossed plane waves: psi2 matches the analytic 2LPT solution" *
          doctest::test_suite("unit.ic")) {
  // delta0 = A cos(k1 x) + B cos(k2 y)
  //   phi1  = -A cos(k1 x)/k1^2 - B cos(k2 y)/k2^2
  //   phi1_xx = A cos(k1 x), phi1_yy = B cos(k2 y), every other second derivative 0
  //   S = phi1_xx phi1_yy = A B cos(k1 x) cos(k2 y)
  //   lap phi2 = S  =>  phi2 = -A B cos(k1 x) cos(k2 y) / (k1^2 + k2^2)
  //   psi2 = grad phi2 = A B / (k1^2 + k2^2) (k1 sin(k1 x) cos(k2 y), k2 cos(k1 x) sin(k2 y), 0)
  const box b{.side_mpc_h = 80.0, .particles_1d = 16};
  const double amp_a = 0.4, amp_b = -0.25;
  const double k1 = two_pi / b.side_mpc_h * 2.0, k2 = two_pi / b.side_mpc_h * 5.0;
  const auto modes = modes_of<double>(
      b, [&](double x, double y, double) { return amp_a * std::cos(k1 * x) + amp_b * std::cos(k2 * y); });
  const auto lpt = ic::lpt_displacements(b, modes, 2);
  const double c = amp_a * amp_b / (k1 * k1 + k2 * k2);
  const double scale = std::abs(c) * std::max(k1, k2);
  const double err2 = max_error(b, lpt.psi2, [&](double x, double y, double) {
    return vec3<double>{c * k1 * std::sin(k1 * x) * std::cos(k2 * y),
                        c * k2 * std::cos(k1 * x) * std::sin(k2 * y), 0.0};
  });
  MESSAGE("crossed waves: max |psi2 - analytic| / max |psi2| = ", err2 / scale);
  CHECK(err2 < 1e-6 * scale);
  const double err1 = max_error(b, lpt.psi1, [&](double x, double y, double) {
    return vec3<double>{-amp_a * std::sin(k1 * x) / k1, -amp_b * std::sin(k2 * y) / k2, 0.0};
  });
  CHECK(err1 < 1e-6 * std::abs(amp_a) / k1);
  // Psi = D1 psi1 + D2 psi2.
  const std::size_t id = (3 * 16 + 7) * 16 + 1;
  const auto disp = lpt.displacement(id, 0.5, -0.1);
  for (std::size_t k = 0; k < 3; ++k)
    CHECK(disp[k] == doctest::Approx(0.5 * lpt.psi1[id][k] - 0.1 * lpt.psi2[id][k]));
}

TEST_CASE("Nyquist plane wave: its first derivative is dropped, as documented" *
          doctest::test_suite("unit.ic")) {
  const box b{.side_mpc_h = 50.0, .particles_1d = 8};
  const double kn = std::numbers::pi / b.lagrangian_spacing();
  const auto modes = modes_of<double>(b, [&](double x, double, double) { return std::cos(kn * x); });
  const auto lpt = ic::lpt_displacements(b, modes, 2);
  CHECK(max_error(b, lpt.psi1, [](double, double, double) { return vec3<double>{0, 0, 0}; }) < 1e-14);
  CHECK(max_error(b, lpt.psi2, [](double, double, double) { return vec3<double>{0, 0, 0}; }) < 1e-14);
}

TEST_CASE("lpt_displacements is bit-identical at 1 and 2 threads" * doctest::test_suite("unit.ic")) {
  const int saved = omp_get_max_threads();
  const box b{.side_mpc_h = 100.0, .particles_1d = 16};
  const auto modes = ic::linear_density_modes<double>(b, test_power, {.seed = 4});
  omp_set_num_threads(1);
  const auto one = ic::lpt_displacements(b, modes, 2);
  omp_set_num_threads(2);
  const auto two = ic::lpt_displacements(b, modes, 2);
  omp_set_num_threads(saved);
  CHECK(std::memcmp(one.psi1.data(), two.psi1.data(), one.psi1.size() * sizeof(vec3<double>)) == 0);
  CHECK(std::memcmp(one.psi2.data(), two.psi2.data(), one.psi2.size() * sizeof(vec3<double>)) == 0);
}

TEST_CASE("bad input is refused, naming the value" * doctest::test_suite("unit.ic")) {
  const box b{.side_mpc_h = 100.0, .particles_1d = 8};
  auto modes = ic::linear_density_modes<double>(b, test_power, {.seed = 1});
  CHECK_THROWS_WITH_AS((void)ic::lpt_displacements(b, modes, 3), doctest::Contains("order = 3"),
                       config_error);
  CHECK_THROWS_WITH_AS((void)ic::lpt_displacements(b, modes, 0), doctest::Contains("order = 0"),
                       config_error);
  const box bigger{.side_mpc_h = 100.0, .particles_1d = 16};
  try {
    (void)ic::lpt_displacements(bigger, modes, 2);
    FAIL("grid size mismatch was accepted");
  } catch (const config_error& e) {
    const std::string what = e.what();
    CHECK(what.find("8^3") != std::string::npos);
    CHECK(what.find("particles_1d = 16") != std::string::npos);
  }
  CHECK_THROWS_WITH_AS((void)ic::lpt_displacements(box{.side_mpc_h = 50.0, .particles_1d = 8}, modes, 1),
                       doctest::Contains("side_mpc_h = 50"), config_error);
  modes.mode(2, 3, 1) = std::complex<double>(std::numeric_limits<double>::quiet_NaN(), 0.0);
  CHECK_THROWS_WITH_AS((void)ic::lpt_displacements(b, modes, 2), doctest::Contains("(2, 3, 1)"),
                       numerical_error);
}
