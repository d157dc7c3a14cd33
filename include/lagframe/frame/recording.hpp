// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file recording.hpp
/// frame::recording<Base>: Base, plus a record of the residual momenta π = p − p_Base of the run
/// it drives, the training/replay data of a COCA emulator (docs/physics.md §10.6; the data of
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
/// recording_options::times (optional, the frame's options_type) keeps only the stored times
/// that match one of the listed scale factors (to 1e-12 relative). This is how a many-step
/// reference (the emulator's training target: close to the true trajectory) is recorded at the
/// nodes and midpoints of a coarser grid without keeping hundreds of N³ copies; a coarse grid
/// whose nodes and midpoints are also nodes of the fine one (e.g. 10 and 100 steps linear in a)
/// is then recorded exactly. recording_options::for_grid(g) lists a grid's nodes and midpoints.
///
/// Unlike other frames, recording allocates while it runs (one N³ copy per stored time).

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lagframe/cosmology/growth.hpp"
#include "lagframe/frame/concepts.hpp"
#include "lagframe/frame/emulators/recorded.hpp"
#include "lagframe/ic/lpt.hpp"
#include "lagframe/stepper/time_grid.hpp"

namespace lagframe::frame {

/// Which times a recording frame keeps (see the file comment).
struct recording_options {
  /// Scale factors to keep; empty: every time the stepper reports.
  std::vector<double> times;

  /// The nodes and midpoints a_{j+1/2} (time_grid::midpoint) of `grid`, the times at which the
  /// KDK stepper asks an emulator for p_ML on that grid.
  [[nodiscard]] static recording_options for_grid(const stepper::time_grid& grid) {
    recording_options o;
    const auto& a = grid.nodes();
    for (std::size_t j = 0; j < a.size(); ++j) {
      o.times.push_back(a[j]);
      if (j + 1 < a.size()) o.times.push_back(grid.midpoint(j));
    }
    return o;
  }
  [[nodiscard]] bool keeps(double a) const {
    if (times.empty()) return true;
    for (double t : times)
      if (emulators::detail::same_time(t, a)) return true;
    return false;
  }
};

template <class Base>
  requires frame_policy<Base>
class recording {
 public:
  using real_type = typename Base::real_type;
  using base_type = Base;
  using options_type = recording_options;
  static constexpr std::string_view name = "recording";
  static constexpr bool moving = Base::moving;

  recording(const cosmology::growth& g, ic::lpt_fields<real_type> fields, recording_options options = {})
      : data_(std::make_shared<emulators::recorded_data<real_type>>(fields.grid, std::string(Base::name))),
        options_(std::move(options)), base_(g, std::move(fields)) {}

  [[nodiscard]] const Base& base() const { return base_; }
  [[nodiscard]] vec3<double> frame_displacement(std::size_t i, double a0, double a) const
    requires requires(const Base& b) { b.frame_displacement(i, a0, a); }
  {
    return base_.frame_displacement(i, a0, a);
  }
  [[nodiscard]] vec3<double> frame_momentum(std::size_t i, double a) const
    requires requires(const Base& b) { b.frame_momentum(i, a); }
  {
    return base_.frame_momentum(i, a);
  }
  /// What has been recorded so far (shared: it stays valid after the simulation is gone).
  [[nodiscard]] std::shared_ptr<const emulators::recorded_data<real_type>> recorded() const { return data_; }

  void kick(std::span<vec3<real_type>> pi, std::span<const vec3<real_type>> acc,
            const kick_interval& k) const {
    base_.kick(pi, acc, k);
    if (options_.keeps(k.a1)) data_->insert(k.a1, std::span<const vec3<real_type>>(pi.data(), pi.size()));
  }

  void drift(std::span<vec3<real_type>> x, std::span<const vec3<real_type>> pi,
             const drift_interval& dr) const {
    if (options_.keeps(dr.ac)) data_->insert(dr.ac, pi);
    base_.drift(x, pi, dr);
  }

  void add_momentum(std::span<vec3<real_type>> p, double a, double sign) const {
    base_.add_momentum(p, a, sign);
    if (sign < 0 && options_.keeps(a)) data_->insert(a, std::span<const vec3<real_type>>(p.data(), p.size()));
  }

 private:
  std::shared_ptr<emulators::recorded_data<real_type>> data_;
  recording_options options_;
  Base base_;
};

}  // namespace lagframe::frame
