// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file emulated.hpp
/// The COCA frame (Bartlett et al. 2024, arXiv 2409.02154; docs/physics.md §10): an LPT frame Base
/// (lpt<2>: tCOCA; lpt<1>) plus the residual momentum p_ML(q, a) an emulator predicts
/// (frame/emulators/concepts.hpp):
///     x_fr = q + Ψ_LPT(a) + Ψ_ML(a),   p_fr = p_LPT(a) + p_ML(a),
/// and a particle's state is x and π = p − p_fr. Two ways of integrating the ML part of the frame
/// (emulated_options::integration):
///
///   ml_integration::as_lpt (default): the ML part is treated as the LPT part is (TZE13 §2):
///     drift [a0 → a1], momentum at ac, factor 𝒟:  x += 𝒟·π + ΔΨ_LPT + ΔΨ_ML,
///         ΔΨ_ML = ∫_{a0}^{a1} p_ML(a) da/(a³E), the frame's own displacement: for an emulator
///         with knots (p_ML linear in a between them; recorded, fourier_linear, torchscript with
///         a times attribute) exact, by product integration of the interpolant through a0, the
///         knots inside (a0, a1) and a1 (one evaluation per point); otherwise by product
///         integration of the quadratic through p_ML(a0), p_ML(ac), p_ML(a1);
///     kick  [a0, a1], force at ac, factor K:      π += force_scale·acc − K·g_LPT(ac) − K·g_ML(ac),
///         g_ML = a²E dp_ML/da at ac (central difference over ±h, h = s·(a1 − a0), s =
///         emulated_options::rate_step, one-sided at the ends of the emulator's time range; for
///         an emulator with knots h is at least the distance to the knots around ac, which gives
///         the same slope of the interpolant with better conditioning when s is small): the
///         frame's acceleration with the kick quadrature of the true force, so for a frame on
///         the true trajectory the two cancel whatever the step size, and π stays ≈ 0 — as far
///         as the frame's displacement and its derivative are exact. Inside haloes the force
///         changes over a small fraction of a step, so a small error in either is kicked into a
///         large one. Measured with the perfect emulator (the held-out seed 8's own 720-step run
///         recorded every 0.0014 in a, 64³ particles in 128 Mpc/h from z = 49), 9 steps with the
///         force at the 8 interior points, P/P_ref − 1 at k = 1 h/Mpc: −4.5 % with the
///         three-point drift rule even with s = 0.0125, −14 % with the knots and s = 1, +0.15 %
///         with the knots and s = 0.01 (no force at all: +0.17 %). The recording must be fine:
///         a 180-step run kept every 0.0054 in a gives −0.78 %, a 160-step run kept at 33 times
///         −7 % (knots, s = 0.01).
///         For fourier_linear the default s = 1 stays better: its coefficients are fitted at
///         each stored time on their own, so the slope of its interpolant is noisy; with the
///         knots, n_f = 16 on seeds 7–11 is at 0.93, 0.41, 1.0, 1.4, 0.75 % (largest |dP| for
///         k ≤ 1) with s = 1 and 1.2–2.4 % with s = 0.01. Replay recordings with s ≈ 0.01.
///   ml_integration::as_particles: the ML part is integrated with the particles' own operators:
///     drift: x += 𝒟·(π + p_ML(ac)) + ΔΨ_LPT;  kick: π += force_scale·acc − K·g_LPT(ac) − [p_ML(a1) − p_ML(a0)].
///     The substitution π' = π + p_ML turns every operation into Base's own, so with every
///     force evaluated this is tCOLA exactly (up to rounding), whatever the emulator: the
///     emulator then helps only on skipped steps. It replays a recording made on the same
///     time grid (frame::recording) to rounding, which as_lpt does only to quadrature accuracy.
///
/// In both, a skipped force evaluation leaves π unchanged (residual acceleration ≡ 0), and the
/// particle follows the frame plus a uniform residual drift: with no force evaluation π keeps
/// its value −p_ML(a_start) (zero for an emulator that predicts no residual at the start) and
/// the particle follows the emulated trajectory; with every force evaluated the run is PM in a
/// moving frame and converges to the true solution whatever the emulator (docs/physics.md §10.4).
/// add_momentum(p, a, ±1) is Base's ± p_LPT(a), then ± p_ML(a). With emulators::none
/// (p_ML ≡ 0) every operation is Base's own, bit for bit, in both modes.
///
/// Measured (examples/coca_vs_cola set-up, held-out seed 7, fourier_linear, against PM with 100
/// steps; P/P_ref − 1 at k = 0.5 / 1 h/Mpc): every force on 10 steps, as_lpt −0.5 % / +0.3 %
/// where as_particles (= tCOLA) is at +3.2 % / +3.7 %; spread_late(8) on 10 steps, as_lpt
/// −0.1 % / −1.3 % against +2.6 % / −1.2 % (the latter with 100-step training runs instead of
/// 160-step ones). README, tCOCA section, for the full table.
///
/// Emulator evaluations are cached (four time slots, least recently used). On a grid with
/// evenly spaced nodes every time the KDK stepper needs (nodes and midpoints) is evaluated once:
/// 2n + 1 evaluations for n steps, plus, with knots, one per knot inside each step (every
/// stored time once over the run) and, with rate_step < 1, two per kick. Every evaluation is checked for NaN/inf (numerical_error
/// naming particle and a). Memory beyond Base: five N³ vec3<Real> arrays (the four cache slots
/// and the drift momentum), allocated at construction.
///
/// Construction: Frame(growth, lpt_fields, options) with options an emulated_options<Emulator>
/// or just the emulator (the default integration; an emulator with `bind(lpt_fields)` is first
/// bound to the run's LPT fields), or Frame(growth, lpt_fields) when the emulator is
/// default-constructible. `options_type` is emulated_options<Emulator>: lagframe::simulation
/// takes it (or the emulator) with set_frame_options and builds Frame(growth, lpt_fields,
/// options). The time range of a run is checked up front by validate_run(a_start, a_end), which
/// lagframe::simulation calls when the run is set up, and again on use (config_error when a is
/// outside the range).

#include <algorithm>
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
#include "lagframe/stepper/quadrature.hpp"

namespace lagframe::frame {

/// How frame::emulated integrates the ML part of its frame (file comment).
enum class ml_integration {
  as_lpt,       ///< own displacement integral, acceleration with the force's kick factor (default)
  as_particles  ///< the particles' drift operator and the exact momentum change (tCOLA with every force)
};

/// The options of frame::emulated: the emulator and how its frame is integrated. Converts
/// implicitly from an emulator (default integration).
template <class Emulator>
struct emulated_options {
  Emulator emulator;
  ml_integration integration = ml_integration::as_lpt;
  /// as_lpt: the frame's acceleration at a kick's force time ac is the central difference of
  /// p_ML over ac ± rate_step·(a1 − a0), in (0, 1] (for an emulator with knots, at least out
  /// to the knots around ac). 1 (default) smooths over the kick, which suits fitted emulators
  /// (fourier_linear, the network); a small value (0.01) takes the slope of the interpolant,
  /// which a replayed recording (emulators::recorded) needs to stay exact under forces (see
  /// the file comment).
  double rate_step = 1.0;

  emulated_options(Emulator e, ml_integration i = ml_integration::as_lpt,  // NOLINT(google-explicit-constructor)
                   double step = 1.0)
      : emulator(std::move(e)), integration(i), rate_step(step) {}
};

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
  using options_type = emulated_options<Emulator>;
  static constexpr std::string_view name = "emulated";
  /// Particles ride LPT plus the emulator (frame::is_moving).
  static constexpr bool moving = true;

  emulated(const cosmology::growth& g, ic::lpt_fields<real_type> fields, emulated_options<Emulator> options)
      : growth_(&g), grid_(fields.grid), n_(fields.psi1.size()), integration_(options.integration),
        rate_step_(options.rate_step), emulator_(bound(std::move(options.emulator), fields)),
        base_(g, std::move(fields)) {
    require(std::isfinite(rate_step_) && rate_step_ > 0.0 && rate_step_ <= 1.0, "emulated frame rate_step",
            rate_step_, "a fraction of the kick length in (0, 1]");
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
      for (auto& sl : slots_) sl.p.resize(n_);
      work_.resize(n_);
      knots_ = detail::emulator_knots(emulator_);
      for (std::size_t t = 1; t < knots_.size(); ++t)
        require(knots_[t] > knots_[t - 1], "emulator knot", knots_[t],
                lagframe::detail::concat("a scale factor above the previous knot (", knots_[t - 1], ")"));
    }
  }

  emulated(const cosmology::growth& g, ic::lpt_fields<real_type> fields)
    requires std::default_initializable<Emulator>
      : emulated(g, std::move(fields), emulated_options<Emulator>(Emulator{})) {}

  [[nodiscard]] const Base& base() const { return base_; }
  [[nodiscard]] const Emulator& emulator() const { return emulator_; }
  [[nodiscard]] ml_integration integration() const { return integration_; }
  [[nodiscard]] double rate_step() const { return rate_step_; }

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
      // as_particles: −[p_ML(a1) − p_ML(a0)]; as_lpt: −K·a²E·dp_ML/da at ac by a difference.
      double lo = k.a0, hi = k.a1, scale = 1.0;
      if (integration_ == ml_integration::as_lpt) {
        const auto range = emulator_.time_range();
        // A step below the knot gap gives the same slope; the gap is the better-conditioned one.
        const double gap = knot_gap(k.ac);
        const double h = std::isfinite(gap) ? std::max((k.a1 - k.a0) * rate_step_, gap) : (k.a1 - k.a0) * rate_step_;
        lo = k.ac - h;
        hi = k.ac + h;
        if (lo < range[0] && !near(lo, range[0])) lo = k.ac;
        if (hi > range[1] && !near(hi, range[1])) hi = k.ac;
        require(hi > lo, "emulated frame kick interval", h,
                "a kick inside the emulator's time range that is long enough to difference p_ML over");
        scale = k.factor * k.ac * k.ac * growth_->bg().e(k.ac) / (hi - lo);
      }
      const auto p0 = ml_momenta(lo);
      const auto p1 = ml_momenta(hi);
      const auto c = static_cast<real_type>(scale);
      const std::size_t n = pi.size();
#pragma omp parallel for schedule(static)
      for (std::size_t i = 0; i < n; ++i)
        for (int d = 0; d < 3; ++d) pi[i][d] -= c * (p1[i][d] - p0[i][d]);
    }
  }

  void drift(std::span<vec3<real_type>> x, std::span<const vec3<real_type>> pi,
             const drift_interval& dr) const {
    check_size(x.size());
    if constexpr (zero) {
      base_.drift(x, pi, dr);
    } else {
      check_size(pi.size());
      const std::size_t n = pi.size();
      if (integration_ == ml_integration::as_particles) {
        const auto pc = ml_momenta(dr.ac);
#pragma omp parallel for schedule(static)
        for (std::size_t i = 0; i < n; ++i)
          for (int d = 0; d < 3; ++d) work_[i][d] = pi[i][d] + pc[i][d];
      } else {
        // Base moves x by 𝒟·work + ΔΨ_LPT; work = π + ΔΨ_ML/𝒟 adds the frame's own ΔΨ_ML.
        require(dr.factor != 0.0, "emulated frame drift factor", dr.factor, "a non-zero drift factor");
        if (knots_.empty()) {
          add_quadratic_integral(pi, dr);
        } else {
          add_knot_integral(pi, dr);
        }
      }
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

  /// Weights W with ∫_{a0}^{a1} p(a) da/(a³E) = W0 p(a0) + Wc p(ac) + W1 p(a1) for p quadratic
  /// in a (product integration of the Lagrange basis through a0, ac, a1; the two-point linear
  /// rule, Wc = 0, when ac is an end).
  [[nodiscard]] std::array<double, 3> drift_weights(const drift_interval& dr) const {
    const auto& bg = growth_->bg();
    const double a0 = dr.a0, a1 = dr.a1, ac = dr.ac;
    const auto weight = [&](auto&& basis) {
      return stepper::detail::integrate_log_a([&](double a) { return basis(a) / (a * a * a * bg.e(a)); }, a0, a1);
    };
    if (near(ac, a0) || near(ac, a1)) {
      return {weight([&](double a) { return (a1 - a) / (a1 - a0); }), 0.0,
              weight([&](double a) { return (a - a0) / (a1 - a0); })};
    }
    return {weight([&](double a) { return (a - ac) * (a - a1) / ((a0 - ac) * (a0 - a1)); }),
            weight([&](double a) { return (a - a0) * (a - a1) / ((ac - a0) * (ac - a1)); }),
            weight([&](double a) { return (a - a0) * (a - ac) / ((a1 - a0) * (a1 - ac)); })};
  }
  static bool near(double a, double b) { return std::abs(a - b) <= 1e-12 * std::max(std::abs(a), std::abs(b)); }

  /// work = π + ΔΨ_ML/𝒟 with ΔΨ_ML by product integration of the quadratic through p_ML(a0),
  /// p_ML(ac), p_ML(a1) (drift_weights): an emulator without knots.
  void add_quadratic_integral(std::span<const vec3<real_type>> pi, const drift_interval& dr) const {
    const auto w = drift_weights(dr);
    const auto p0 = ml_momenta(dr.a0);
    const auto pc = ml_momenta(dr.ac);
    const auto p1 = ml_momenta(dr.a1);
    const auto w0 = static_cast<real_type>(w[0] / dr.factor), wc = static_cast<real_type>(w[1] / dr.factor),
               w1 = static_cast<real_type>(w[2] / dr.factor);
    const std::size_t n = pi.size();
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i)
      for (int d = 0; d < 3; ++d) work_[i][d] = pi[i][d] + (w0 * p0[i][d] + wc * pc[i][d] + w1 * p1[i][d]);
  }

  /// work = π + ΔΨ_ML/𝒟 with ΔΨ_ML = ∫_{a0}^{a1} p_ML(a) da/(a³E) exact for an emulator linear in
  /// a between its knots: product integration of the piecewise-linear interpolant through a0,
  /// the knots inside (a0, a1) and a1 (one emulator evaluation per point).
  void add_knot_integral(std::span<const vec3<real_type>> pi, const drift_interval& dr) const {
    std::vector<double> points{dr.a0};
    for (double t : knots_)
      if (t > dr.a0 && t < dr.a1 && !near(t, dr.a0) && !near(t, dr.a1)) points.push_back(t);
    points.push_back(dr.a1);
    const auto& bg = growth_->bg();
    const auto weight_of = [&](double lo, double hi, bool rising) {  // ∫ of a linear hat side
      return stepper::detail::integrate_log_a(
          [&](double a) { return (rising ? a - lo : hi - a) / (hi - lo) / (a * a * a * bg.e(a)); }, lo, hi);
    };
    std::vector<double> weights(points.size(), 0.0);
    for (std::size_t m = 0; m < points.size(); ++m) {
      if (m > 0) weights[m] += weight_of(points[m - 1], points[m], true) / dr.factor;
      if (m + 1 < points.size()) weights[m] += weight_of(points[m], points[m + 1], false) / dr.factor;
    }
    const std::size_t n = pi.size();
    if constexpr (requires { emulator_.weighted_momenta(std::span<vec3<real_type>>(work_), points, weights); }) {
      // One evaluation of the weighted sum (an emulator linear in its stored coefficients).
      emulator_.weighted_momenta(std::span<vec3<real_type>>(work_), points, weights);
      check_finite(work_, dr.a0, dr.a1);
#pragma omp parallel for schedule(static)
      for (std::size_t i = 0; i < n; ++i)
        for (int d = 0; d < 3; ++d) work_[i][d] += pi[i][d];
    } else {
#pragma omp parallel for schedule(static)
      for (std::size_t i = 0; i < n; ++i) work_[i] = pi[i];
      for (std::size_t m = 0; m < points.size(); ++m) {
        const auto p = ml_momenta(points[m]);
        const auto c = static_cast<real_type>(weights[m]);
#pragma omp parallel for schedule(static)
        for (std::size_t i = 0; i < n; ++i)
          for (int d = 0; d < 3; ++d) work_[i][d] += c * p[i][d];
      }
    }
  }

  /// Throws numerical_error naming the first non-finite component of an emulator output at a0
  /// (a1 = a0) or integrated over [a0, a1].
  void check_finite(std::span<const vec3<real_type>> p, double a0, double a1) const {
    bool finite = true;
#pragma omp parallel for schedule(static) reduction(&& : finite)
    for (std::size_t i = 0; i < p.size(); ++i)
      finite = finite && std::isfinite(p[i][0]) && std::isfinite(p[i][1]) && std::isfinite(p[i][2]);
    for (std::size_t i = 0; i < p.size() && !finite; ++i)
      for (int d = 0; d < 3; ++d)
        if (!std::isfinite(p[i][d])) {
          throw numerical_error(lagframe::detail::concat("lagframe: frame::emulated: emulator ", Emulator::name,
                                                         " returned a non-finite momentum (", p[i][d], ") for particle ", i,
                                                         " component ", d,
                                                         a1 == a0 ? lagframe::detail::concat(" at a = ", a0)
                                                                  : lagframe::detail::concat(" integrated over a = ", a0,
                                                                                             " … ", a1)));
        }
  }

  /// Half-width of the central difference of p_ML at a for an emulator with knots: the
  /// distance to the knots around a, so that the difference is the slope of the interpolant's
  /// segment (or, at a knot, the mean of the two slopes beside it). A time within a quarter of a
  /// knot spacing of a knot counts as on it, which keeps the half-width above a quarter of the
  /// local spacing (a difference over a tiny step would cancel in single precision). +inf
  /// without knots.
  [[nodiscard]] double knot_gap(double a) const {
    constexpr double inf = std::numeric_limits<double>::infinity();
    const std::size_t count = knots_.size();
    if (count == 0) return inf;
    const auto t = [&](std::ptrdiff_t m) {
      return m < 0 ? -inf : static_cast<std::size_t>(m) >= count ? inf : knots_[static_cast<std::size_t>(m)];
    };
    auto m = std::lower_bound(knots_.begin(), knots_.end(), a) - knots_.begin();  // t(m − 1) < a ≤ t(m)
    if (m == static_cast<std::ptrdiff_t>(count) || (m > 0 && a - t(m - 1) < t(m) - a)) --m;  // nearest knot
    const double spacing = std::min(t(m) - t(m - 1), t(m + 1) - t(m));
    if (std::abs(a - t(m)) <= 0.25 * spacing) return std::min(a - t(m - 1), t(m + 1) - a);
    const auto below = a > t(m) ? m : m - 1;  // a inside the segment [t(below), t(below + 1)]
    return std::min(a - t(below), t(below + 1) - a);
  }

  /// Emulators that predict from the run's own LPT fields get them here (optional `bind`).
  static Emulator bound(Emulator e, const ic::lpt_fields<real_type>& fields) {
    if constexpr (requires { e.bind(fields); }) e.bind(fields);
    return e;
  }

  void check_size(std::size_t n) const {
    require(n == n_, "particle count", n,
            lagframe::detail::concat("the emulated frame's ", n_, " particles"));
  }

  /// p_ML(a) from the cache, or evaluated into the least recently used slot and checked. The
  /// spans of the last three calls stay valid (four slots).
  std::span<const vec3<real_type>> ml_momenta(double a) const {
    for (auto& sl : slots_) {
      if (sl.a == a) {
        sl.used = ++clock_;
        return sl.p;
      }
    }
    slot* oldest = &slots_[0];
    for (auto& sl : slots_)
      if (sl.used < oldest->used) oldest = &sl;
    slot& s = *oldest;
    s.a = std::numeric_limits<double>::quiet_NaN();
    emulator_.momenta(std::span<vec3<real_type>>(s.p), a);
    check_finite(s.p, a, a);
    s.a = a;
    s.used = ++clock_;
    return s.p;
  }

  const cosmology::growth* growth_;
  box grid_;
  std::size_t n_;
  ml_integration integration_;
  double rate_step_;
  Emulator emulator_;
  Base base_;
  std::vector<double> knots_;  // the emulator's knots (empty: none declared)
  mutable std::array<slot, 4> slots_;
  mutable std::vector<vec3<real_type>> work_;
  mutable std::vector<vec3<real_type>> zeros_;
  mutable std::uint64_t clock_ = 0;
};

}  // namespace lagframe::frame
