// SPDX-License-Identifier: BSD-3-Clause
// Hockney & Eastwood's optimal influence function (force/optimal_influence.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "lagframe/force/greens_function.hpp"
#include "lagframe/force/optimal_influence.hpp"

using namespace lagframe;

TEST_CASE("optimal influence function: S2 shape, 1/k^2 on large scales, bad diameter refused") {
  // Ŝ(k) of the S2 cloud: 1 at k = 0, the small-κ series joins the closed form continuously.
  CHECK(force::detail::s2_shape(0.0, 3.0) == doctest::Approx(1.0));
  const double a = 3.0, k_join = 2.0 * 0.1 / a;
  CHECK(force::detail::s2_shape(k_join * (1 - 1e-9), a) == doctest::Approx(force::detail::s2_shape(k_join * (1 + 1e-9), a)).epsilon(1e-9));
  CHECK(force::detail::s2_shape(2.0, a) == doctest::Approx(12.0 * (2 - 2 * std::cos(3.0) - 3.0 * std::sin(3.0)) / 81.0));

  const std::size_t n = 16;
  const double side = 64.0;
  const force::detail::axis_kernels<double> k(n, side, force::greens_function::optimal, force::gradient::spectral, 2, false);
  const auto gamma = force::detail::optimal_influence<double>(n, side, k.grad, 2, 3.0 * side / n);
  const double kf = 2.0 * std::numbers::pi / side;
  // The fundamental mode along z: Γ k² → 1 up to the S2 softening and the window aliasing,
  // both O((k_f Δ)²) ≈ 2 %.
  CHECK(gamma[1] * kf * kf == doctest::Approx(1.0).epsilon(0.03));
  CHECK(gamma[0] == 0.0);  // k = 0
  CHECK_THROWS_AS(force::detail::optimal_influence<double>(n, side, k.grad, 2, -1.0), config_error);
}

TEST_CASE("the fast optimal influence function equals the direct alias sums to 1e-12") {
  for (const std::size_t n : {12, 15, 16}) {
    const double side = 50.0;
    for (const auto grad_kind : {force::gradient::spectral, force::gradient::finite_difference_4}) {
      for (const int order : {2, 3}) {
        for (const bool interlaced : {false, true}) {
          for (const std::size_t table_limit : {std::size_t{0}, std::size_t{512}}) {
            CAPTURE(n);
            CAPTURE(order);
            CAPTURE(interlaced);
            CAPTURE(table_limit);
            const force::detail::axis_kernels<double> k(n, side, force::greens_function::optimal, grad_kind, order, false);
            const auto direct = force::detail::optimal_influence_direct<double>(n, side, k.grad, order, 3.5 * side / n, interlaced);
            const auto fast = force::detail::optimal_influence<double>(n, side, k.grad, order, 3.5 * side / n, interlaced, table_limit);
            REQUIRE(fast.size() == direct.size());
            double worst = 0;
            bool zeros_match = true;
            for (std::size_t e = 0; e < fast.size(); ++e) {
              if (direct[e] == 0.0) {
                zeros_match = zeros_match && fast[e] == 0.0;
                continue;
              }
              worst = std::max(worst, std::abs(fast[e] / direct[e] - 1.0));
            }
            CHECK(zeros_match);
            CHECK(worst <= 1e-12);
          }
        }
      }
    }
  }
}
