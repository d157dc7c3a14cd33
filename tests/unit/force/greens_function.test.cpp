// SPDX-License-Identifier: BSD-3-Clause
// The per-axis kernel tables of force/greens_function.hpp against their closed forms
// (docs/physics.md §6.2–6.5), computed independently here.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "lagframe/force/greens_function.hpp"

using namespace lagframe;

TEST_CASE("kernel tables: Laplacian, gradient, Nyquist and window" * doctest::test_suite("unit.force")) {
  const std::size_t n = 16;
  const double side = 32.0, dx = side / n, pi = std::numbers::pi;
  const force::detail::axis_kernels<double> exact(n, side, force::greens_function::exact, force::gradient::spectral, 2, true);
  const force::detail::axis_kernels<double> fd(n, side, force::greens_function::finite_difference,
                                               force::gradient::finite_difference_4, 3, false);
  for (std::size_t i = 0; i < n; ++i) {
    const double m = i <= n / 2 ? double(i) : double(i) - double(n);
    const double k = 2 * pi * m / side, w = k * dx;
    CAPTURE(i);
    CHECK(exact.laplace[i] == doctest::Approx(k * k));
    CHECK(fd.laplace[i] == doctest::Approx((2.0 - 2.0 * std::cos(w)) / (dx * dx)));  // 7-point stencil, per axis
    CHECK(exact.grad[i] == doctest::Approx(i == n / 2 ? 0.0 : k));
    CHECK(fd.grad[i] == doctest::Approx((8 * std::sin(w) - std::sin(2 * w)) / (6 * dx)).scale(1.0));
    const double sinc = i == 0 ? 1.0 : std::sin(w / 2) / (w / 2);
    CHECK(exact.deconv2[i] == doctest::Approx(1.0 / std::pow(sinc, 4)));  // CIC, W² = sinc⁴
    CHECK(fd.deconv2[i] == 1.0);
  }
  CHECK(fd.grad[n / 2] == doctest::Approx(0.0).scale(1.0));  // FD4 vanishes at Nyquist by itself
  // At small k both gradients and Laplacians agree to their stated order.
  CHECK(fd.grad[1] == doctest::Approx(exact.grad[1]).epsilon(std::pow(2 * pi / n, 4) / 30 * 1.1));
  CHECK(fd.laplace[1] == doctest::Approx(exact.laplace[1]).epsilon(std::pow(2 * pi / n, 2) / 12 * 1.1));
}
