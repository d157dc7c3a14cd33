// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file eisenstein_hu.hpp
/// Eisenstein & Hu (1998, ApJ 496, 605) matter transfer function, with baryon acoustic
/// oscillations (their eqs. 2–24, the full fit) or without (the "no-wiggle" shape, eqs. 26–31).
/// T(k → 0) = 1. The fits work in Mpc; operator() takes k in h/Mpc (docs/physics.md §3.1–3.2).
/// β_c and b₂' follow the published eq. 12 and Eisenstein's code, not nbodykit's transcription
/// (see docs/physics.md §3.1). The no-wiggle q is eq. 28,
/// q = (k/h Mpc⁻¹) Θ²/Γ_eff with Γ_eff = Ω_m h [α_Γ + (1 − α_Γ)/(1 + (0.43 k s)⁴)], s from eq. 26.

#include <cmath>
#include <limits>
#include <numbers>

#include "lagframe/cosmology/parameters.hpp"

namespace lagframe::cosmology {

enum class wiggles { bao, no_wiggle };

class eisenstein_hu {
 public:
  /// Validates the parameters (config_error; Ω_b > 0 is required) and precomputes the k-independent quantities.
  explicit eisenstein_hu(const parameters& p, wiggles w = wiggles::bao) : w_(w), h_(p.h) {
    p.validate();
    require(p.omega_b > 0.0, "eisenstein_hu omega_b", p.omega_b, "a positive baryon density (the EH98 fits need one)");
    const double theta = p.t_cmb / 2.7;
    om_ = p.omega_m * p.h * p.h;
    ob_ = p.omega_b * p.h * p.h;
    fb_ = p.omega_b / p.omega_m;
    theta2_ = theta * theta;
    const double fc = 1.0 - fb_;
    // Eqs. 2–3: matter–radiation equality.
    z_eq_ = 2.50e4 * om_ / (theta2_ * theta2_);
    k_eq_ = 7.46e-2 * om_ / theta2_;
    // Eq. 4: drag epoch.
    const double b1 = 0.313 * std::pow(om_, -0.419) * (1.0 + 0.607 * std::pow(om_, 0.674));
    const double b2 = 0.238 * std::pow(om_, 0.223);
    z_d_ = 1291.0 * std::pow(om_, 0.251) / (1.0 + 0.659 * std::pow(om_, 0.828)) * (1.0 + b1 * std::pow(ob_, b2));
    // Eq. 5: baryon-to-photon momentum ratio; eq. 6: sound horizon; eq. 7: Silk scale.
    auto ratio_r = [&](double z) { return 31.5 * ob_ / (theta2_ * theta2_) * (1000.0 / z); };
    const double r_eq = ratio_r(z_eq_), r_d = ratio_r(z_d_);
    s_ = 2.0 / (3.0 * k_eq_) * std::sqrt(6.0 / r_eq) *
         std::log((std::sqrt(1.0 + r_d) + std::sqrt(r_d + r_eq)) / (1.0 + std::sqrt(r_eq)));
    k_silk_ = 1.6 * std::pow(ob_, 0.52) * std::pow(om_, 0.73) * (1.0 + std::pow(10.4 * om_, -0.95));
    // Eqs. 11–12: CDM suppression and shift.
    const double a1 = std::pow(46.9 * om_, 0.670) * (1.0 + std::pow(32.1 * om_, -0.532));
    const double a2 = std::pow(12.0 * om_, 0.424) * (1.0 + std::pow(45.0 * om_, -0.582));
    alpha_c_ = std::pow(a1, -fb_) * std::pow(a2, -fb_ * fb_ * fb_);
    const double bb1 = 0.944 / (1.0 + std::pow(458.0 * om_, -0.708));
    const double bb2 = std::pow(0.395 * om_, -0.0266);
    beta_c_ = 1.0 / (1.0 + bb1 * (std::pow(fc, bb2) - 1.0));
    // Eqs. 14–15, 22–24: baryon parameters.
    const double y = (1.0 + z_eq_) / (1.0 + z_d_);
    const double sy = std::sqrt(1.0 + y);
    const double g = y * (-6.0 * sy + (2.0 + 3.0 * y) * std::log((sy + 1.0) / (sy - 1.0)));
    alpha_b_ = 2.07 * k_eq_ * s_ * std::pow(1.0 + r_d, -0.75) * g;
    beta_node_ = 8.41 * std::pow(om_, 0.435);
    beta_b_ = 0.5 + fb_ + (3.0 - 2.0 * fb_) * std::sqrt(std::pow(17.2 * om_, 2) + 1.0);
    // Eqs. 26, 31: no-wiggle sound horizon fit and α_Γ.
    s_fit_ = 44.5 * std::log(9.83 / om_) / std::sqrt(1.0 + 10.0 * std::pow(ob_, 0.75));
    alpha_gamma_ = 1.0 - 0.328 * std::log(431.0 * om_) * fb_ + 0.38 * std::log(22.3 * om_) * fb_ * fb_;
  }

  /// T(k) for k in h/Mpc. T(0) = 1. A negative or NaN k gives NaN (no exception, so this may be
  /// called inside parallel loops).
  [[nodiscard]] double operator()(double k_h_mpc) const {
    if (!(k_h_mpc >= 0.0)) return std::numeric_limits<double>::quiet_NaN();
    const double k = k_h_mpc * h_;  // Mpc⁻¹
    if (k == 0.0) return 1.0;
    return w_ == wiggles::bao ? with_bao(k) : no_wiggle(k);
  }

  [[nodiscard]] wiggles shape() const { return w_; }
  /// Sound horizon at the drag epoch, eq. 6, in Mpc (not Mpc/h).
  [[nodiscard]] double sound_horizon_mpc() const { return s_; }
  /// Fitted sound horizon of the no-wiggle form, eq. 26, in Mpc.
  [[nodiscard]] double sound_horizon_fit_mpc() const { return s_fit_; }

 private:
  /// Eqs. 10, 19–20: the pressureless shape T̃0(k; α, β).
  [[nodiscard]] double t0(double k, double alpha, double beta) const {
    const double q = k / (13.41 * k_eq_);
    const double l = std::log(std::numbers::e + 1.8 * beta * q);
    const double c = 14.2 / alpha + 386.0 / (1.0 + 69.9 * std::pow(q, 1.08));
    return l / (l + c * q * q);
  }

  [[nodiscard]] double with_bao(double k) const {
    const double ks = k * s_;
    // Eqs. 17–18: CDM.
    const double f = 1.0 / (1.0 + std::pow(ks / 5.4, 4));
    const double t_c = f * t0(k, 1.0, beta_c_) + (1.0 - f) * t0(k, alpha_c_, beta_c_);
    // Eqs. 21–22: baryons, with the shifted node s̃.
    const double s_tilde = s_ / std::cbrt(1.0 + std::pow(beta_node_ / ks, 3));
    const double ks_t = k * s_tilde;
    // sin x / x; its series near x = 0 (s̃ → 0 as k → 0, where (β_node/ks)³ may overflow to inf).
    const double j0 = ks_t < 1e-4 ? 1.0 - ks_t * ks_t / 6.0 : std::sin(ks_t) / ks_t;
    const double t_b = (t0(k, 1.0, 1.0) / (1.0 + std::pow(ks / 5.2, 2)) +
                        alpha_b_ / (1.0 + std::pow(beta_b_ / ks, 3)) * std::exp(-std::pow(k / k_silk_, 1.4))) *
                       j0;
    return fb_ * t_b + (1.0 - fb_) * t_c;  // eq. 16
  }

  [[nodiscard]] double no_wiggle(double k) const {
    // Eqs. 28–30 with Γ_eff written for k in Mpc⁻¹ (Γ h → ω_m).
    const double gamma_eff = om_ * (alpha_gamma_ + (1.0 - alpha_gamma_) / (1.0 + std::pow(0.43 * k * s_fit_, 4)));
    const double q = k * theta2_ / gamma_eff;
    const double l0 = std::log(2.0 * std::numbers::e + 1.8 * q);
    const double c0 = 14.2 + 731.0 / (1.0 + 62.5 * q);
    return l0 / (l0 + c0 * q * q);
  }

  wiggles w_;
  double h_;
  double om_ = 0, ob_ = 0, fb_ = 0, theta2_ = 0;
  double z_eq_ = 0, k_eq_ = 0, z_d_ = 0, s_ = 0, k_silk_ = 0;
  double alpha_c_ = 0, beta_c_ = 0, alpha_b_ = 0, beta_node_ = 0, beta_b_ = 0;
  double s_fit_ = 0, alpha_gamma_ = 0;
};

}  // namespace lagframe::cosmology
