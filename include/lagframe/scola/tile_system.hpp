// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file tile_system.hpp
/// One sCOLA tile evolving on its own (Tassev et al. 2015; Leclercq et al. 2020;
/// docs/physics.md §11.2): the tile's particles (core + buffer) in any frame (frame::lpt<2> for
/// sCOLA, an emulated frame for sCOCA), with the Dirichlet PM force of the tile mesh whose boundary
/// values come from the full-box LPT potential at the kick time. It is the "system" the
/// stepper drives (ensure_force / kick / drift, as lagframe::simulation), so every stepper and
/// force schedule works for tiles too.
///
/// Particles outside the tile mesh at a force evaluation, and the LPT shell around the buffer
/// (tiling_options::shell_mpc_h), get no residual kick (π unchanged):
/// they follow the frame, which carries the full-box LPT motion
/// (docs/physics.md §11.2). They are counted (outside_events()).
///
/// A drift observer (set_drift_observer) sees every drift of the tile's core particles, filed
/// under their ids in the full box (drift_view::subset and ids): the lightcone of an sCOLA run
/// is recorded tile by tile (docs/physics.md §16.7).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/cosmology/growth.hpp"
#include "lagframe/cosmology/parameters.hpp"
#include "lagframe/force/dirichlet_pm.hpp"
#include "lagframe/frame/concepts.hpp"
#include "lagframe/ic/lpt.hpp"
#include "lagframe/scola/far_field.hpp"
#include "lagframe/scola/tiling.hpp"
#include "lagframe/simulation.hpp"

namespace lagframe::scola {

template <frame::frame_policy Frame, mesh::mass_assignment Assignment>
class tile_system {
 public:
  using real_type = typename Frame::real_type;
  using Real = real_type;

  /// Tile t of `tiles`, particles on the LPT trajectory of `full` (the full-box fields) at a0.
  tile_system(const tiling& tiles, std::size_t t, const cosmology::parameters& cosmo,
              const cosmology::growth& g, const ic::lpt_fields<Real>& full, const far_field<Real>& far,
              boundary_potential boundary, force::dirichlet_pm_options dirichlet, double a0,
              bool follow_bulk_flow = true, const boundary_callback* custom_boundary = nullptr)
      : cosmo_(cosmo), box_(tiles.domain()), growth_(&g), origin_(tiles.mesh(t).origin),
        force_(tiles.mesh(t), dirichlet),
        boundary_(far, tiles.mesh(t).origin, tiles.mesh(t).cells, tiles.mesh(t).spacing, boundary, custom_boundary) {
    tiles.particles(t, ids_, core_);
    const box& b = tiles.domain();
    const std::size_t n = ids_.size();
    ic::lpt_fields<Real> local;
    local.grid = b;
    local.order = full.order;
    local.psi1.resize(n);
    local.psi2.resize(full.order == 2 ? n : 0);
    x_.resize(n);
    pi_.resize(n);
    const double d1 = g.d1(a0), d2 = g.d2(a0), t1 = g.t_d1(a0), t2 = g.t_d2(a0);
    const auto side = static_cast<Real>(b.side_mpc_h);
    for (std::size_t l = 0; l < n; ++l) {
      const std::size_t id = ids_[l];
      local.psi1[l] = full.psi1[id];
      if (full.order == 2) local.psi2[l] = full.psi2[id];
      const auto q = b.lagrangian_position<Real>(id);
      for (int d = 0; d < 3; ++d) {
        double disp = d1 * full.psi1[id][d], mom = t1 * full.psi1[id][d];
        if (full.order == 2) {
          disp += d2 * full.psi2[id][d];
          mom += t2 * full.psi2[id][d];
        }
        x_[l][d] = wrap_periodic(static_cast<Real>(q[d] + disp), side);
        pi_[l][d] = static_cast<Real>(mom);
      }
    }
    if (follow_bulk_flow) {
      // Mean unit-growth displacements of the tile's particles: the mesh moves by D1 s1 + D2 s2.
      std::array<double, 3> s1{0, 0, 0}, s2{0, 0, 0};
      for (std::size_t l = 0; l < n; ++l)
        for (int d = 0; d < 3; ++d) {
          s1[d] += local.psi1[l][d];
          if (full.order == 2) s2[d] += local.psi2[l][d];
        }
      for (int d = 0; d < 3; ++d) {
        bulk1_[d] = s1[d] / static_cast<double>(n);
        bulk2_[d] = s2[d] / static_cast<double>(n);
      }
    }
    frame_ = std::make_unique<Frame>(g, std::move(local));
    frame_->add_momentum(std::span<vec3<Real>>(pi_), a0, -1.0);  // L₋
    acc_.assign(n, vec3<Real>{});
  }

  // ---- the system interface the stepper drives ----------------------------------------------
  void ensure_force(std::size_t j, double a) {
    if (force_node_ == j) return;
    // The mesh follows the tile's bulk LPT displacement, so particles carried by the large-scale
    // flow stay on it and no empty rim opens behind them.
    const double d1 = growth_->d1(a), d2 = growth_->d2(a);
    std::array<double, 3> shift{}, origin{};
    for (int d = 0; d < 3; ++d) {
      shift[d] = d1 * bulk1_[d] + d2 * bulk2_[d];
      origin[d] = origin_[d] + shift[d];
    }
    force_.set_origin(origin);
    force_.set_boundary([this, a, shift](node_grid<Real>& phi) { boundary_.fill(phi, *growth_, a, shift); });
    force_.accelerations(std::span<const vec3<Real>>(x_), std::span<vec3<Real>>(acc_));
    const auto out = force_.outside();
    for (std::size_t i = 0; i < out.size(); ++i)
      outside_events_ += (out[i] != 0 && core_[i] != tiling::shell_particle) ? 1 : 0;
    force_node_ = j;
    ++force_evaluations_;
  }
  void kick(double a0, double a1, double ac, double factor) {
    const double scale = 1.5 * cosmo_.omega_m * factor;
    const auto out = force_.outside();
    const auto frozen = [&](std::size_t i) { return out[i] != 0 || core_[i] == tiling::shell_particle; };
    saved_.clear();
    for (std::size_t i = 0; i < out.size(); ++i)
      if (frozen(i)) saved_.push_back(pi_[i]);
    frame_->kick(std::span<vec3<Real>>(pi_), std::span<const vec3<Real>>(acc_),
                 frame::kick_interval{a0, a1, ac, factor, scale});
    std::size_t s = 0;
    for (std::size_t i = 0; i < out.size(); ++i)
      if (frozen(i)) pi_[i] = saved_[s++];  // outside the mesh or LPT shell: zero residual kick
  }
  void drift(double a0, double a1, double ac, double factor) {
    if (observer_) x_before_.assign(x_.begin(), x_.end());
    frame_->drift(std::span<vec3<Real>>(x_), std::span<const vec3<Real>>(pi_),
                  frame::drift_interval{a0, a1, ac, factor});
    force_node_ = no_force;
    if (observer_) notify_drift(a0, a1, ac);
  }

  /// The stepper's drift factor 𝒟(a0, a) with the momentum at ac (the tile does not know the
  /// stepper: tiled_run passes its factors).
  using drift_factor_function = std::function<double(double a0, double a, double ac)>;

  /// Drift observer called after every drift with the core particles (drift_view::subset), their
  /// ids in the full box (drift_view::ids) and the trajectory in between, as
  /// simulation::set_drift_observer does for the whole box. Needs a frame that reports its
  /// per-particle displacement and momentum (inertial, lpt<1>, lpt<2>).
  void set_drift_observer(std::function<void(const drift_view<Real>&)> observer, drift_factor_function factor) {
    static_assert(requires(const Frame& f, std::size_t i, double a) {
      f.frame_displacement(i, a, a);
      f.frame_momentum(i, a);
    }, "lagframe::scola::tile_system::set_drift_observer: the frame must report its per-particle displacement and "
       "momentum (frame::inertial, frame::lpt<1>, frame::lpt<2>)");
    require(static_cast<bool>(factor), "tile_system drift observer", "no drift factor", "the stepper's drift factor");
    observer_ = std::move(observer);
    drift_factor_ = std::move(factor);
    core_list_.clear();
    for (std::size_t i = 0; i < core_.size(); ++i)
      if (core_[i] == tiling::core_particle) core_list_.push_back(i);
  }

  // ---- results ------------------------------------------------------------------------------
  [[nodiscard]] std::span<const std::size_t> ids() const { return ids_; }
  /// Role of each particle (tiling::core_particle, buffer_particle, shell_particle).
  [[nodiscard]] std::span<const std::uint8_t> roles() const { return core_; }
  [[nodiscard]] std::span<const vec3<Real>> positions() const { return x_; }
  [[nodiscard]] std::span<const vec3<Real>> residual_momenta() const { return pi_; }
  /// Total momenta p = π + p_frame(a).
  [[nodiscard]] std::vector<vec3<Real>> momenta(double a) const {
    std::vector<vec3<Real>> p(pi_.begin(), pi_.end());
    frame_->add_momentum(std::span<vec3<Real>>(p), a, 1.0);
    return p;
  }
  [[nodiscard]] std::size_t force_evaluations() const { return force_evaluations_; }
  /// Σ over force evaluations of the evolved (core and buffer) particles found outside the tile
  /// mesh (the LPT shell reaches beyond the mesh by design and is not counted).
  [[nodiscard]] std::size_t outside_events() const { return outside_events_; }
  [[nodiscard]] const force::dirichlet_pm<Assignment, Real>& force() const { return force_; }

  /// Bytes held by the tile: particles (x, π, acc, Ψ1, Ψ2, ids, flags), meshes, boundary table.
  [[nodiscard]] std::size_t bytes() const {
    const std::size_t n = ids_.size();
    return n * (5 * sizeof(vec3<Real>) + sizeof(std::size_t) + 1 + sizeof(std::array<long, 3>) +
                sizeof(std::array<double, 3>)) +
           force_.bytes() + boundary_.bytes();
  }

 private:
  static constexpr std::size_t no_force = static_cast<std::size_t>(-1);

  void notify_drift(double a0, double a1, double ac) {
    if constexpr (requires(const Frame& f, std::size_t i, double a) {
                    f.frame_displacement(i, a, a);
                    f.frame_momentum(i, a);
                  }) {
      drift_view<Real> view;
      view.a0 = a0;
      view.a1 = a1;
      view.ac = ac;
      view.x0 = x_before_;
      view.x1 = x_;
      view.pi = pi_;
      view.domain = &box_;
      view.subset = core_list_;
      view.ids = ids_;
      const Frame* frame = frame_.get();
      const drift_factor_function* factor = &drift_factor_;
      view.drift_factor = [factor, a0, ac](double a) { return a == a0 ? 0.0 : (*factor)(a0, a, ac); };
      view.frame_displacement = [frame, a0](std::size_t i, double a) { return frame->frame_displacement(i, a0, a); };
      view.frame_momentum = [frame](std::size_t i, double a) { return frame->frame_momentum(i, a); };
      set_frame_terms(view, frame, a0);
      observer_(view);
    }
  }

  cosmology::parameters cosmo_;
  box box_;
  const cosmology::growth* growth_;
  std::array<double, 3> origin_{}, bulk1_{}, bulk2_{};
  force::dirichlet_pm<Assignment, Real> force_;
  tile_boundary<Real> boundary_;
  std::unique_ptr<Frame> frame_;
  std::vector<std::size_t> ids_;
  std::vector<std::uint8_t> core_;
  std::vector<vec3<Real>> x_, pi_, acc_, saved_;
  std::size_t force_node_ = no_force;
  std::size_t force_evaluations_ = 0;
  std::size_t outside_events_ = 0;
  std::function<void(const drift_view<Real>&)> observer_;
  drift_factor_function drift_factor_;
  std::vector<std::size_t> core_list_;
  std::vector<vec3<Real>> x_before_;
};

}  // namespace lagframe::scola
