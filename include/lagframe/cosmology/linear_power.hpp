// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file linear_power.hpp
/// The linear matter power spectrum at a = 1 (D1 = 1), P(k) in (Mpc/h)³ with k in h/Mpc:
/// P = A k^n_s T²(k) from a transfer function, or a tabulated P(k), optionally normalised to
/// σ8 (docs/physics.md §3.4):
///   σ_R² = 1/(2π²) ∫ k² P(k) W²(kR) dk,   W(x) = 3 (sin x − x cos x)/x³,   R = 8 Mpc/h.
/// Stored as ln P on a uniform ln k grid (k_min = 10⁻⁵ … k_max = 10² h/Mpc, 4096 points,
/// Δ ln k ≈ 0.004) and interpolated linearly in log–log (relative error ≲ 1e-4 through the BAO).
/// A file's table is first interpolated log–log onto this grid; beyond the file's k range it is
/// extrapolated as a power law through the file's two first (or last) rows. Beyond the grid,
/// operator() extrapolates as a power law through the grid's end intervals.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/cosmology/eisenstein_hu.hpp"
#include "lagframe/cosmology/parameters.hpp"
#include "lagframe/cosmology/power_table.hpp"

namespace lagframe::cosmology {

class linear_power {
 public:
  static constexpr double k_min = 1e-5, k_max = 1e2;
  static constexpr std::size_t points = 4096;

  /// EH98 shape, P = A k^n_s T², A fixed by parameters.sigma_8.
  static linear_power from_eisenstein_hu(const parameters& p, wiggles w = wiggles::bao) {
    const eisenstein_hu t(p, w);
    linear_power out;
    out.fill([&](double k) {
      const double tk = t(k);
      return std::pow(k, p.n_s) * tk * tk;
    });
    out.normalise(p.sigma_8);
    return out;
  }

  /// From a file (power_table.hpp layouts). Transfer layouts always build P ∝ k^n_s T² (CAMB) or
  /// k^(n_s−4) δ_tot² (CLASS) normalised to parameters.sigma_8; P layouts are taken as P(k, a = 1)
  /// and renormalised only when asked. io_error for a bad file, config_error for bad parameters.
  static linear_power from_file(const std::string& path, table_layout layout, const parameters& p,
                                bool normalise_to_sigma8) {
    p.validate();
    const power_table table = read_power_table(path, layout);
    std::vector<double> lk(table.k.size()), lv(table.k.size());
    for (std::size_t i = 0; i < table.k.size(); ++i) {
      const double k = table.k[i];
      double v = table.value[i];
      if (layout == table_layout::class_tk) v = std::pow(k, p.n_s - 4.0) * v * v;
      if (layout == table_layout::camb_tk) v = std::pow(k, p.n_s) * v * v;
      if (!(v > 0.0)) {
        throw io_error(lagframe::detail::concat("lagframe: ", path, ": the spectrum built at k = ", k,
                                                " is not positive (", v, ")"));
      }
      lk[i] = std::log(k);
      lv[i] = std::log(v);
    }
    linear_power out;
    out.fill([&](double k) { return std::exp(interpolate_loglog(lk, lv, std::log(k))); });
    if (table.is_transfer() || normalise_to_sigma8) out.normalise(p.sigma_8);
    return out;
  }

  /// Any P(k) [(Mpc/h)³, k in h/Mpc] sampled on the internal grid; normalised to σ8 = sigma_8
  /// when sigma_8 > 0, taken as it is when sigma_8 = 0. `p` must be positive and finite on
  /// [k_min, k_max] (config_error naming k otherwise).
  template <class F>
  static linear_power from_function(F&& p, double sigma_8) {
    require(std::isfinite(sigma_8) && sigma_8 >= 0.0, "linear_power sigma_8", sigma_8,
            "a positive amplitude, or 0 for no normalisation");
    linear_power out;
    out.fill(p);
    if (sigma_8 > 0.0) out.normalise(sigma_8);
    return out;
  }

  /// P(k) at a = 1 in (Mpc/h)³; k in h/Mpc. Linear interpolation of ln P in ln k on the internal
  /// grid; outside [k_min, k_max] a power law continuing the grid's first or last interval.
  /// P(0) = 0 (and P(k < 0) = 0); NaN k gives NaN. Never throws.
  [[nodiscard]] double operator()(double k) const {
    if (std::isnan(k)) return k;
    if (!(k > 0.0)) return 0.0;
    const double x = (std::log(k) - ln_k_min()) / dlnk();
    if (x <= 0.0) return std::exp(ln_p_[0] + x * (ln_p_[1] - ln_p_[0]));
    if (x >= static_cast<double>(points - 1)) {
      const double s = ln_p_[points - 1] - ln_p_[points - 2];
      return std::exp(ln_p_[points - 1] + (x - static_cast<double>(points - 1)) * s);
    }
    const auto i = static_cast<std::size_t>(x);
    const double t = x - static_cast<double>(i);
    return std::exp((1.0 - t) * ln_p_[i] + t * ln_p_[i + 1]);
  }

  /// rms linear density fluctuation at a = 1 in top-hat spheres of radius r (Mpc/h):
  ///   σ_r² = 1/(2π²) ∫ k³ P(k) W²(kr) d ln k,  W(x) = 3 (sin x − x cos x)/x³  (docs/physics.md §3.4),
  /// integrated over k ∈ [k_min, min(k_max, 10⁴/r)] by 3-point Gauss–Legendre panels in ln k no
  /// wider than the grid spacing or 0.5/(kr) (≥ 6 panels per period of W²). The neglected tails
  /// are below 1e-8 relative for r ≳ 0.1 Mpc/h and spectra like ΛCDM.
  [[nodiscard]] double sigma_r(double r) const {
    require(r > 0.0 && std::isfinite(r), "sigma_r radius", r, "a positive radius in Mpc/h");
    static constexpr double gl_x[3] = {-0.7745966692414834, 0.0, 0.7745966692414834};
    static constexpr double gl_w[3] = {5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0};
    const double lk_end = std::min(std::log(k_max), std::log(1e4 / r));
    double sum = 0.0;
    for (double lk = ln_k_min(); lk < lk_end;) {
      const double x = std::exp(lk) * r;
      const double width = std::min({dlnk(), 0.5 / x, lk_end - lk});
      for (int j = 0; j < 3; ++j) {
        const double lk_j = lk + 0.5 * width * (1.0 + gl_x[j]);
        const double k = std::exp(lk_j);
        const double w = top_hat(k * r);
        sum += 0.5 * width * gl_w[j] * k * k * k * (*this)(k) * w * w;
      }
      lk += width;
    }
    return std::sqrt(sum / (2.0 * std::numbers::pi * std::numbers::pi));
  }

  /// Fourier transform of the unit top-hat, W(x) = 3 (sin x − x cos x)/x³ (series for x < 1e-3).
  [[nodiscard]] static double top_hat(double x) {
    return x < 1e-3 ? 1.0 - x * x / 10.0 : 3.0 * (std::sin(x) - x * std::cos(x)) / (x * x * x);
  }

 private:
  linear_power() : ln_p_(points) {}

  static double ln_k_min() { return std::log(k_min); }
  static double dlnk() { return (std::log(k_max) - std::log(k_min)) / static_cast<double>(points - 1); }

  template <class F>
  void fill(F&& p) {
    for (std::size_t i = 0; i < points; ++i) {
      const double k = std::exp(ln_k_min() + dlnk() * static_cast<double>(i));
      const double v = p(k);
      require(v > 0.0 && std::isfinite(v), "linear P(k) at k", k, "a positive, finite power");
      ln_p_[i] = std::log(v);
    }
  }

  void normalise(double sigma_8) {
    const double s = sigma_r(8.0);
    const double ln_scale = 2.0 * std::log(sigma_8 / s);
    for (double& v : ln_p_) v += ln_scale;
  }

  static double interpolate_loglog(const std::vector<double>& x, const std::vector<double>& y, double at) {
    const std::size_t n = x.size();
    std::size_t i;
    if (at <= x.front()) {
      i = 0;
    } else if (at >= x.back()) {
      i = n - 2;
    } else {
      i = static_cast<std::size_t>(std::upper_bound(x.begin(), x.end(), at) - x.begin()) - 1;
    }
    const double t = (at - x[i]) / (x[i + 1] - x[i]);
    return y[i] + t * (y[i + 1] - y[i]);
  }

  std::vector<double> ln_p_;
};

}  // namespace lagframe::cosmology
