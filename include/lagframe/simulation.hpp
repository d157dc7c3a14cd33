// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file simulation.hpp
/// lagframe::simulation<Frame, Force, Stepper>: particles integrated in a moving frame
/// (docs/design.md §2).
///
///   simulation<frame::inertial<>, force::particle_mesh<mesh::cic>, stepper::kick_drift_kick<factors::fastpm>>
///       plain PM (FastPM time stepping);
///   simulation<frame::lpt<2>, force::particle_mesh<mesh::cic>, stepper::kick_drift_kick<>>
///       tCOLA.
///
/// Life cycle: construct, set_initial_conditions(LPT fields) at the grid's first node, then
/// run_until(a, observer) any number of times with a on the time grid. Observers see positions
/// and the *total* momentum p = π + p_frame (docs/physics.md §9.4, L₊) at the requested times.
/// Per-step progress goes to an optional progress observer (off unless set).
///
/// Memory per particle (float): position 12 B, residual momentum 12 B, acceleration 12 B, plus
/// what the frame keeps (lpt<2>: Ψ1, Ψ2, 24 B): 60 B, plus the force's meshes.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/cosmology/growth.hpp"
#include "lagframe/cosmology/parameters.hpp"
#include "lagframe/detail/composition_checks.hpp"
#include "lagframe/force/concepts.hpp"
#include "lagframe/frame/concepts.hpp"
#include "lagframe/frame/emulators/concepts.hpp"
#include "lagframe/ic/lpt.hpp"
#include "lagframe/stepper/concepts.hpp"
#include "lagframe/stepper/time_grid.hpp"

namespace lagframe {

/// What a progress observer receives after each step.
struct step_report {
  std::size_t step = 0;          ///< 1-based index of the step just completed
  std::size_t steps = 0;         ///< total steps of the time grid
  double a = 0;                  ///< scale factor reached
  bool force_evaluated = false;  ///< did this step evaluate the force (at its end node)?
  double seconds = 0;            ///< wall time of this step
};

/// What a drift observer receives after every drift (lightcones): the positions before and
/// after it and what is needed to put any particle where the integrator would have it at any
/// a in [a0, a1] — the drift moves x(a) = x0 + 𝒟(a0, a)·π + Δx_frame(i, a0, a) with the residual
/// momentum π constant (docs/physics.md §8.1). All in Mpc/h; x0 and x1 wrapped into [0, L).
template <class Real>
struct drift_view {
  double a0 = 0, a1 = 0, ac = 0;
  std::span<const vec3<Real>> x0, x1, pi;
  const box* domain = nullptr;
  /// The particles an observer should look at (indices into x0, x1, pi); empty: all of them
  /// (an sCOLA tile passes its core particles: scola/tile_system.hpp).
  std::span<const std::size_t> subset;
  /// Particle i's id in the full box; empty: i itself (a tile's particles are a cut of the box).
  std::span<const std::size_t> ids;
  /// 𝒟(a0, a) of the stepper's factors with the momentum at ac (𝒟(a0, a1) is the step's).
  std::function<double(double)> drift_factor;
  /// Δx_frame of particle i from a0 to a (zero without a frame).
  std::function<vec3<double>(std::size_t, double)> frame_displacement;
  /// The same as a sum of terms, when the frame reports them: Δx_frame(i, a) =
  /// Σ_{k < frame_terms} frame_growth(k, a) · frame_vector(i, k) (lpt<2>: ΔD1 ψ1 + ΔD2 ψ2), so an
  /// observer tabulates frame_growth once per drift (lightcones). frame_terms < 0: not reported.
  int frame_terms = -1;
  std::function<double(int, double)> frame_growth;
  std::function<vec3<double>(std::size_t, int)> frame_vector;
  /// The frame's momentum of particle i at a (total momentum = π + this).
  std::function<vec3<double>(std::size_t, double)> frame_momentum;

  /// Unwrapped position of particle i at a ∈ [a0, a1] (add multiples of L as needed).
  [[nodiscard]] vec3<double> position(std::size_t i, double a) const {
    const double f = drift_factor(a);
    const auto dx = frame_displacement(i, a);
    return {static_cast<double>(x0[i][0]) + f * static_cast<double>(pi[i][0]) + dx[0],
            static_cast<double>(x0[i][1]) + f * static_cast<double>(pi[i][1]) + dx[1],
            static_cast<double>(x0[i][2]) + f * static_cast<double>(pi[i][2]) + dx[2]};
  }
  /// Total momentum of particle i at a (Mpc/h).
  [[nodiscard]] vec3<double> momentum(std::size_t i, double a) const {
    const auto p = frame_momentum(i, a);
    return {static_cast<double>(pi[i][0]) + p[0], static_cast<double>(pi[i][1]) + p[1],
            static_cast<double>(pi[i][2]) + p[2]};
  }
};

/// What an output observer receives: the state at a requested time, with total momenta.
template <class Real>
struct snapshot_view {
  double a = 0;
  std::size_t step = 0;
  const box* domain = nullptr;
  const cosmology::parameters* cosmology = nullptr;
  std::span<const vec3<Real>> positions;  ///< Mpc/h, wrapped into [0, L), in particle-id order
  std::span<const vec3<Real>> momenta;    ///< total p = a³E dx/da in Mpc/h (velocity km/s = 100 p/a)
};

/// Fills drift_view::frame_terms, frame_growth and frame_vector from a frame that reports its
/// displacement as a sum of terms (displacement_terms, displacement_growth, displacement_vector:
/// frame/lpt.hpp, frame/inertial.hpp); leaves frame_terms = −1 otherwise.
template <class Real, class Frame>
void set_frame_terms(drift_view<Real>& view, const Frame* frame, double a0) {
  if constexpr (requires(const Frame& f, std::size_t i, int k, double a) {
                  Frame::displacement_terms;
                  f.displacement_growth(k, a, a);
                  f.displacement_vector(i, k);
                }) {
    view.frame_terms = Frame::displacement_terms;
    view.frame_growth = [frame, a0](int k, double a) { return frame->displacement_growth(k, a0, a); };
    view.frame_vector = [frame](std::size_t i, int k) { return frame->displacement_vector(i, k); };
  }
}

namespace detail {
struct no_frame_options {};
template <class Frame>
struct frame_options_of {
  using type = no_frame_options;
};
template <class Frame>
  requires requires { typename Frame::options_type; }
struct frame_options_of<Frame> {
  using type = typename Frame::options_type;
};
/// Whether the frame follows an emulator's prediction (tCOCA with a real emulator), which is
/// what makes skipped force evaluations safe.
template <class Frame>
constexpr bool frame_has_emulator() {
  if constexpr (requires { typename Frame::emulator_type; }) {
    return !frame::detail::emulator_is_zero<typename Frame::emulator_type>();
  } else if constexpr (requires { typename Frame::base_type; }) {
    return frame_has_emulator<typename Frame::base_type>();
  } else {
    return false;
  }
}

/// Printed once per program (stderr) when a schedule skips force evaluations in a frame without
/// an emulator: a skipped kick is no gravity at all for that step, not a cheaper one. The figures
/// were measured with tCOLA (64³ particles, 128 Mpc/h, 128³ mesh, z = 0) against PM with 100
/// steps.
inline std::atomic<bool> skipped_forces_warned{false};
inline void warn_skipped_forces(std::size_t skipped, std::size_t points) {
  if (skipped_forces_warned.exchange(true)) return;
  std::fprintf(stderr,
               "lagframe: the force schedule skips %zu of %zu force evaluations in a frame without an emulator, "
               "so those kicks have no gravity. Measured (tCOLA, 64^3 particles in 128 Mpc/h, z = 0): "
               "every_nth(2) on 10 steps (6 forces) gives P/P_ref = 0.74 / 0.42 / 0.17 at k = 0.4 / 0.8 / 1.6 "
               "h/Mpc, 5 steps with every force (also 6) 1.03 / 0.94 / 0.86. Prefer fewer steps with every "
               "force; skip forces only in a frame that follows an emulator (tCOCA).\n",
               skipped, points);
}
}  // namespace detail

template <class Frame, class Force, class Stepper>
class simulation {
  // One check per policy family, instantiated here: a failure names the family, the model
  // passed and the fix, before anything else (detail/composition_checks.hpp).
  static_assert(detail::frame_check<Frame>::ok);
  static_assert(detail::force_check<Force>::ok);
  static_assert(detail::stepper_check<Stepper>::ok);
  static_assert(detail::pairing_check<Frame, Stepper>::ok);

 public:
  using real_type = typename Force::real_type;
  using frame_type = Frame;
  using force_type = Force;
  using stepper_type = Stepper;
  static_assert(std::is_same_v<typename Frame::real_type, real_type>,
                "lagframe::simulation: Frame and Force must use the same Real (float or double)");

  simulation(const cosmology::parameters& cosmo, const box& b, Force force, Stepper stepper)
      : cosmo_(cosmo), box_(b), force_(std::move(force)), stepper_(std::move(stepper)) {
    if constexpr (requires { stepper_.bind_frame(true); }) stepper_.bind_frame(frame::is_moving<Frame>);
    if constexpr (!detail::frame_has_emulator<Frame>()) {
      const std::size_t points = stepper_.grid().steps() + 1;
      std::size_t skipped = 0;
      for (std::size_t j = 0; j < points; ++j) skipped += stepper_.evaluates_force(j) ? 0 : 1;
      if (skipped > 0) detail::warn_skipped_forces(skipped, points);
    }
    cosmo_.validate();
    box_.validate();
    // Force options that run but give a wrong cosmological answer (e.g. particle_mesh's).
    if constexpr (requires(const Force& f) { f.check_cosmological_run(); }) force_.check_cosmological_run();
    const auto& grid = stepper_.grid();
    growth_ = std::make_unique<cosmology::growth>(cosmo_, std::min(1e-3, 0.5 * grid.a_start()),
                                                  std::max(2.0, 1.01 * grid.a_end()));
  }

  /// Build the force and the stepper from their options.
  template <class ForceOptions, class StepperOptions>
    requires std::constructible_from<Force, const box&, ForceOptions> &&
             std::constructible_from<Stepper, StepperOptions>
  simulation(const cosmology::parameters& cosmo, const box& b, ForceOptions force_options,
             StepperOptions stepper_options)
      : simulation(cosmo, b, Force(b, force_options), Stepper(std::move(stepper_options))) {}

  simulation(const simulation&) = delete;
  simulation& operator=(const simulation&) = delete;
  simulation(simulation&&) noexcept = default;
  simulation& operator=(simulation&&) noexcept = default;

  /// Particles at the first node a_0 on the LPT trajectory of `fields`:
  /// x = q + D1 Ψ1 + D2 Ψ2, p = T[D1] Ψ1 + T[D2] Ψ2 (docs/physics.md §4.4); the frame then takes
  /// the fields it needs and the residual momentum is p − p_frame.
  void set_initial_conditions(ic::lpt_fields<real_type> fields) {
    check_fields(fields);
    const double a0 = stepper_.grid().a_start();
    const std::size_t n = box_.particle_count();
    std::vector<vec3<real_type>> x(n), p(n);
    const double d1 = growth_->d1(a0), d2 = growth_->d2(a0);
    const double t1 = growth_->t_d1(a0), t2 = growth_->t_d2(a0);
    const bool second = fields.order == 2 && fields.psi2.size() == n;
    const auto side = static_cast<real_type>(box_.side_mpc_h);
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i) {
      const auto q = box_.lagrangian_position<real_type>(i);
      for (int d = 0; d < 3; ++d) {
        double disp = d1 * fields.psi1[i][d];
        double mom = t1 * fields.psi1[i][d];
        if (second) {
          disp += d2 * fields.psi2[i][d];
          mom += t2 * fields.psi2[i][d];
        }
        x[i][d] = wrap_periodic(static_cast<real_type>(q[d] + disp), side);
        p[i][d] = static_cast<real_type>(mom);
      }
    }
    set_state(std::move(fields), std::move(x), std::move(p));
  }

  /// Start from explicit positions and total momenta at the first node (e.g. read from a file),
  /// with `fields` defining the frame.
  void set_state(ic::lpt_fields<real_type> fields, std::vector<vec3<real_type>> positions,
                 std::vector<vec3<real_type>> total_momenta) {
    set_state(std::move(fields), std::move(positions), std::move(total_momenta), stepper_.grid().a_start());
  }

  /// Restart: positions and total momenta at `a`, a node of the time grid (e.g. read from a
  /// snapshot written by an observer of an earlier run), with `fields` the frame's LPT fields
  /// (regenerate them from the same seed). Continuing with run_until then reproduces the
  /// uninterrupted run to rounding (the residual momentum is recomputed as p − p_frame(a)).
  void set_state(ic::lpt_fields<real_type> fields, std::vector<vec3<real_type>> positions,
                 std::vector<vec3<real_type>> total_momenta, double a) {
    const std::size_t node = stepper_.grid().node_index(a);
    check_fields(fields);
    const std::size_t n = box_.particle_count();
    require(positions.size() == n && total_momenta.size() == n, "initial particle count",
            positions.size(), lagframe::detail::concat(n, " positions and momenta"));
    frame_ = make_frame(std::move(fields));
    if constexpr (requires { frame_->validate_run(a, a); }) frame_->validate_run(a, stepper_.grid().a_end());
    x_ = std::move(positions);
    pi_ = std::move(total_momenta);
    const auto side = static_cast<real_type>(box_.side_mpc_h);
    for (auto& x : x_)
      for (auto& c : x) {
        if (!std::isfinite(c)) throw numerical_error("lagframe::simulation: an initial position is not finite");
        c = wrap_periodic(c, side);
      }
    frame_->add_momentum(pi_, a, -1.0);  // L₋: enter the frame
    acc_.assign(n, vec3<real_type>{});
    node_ = node;
    force_node_ = no_force;
    force_evaluations_ = 0;
  }

  /// Frames that need more than the LPT fields declare Frame::options_type (frame::emulated:
  /// its emulator); the simulation builds them as Frame(growth, fields, options). Set before
  /// set_initial_conditions / set_state (again to change it for the next one).
  void set_frame_options(typename detail::frame_options_of<Frame>::type options)
    requires requires { typename Frame::options_type; }
  {
    frame_options_.emplace(std::move(options));
  }

  /// Advance to `a_target` (a node of the time grid) and call `observer(snapshot_view)` there.
  template <class Observer>
  void run_until(double a_target, Observer&& observer) {
    run_until(a_target);
    const auto p = momenta();
    const snapshot_view<real_type> view{a(), node_, &box_, &cosmo_, x_, p};
    observer(view);
  }

  /// Advance to `a_target`, a node of the time grid at or after the current time.
  void run_until(double a_target) {
    require_started();
    const auto& grid = stepper_.grid();
    const std::size_t target = grid.node_index(a_target);
    require(target >= node_, "run_until a", a_target,
            lagframe::detail::concat("a time not before the current a = ", a()));
    while (node_ < target) {
      const auto start = std::chrono::steady_clock::now();
      stepper_.step(node_, *this, *growth_);
      ++node_;
      if (progress_) {
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        progress_(step_report{node_, grid.steps(), grid.node(node_),
                              stepper_.evaluates_force(node_), secs});
      }
    }
  }

  /// Drift observer called after every drift with the positions before and after it and the
  /// exact trajectory in between (drift_view; lightcone/). Needs a frame that reports its
  /// displacement and momentum per particle (inertial, lpt<1>, lpt<2>; not emulated). Keeps a
  /// copy of the positions (12 B per particle in float) while set.
  void set_drift_observer(std::function<void(const drift_view<real_type>&)> observer) {
    static_assert(requires(const Frame& f, std::size_t i, double a) {
      f.frame_displacement(i, a, a);
      f.frame_momentum(i, a);
    }, "lagframe::simulation::set_drift_observer: the frame must report its per-particle displacement and momentum "
       "(frame::inertial, frame::lpt<1>, frame::lpt<2>); frame::emulated does not yet: lightcones of tCOCA runs are "
       "not available");
    drift_observer_ = std::move(observer);
  }

  /// Progress observer called after every step (none by default).
  void set_progress_observer(std::function<void(const step_report&)> observer) {
    progress_ = std::move(observer);
  }

  // ---- state -----------------------------------------------------------------------------
  [[nodiscard]] double a() const { return stepper_.grid().node(node_); }
  [[nodiscard]] std::size_t current_step() const { return node_; }
  [[nodiscard]] std::span<const vec3<real_type>> positions() const { return x_; }
  /// Momenta relative to the frame (π).
  [[nodiscard]] std::span<const vec3<real_type>> residual_momenta() const { return pi_; }
  /// Total momenta p = π + p_frame(a) (L₊), freshly computed.
  [[nodiscard]] std::vector<vec3<real_type>> momenta() const {
    require_started();
    std::vector<vec3<real_type>> p(pi_.begin(), pi_.end());
    frame_->add_momentum(p, a(), 1.0);
    return p;
  }
  [[nodiscard]] std::size_t force_evaluations() const { return force_evaluations_; }

  [[nodiscard]] const cosmology::parameters& cosmology() const { return cosmo_; }
  [[nodiscard]] const cosmology::growth& growth() const { return *growth_; }
  [[nodiscard]] const box& domain() const { return box_; }
  [[nodiscard]] Force& force() { return force_; }
  [[nodiscard]] const Stepper& stepper() const { return stepper_; }
  [[nodiscard]] const Frame& frame() const {
    require_started();
    return *frame_;
  }

  // ---- the system interface the stepper drives (stepper/concepts.hpp) ---------------------
  /// Make sure the cached accelerations are those at kick point j (time a).
  void ensure_force(std::size_t j, double /*a*/) {
    if (force_node_ == j) return;
    force_.accelerations(std::span<const vec3<real_type>>(x_), std::span<vec3<real_type>>(acc_));
    force_node_ = j;
    ++force_evaluations_;
  }
  void kick(double a0, double a1, double ac, double factor) {
    const double scale = 1.5 * cosmo_.omega_m * factor;
    frame_->kick(std::span<vec3<real_type>>(pi_), std::span<const vec3<real_type>>(acc_),
                 frame::kick_interval{a0, a1, ac, factor, scale});
  }
  void drift(double a0, double a1, double ac, double factor) {
    if (drift_observer_) x_before_.assign(x_.begin(), x_.end());
    frame_->drift(std::span<vec3<real_type>>(x_), std::span<const vec3<real_type>>(pi_),
                  frame::drift_interval{a0, a1, ac, factor});
    force_node_ = no_force;
    if (drift_observer_) notify_drift(a0, a1, ac);
  }

 private:
  static constexpr std::size_t no_force = static_cast<std::size_t>(-1);

  void check_fields(const ic::lpt_fields<real_type>& fields) const {
    require(fields.grid.particles_1d == box_.particles_1d, "LPT field grid", fields.grid.particles_1d,
            lagframe::detail::concat("the simulation's particles_1d = ", box_.particles_1d));
    require(fields.grid.side_mpc_h == box_.side_mpc_h, "LPT field box side", fields.grid.side_mpc_h,
            lagframe::detail::concat("the simulation's side = ", box_.side_mpc_h, " Mpc/h"));
    require(fields.psi1.size() == box_.particle_count(), "psi1 size", fields.psi1.size(),
            lagframe::detail::concat(box_.particle_count(), " displacements"));
  }
  void notify_drift(double a0, double a1, double ac) {
    if constexpr (requires(const Frame& f, std::size_t i, double a) {
                    f.frame_displacement(i, a, a);
                    f.frame_momentum(i, a);
                  }) {
      drift_view<real_type> view;
      view.a0 = a0;
      view.a1 = a1;
      view.ac = ac;
      view.x0 = x_before_;
      view.x1 = x_;
      view.pi = pi_;
      view.domain = &box_;
      const Frame* frame = frame_.get();
      const cosmology::growth* growth = growth_.get();
      const Stepper* stepper = &stepper_;
      view.drift_factor = [stepper, growth, a0, ac](double a) {
        return a == a0 ? 0.0 : stepper->factors().drift(*growth, a0, a, ac);
      };
      view.frame_displacement = [frame, a0](std::size_t i, double a) { return frame->frame_displacement(i, a0, a); };
      view.frame_momentum = [frame](std::size_t i, double a) { return frame->frame_momentum(i, a); };
      set_frame_terms(view, frame, a0);
      drift_observer_(view);
    }
  }
  std::unique_ptr<Frame> make_frame(ic::lpt_fields<real_type> fields) const {
    if constexpr (requires { typename Frame::options_type; }) {
      if (frame_options_) return std::make_unique<Frame>(*growth_, std::move(fields), *frame_options_);
      if constexpr (std::is_constructible_v<Frame, const cosmology::growth&, ic::lpt_fields<real_type>>) {
        return std::make_unique<Frame>(*growth_, std::move(fields));
      } else {
        throw config_error(lagframe::detail::concat("lagframe::simulation: frame ", Frame::name,
                                                    " needs its options (call set_frame_options first)"));
      }
    } else {
      return std::make_unique<Frame>(*growth_, std::move(fields));
    }
  }
  void require_started() const {
    if (!frame_) {
      throw config_error("lagframe::simulation: no initial conditions (call set_initial_conditions first)");
    }
  }

  cosmology::parameters cosmo_;
  box box_;
  Force force_;
  Stepper stepper_;
  std::unique_ptr<cosmology::growth> growth_;
  std::unique_ptr<Frame> frame_;
  std::optional<typename detail::frame_options_of<Frame>::type> frame_options_;
  std::vector<vec3<real_type>> x_, pi_, acc_;
  std::size_t node_ = 0;
  std::size_t force_node_ = no_force;
  std::size_t force_evaluations_ = 0;
  std::function<void(const step_report&)> progress_;
  std::function<void(const drift_view<real_type>&)> drift_observer_;
  std::vector<vec3<real_type>> x_before_;
};

}  // namespace lagframe
