// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file dormand_prince.hpp
/// Adaptive explicit Runge–Kutta 5(4) integrator of Dormand & Prince (1980, J. Comput. Appl.
/// Math. 6, 19; the tableau "RK5(4)7M"), with the first-same-as-last property and the usual
/// error-per-step control. Used to integrate the growth ODEs (docs/physics.md §2.2); an internal of
/// the cosmology module (namespace detail).
///
/// Error control: a step from y to y_new is accepted when
///   max_i |err_i| / (rel_tol · max(|y_i|, |y_new_i|) + abs_tol) ≤ 1,
/// with err the difference of the embedded 5th- and 4th-order solutions (local extrapolation:
/// the 5th-order solution is propagated).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

#include "lagframe/core/error.hpp"

namespace lagframe::cosmology::detail {

template <std::size_t N>
class dormand_prince {
 public:
  using state = std::array<double, N>;

  dormand_prince(double rel_tol, double abs_tol) : rel_tol_(rel_tol), abs_tol_(abs_tol) {}

  /// Advance y(x) from x0 to x1 (x1 > x0). `f(x, y)` returns dy/dx; `dydx` holds f(x0, y) on
  /// entry and f(x1, y(x1)) on return (first same as last). `h` is the step to try first and,
  /// on return, the step to try next. Throws numerical_error if the step size collapses or the
  /// solution stops being finite.
  template <class F>
  void advance(const F& f, double x0, double x1, state& y, state& dydx, double& h) const {
    // Dormand & Prince (1980) table 2, RK5(4)7M.
    constexpr double c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9;
    constexpr double a21 = 1.0 / 5;
    constexpr double a31 = 3.0 / 40, a32 = 9.0 / 40;
    constexpr double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
    constexpr double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561, a54 = -212.0 / 729;
    constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176,
                     a65 = -5103.0 / 18656;
    constexpr double b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192, b5 = -2187.0 / 6784, b6 = 11.0 / 84;
    // b − b̂ (5th minus embedded 4th order weights).
    constexpr double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920, e5 = -17253.0 / 339200,
                     e6 = 22.0 / 525, e7 = -1.0 / 40;

    double x = x0;
    std::size_t guard = 0;
    while (x < x1) {
      const bool last = x + h >= x1;
      const double step = last ? x1 - x : h;
      if (!(step > 1e-14 * std::max(1.0, std::abs(x))) || ++guard > 1000000) {
        throw numerical_error(lagframe::detail::concat("lagframe: ODE step size collapsed to ", step, " at x = ", x));
      }
      const state& k1 = dydx;
      state t;
      for (std::size_t i = 0; i < N; ++i) t[i] = y[i] + step * a21 * k1[i];
      const state k2 = f(x + c2 * step, t);
      for (std::size_t i = 0; i < N; ++i) t[i] = y[i] + step * (a31 * k1[i] + a32 * k2[i]);
      const state k3 = f(x + c3 * step, t);
      for (std::size_t i = 0; i < N; ++i) t[i] = y[i] + step * (a41 * k1[i] + a42 * k2[i] + a43 * k3[i]);
      const state k4 = f(x + c4 * step, t);
      for (std::size_t i = 0; i < N; ++i) {
        t[i] = y[i] + step * (a51 * k1[i] + a52 * k2[i] + a53 * k3[i] + a54 * k4[i]);
      }
      const state k5 = f(x + c5 * step, t);
      for (std::size_t i = 0; i < N; ++i) {
        t[i] = y[i] + step * (a61 * k1[i] + a62 * k2[i] + a63 * k3[i] + a64 * k4[i] + a65 * k5[i]);
      }
      const double x_new = last ? x1 : x + step;
      const state k6 = f(x_new, t);
      state y_new;
      for (std::size_t i = 0; i < N; ++i) {
        y_new[i] = y[i] + step * (b1 * k1[i] + b3 * k3[i] + b4 * k4[i] + b5 * k5[i] + b6 * k6[i]);
      }
      const state k7 = f(x_new, y_new);
      double err = 0.0;
      for (std::size_t i = 0; i < N; ++i) {
        const double e = step * (e1 * k1[i] + e3 * k3[i] + e4 * k4[i] + e5 * k5[i] + e6 * k6[i] + e7 * k7[i]);
        const double scale = rel_tol_ * std::max(std::abs(y[i]), std::abs(y_new[i])) + abs_tol_;
        err = std::max(err, std::abs(e) / scale);
      }
      if (!std::isfinite(err)) {
        throw numerical_error(lagframe::detail::concat("lagframe: ODE solution is not finite at x = ", x));
      }
      // Standard controller, exponent 1/5, safety 0.9, growth limited to [0.2, 5].
      const double factor = err == 0.0 ? 5.0 : std::clamp(0.9 * std::pow(err, -0.2), 0.2, 5.0);
      if (err <= 1.0) {
        x = x_new;
        y = y_new;
        dydx = k7;
        // A final step shortened to land on x1 says little about the next step size.
        if (!(last && step < h)) h = step * factor;
        if (last) break;
      } else {
        h = step * std::min(factor, 1.0);
      }
    }
  }

 private:
  double rel_tol_, abs_tol_;
};

}  // namespace lagframe::cosmology::detail
