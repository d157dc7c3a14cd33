// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file recording.hpp
/// frame::recording<Base>: Base, plus a record of the residual momenta π = p − p_Base of the run
/// it drives, the training/replay data of a COCA emulator (PHYSICS.md §4.2; the data of
/// frame::emulators::recorded, frame/emulators/recorded.hpp).
///
/// π is stored at every time the KDK stepper knows it:
///   - after entering the frame (add_momentum with sign < 0: a_start, or a restart node);
///   - at every drift's momentum time ac (a_{j+1/2}), whether or not the force is evaluated;
///   - at the end a1 of every kick (a_{j+1/2} and a_{j+1}, on kick points that evaluate the force).
/// On a node whose kick point is skipped, π is the same on both sides, so the linear
/// interpolation of the recorded emulator between the surrounding midpoints is exact there too.
/// Run the reference with the same time grid as the replay for an exact replay.
///
/// Unlike other frames, recording allocates while it runs (one N³ copy per stored time).

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "lagframe/cosmology/growth.hpp"
#include "lagframe/frame/concepts.hpp"
#include "lagframe/frame/emulators/recorded.hpp"
#include "lagframe/ic/lpt.hpp"

namespace lagframe::frame {

template <class Base>
  requires frame_policy<Base>
class recording {
 public:
  using real_type = typename Base::real_type;
  using base_type = Base;
  static constexpr std::string_view name = "recording";

  recording(const cosmology::growth& g, ic::lpt_fields<real_type> fields)
      : data_(std::make_shared<emulators::recorded_data<real_type>>(fields.grid, std::string(Base::name))),
        base_(g, std::move(fields)) {}

  [[nodiscard]] const Base& base() const { return base_; }
  /// What has been recorded so far (shared: it stays valid after the simulation is gone).
  [[nodiscard]] std::shared_ptr<const emulators::recorded_data<real_type>> recorded() const { return data_; }

  void kick(std::span<vec3<real_type>> pi, std::span<const vec3<real_type>> acc,
            const kick_interval& k) const {
    base_.kick(pi, acc, k);
    data_->insert(k.a1, std::span<const vec3<real_type>>(pi.data(), pi.size()));
  }

  void drift(std::span<vec3<real_type>> x, std::span<const vec3<real_type>> pi,
             const drift_interval& dr) const {
    data_->insert(dr.ac, pi);
    base_.drift(x, pi, dr);
  }

  void add_momentum(std::span<vec3<real_type>> p, double a, double sign) const {
    base_.add_momentum(p, a, sign);
    if (sign < 0) data_->insert(a, std::span<const vec3<real_type>>(p.data(), p.size()));
  }

 private:
  std::shared_ptr<emulators::recorded_data<real_type>> data_;
  Base base_;
};

}  // namespace lagframe::frame
