// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file lpt.hpp
/// The LPT frame of tCOLA (Tassev, Zaldarriaga & Eisenstein 2013; docs/physics.md §9.3):
///   x = q + D1(a) Ψ1(q) [+ D2(a) Ψ2(q)] + r,   p = T[D1] Ψ1 [+ T[D2] Ψ2] + π.
/// The residual obeys T²[r] = a·g_res with
///   g_res = (3/2)Ω_m (−∇φ) − g_frame,   g_frame = T²[x_frame]/a = T²[D1]/a Ψ1 + T²[D2]/a Ψ2,
/// T²[D1] = (3/2)Ω_m a D1, T²[D2] = (3/2)Ω_m a (D2 − D1²). The kick subtracts K·g_frame(a_c)
/// with the same factor K as the true force, so at linear order the residual force cancels
/// exactly whatever the step size (TZE13 eq. A.12 form; L-PICOLA main.c does the same).
/// Order 1 keeps only Ψ1 (2LPT initial displacements then live in the residual).
/// Storage: the fields as `Real`, or `fixed16` (int16 with one scale per field: half the memory,
/// each component within 1.5e-5 of the field's largest displacement; lpt_storage.hpp).

#include <array>
#include <cstddef>
#include <span>
#include <type_traits>
#include <string_view>
#include <utility>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/cosmology/growth.hpp"
#include "lagframe/frame/concepts.hpp"
#include "lagframe/frame/lpt_storage.hpp"
#include "lagframe/ic/lpt.hpp"

namespace lagframe::frame {

template <int Order, class Real = float, class Storage = Real>
class lpt {
  static_assert(Order == 1 || Order == 2, "lagframe::frame::lpt<Order>: Order must be 1 or 2");
  static_assert(std::is_same_v<Storage, Real> || std::is_same_v<Storage, fixed16>,
                "lagframe::frame::lpt<Order, Real, Storage>: Storage is Real (the default) or frame::fixed16");
  static constexpr bool compact = std::is_same_v<Storage, fixed16>;

 public:
  using real_type = Real;
  static constexpr std::string_view name =
      Order == 1 ? (compact ? "lpt<1, fixed16>" : "lpt<1>") : (compact ? "lpt<2, fixed16>" : "lpt<2>");
  /// Particles ride the LPT trajectory (frame::is_moving).
  static constexpr bool moving = true;
  static constexpr int order = Order;

  lpt(const cosmology::growth& g, ic::lpt_fields<Real> fields)
      : growth_(&g), side_(static_cast<Real>(fields.grid.side_mpc_h)),
        psi1_(std::move(fields.psi1)) {
    require(!psi1_.empty(), "LPT frame psi1 size", psi1_.size(), "one displacement per particle");
    if constexpr (Order == 2) {
      require(fields.order == 2 && fields.psi2.size() == psi1_.size(), "LPT field order",
              fields.order, "second-order fields (Psi2) for frame::lpt<2>");
      psi2_ = lpt_field<Real, Storage>(std::move(fields.psi2));
    }
  }

  [[nodiscard]] std::span<const vec3<Real>> psi1() const
    requires(!compact)
  {
    return psi1_.values();
  }
  [[nodiscard]] std::span<const vec3<Real>> psi2() const
    requires(!compact)
  {
    return psi2_.values();
  }
  /// Largest difference of a stored component from the given one (0 unless fixed16), Ψ1 and Ψ2.
  [[nodiscard]] std::array<double, 2> storage_resolution() const { return {psi1_.resolution(), psi2_.resolution()}; }
  /// Bytes of the stored fields.
  [[nodiscard]] std::size_t field_bytes() const { return psi1_.bytes() + psi2_.bytes(); }

  void kick(std::span<vec3<Real>> pi, std::span<const vec3<Real>> acc,
            const kick_interval& k) const {
    check_size(pi.size());
    const Real s = static_cast<Real>(k.force_scale);
    const Real c1 = static_cast<Real>(k.factor * growth_->t2_d1(k.ac) / k.ac);
    const Real c2 = Order == 2 ? static_cast<Real>(k.factor * growth_->t2_d2(k.ac) / k.ac) : Real(0);
    const std::size_t n = pi.size();
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i) {
      for (int d = 0; d < 3; ++d) {
        Real frame_term = c1 * psi1_(i, d);
        if constexpr (Order == 2) frame_term += c2 * psi2_(i, d);
        pi[i][d] += s * acc[i][d] - frame_term;
      }
    }
  }

  void drift(std::span<vec3<Real>> x, std::span<const vec3<Real>> pi,
             const drift_interval& dr) const {
    check_size(x.size());
    const Real f = static_cast<Real>(dr.factor);
    const Real dd1 = static_cast<Real>(growth_->d1(dr.a1) - growth_->d1(dr.a0));
    const Real dd2 = Order == 2 ? static_cast<Real>(growth_->d2(dr.a1) - growth_->d2(dr.a0)) : Real(0);
    const Real side = side_;
    const std::size_t n = x.size();
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i) {
      for (int d = 0; d < 3; ++d) {
        Real step = f * pi[i][d] + dd1 * psi1_(i, d);
        if constexpr (Order == 2) step += dd2 * psi2_(i, d);
        x[i][d] = wrap_periodic(x[i][d] + step, side);
      }
    }
  }

  /// The frame's displacement of particle i from a0 to a, ΔD1 Ψ1 + ΔD2 Ψ2 (the drift's frame
  /// term evaluated at any a: lightcone crossings).
  [[nodiscard]] vec3<double> frame_displacement(std::size_t i, double a0, double a) const {
    const double dd1 = growth_->d1(a) - growth_->d1(a0);
    const double dd2 = Order == 2 ? growth_->d2(a) - growth_->d2(a0) : 0.0;
    vec3<double> out;
    for (int d = 0; d < 3; ++d) {
      out[d] = dd1 * static_cast<double>(psi1_(i, d));
      if constexpr (Order == 2) out[d] += dd2 * static_cast<double>(psi2_(i, d));
    }
    return out;
  }

  /// The same displacement as a sum of terms g_k(a0, a) v_k(i): k = 0 is ΔD1 Ψ1, k = 1 ΔD2 Ψ2
  /// (a lightcone tabulates g_k once per drift instead of asking every particle).
  static constexpr int displacement_terms = Order;
  [[nodiscard]] double displacement_growth(int k, double a0, double a) const {
    return k == 0 ? growth_->d1(a) - growth_->d1(a0) : growth_->d2(a) - growth_->d2(a0);
  }
  [[nodiscard]] vec3<double> displacement_vector(std::size_t i, int k) const {
    const auto& v = k == 0 ? psi1_ : psi2_;
    return {static_cast<double>(v(i, 0)), static_cast<double>(v(i, 1)), static_cast<double>(v(i, 2))};
  }

  /// The frame's momentum of particle i at a, T[D1] Ψ1 + T[D2] Ψ2.
  [[nodiscard]] vec3<double> frame_momentum(std::size_t i, double a) const {
    const double t1 = growth_->t_d1(a), t2 = Order == 2 ? growth_->t_d2(a) : 0.0;
    vec3<double> out;
    for (int d = 0; d < 3; ++d) {
      out[d] = t1 * static_cast<double>(psi1_(i, d));
      if constexpr (Order == 2) out[d] += t2 * static_cast<double>(psi2_(i, d));
    }
    return out;
  }

  void add_momentum(std::span<vec3<Real>> p, double a, double sign) const {
    check_size(p.size());
    const Real t1 = static_cast<Real>(sign * growth_->t_d1(a));
    const Real t2 = Order == 2 ? static_cast<Real>(sign * growth_->t_d2(a)) : Real(0);
    const std::size_t n = p.size();
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i) {
      for (int d = 0; d < 3; ++d) {
        Real frame_p = t1 * psi1_(i, d);
        if constexpr (Order == 2) frame_p += t2 * psi2_(i, d);
        p[i][d] += frame_p;
      }
    }
  }

 private:
  void check_size(std::size_t n) const {
    require(n == psi1_.size(), "particle count", n,
            lagframe::detail::concat("the LPT frame's ", psi1_.size(), " particles"));
  }

  const cosmology::growth* growth_;
  Real side_;
  lpt_field<Real, Storage> psi1_;
  lpt_field<Real, Storage> psi2_;
};

}  // namespace lagframe::frame
