// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file growth.hpp
/// First- and second-order LPT growth factors from their ODEs (PHYSICS.md §1.1):
///   D1'' + (2 + dlnE/dlna) D1' = (3/2) Ω_m(a) D1,
///   D2'' + (2 + dlnE/dlna) D2' = (3/2) Ω_m(a) (D2 − D1²),        ' = d/d ln a,
/// started in matter domination (D1 = a, D2 = −3/7 a²; exact growing modes of Einstein–de
/// Sitter) at a = 1e-5, integrated with classical RK4 in ln a (step 1/800), tabulated and
/// interpolated with cubic Hermite polynomials using the ODE's own derivatives.
/// Normalised so that D1(1) = 1; D2 is scaled by the same factor squared, so D2 ≈ −3/7 D1².
/// Also the Tassev operators T = Q d/da, Q = a³E (TZE13; PHYSICS.md §0):
///   T[Dn] = a²E dDn/dln a,   T²[D1] = (3/2) Ω_m a D1,   T²[D2] = (3/2) Ω_m a (D2 − D1²).

#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/cosmology/background.hpp"

namespace lagframe::cosmology {

class growth {
 public:
  explicit growth(const parameters& p, double a_min = 1e-3, double a_max = 2.0) : bg_(p) {
    require(std::isfinite(a_min) && a_min >= 1e-5, "growth a_min", a_min, "a scale factor >= 1e-5");
    require(std::isfinite(a_max) && a_max > a_min && a_max >= 1.0 && a_max <= 100.0, "growth a_max",
            a_max, detail::concat("a scale factor in [max(1, a_min = ", a_min, "), 100]"));
    a_min_ = a_min;
    a_max_ = a_max;
    integrate();
  }

  [[nodiscard]] const background& bg() const { return bg_; }
  [[nodiscard]] double omega_m() const { return bg_.params().omega_m; }
  [[nodiscard]] double a_min() const { return a_min_; }
  [[nodiscard]] double a_max() const { return a_max_; }

  /// Linear growth factor, D1(1) = 1.
  [[nodiscard]] double d1(double a) const { return value(a, 0); }
  /// Second-order growth factor (negative, ≈ −3/7 D1²).
  [[nodiscard]] double d2(double a) const { return value(a, 2); }
  /// dD1/d ln a and dD2/d ln a.
  [[nodiscard]] double d1_prime(double a) const { return value(a, 1); }
  [[nodiscard]] double d2_prime(double a) const { return value(a, 3); }
  /// Growth rates f_n = d ln|D_n| / d ln a.
  [[nodiscard]] double f1(double a) const { return d1_prime(a) / d1(a); }
  [[nodiscard]] double f2(double a) const { return d2_prime(a) / d2(a); }
  /// dD_n/da.
  [[nodiscard]] double dd1_da(double a) const { return d1_prime(a) / a; }
  [[nodiscard]] double dd2_da(double a) const { return d2_prime(a) / a; }
  /// T[D_n] = a³E dD_n/da = a²E dD_n/d ln a.
  [[nodiscard]] double t_d1(double a) const { return a * a * bg_.e(a) * d1_prime(a); }
  [[nodiscard]] double t_d2(double a) const { return a * a * bg_.e(a) * d2_prime(a); }
  /// T²[D1] = (3/2) Ω_m a D1 and T²[D2] = (3/2) Ω_m a (D2 − D1²) (L-PICOLA cosmology note eqs. 17, 24).
  [[nodiscard]] double t2_d1(double a) const { return 1.5 * omega_m() * a * d1(a); }
  [[nodiscard]] double t2_d2(double a) const {
    const double g1 = d1(a);
    return 1.5 * omega_m() * a * (d2(a) - g1 * g1);
  }

 private:
  using state = std::array<double, 4>;  // D1, D1', D2, D2'
  static constexpr double step = 1.0 / 800.0;
  static constexpr double a_init = 1e-5;

  [[nodiscard]] state rhs(double ln_a, const state& y) const {
    const double a = std::exp(ln_a);
    const double friction = 2.0 + bg_.dlne_dlna(a);
    const double source = 1.5 * bg_.omega_m_of_a(a);
    return {y[1], -friction * y[1] + source * y[0], y[3], -friction * y[3] + source * (y[2] - y[0] * y[0])};
  }

  void integrate() {
    ln_start_ = std::log(a_min_) - 2 * step;
    const std::size_t nodes = static_cast<std::size_t>(std::ceil((std::log(a_max_) + 2 * step - ln_start_) / step)) + 1;
    values_.resize(nodes);
    slopes_.resize(nodes);
    double ln_a = std::log(a_init);
    state y{a_init, a_init, -3.0 / 7.0 * a_init * a_init, -6.0 / 7.0 * a_init * a_init};
    auto rk4 = [&](double h) {
      const state k1 = rhs(ln_a, y);
      state t;
      for (int i = 0; i < 4; ++i) t[i] = y[i] + 0.5 * h * k1[i];
      const state k2 = rhs(ln_a + 0.5 * h, t);
      for (int i = 0; i < 4; ++i) t[i] = y[i] + 0.5 * h * k2[i];
      const state k3 = rhs(ln_a + 0.5 * h, t);
      for (int i = 0; i < 4; ++i) t[i] = y[i] + h * k3[i];
      const state k4 = rhs(ln_a + h, t);
      for (int i = 0; i < 4; ++i) y[i] += h / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
      ln_a += h;
    };
    // Reach the first table node with steps of at most `step`.
    const double gap = ln_start_ - ln_a;
    const auto pre = static_cast<std::size_t>(std::ceil(gap / step));
    for (std::size_t i = 0; i < pre; ++i) rk4(gap / static_cast<double>(pre));
    for (std::size_t n = 0; n < nodes; ++n) {
      values_[n] = y;
      slopes_[n] = rhs(ln_a, y);
      if (n + 1 < nodes) rk4(step);
    }
    // Normalise D1(1) = 1 (D2 by the square), using the interpolant itself.
    const double norm = value(1.0, 0);
    for (std::size_t n = 0; n < nodes; ++n) {
      for (int i : {0, 1}) {
        values_[n][i] /= norm;
        slopes_[n][i] /= norm;
      }
      for (int i : {2, 3}) {
        values_[n][i] /= norm * norm;
        slopes_[n][i] /= norm * norm;
      }
    }
  }

  /// Cubic Hermite interpolation in ln a of component i of the state.
  [[nodiscard]] double value(double a, int i) const {
    if (!(a >= a_min_ * (1 - 1e-12) && a <= a_max_ * (1 + 1e-12))) {
      throw config_error(detail::concat("lagframe: growth factor requested at a = ", a,
                                        ", outside the tabulated range [", a_min_, ", ", a_max_, "]"));
    }
    const double x = (std::log(a) - ln_start_) / step;
    auto n = static_cast<std::size_t>(x);
    if (n + 1 >= values_.size()) n = values_.size() - 2;
    const double t = x - static_cast<double>(n);
    const double h00 = (1 + 2 * t) * (1 - t) * (1 - t), h10 = t * (1 - t) * (1 - t);
    const double h01 = t * t * (3 - 2 * t), h11 = t * t * (t - 1);
    return h00 * values_[n][i] + h10 * step * slopes_[n][i] + h01 * values_[n + 1][i] +
           h11 * step * slopes_[n + 1][i];
  }

  background bg_;
  double a_min_ = 1e-3, a_max_ = 2.0;
  double ln_start_ = 0;
  std::vector<state> values_, slopes_;
};

}  // namespace lagframe::cosmology
