// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file short_range.hpp
/// The short-range pair force of the Gaussian (erfc) force split used by force::p3m, with
/// cubic-spline softening, in double precision (the reference every fast path is tested
/// against), and the fitted polynomial the SIMD kernel evaluates (docs/physics.md, "P3M").
///
/// Split (Hockney & Eastwood 1988 §8; Bagla 2002; Springel 2005, eqs. 20–21): the potential of
/// a point mass is −1/r = −erf(u)/r − erfc(u)/r with u = r/(2 r_s). The erf part is smooth
/// (its Fourier transform is −4π e^{−k² r_s²}/k²) and is solved on the mesh; the erfc part
/// decays like e^{−u²} and is summed over pairs closer than r_cut. Per unit "mass" the pair
/// acceleration of i towards j is K(r)·(x_j − x_i) with
///     K(r) = S(u)/r³,   S(u) = erfc(u) + (2u/√π) e^{−u²},   r < r_cut,
/// (S = 1 − the fraction of the Newtonian force the mesh carries). Truncating at r_cut drops
/// S(r_cut/(2 r_s)) of the Newtonian force at r_cut: 1.75 % at r_cut = 4.5 r_s, 0.59 % at the
/// default 5 r_s, 0.18 % at 5.5 r_s, 2.0e-5 at 7 r_s.
///
/// Softening: the Newtonian 1/r³ is replaced, for r < h = 2.8 ε, by the force of the cubic-
/// spline kernel (Monaghan & Lattanzio 1985; Springel, Yoshida & White 2001, eq. 4, the form
/// used by Gadget), ε being the Plummer-equivalent comoving softening length. The mesh part
/// stays unsoftened, so K(r) = S/r³ + (K_spline(r) − 1/r³) for r < h. The same for the
/// potential: φ_s(r) = −[erfc(u)/r + ψ_spline(r) − 1/r], ψ_spline = 1/r beyond h.
///
/// The fast path evaluates S(u) = e^{−u²} P(u) with P(u) = e^{u²} erfc(u) + 2u/√π, a smooth
/// function (1 at u = 0, 3.0 at the default cut) fitted here by a polynomial in u on
/// [0, r_cut/(2 r_s)] (Chebyshev interpolation, converted to monomials in u; degree chosen so
/// that the fit's largest relative error is below 2e-7, tested: 12 coefficients at the default
/// cut, 16 at the largest allowed, r_cut = 10 r_s). Writing K = 1/r³ − (long-range
/// part) instead would cancel catastrophically near r_cut in single precision (the long-range
/// part is 98 % of 1/r³ there), and a polynomial for S itself needs degree ≥ 16 and loses
/// three digits in float; the product with one exponential keeps the float kernel within
/// 1e-6 relative of this reference.

#include <array>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

#include "lagframe/core/error.hpp"

namespace lagframe::force {

/// The short-range pair kernel: split scale r_s, cut-off r_cut and softening ε, all comoving
/// Mpc/h. Throws config_error for r_s ≤ 0, r_cut < 2 r_s, ε < 0 or ε > r_s.
class short_range_kernel {
 public:
  /// Spline radius h = softening_to_spline · ε (Plummer-equivalent ε; Springel+01).
  static constexpr double softening_to_spline = 2.8;
  /// Largest relative error of the fitted P(u) in double (the fit is refused above it).
  static constexpr double fit_tolerance = 2e-7;

  short_range_kernel(double split_mpc_h, double cutoff_mpc_h, double softening_mpc_h)
      : r_s_(split_mpc_h), r_cut_(cutoff_mpc_h), epsilon_(softening_mpc_h) {
    require(std::isfinite(r_s_) && r_s_ > 0.0, "p3m split scale r_s (Mpc/h)", r_s_, "a positive length");
    require(std::isfinite(r_cut_) && r_cut_ >= 2.0 * r_s_, "p3m cut-off r_cut (Mpc/h)", r_cut_,
            lagframe::detail::concat("at least 2 r_s = ", 2.0 * r_s_,
                                     " (the erfc force at 2 r_s is still 57 % of Newton's; 5 r_s is the default)"));
    require(r_cut_ <= 10.0 * r_s_, "p3m cut-off r_cut (Mpc/h)", r_cut_,
            lagframe::detail::concat("at most 10 r_s = ", 10.0 * r_s_, " (the erfc force is below 1e-40 of Newton's there)"));
    require(std::isfinite(epsilon_) && epsilon_ >= 0.0, "p3m softening epsilon (Mpc/h)", epsilon_,
            "a non-negative comoving length");
    require(epsilon_ <= r_s_, "p3m softening epsilon (Mpc/h)", epsilon_,
            lagframe::detail::concat("at most r_s = ", r_s_, " (the softening must act inside the short-range part)"));
    h_ = softening_to_spline * epsilon_;
    fit();
  }

  [[nodiscard]] double split() const { return r_s_; }
  [[nodiscard]] double cutoff() const { return r_cut_; }
  [[nodiscard]] double softening() const { return epsilon_; }
  /// Spline radius h = 2.8 ε: the force is Newtonian (plus split) beyond it.
  [[nodiscard]] double spline_radius() const { return h_; }
  /// u = r/(2 r_s) at the cut-off: the fit's domain is [0, u_cut].
  [[nodiscard]] double u_cut() const { return r_cut_ / (2.0 * r_s_); }
  /// Monomial coefficients of P(u), lowest order first.
  [[nodiscard]] const std::vector<double>& coefficients() const { return coefficients_; }
  /// Largest relative error of the fitted P over [0, u_cut] (double evaluation, 4001 points).
  [[nodiscard]] double fit_error() const { return fit_error_; }

  /// S(u) = erfc(u) + (2u/√π) e^{−u²}: the short-range fraction of the Newtonian force.
  [[nodiscard]] static double split_fraction(double u) {
    return std::erfc(u) + 2.0 * u * std::numbers::inv_sqrtpi * std::exp(-u * u);
  }

  /// K(r): pair acceleration per unit mass (G = 1) along the separation, a = K(r)·(x_j − x_i);
  /// zero at and beyond r_cut. Exact erfc and exp, double precision. r > 0.
  [[nodiscard]] double force_factor(double r) const {
    if (r >= r_cut_) return 0.0;
    const double r3 = r * r * r;
    double k = split_fraction(r / (2.0 * r_s_)) / r3;
    if (r < h_) k += spline_force_factor(r, h_) - 1.0 / r3;
    return k;
  }

  /// The short-range potential per unit mass (G = 1), −[erfc(u)/r + ψ(r) − 1/r], zero at and
  /// beyond r_cut; finite at r = 0 when ε > 0 (then −ψ(0) + 1/(√π r_s)).
  [[nodiscard]] double potential(double r) const {
    if (r >= r_cut_) return 0.0;
    const double u = r / (2.0 * r_s_);
    if (r < h_) {
      // erfc(u)/r − 1/r = −erf(u)/r, with its limit 1/(√π r_s) at r = 0.
      const double erf_over_r = r > 0.0 ? std::erf(u) / r : std::numbers::inv_sqrtpi / r_s_;
      return -(spline_potential(r, h_) - erf_over_r);
    }
    return -std::erfc(u) / r;
  }

  /// The long-range (mesh) potential of a particle at its own position per unit mass,
  /// −lim erf(u)/r = −1/(√π r_s): removed from p3m::potentials (self-energy).
  [[nodiscard]] double long_range_self_potential() const { return -std::numbers::inv_sqrtpi / r_s_; }

  /// Force factor of the cubic-spline kernel with radius h: −(dψ/dr)/r (1/r³ beyond h).
  /// Piecewise polynomial in q = r/h (Springel+01 eq. 4 differentiated).
  [[nodiscard]] static double spline_force_factor(double r, double h) {
    if (r >= h) return 1.0 / (r * r * r);
    const double q = r / h, h3 = h * h * h;
    if (q < 0.5) return (32.0 / 3.0 + q * q * (32.0 * q - 38.4)) / h3;
    return (64.0 / 3.0 - 48.0 * q + 38.4 * q * q - 32.0 / 3.0 * q * q * q - 1.0 / (15.0 * q * q * q)) / h3;
  }

  /// ψ(r) of the cubic-spline kernel: the softened 1/r (1/r beyond h; 2.8/h at r = 0).
  [[nodiscard]] static double spline_potential(double r, double h) {
    if (r >= h) return 1.0 / r;
    const double q = r / h;
    if (q < 0.5) return (2.8 - q * q * (16.0 / 3.0 + q * q * (6.4 * q - 9.6))) / h;
    return (3.2 - 1.0 / (15.0 * q) - q * q * (32.0 / 3.0 + q * (-16.0 + q * (9.6 - 32.0 / 15.0 * q)))) / h;
  }

  /// P(u) = e^{u²} erfc(u) + 2u/√π, the function the fast kernel fits (double, exact).
  [[nodiscard]] static double fitted_function(double u) {
    return std::exp(u * u) * std::erfc(u) + 2.0 * u * std::numbers::inv_sqrtpi;
  }

  /// The fitted polynomial at u (double Horner): S(u) ≈ e^{−u²} fit(u).
  [[nodiscard]] double fit(double u) const {
    double p = 0;
    for (std::size_t n = coefficients_.size(); n-- > 0;) p = p * u + coefficients_[n];
    return p;
  }

 private:
  /// Chebyshev interpolation of P on [0, u_cut] at increasing degree until the largest
  /// relative error on a fine grid is below fit_tolerance; coefficients converted to monomials
  /// in u (P is smooth and the monomial coefficients stay below ~1 in magnitude, so Horner in
  /// float is stable).
  void fit() {
    const double uc = u_cut();
    constexpr int max_degree = 15;  // 16 coefficients: the SIMD kernel's Estrin scheme
    for (int degree = 4; degree <= max_degree; ++degree) {
      const int n = degree + 1;
      std::vector<double> cheb(static_cast<std::size_t>(n), 0.0);
      for (int k = 0; k < n; ++k) {
        const double t = std::cos(std::numbers::pi * (k + 0.5) / n);
        const double f = fitted_function(0.5 * (t + 1.0) * uc);
        double t_prev = 1.0, t_cur = t;  // T_0, T_1
        for (int j = 0; j < n; ++j) {
          const double tj = j == 0 ? 1.0 : j == 1 ? t : 2.0 * t * t_cur - t_prev;
          if (j >= 2) {
            t_prev = t_cur;
            t_cur = tj;
          }
          cheb[static_cast<std::size_t>(j)] += 2.0 / n * f * tj;
        }
      }
      cheb[0] *= 0.5;
      coefficients_ = chebyshev_to_monomial(cheb, 2.0 / uc, -1.0);
      double worst = 0;
      for (int s = 0; s <= 4000; ++s) {
        const double u = uc * s / 4000.0;
        worst = std::max(worst, std::abs(fit(u) / fitted_function(u) - 1.0));
      }
      fit_error_ = worst;
      if (worst <= fit_tolerance) return;
    }
    throw numerical_error(lagframe::detail::concat("lagframe: p3m: the short-range kernel fit did not reach ",
                                                   fit_tolerance, " (u_cut = ", uc, ", error ", fit_error_, ")"));
  }

  /// Σ c_j T_j(t) with t = alpha·u + beta, as monomial coefficients in u.
  static std::vector<double> chebyshev_to_monomial(const std::vector<double>& c, double alpha, double beta) {
    const std::size_t n = c.size();
    // Power series in t: T_0 = 1, T_1 = t, T_{j+1} = 2t T_j − T_{j−1}.
    std::vector<double> in_t(n, 0.0), t_prev(n, 0.0), t_cur(n, 0.0);
    t_prev[0] = 1.0;
    in_t[0] += c[0];
    if (n > 1) {
      t_cur[1] = 1.0;
      in_t[1] += c[1];
    }
    for (std::size_t j = 2; j < n; ++j) {
      std::vector<double> next(n, 0.0);
      for (std::size_t m = 0; m + 1 < n; ++m) next[m + 1] += 2.0 * t_cur[m];
      for (std::size_t m = 0; m < n; ++m) next[m] -= t_prev[m];
      for (std::size_t m = 0; m < n; ++m) in_t[m] += c[j] * next[m];
      t_prev = t_cur;
      t_cur = next;
    }
    // Horner in t = alpha u + beta on polynomials in u.
    std::vector<double> out(n, 0.0);
    for (std::size_t j = n; j-- > 0;) {
      std::vector<double> scaled(n, 0.0);
      for (std::size_t m = 0; m < n; ++m) {
        scaled[m] += beta * out[m];
        if (m + 1 < n) scaled[m + 1] += alpha * out[m];
      }
      scaled[0] += in_t[j];
      out = scaled;
    }
    return out;
  }

  double r_s_, r_cut_, epsilon_, h_ = 0;
  std::vector<double> coefficients_;
  double fit_error_ = 0;
};

}  // namespace lagframe::force
