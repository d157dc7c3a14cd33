// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file parameters.hpp
/// ΛCDM parameters (w = −1, optional curvature, no radiation in the background).
/// Defaults are Planck 2018-like (TT,TE,EE+lowE+lensing+BAO). Conventions: docs/physics.md §1.1;
/// E²(a) = Ω_m a⁻³ + Ω_k a⁻² + Ω_Λ with Ω_Λ = 1 − Ω_m − Ω_k.

#include <cmath>

#include "lagframe/core/error.hpp"

namespace lagframe::cosmology {

struct parameters {
  double omega_m = 0.3111;  ///< total matter density today (CDM + baryons), Ω_m
  double omega_b = 0.0490;  ///< baryon density today, Ω_b (enters the transfer function only)
  double omega_k = 0.0;     ///< curvature Ω_k; Ω_Λ = 1 − Ω_m − Ω_k
  double h = 0.6766;        ///< H0 / (100 km/s/Mpc)
  double n_s = 0.9665;      ///< primordial spectral index
  double sigma_8 = 0.8102;  ///< rms linear density in 8 Mpc/h spheres at a = 1
  double t_cmb = 2.7255;    ///< CMB temperature today in K

  [[nodiscard]] double omega_lambda() const { return 1.0 - omega_m - omega_k; }

  /// Throws config_error naming the first impossible value: a non-finite field, Ω_m ≤ 0,
  /// Ω_b < 0 or Ω_b > Ω_m, |Ω_k| ≥ 1, h ∉ (0, 10), n_s ∉ (0, 3), σ8 ≤ 0, T_cmb ≤ 0, or a model
  /// whose E²(a) is not positive for some a ≤ 2.
  void validate() const {
    auto finite = [](double v) { return std::isfinite(v); };
    require(finite(omega_m) && omega_m > 0.0, "cosmology.omega_m", omega_m, "a positive matter density");
    require(finite(omega_b) && omega_b >= 0.0 && omega_b <= omega_m, "cosmology.omega_b", omega_b,
            lagframe::detail::concat("a baryon density in [0, omega_m = ", omega_m, "]"));
    require(finite(omega_k) && std::abs(omega_k) < 1.0, "cosmology.omega_k", omega_k,
            "a curvature density with |omega_k| < 1");
    require(finite(h) && h > 0.0 && h < 10.0, "cosmology.h", h, "a positive reduced Hubble constant");
    require(finite(n_s) && n_s > 0.0 && n_s < 3.0, "cosmology.n_s", n_s, "a spectral index in (0, 3)");
    require(finite(sigma_8) && sigma_8 > 0.0, "cosmology.sigma_8", sigma_8, "a positive amplitude");
    require(finite(t_cmb) && t_cmb > 0.0, "cosmology.t_cmb", t_cmb, "a positive temperature in K");
    // E²(a) = Ω_m a⁻³ + Ω_k a⁻² + Ω_Λ must stay positive (no bounce) up to a = 2.
    // (growth checks its own range again, which may extend beyond a = 2.)
    for (int i = 1; i <= 200; ++i) {
      const double a = 0.01 * i;
      const double e2 = omega_m / (a * a * a) + omega_k / (a * a) + omega_lambda();
      require(e2 > 0.0, "cosmology (E^2 <= 0 at a)", a,
              lagframe::detail::concat("a model with E^2(a) > 0 for a <= 2 (omega_m = ", omega_m, ", omega_k = ", omega_k, ")"));
    }
  }
};

}  // namespace lagframe::cosmology
