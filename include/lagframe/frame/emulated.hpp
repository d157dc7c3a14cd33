// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file emulated.hpp
/// The COCA frame (Bartlett et al. 2024, arXiv 2409.02154; PHYSICS.md §4.2): an LPT frame Base
/// (lpt<2>: tCOCA; lpt<1>) plus the residual momentum p_ML(q, a) an emulator predicts
/// (frame/emulators/concepts.hpp):
///     x_fr = q + Ψ_LPT(a) + Ψ_ML(a),   p_fr = p_LPT(a) + p_ML(a),
/// and a particle's state is x and π = p − p_fr.
///   kick  [a0, a1], force at ac:  π += force_scale·acc − K·g_LPT(ac) − [p_ML(a1) − p_ML(a0)]
///                                 (Base's kick, then the ML frame's own momentum change);
///   drift [a0 → a1], momentum at ac, factor 𝒟:  x += 𝒟·(π + p_ML(ac)) + ΔΨ_LPT
///                                 (Ψ_ML is integrated with the particles' own drift operator, so
///                                 the frame is self-consistent on skipped force evaluations);
///   add_momentum(p, a, ±1):       Base's ± p_LPT(a), then ± p_ML(a).
/// With no force evaluation π keeps its value −p_ML(a_start) (zero for an emulator that
/// predicts no residual at the start) and the particle follows the emulated trajectory;
/// with every force evaluated the run is PM in a moving frame and converges to the true
/// solution whatever the emulator (PHYSICS.md §4.4). With emulators::none (p_ML ≡ 0) every
/// operation is Base's own, bit for bit.
///
/// Emulator evaluations are cached (two time slots, least recently used): a KDK step with the
/// force at both ends asks for p_ML at a_j, a_{j+1/2} (twice) and a_{j+1} and evaluates each
/// once. Every evaluation is checked for NaN/inf (numerical_error naming particle and a).
/// Memory beyond Base: three N³ vec3<Real> work arrays (two cache slots and the drift
/// momentum), allocated at construction.
///
/// Construction: Frame(growth, lpt_fields, emulator) (an emulator with `bind(lpt_fields)` is
/// first bound to the run's LPT fields), or Frame(growth, lpt_fields) when the emulator is
/// default-constructible. `options_type` is the emulator: lagframe::simulation takes it with
/// set_frame_options(emulator) and builds Frame(growth, lpt_fields, emulator). The time range of
/// a run is checked up front by validate_run(a_start, a_end), which lagframe::simulation calls
/// when the run is set up, and again on use (config_error when a is outside the range).

#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/cosmology/growth.hpp"
#include "lagframe/frame/concepts.hpp"
#include "lagframe/frame/emulators/concepts.hpp"
#include "lagframe/ic/lpt.hpp"

namespace lagframe::frame {

template <class Base, class Emulator>
  requires frame_policy<Base> && frame_emulator<Emulator> &&
           std::same_as<typename Base::real_type, typename Emulator::real_type>
class emulated {
 public:
  using real_type = typename Base::real_type;
  using base_type = Base;
  using emulator_type = Emulator;
  /// What the frame needs besides the growth and the LPT fields (for a simulation hook that
  /// passes frame options through; see the file comment).
  using options_type = Emulator;
  static constexpr std::string_view name = "emulated";

  emulated(const cosmology::growth& g, ic::lpt_fields<real_type> fields, Emulator emulator)
      : grid_(fields.grid), n_(fields.psi1.size()), emulator_(bound(std::move(emulator), fields)),
        base_(g, std::move(fields)) {
    const auto range = emulator_.time_range();
    emulator_.validate(grid_, range[0], range[1]);  // the grid and box side (its own time range)
    if constexpr (requires { emulator_.base_frame(); }) {
      const std::string_view expected = emulator_.base_frame();
      if (!expected.empty() && expected != Base::name) {
        throw config_error(lagframe::detail::concat(
            "lagframe: frame::emulated: emulator ", Emulator::name, " predicts residual momenta relative to frame ",
            expected, " but the base frame is ", Base::name));
      }
    }
    if constexpr (!zero) {
      for (auto& s : slots_) s.p.resize(n_);
      work_.resize(n_);
    }
  }

  emulated(const cosmology::growth& g, ic::lpt_fields<real_type> fields)
    requires std::default_initializable<Emulator>
      : emulated(g, std::move(fields), Emulator{}) {}

  [[nodiscard]] const Base& base() const { return base_; }
  [[nodiscard]] const Emulator& emulator() const { return emulator_; }

  /// Throws config_error unless the emulator matches this frame's grid and covers [a_start, a_end].
  void validate_run(double a_start, double a_end) const { emulator_.validate(grid_, a_start, a_end); }

  /// p_ML(a) for every particle (the cached, checked emulator output).
  [[nodiscard]] std::span<const vec3<real_type>> emulated_momenta(double a) const {
    if constexpr (zero) {
      zeros_.assign(n_, vec3<real_type>{});
      return zeros_;
    } else {
      return ml_momenta(a);
    }
  }

  void kick(std::span<vec3<real_type>> pi, std::span<const vec3<real_type>> acc,
            const kick_interval& k) const {
    check_size(pi.size());
    base_.kick(pi, acc, k);
    if constexpr (!zero) {
      const auto p0 = ml_momenta(k.a0);
      const auto p1 = ml_momenta(k.a1);
      const std::size_t n = pi.size();
#pragma omp parallel for schedule(static)
      for (std::size_t i = 0; i < n; ++i)
        for (int d = 0; d < 3; ++d) pi[i][d] -= p1[i][d] - p0[i][d];
    }
  }

  void drift(std::span<vec3<real_type>> x, std::span<const vec3<real_type>> pi,
             const drift_interval& dr) const {
    check_size(x.size());
    if constexpr (zero) {
      base_.drift(x, pi, dr);
    } else {
      check_size(pi.size());
      const auto pc = ml_momenta(dr.ac);
      const std::size_t n = pi.size();
#pragma omp parallel for schedule(static)
      for (std::size_t i = 0; i < n; ++i)
        for (int d = 0; d < 3; ++d) work_[i][d] = pi[i][d] + pc[i][d];
      base_.drift(x, std::span<const vec3<real_type>>(work_), dr);
    }
  }

  void add_momentum(std::span<vec3<real_type>> p, double a, double sign) const {
    check_size(p.size());
    base_.add_momentum(p, a, sign);
    if constexpr (!zero) {
      const auto pm = ml_momenta(a);
      const auto s = static_cast<real_type>(sign);
      const std::size_t n = p.size();
#pragma omp parallel for schedule(static)
      for (std::size_t i = 0; i < n; ++i)
        for (int d = 0; d < 3; ++d) p[i][d] += s * pm[i][d];
    }
  }

 private:
  static constexpr bool zero = detail::emulator_is_zero<Emulator>();

  struct slot {
    double a = std::numeric_limits<double>::quiet_NaN();
    std::uint64_t used = 0;
    std::vector<vec3<real_type>> p;
  };

  /// Emulators that predict from the run's own LPT fields get them here (optional `bind`).
  static Emulator bound(Emulator e, const ic::lpt_fields<real_type>& fields) {
    if constexpr (requires { e.bind(fields); }) e.bind(fields);
    return e;
  }

  void check_size(std::size_t n) const {
    require(n == n_, "particle count", n,
            lagframe::detail::concat("the emulated frame's ", n_, " particles"));
  }

  /// p_ML(a) from the cache, or evaluated into the least recently used slot and checked.
  std::span<const vec3<real_type>> ml_momenta(double a) const {
    for (auto& s : slots_) {
      if (s.a == a) {
        s.used = ++clock_;
        return s.p;
      }
    }
    slot& s = slots_[0].used <= slots_[1].used ? slots_[0] : slots_[1];
    s.a = std::numeric_limits<double>::quiet_NaN();
    emulator_.momenta(std::span<vec3<real_type>>(s.p), a);
    bool finite = true;
#pragma omp parallel for schedule(static) reduction(&& : finite)
    for (std::size_t i = 0; i < n_; ++i)
      finite = finite && std::isfinite(s.p[i][0]) && std::isfinite(s.p[i][1]) && std::isfinite(s.p[i][2]);
    for (std::size_t i = 0; i < n_ && !finite; ++i)
      for (int d = 0; d < 3; ++d)
        if (!std::isfinite(s.p[i][d])) {
          throw numerical_error(lagframe::detail::concat(
              "lagframe: frame::emulated: emulator ", Emulator::name, " returned a non-finite momentum (",
              s.p[i][d], ") for particle ", i, " component ", d, " at a = ", a));
        }
    s.a = a;
    s.used = ++clock_;
    return s.p;
  }

  box grid_;
  std::size_t n_;
  Emulator emulator_;
  Base base_;
  mutable std::array<slot, 2> slots_;
  mutable std::vector<vec3<real_type>> work_;
  mutable std::vector<vec3<real_type>> zeros_;
  mutable std::uint64_t clock_ = 0;
};

}  // namespace lagframe::frame
