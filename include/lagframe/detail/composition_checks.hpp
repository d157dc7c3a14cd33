// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file composition_checks.hpp
/// Compile-time checks of simulation<Frame, Force, Stepper>: each policy family gets its own
/// check class, so the compiler's first line names the family and the model that was passed
/// (in "required from 'lagframe::detail::force_check<lagframe::mesh::cic>'") and the message
/// below it names the usual fix. The common mistakes (a mesh kernel as the force, bare factors
/// as the stepper, an emulator as the frame, COLA factors without a moving frame) get their
/// own message; anything else gets the concept's.

#include <concepts>
#include <type_traits>

#include "lagframe/force/concepts.hpp"
#include "lagframe/frame/concepts.hpp"
#include "lagframe/frame/emulators/concepts.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/stepper/concepts.hpp"

namespace lagframe::stepper::factors {
struct cola;
}

namespace lagframe::detail {

/// True when T is a frame emulator (it predicts momenta) rather than a frame.
template <class T>
concept emulator_like = frame::frame_emulator<T>;

template <class Force>
struct force_check {
  static_assert(!mesh::mass_assignment<Force>,
                "lagframe::simulation: Force is a mass-assignment kernel, not a force: wrap it, e.g. "
                "force::particle_mesh<mesh::cic> (PM) or force::p3m<mesh::tsc> (P3M)");
  static_assert(!stepper::time_step_factors<Force>,
                "lagframe::simulation: Force is a set of time-step factors, not a force: the arguments are "
                "simulation<Frame, Force, Stepper>, e.g. simulation<frame::lpt<2>, force::particle_mesh<mesh::cic>, "
                "stepper::kick_drift_kick<>>");
  static_assert(mesh::mass_assignment<Force> || stepper::time_step_factors<Force> || force::force_policy<Force>,
                "lagframe::simulation: Force must model force::force_policy (real_type, name, "
                "accelerations(positions, acc)): use force::particle_mesh<mesh::cic> or force::p3m<mesh::tsc>, or see "
                "include/lagframe/force/concepts.hpp to write your own");
  static constexpr bool ok = force::force_policy<Force>;
};

template <class Frame>
struct frame_check {
  static_assert(!force::force_policy<Frame>,
                "lagframe::simulation: Frame is a force: the arguments are simulation<Frame, Force, Stepper>, e.g. "
                "simulation<frame::lpt<2>, force::particle_mesh<mesh::cic>, stepper::kick_drift_kick<>>");
  static_assert(!emulator_like<Frame> || frame::frame_policy<Frame>,
                "lagframe::simulation: Frame is an emulator, not a frame: use frame::emulated<frame::lpt<2>, Emulator> "
                "(tCOCA) and hand the emulator over with simulation::set_frame_options");
  static_assert(force::force_policy<Frame> || emulator_like<Frame> || frame::frame_policy<Frame>,
                "lagframe::simulation: Frame must model frame::frame_policy: use frame::inertial<> (plain N-body), "
                "frame::lpt<2> (tCOLA) or frame::emulated<frame::lpt<2>, E> (tCOCA), or see "
                "include/lagframe/frame/concepts.hpp");
  static constexpr bool ok = frame::frame_policy<Frame>;
};

template <class Stepper>
struct stepper_check {
  static_assert(!stepper::time_step_factors<Stepper>,
                "lagframe::simulation: Stepper is a set of time-step factors: wrap them, e.g. "
                "stepper::kick_drift_kick<stepper::factors::fastpm>, or use stepper::kick_drift_kick<> (factors "
                "that follow the frame)");
  static_assert(stepper::time_step_factors<Stepper> || stepper::stepper_policy<Stepper>,
                "lagframe::simulation: Stepper must model stepper::stepper_policy: use stepper::kick_drift_kick<>, or "
                "see include/lagframe/stepper/concepts.hpp");
  static constexpr bool ok = stepper::stepper_policy<Stepper>;
};

/// The stepper's factors type, or void.
template <class Stepper>
struct factors_of {
  using type = void;
};
template <class Stepper>
  requires requires { typename Stepper::factors_type; }
struct factors_of<Stepper> {
  using type = typename Stepper::factors_type;
};

template <class Frame, class Stepper>
struct pairing_check {
  static_assert(!(std::is_same_v<typename factors_of<Stepper>::type, stepper::factors::cola> &&
                  !frame::is_moving<Frame>),
                "lagframe::simulation: COLA time-step factors assume a moving (LPT) frame; with frame::inertial they "
                "get linear growth wrong (P(k) 6x too high at k = 0.1 h/Mpc after 10 steps): use "
                "stepper::kick_drift_kick<> (FastPM factors without a frame) or "
                "stepper::kick_drift_kick<stepper::factors::fastpm>");
  static constexpr bool ok = true;
};

}  // namespace lagframe::detail
