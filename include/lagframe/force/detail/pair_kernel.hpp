// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file pair_kernel.hpp
/// The SIMD inner loop of the P3M short-range sum (force/p3m.hpp): one particle i against a
/// contiguous run of particles j (structure of arrays, sorted by chaining-mesh cell), with
/// Newton's third law (each pair's acceleration added to i and subtracted from j).
///
/// Per batch of j (xsimd::batch<Real>: 4 floats with SSE2, 16 with AVX-512):
///   d = x_j − x_i (the periodic image is chosen by the caller, who passes x_i minus the run's
///   shift), r² = |d|², mask = (r² < r_cut²) ∧ (r² > 0) ∧ (lane inside the run);
///   K = e^{−u²} P(u) / r³ with u = r/(2 r_s) and P the fitted polynomial of short_range.hpp,
///   on lanes with r < h (rare: branch taken only if a lane needs it) K = K_spline(r) − L(u²)
///   instead, L = (1 − S)/r³ the long-range (mesh) part from its power series in u² (there
///   e^{−u²} P(u)/r³ − 1/r³ would cancel: the fit's 4e-8 relative error times 1/r³); a_i += K d,
///   a_j −= K d.
/// Lanes past the run's end read (and write back unchanged) the entries that follow it; the
/// caller guarantees those exist and are not written concurrently (chaining_mesh pads every
/// x-plane with sentinels). Coincident particles (r = 0) exert no force on each other.
/// Same arithmetic in double for the double instantiation (tests).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "lagframe/config.hpp"
#include "lagframe/force/short_range.hpp"

namespace lagframe::force::detail {

template <class Real>
class pair_kernel {
 public:
  using batch = xsimd::batch<Real>;
  static constexpr std::size_t width = batch::size;
  static constexpr std::size_t max_degree = 16;  // coefficients: short_range_kernel fits at most 16
  static constexpr std::size_t series_terms = 16;

  explicit pair_kernel(const short_range_kernel& k)
      : rc2_(static_cast<Real>(k.cutoff() * k.cutoff())),
        inv_2rs_(static_cast<Real>(1.0 / (2.0 * k.split()))),
        h_(static_cast<Real>(k.spline_radius())),
        h2_(static_cast<Real>(k.spline_radius() * k.spline_radius())),
        inv_h_(k.spline_radius() > 0 ? static_cast<Real>(1.0 / k.spline_radius()) : Real(0)),
        degree_(k.coefficients().size()) {
    // L(u²) = (4/√π)(2 r_s)^{−3} Σ_n (−1)^n u^{2n} / (n! (2n + 3)); u² ≤ (2.8 ε/2 r_s)² ≤ 1.96
    // inside the spline radius (ε ≤ r_s), where series_terms terms are exact to 1e-9.
    const double norm = 4.0 * std::numbers::inv_sqrtpi / std::pow(2.0 * k.split(), 3);
    double factorial = 1;
    for (std::size_t n = 0; n < series_terms; ++n) {
      if (n > 0) factorial *= static_cast<double>(n);
      series_[n] = static_cast<Real>((n % 2 == 0 ? 1.0 : -1.0) * norm / (factorial * (2.0 * static_cast<double>(n) + 3.0)));
    }
    LAGFRAME_ASSERT(degree_ <= max_degree, "short-range fit degree");
    for (std::size_t n = 0; n < degree_; ++n) {
      coef_[n] = static_cast<Real>(k.coefficients()[n]);
      coef_batch_[n] = batch(coef_[n]);
    }
    for (std::size_t l = 0; l < width; ++l) lane_index_[l] = static_cast<Real>(l);
  }

  /// The sum of a batch's lanes.
  static LAGFRAME_INLINE Real sum(const batch& b) { return xsimd::hadd(b); }

  /// The kernel in scalar arithmetic of type Real (the fitted formula the batches use), for
  /// tests and the brute-force reference: K(r²) per unit mass, zero outside (0, r_cut).
  [[nodiscard]] Real factor(Real r2) const {
    if (!(r2 < rc2_ && r2 > Real(0))) return Real(0);
    const Real r = std::sqrt(r2);
    const Real inv_r3 = Real(1) / (r2 * r);
    const Real u = r * inv_2rs_;
    Real p = coef_[degree_ - 1];
    for (std::size_t n = degree_ - 1; n-- > 0;) p = p * u + coef_[n];
    if (r2 < h2_) return spline(r) - long_range(u * u);
    return std::exp(-u * u) * p * inv_r3;
  }

  /// i against j ∈ [j0, j1): f_i += Σ K d, a_j −= K d (see the file comment). xi, yi, zi are
  /// the coordinates of i minus the run's periodic shift.
  LAGFRAME_INLINE void run(const Real* xs, const Real* ys, const Real* zs, Real* ax, Real* ay, Real* az,
                           std::size_t j0, std::size_t j1, Real xi, Real yi, Real zi, batch& fx, batch& fy,
                           batch& fz, std::size_t& pairs) const {
    // Everything the loop reads is copied into locals: the stores to a_j could alias members
    // (they are Real too), which made the compiler reload and re-broadcast them every batch.
    const batch bxi(xi), byi(yi), bzi(zi), rc2(rc2_), h2(h2_), inv_2rs(inv_2rs_), zero(Real(0));
    const batch lanes = batch::load_unaligned(lane_index_);
    batch sx = fx, sy = fy, sz = fz;
    batch counted(Real(0));
    for (std::size_t j = j0; j < j1; j += width) {
      const batch dx = batch::load_unaligned(xs + j) - bxi;
      const batch dy = batch::load_unaligned(ys + j) - byi;
      const batch dz = batch::load_unaligned(zs + j) - bzi;
      const batch r2 = xsimd::fma(dx, dx, xsimd::fma(dy, dy, dz * dz));
      auto mask = (r2 < rc2) && (r2 > zero);
      if (j + width > j1) mask = mask && (lanes < batch(static_cast<Real>(j1 - j)));
      if (!xsimd::any(mask)) continue;
      const batch r = xsimd::sqrt(r2);
      const batch u = r * inv_2rs;
      batch k = exp_of_negative(u * u) * polynomial(u) / (r2 * r);
      const auto soft = mask && (r2 < h2);
      if (xsimd::any(soft)) [[unlikely]] k = softened(k, r, u, soft);
      k = xsimd::select(mask, k, zero);
      sx = xsimd::fma(k, dx, sx);
      sy = xsimd::fma(k, dy, sy);
      sz = xsimd::fma(k, dz, sz);
      xsimd::fnma(k, dx, batch::load_unaligned(ax + j)).store_unaligned(ax + j);
      xsimd::fnma(k, dy, batch::load_unaligned(ay + j)).store_unaligned(ay + j);
      xsimd::fnma(k, dz, batch::load_unaligned(az + j)).store_unaligned(az + j);
      counted += xsimd::select(mask, batch(Real(1)), zero);
    }
    fx = sx;
    fy = sy;
    fz = sz;
    pairs += static_cast<std::size_t>(xsimd::hadd(counted));
  }

 private:
  /// K on the lanes inside the spline radius: K_spline(r) − L(u²) (see the file comment); out
  /// of line, so that the rare branch does not crowd the hot loop's registers.
  LAGFRAME_COLD batch softened(const batch& k, const batch& r, const batch& u,
                               const typename batch::batch_bool_type& soft) const {
    return xsimd::select(soft, spline(r) - long_range(u * u), k);
  }

  /// Cubic-spline force factor K_spline(r) for r < h (short_range_kernel::spline_force_factor),
  /// for a batch or a scalar.
  template <class T>
  LAGFRAME_INLINE T spline(const T& r) const {
    const T q = r * T(inv_h_);
    const T q2 = q * q;
    const T h3 = T(inv_h_ * inv_h_ * inv_h_);
    const T inner = T(Real(32.0 / 3.0)) + q2 * (T(Real(32)) * q - T(Real(38.4)));
    const T outer = T(Real(64.0 / 3.0)) - T(Real(48)) * q + T(Real(38.4)) * q2 - T(Real(32.0 / 3.0)) * q2 * q -
                    T(Real(1.0 / 15.0)) / (q2 * q);
    if constexpr (std::is_same_v<T, Real>) {
      return (q < Real(0.5) ? inner : outer) * h3;
    } else {
      return xsimd::select(q < T(Real(0.5)), inner, outer) * h3;
    }
  }

  /// P(u) on a batch by Estrin's scheme over 12 coefficients (the fit at the default cut-off
  /// and below) or 16 (zero-padded): pairs, then pairs of pairs with u², u⁴, u⁸, so the
  /// dependency chain is about 7 operations deep instead of Horner's 2 × 11 (a serial chain of
  /// multiply-adds bounded the SSE2 loop by its latency).
  LAGFRAME_INLINE batch polynomial(const batch& u) const {
    const batch* c = coef_batch_;
    // Written out: at -O2 GCC keeps small loops over batch arrays on the stack.
    const batch u2 = u * u;
    const batch u4 = u2 * u2;
    const batch a0 = xsimd::fma(c[1], u, c[0]), a1 = xsimd::fma(c[3], u, c[2]);
    const batch a2 = xsimd::fma(c[5], u, c[4]), a3 = xsimd::fma(c[7], u, c[6]);
    const batch a4 = xsimd::fma(c[9], u, c[8]), a5 = xsimd::fma(c[11], u, c[10]);
    const batch b0 = xsimd::fma(a1, u2, a0), b1 = xsimd::fma(a3, u2, a2), b2 = xsimd::fma(a5, u2, a4);
    const batch low = xsimd::fma(b1, u4, b0);  // degree ≤ 7
    if (degree_ <= 12) return xsimd::fma(b2, u4 * u4, low);
    const batch a6 = xsimd::fma(c[13], u, c[12]), a7 = xsimd::fma(c[15], u, c[14]);
    const batch high = xsimd::fma(xsimd::fma(a7, u2, a6), u4, b2);  // degree 8 … 15, over u⁸
    return xsimd::fma(high, u4 * u4, low);
  }

  /// e^{−t} for t ∈ [0, 87] (here t = u² ≤ 25). Float: 2^y with y = −t log₂e split as
  /// y = k + f, k the nearest integer (the 1.5·2²³ rounding trick, exact for |y| < 2²²) and
  /// f ∈ [−½, ½]; 2^f from its Taylor series to degree 6 (truncation ≤ 1.2e-7 relative) and
  /// 2^k put into the exponent bits. No range checks are needed for this domain, which makes it
  /// about half the instructions of xsimd::exp. Double (tests): xsimd::exp.
  static LAGFRAME_INLINE batch exp_of_negative(const batch& t) {
    if constexpr (std::is_same_v<Real, float>) {
      using int_batch = xsimd::batch<std::int32_t, typename batch::arch_type>;
      const batch y = t * batch(-1.44269504088896341f);
      const batch magic(12582912.0f);  // 1.5 · 2^23
      const batch rounded = (y + magic) - magic;
      const batch f = y - rounded;
      const batch x = f * batch(0.693147180559945309f);  // 2^f = e^x, |x| ≤ 0.347
      batch e(1.0f / 720.0f);
      e = xsimd::fma(e, x, batch(1.0f / 120.0f));
      e = xsimd::fma(e, x, batch(1.0f / 24.0f));
      e = xsimd::fma(e, x, batch(1.0f / 6.0f));
      e = xsimd::fma(e, x, batch(0.5f));
      e = xsimd::fma(e, x, batch(1.0f));
      e = xsimd::fma(e, x, batch(1.0f));
      const int_batch k = xsimd::batch_cast<std::int32_t>(rounded);
      const batch scale = xsimd::bitwise_cast<batch>((k + int_batch(127)) << 23);
      return e * scale;
    } else {
      return xsimd::exp(-t);
    }
  }

  /// L(u²) = (1 − S(u))/r³, the long-range force factor, from its power series (any r < h).
  template <class T>
  LAGFRAME_INLINE T long_range(const T& u2) const {
    T s(series_[series_terms - 1]);
    for (std::size_t n = series_terms - 1; n-- > 0;) s = s * u2 + T(series_[n]);
    return s;
  }

  Real rc2_, inv_2rs_, h_, h2_, inv_h_;
  std::size_t degree_;
  Real coef_[max_degree] = {};
  batch coef_batch_[max_degree] = {};  ///< coef_ broadcast once
  Real series_[series_terms] = {};
  alignas(64) Real lane_index_[width] = {};
};

}  // namespace lagframe::force::detail
