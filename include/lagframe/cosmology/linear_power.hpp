// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file linear_power.hpp
/// The linear matter power spectrum at a = 1 (D1 = 1), P(k) in (Mpc/h)³ with k in h/Mpc:
/// P = A k^n_s T²(k) from a transfer function, or a tabulated P(k), optionally normalised to
/// σ8 (PHYSICS.md §1.3):
///   σ_R² = 1/(2π²) ∫ k² P(k) W²(kR) dk,   W(x) = 3 (sin x − x cos x)/x³,   R = 8 Mpc/h.
/// Stored as ln P on a uniform ln k grid (10⁻⁵ … 10² h/Mpc, 4096 points) and interpolated
/// linearly in log–log. Outside a file's k range the spectrum is extrapolated as a power law
/// from the two end points of the table.

#include <cmath>
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

  /// From a file (power_table.hpp layouts). Transfer layouts always build P ∝ k^n_s T² normalised
  /// to σ8; P layouts are renormalised only when asked.
  static linear_power from_file(const std::string& path, table_layout layout, const parameters& p,
                                bool normalise_to_sigma8) {
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

  /// P(k) at a = 1 in (Mpc/h)³; k in h/Mpc. Zero for k ≤ 0.
  [[nodiscard]] double operator()(double k) const {
    if (!(k > 0.0)) return 0.0;
    const double x = (std::log(k) - ln_k_min()) / dlnk();
    if (x <= 0.0) return std::exp(ln_p_[0] + x * (ln_p_[1] - ln_p_[0]));
    if (x >= points - 1) {
      const double s = ln_p_[points - 1] - ln_p_[points - 2];
      return std::exp(ln_p_[points - 1] + (x - (points - 1)) * s);
    }
    const auto i = static_cast<std::size_t>(x);
    const double t = x - static_cast<double>(i);
    return std::exp((1.0 - t) * ln_p_[i] + t * ln_p_[i + 1]);
  }

  /// rms linear density fluctuation in top-hat spheres of radius r (Mpc/h) at a = 1.
  [[nodiscard]] double sigma_r(double r) const {
    require(r > 0.0 && std::isfinite(r), "sigma_r radius", r, "a positive radius in Mpc/h");
    // Simpson's rule in ln k on the table grid: σ² = 1/(2π²) ∫ k³ P W² d ln k.
    double sum = 0.0;
    for (std::size_t i = 0; i < points; ++i) {
      const double k = std::exp(ln_k_min() + dlnk() * static_cast<double>(i));
      const double x = k * r;
      const double w = x < 1e-3 ? 1.0 - x * x / 10.0 : 3.0 * (std::sin(x) - x * std::cos(x)) / (x * x * x);
      const double f = k * k * k * std::exp(ln_p_[i]) * w * w;
      const double weight = (i == 0 || i == points - 1) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
      sum += weight * f;
    }
    return std::sqrt(sum * dlnk() / 3.0 / (2.0 * std::numbers::pi * std::numbers::pi));
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
