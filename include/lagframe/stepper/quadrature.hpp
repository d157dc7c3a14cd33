// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file quadrature.hpp
/// ∫_{a0}^{a1} f(a) da by 16-point Gauss–Legendre in ln a, on pieces at most 0.25 wide in ln a.
/// The time-step integrands (1/(a²E), 1/(a³E), a^n/(a³E)) are smooth power laws in a, so this is
/// accurate to ~1e-13 relative; used for the kick and drift factors.

#include <algorithm>
#include <array>
#include <cmath>

namespace lagframe::stepper::detail {

template <class F>
double integrate_log_a(F&& f, double a0, double a1) {
  // Nodes and weights of 16-point Gauss–Legendre on [−1, 1] (symmetric half).
  static constexpr std::array<double, 8> x = {
      0.0950125098376374401853193, 0.2816035507792589132304605, 0.4580167776572273863424194,
      0.6178762444026437484466718, 0.7554044083550030338951012, 0.8656312023878317438804679,
      0.9445750230732325760779884, 0.9894009349916499325961542};
  static constexpr std::array<double, 8> w = {
      0.1894506104550684962853967, 0.1826034150449235888667637, 0.1691565193950025381893121,
      0.1495959888165767320815017, 0.1246289712555338720524763, 0.0951585116824927848099251,
      0.0622535239386478928628438, 0.0271524594117540948517806};
  if (a1 == a0) return 0.0;
  const double l0 = std::log(a0), l1 = std::log(a1);
  const int pieces = std::max(1, static_cast<int>(std::ceil(std::abs(l1 - l0) / 0.25)));
  const double h = (l1 - l0) / pieces;
  double total = 0.0;
  for (int p = 0; p < pieces; ++p) {
    const double mid = l0 + (p + 0.5) * h;
    double piece = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      for (double s : {-1.0, 1.0}) {
        const double a = std::exp(mid + s * x[i] * 0.5 * h);
        piece += w[i] * f(a) * a;  // da = a d ln a
      }
    }
    total += piece * 0.5 * h;
  }
  return total;
}

}  // namespace lagframe::stepper::detail
