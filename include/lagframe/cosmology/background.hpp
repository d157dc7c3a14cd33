// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file background.hpp
/// The expansion history E(a) = H(a)/H0 = sqrt(Ω_m a⁻³ + Ω_k a⁻² + Ω_Λ) (docs/physics.md §2.1; w = −1,
/// no radiation), Ω_m(a) and d ln E/d ln a. The constructor validates the parameters.

#include <cmath>

#include "lagframe/cosmology/parameters.hpp"

namespace lagframe::cosmology {

class background {
 public:
  /// Throws config_error (parameters::validate) for impossible parameters.
  explicit background(const parameters& p) : p_(p) { p_.validate(); }

  [[nodiscard]] const parameters& params() const { return p_; }

  /// E²(a) = Ω_m a⁻³ + Ω_k a⁻² + Ω_Λ (a > 0; not checked, these are called in inner loops).
  [[nodiscard]] double e2(double a) const {
    return p_.omega_m / (a * a * a) + p_.omega_k / (a * a) + p_.omega_lambda();
  }
  /// E(a) = H(a)/H0.
  [[nodiscard]] double e(double a) const { return std::sqrt(e2(a)); }
  /// Ω_m(a) = Ω_m a⁻³ / E².
  [[nodiscard]] double omega_m_of_a(double a) const { return p_.omega_m / (a * a * a * e2(a)); }
  /// d ln E / d ln a = −(3 Ω_m a⁻³ + 2 Ω_k a⁻²) / (2 E²).
  [[nodiscard]] double dlne_dlna(double a) const {
    return -(3.0 * p_.omega_m / (a * a * a) + 2.0 * p_.omega_k / (a * a)) / (2.0 * e2(a));
  }

 private:
  parameters p_;
};

}  // namespace lagframe::cosmology
