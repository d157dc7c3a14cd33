// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file growth.hpp
/// First- and second-order LPT growth factors from their ODEs (docs/physics.md §2.2):
///   D1'' + (2 + dlnE/dlna) D1' = (3/2) Ω_m(a) D1,
///   D2'' + (2 + dlnE/dlna) D2' = (3/2) Ω_m(a) (D2 − D1²),        ' = d/d ln a.
///
/// Method: the 4-vector (D1, D1', D2, D2') is integrated in ln a with the adaptive Dormand–Prince
/// 5(4) scheme (relative tolerance 1e-10, dormand_prince.hpp), started deep in matter domination
/// at a = min(1e-5, a_min) with the Einstein–de Sitter growing modes D1 = a, D2 = −3/7 a² (Bouchet
/// et al. 1995); the decaying-mode admixture this start leaves decays as a^{-5/2} relative to the
/// growing mode. The state and its ODE derivative are stored on a uniform ln a grid from a_min
/// to a_max (spacing ≤ 1/256) and interpolated with cubic Hermite polynomials, whose error
/// (≈ Δ⁴/384 · |y''''|) is below 1e-10 relative. D1 is normalised to D1(1) = 1 and D2 by the
/// same factor squared, so that D2 ≈ −3/7 D1² at early times.
///
/// Also the Tassev operator T = Q d/da, Q = a³E (Tassev, Zaldarriaga & Eisenstein 2013;
/// docs/physics.md §2.3):
///   T[Dn] = a³E dDn/da = a²E dDn/d ln a,   T²[D1] = (3/2) Ω_m a D1,   T²[D2] = (3/2) Ω_m a (D2 − D1²)
/// (L-PICOLA cosmology note eqs. 17 and 24; these follow from the ODEs above with Ω_m = Ω_m,0).
///
/// Radiation is not included (docs/physics.md §2.1), so a_min may be as small as 1e-8.
/// All queries are const and thread-safe; they throw config_error for a outside [a_min, a_max].

#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/cosmology/background.hpp"
#include "lagframe/cosmology/dormand_prince.hpp"

namespace lagframe::cosmology {

class growth {
 public:
  /// Largest ln a spacing of the interpolation table.
  static constexpr double max_table_step = 1.0 / 256.0;
  /// Relative tolerance of the ODE integration.
  static constexpr double rel_tol = 1e-10;

  /// Integrates and tabulates D1, D2 on [a_min, a_max]; needs 1e-8 ≤ a_min < 1 ≤ a_max ≤ 100 and
  /// E²(a) > 0 over the range (throws config_error naming the bad value otherwise).
  explicit growth(const parameters& p, double a_min = 1e-3, double a_max = 2.0) : bg_(p) {
    require(std::isfinite(a_min) && a_min >= 1e-8 && a_min < 1.0, "growth a_min", a_min,
            "a scale factor in [1e-8, 1)");
    require(std::isfinite(a_max) && a_max >= 1.0 && a_max <= 100.0, "growth a_max", a_max,
            "a scale factor in [1, 100] (the normalisation D1(1) = 1 needs a = 1 in range)");
    a_min_ = a_min;
    a_max_ = a_max;
    require_expanding();
    integrate();
  }

  [[nodiscard]] const background& bg() const { return bg_; }
  /// Ω_m today.
  [[nodiscard]] double omega_m() const { return bg_.params().omega_m; }
  [[nodiscard]] double a_min() const { return a_min_; }
  [[nodiscard]] double a_max() const { return a_max_; }

  /// Linear growth factor, D1(1) = 1.
  [[nodiscard]] double d1(double a) const { return value(a, 0); }
  /// Second-order growth factor (negative, ≈ −3/7 D1²), with D1 normalised as above.
  [[nodiscard]] double d2(double a) const { return value(a, 2); }
  /// dD1/d ln a and dD2/d ln a.
  [[nodiscard]] double d1_prime(double a) const { return value(a, 1); }
  [[nodiscard]] double d2_prime(double a) const { return value(a, 3); }
  /// Growth rates f1 = d ln D1/d ln a and f2 = d ln|D2|/d ln a.
  [[nodiscard]] double f1(double a) const { return d1_prime(a) / d1(a); }
  [[nodiscard]] double f2(double a) const { return d2_prime(a) / d2(a); }
  /// dD1/da and dD2/da.
  [[nodiscard]] double dd1_da(double a) const { return d1_prime(a) / a; }
  [[nodiscard]] double dd2_da(double a) const { return d2_prime(a) / a; }
  /// T[Dn] = a³E dDn/da.
  [[nodiscard]] double t_d1(double a) const { return a * a * bg_.e(a) * d1_prime(a); }
  [[nodiscard]] double t_d2(double a) const { return a * a * bg_.e(a) * d2_prime(a); }
  /// T²[D1] = (3/2) Ω_m a D1.
  [[nodiscard]] double t2_d1(double a) const { return 1.5 * omega_m() * a * d1(a); }
  /// T²[D2] = (3/2) Ω_m a (D2 − D1²).
  [[nodiscard]] double t2_d2(double a) const {
    const double g1 = d1(a);
    return 1.5 * omega_m() * a * (d2(a) - g1 * g1);
  }

 private:
  using state = std::array<double, 4>;  // D1, D1', D2, D2'  (' = d/d ln a)
  static constexpr double a_start_max = 1e-5;

  /// Right-hand side of the ODEs in ln a.
  [[nodiscard]] state rhs(double ln_a, const state& y) const {
    const double a = std::exp(ln_a);
    const double e2 = bg_.e2(a);
    if (!(e2 > 0.0)) {
      throw config_error(lagframe::detail::concat("lagframe: growth: E^2(a) = ", e2, " <= 0 at a = ", a,
                                                  " (the model recollapses or bounces before a_max = ",
                                                  a_max_, ")"));
    }
    const double friction = 2.0 + bg_.dlne_dlna(a);
    const double source = 1.5 * bg_.omega_m_of_a(a);
    return {y[1], -friction * y[1] + source * y[0], y[3], -friction * y[3] + source * (y[2] - y[0] * y[0])};
  }

  /// a³E² = Ω_m + Ω_k a + Ω_Λ a³ is positive at a = 0; on (0, a_max] its minimum lies at a_max or
  /// at the stationary point a*² = −Ω_k/(3Ω_Λ). Refuse models that stop expanding before a_max.
  void require_expanding() const {
    const parameters& p = bg_.params();
    const double ol = p.omega_lambda();
    double worst = a_max_;
    if (ol != 0.0) {
      const double a_star2 = -p.omega_k / (3.0 * ol);
      if (a_star2 > 0.0 && a_star2 < a_max_ * a_max_ && bg_.e2(std::sqrt(a_star2)) < bg_.e2(worst)) {
        worst = std::sqrt(a_star2);
      }
    }
    if (!(bg_.e2(worst) > 0.0)) {
      throw config_error(lagframe::detail::concat("lagframe: growth: E^2(a) = ", bg_.e2(worst), " <= 0 at a = ", worst,
                                                  " (omega_m = ", p.omega_m, ", omega_k = ", p.omega_k,
                                                  "): the model stops expanding before a_max = ", a_max_));
    }
  }

  void integrate() {
    ln_start_ = std::log(a_min_);
    const double range = std::log(a_max_) - ln_start_;
    const auto intervals = static_cast<std::size_t>(std::ceil(range / max_table_step));
    step_ = range / static_cast<double>(intervals);
    const std::size_t nodes = intervals + 1;
    values_.resize(nodes);
    slopes_.resize(nodes);

    const detail::dormand_prince<4> ode(rel_tol, 1e-300);
    const auto f = [this](double x, const state& y) { return rhs(x, y); };
    const double a0 = std::min(a_start_max, a_min_);
    double x = std::log(a0);
    state y{a0, a0, -3.0 / 7.0 * a0 * a0, -6.0 / 7.0 * a0 * a0};
    state dydx = rhs(x, y);
    double h = 0.01;
    if (ln_start_ > x) ode.advance(f, x, ln_start_, y, dydx, h);
    x = ln_start_;
    for (std::size_t n = 0; n < nodes; ++n) {
      values_[n] = y;
      slopes_[n] = dydx;
      if (n + 1 < nodes) {
        // The last node sits exactly at ln a_max.
        const double x_next = n + 2 == nodes ? std::log(a_max_) : ln_start_ + step_ * static_cast<double>(n + 1);
        ode.advance(f, x, x_next, y, dydx, h);
        x = x_next;
      }
    }
    // Normalise D1(1) = 1 (D2 by the square) with the interpolant itself, so d1(1.0) = 1 to rounding.
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
    // Accept a_min and a_max up to rounding of the caller's arithmetic (relative 1e-12).
    if (!(a >= a_min_ * (1 - 1e-12) && a <= a_max_ * (1 + 1e-12))) {
      throw config_error(lagframe::detail::concat("lagframe: growth factor requested at a = ", a,
                                                  ", outside the tabulated range [", a_min_, ", ", a_max_, "]"));
    }
    const double x = (std::log(a) - ln_start_) / step_;
    std::size_t n = x > 0.0 ? static_cast<std::size_t>(x) : 0;
    if (n + 1 >= values_.size()) n = values_.size() - 2;
    const double t = x - static_cast<double>(n);
    const double h00 = (1 + 2 * t) * (1 - t) * (1 - t), h10 = t * (1 - t) * (1 - t);
    const double h01 = t * t * (3 - 2 * t), h11 = t * t * (t - 1);
    return h00 * values_[n][i] + h10 * step_ * slopes_[n][i] + h01 * values_[n + 1][i] +
           h11 * step_ * slopes_[n + 1][i];
  }

  background bg_;
  double a_min_ = 1e-3, a_max_ = 2.0;
  double ln_start_ = 0.0, step_ = max_table_step;
  std::vector<state> values_, slopes_;
};

}  // namespace lagframe::cosmology
