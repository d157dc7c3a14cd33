// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file factors.hpp
/// Kick and drift factors of the leapfrog (docs/physics.md §8.2–8.5).
///
/// Units: a kick over [a0, a1] with the force evaluated at a_c changes the momentum by
///   Δp = K · g(a_c),   g ≡ a²E dp/da = −(3/2) Ω_m ∇φ      (docs/physics.md §1.2),
/// and a drift over [a0, a1] with the momentum known at a_c moves a particle by Δx = 𝒟 · p(a_c).
/// A model F provides F::name, F::kick(growth, a0, a1, ac) and F::drift(growth, a0, a1, ac).
///
///  - quinn:  K = ∫ da/(a²E), 𝒟 = ∫ da/(a³E)                       (Quinn et al. 1997)
///  - fastpm: K = [G_f(a1) − G_f(a0)] / (g_f(a_c) a_c² E_c),
///            𝒟 = [D1(a1) − D1(a0)] / (a_c³ E_c dD1/da(a_c))        (Feng et al. 2016; G_f = T[D1],
///            g_f = dG_f/da = T²[D1]/(a³E)): exact for linear growth at any step size.
///  - cola:   K = a_c [u(a1) − u(a0)] / (Q(a_c) u'(a_c)),
///            𝒟 = ∫ u(a)/(a³E) da / u(a_c),  u = a^{n_LPT}, Q = a³E  (Tassev+13 App. A.3):
///            exact if the residual momentum grows as a^{n_LPT} within a step; n_LPT = −2.5.
///            With few steps n_LPT shifts the small-scale power of a whole run. Measured: 64³
///            particles in 128 Mpc/h, 128³ mesh, from z = 49, 10 steps with 8 force evaluations
///            (force_schedule::spread_late), largest |P/P_ref − 1| for k ≤ 1 h/Mpc against PM
///            with 100 steps on seeds 7–11, tCOLA: n_LPT = −1.5: 5.0 %; −2.5: 3.1 %; −3: 1.9 %;
///            −3.25: 1.3 %; −3.5: 2.0 % (P low at k = 1 on every seed up to −2.5, high on every
///            seed at −3.5). The spread between seeds, about 2.5 % peak to peak at k = 1, stays
///            whatever n_LPT; tCOCA with fourier_linear moves the same way.
/// All three are additive for a fixed a_c (a kick split at a_c into two halves sums to the
/// whole), which lets the stepper keep momenta synchronised with positions between steps.

#include <cmath>
#include <string_view>

#include "lagframe/core/error.hpp"
#include "lagframe/cosmology/growth.hpp"
#include "lagframe/stepper/quadrature.hpp"

namespace lagframe::stepper::factors {

struct quinn {
  static constexpr std::string_view name = "quinn";
  [[nodiscard]] double kick(const cosmology::growth& g, double a0, double a1, double /*ac*/) const {
    const auto& bg = g.bg();
    return detail::integrate_log_a([&](double a) { return 1.0 / (a * a * bg.e(a)); }, a0, a1);
  }
  [[nodiscard]] double drift(const cosmology::growth& g, double a0, double a1, double /*ac*/) const {
    const auto& bg = g.bg();
    return detail::integrate_log_a([&](double a) { return 1.0 / (a * a * a * bg.e(a)); }, a0, a1);
  }
};

struct fastpm {
  static constexpr std::string_view name = "fastpm";
  [[nodiscard]] double kick(const cosmology::growth& g, double a0, double a1, double ac) const {
    const double e_c = g.bg().e(ac);
    const double g_f = g.t2_d1(ac) / (ac * ac * ac * e_c);
    return (g.t_d1(a1) - g.t_d1(a0)) / (g_f * ac * ac * e_c);
  }
  [[nodiscard]] double drift(const cosmology::growth& g, double a0, double a1, double ac) const {
    return (g.d1(a1) - g.d1(a0)) / (ac * ac * ac * g.bg().e(ac) * g.dd1_da(ac));
  }
};

struct cola {
  static constexpr std::string_view name = "cola";
  double n_lpt = -2.5;

  void validate() const {
    require(std::isfinite(n_lpt) && n_lpt != 0.0 && n_lpt > -4.0 && n_lpt < 3.5, "cola n_lpt",
            n_lpt, "a non-zero exponent in (-4, 3.5) (docs/physics.md §8.5; -2.5 recommended)");
  }
  [[nodiscard]] double kick(const cosmology::growth& g, double a0, double a1, double ac) const {
    const double q_c = ac * ac * ac * g.bg().e(ac);
    const double du_c = n_lpt * std::pow(ac, n_lpt - 1.0);
    return ac * (std::pow(a1, n_lpt) - std::pow(a0, n_lpt)) / (q_c * du_c);
  }
  [[nodiscard]] double drift(const cosmology::growth& g, double a0, double a1, double ac) const {
    const auto& bg = g.bg();
    const double integral = detail::integrate_log_a(
        [&](double a) { return std::pow(a, n_lpt) / (a * a * a * bg.e(a)); }, a0, a1);
    return integral / std::pow(ac, n_lpt);
  }
};

/// The factors that fit the frame: COLA (n_LPT = −2.5) when the frame moves (LPT, tCOCA),
/// FastPM when there is none (frame::inertial), chosen by the simulation at construction
/// (bind_frame). The default of kick_drift_kick<>, so that kick_drift_kick<> is right with any
/// frame. Measured without a frame (64³ particles, 128 Mpc/h, 128³ mesh, seed 42), P/P_lin at
/// k = 0.11 h/Mpc with COLA factors: 6.1 after 10 steps, 1.24 after 40, 0.95 after 100; with
/// FastPM factors 0.885, 0.889, 0.889 (this mode's realisation): COLA factors never do better
/// without a frame, so simulation refuses them there (docs/physics.md §8).
struct frame_default {
  static constexpr std::string_view name = "frame_default";
  cola cola_factors{};  ///< used in a moving frame
  bool moving = true;   ///< set by the simulation from frame::is_moving<Frame>

  void validate() const { cola_factors.validate(); }
  void bind_frame(bool frame_moves) { moving = frame_moves; }
  [[nodiscard]] double kick(const cosmology::growth& g, double a0, double a1, double ac) const {
    return moving ? cola_factors.kick(g, a0, a1, ac) : fastpm{}.kick(g, a0, a1, ac);
  }
  [[nodiscard]] double drift(const cosmology::growth& g, double a0, double a1, double ac) const {
    return moving ? cola_factors.drift(g, a0, a1, ac) : fastpm{}.drift(g, a0, a1, ac);
  }
};

}  // namespace lagframe::stepper::factors
