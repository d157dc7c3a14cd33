// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file p3m.hpp
/// Particle–particle particle–mesh gravity (Hockney & Eastwood 1988 ch. 8) with a Gaussian
/// force split (Bagla 2002; Springel 2005 §2.2): force::p3m<Assignment, Real> models
/// force_policy and provides_potential like force::particle_mesh, so it composes with every
/// frame (inertial, lpt, emulated) and stepper. docs/physics.md ("P3M") has the equations,
/// docs/user_guide.md the accuracy measurements behind the defaults.
///
///   long range:  the particle_mesh solve with the Green's function times e^{−k² r_s²}
///                (pm_options::split_mpc_h), which carries erf(u) − (2u/√π)e^{−u²} of the
///                Newtonian force, u = r/(2 r_s);
///   short range: Σ_j over pairs closer than r_cut of S(u)/r³ (x_j − x_i), S = erfc(u) +
///                (2u/√π)e^{−u²}, with cubic-spline softening of length ε inside 2.8 ε
///                (force/short_range.hpp), found with a chaining mesh and summed with SIMD and
///                Newton's third law (force/detail/chaining_mesh.hpp, detail/pair_kernel.hpp).
/// Units as particle_mesh: each particle has mass 1/n̄, ∇²φ = δ, acc = −∇φ in Mpc/h, so the
/// pair term is multiplied by 1/(4π n̄) = V/(4π N_p).
///
/// Defaults (p3m_options): r_s = 1.25 mesh cells, r_cut = 5 r_s (drops 0.59 % of the Newtonian
/// force at r_cut; 1.75 % at 4.5 r_s), ε = 1/30 of the mean particle spacing (the usual choice
/// of TreePM reference runs), mesh deconvolved by W⁻² with the spectral gradient; use TSC
/// (p3m<mesh::tsc>). Measured against Ewald sums (tests/physics/p3m_force_ewald.test.cpp, 16³
/// particles, 64³ mesh; rms / 99th percentile of the relative error of the total force on a
/// point source's probes, random points, haloes in a background): TSC with these defaults
/// 0.07 / 0.26 %, 0.20 / 0.61 %, 0.04 / 0.18 %; TSC with r_cut = 4.5 r_s 0.13 / 0.74 %,
/// 0.36 / 1.2 %, 0.08 / 0.41 % (the cut-off's 1.75 % dominates); CIC with the defaults
/// 0.43 / 1.4 %, 1.2 / 3.9 %, 0.27 / 1.1 % (the CIC mesh's anisotropy near r_s dominates;
/// interlacing brings it to 0.10 / 0.32 %, 0.30 / 0.96 %); plain PM at the same mesh 48 %, 25 %, 60 %.
///
/// Threading: OpenMP teams in the mesh part, the sort and the pair sum; results are bitwise
/// independent of the thread count (the mesh deposit and the pair sum both fix their
/// summation order). Not reentrant. Allocation: the chaining mesh buffers grow on the first
/// call (≈ 34 B per particle in float: sorted coordinates, accumulators, ids, cells) and are
/// reused.

#include <cmath>
#include <cstddef>
#include <numbers>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/force/concepts.hpp"
#include "lagframe/force/detail/chaining_mesh.hpp"
#include "lagframe/force/detail/pair_kernel.hpp"
#include "lagframe/force/particle_mesh.hpp"
#include "lagframe/force/phase_times.hpp"
#include "lagframe/force/short_range.hpp"
#include "lagframe/mesh/concepts.hpp"

namespace lagframe::force {

/// Run-time options of p3m.
struct p3m_options {
  /// The mesh of the long-range part: grid_1d is required; split_mpc_h is set by p3m from
  /// split_cells (leave it 0). Defaults: W⁻² deconvolution and the spectral gradient (the
  /// Gaussian filter removes the Nyquist-plane problems that make them poor choices for
  /// plain PM; measured in tests/physics/p3m_force_ewald.test.cpp).
  pm_options mesh{.grad = gradient::spectral, .deconvolve = true};
  double split_cells = 1.25;    ///< r_s in mesh cells (Gadget's ASMTH)
  double cutoff_split = 5.0;    ///< r_cut / r_s (Gadget-2's 4.5 misses 0.3 % rms force accuracy)
  /// Comoving softening ε (Plummer-equivalent; spline radius 2.8 ε) in units of the mean
  /// particle spacing L/N_p; 0 is allowed (unsoftened; coincident particles exert no force).
  double softening_spacing = 1.0 / 30.0;

  /// Throws config_error naming the first impossible value (the box decides the rest).
  void validate() const {
    mesh.validate();
    require(std::isfinite(split_cells) && split_cells > 0.0, "p3m_options.split_cells", split_cells,
            "a positive split scale r_s in mesh cells (1.25 is the default)");
    require(std::isfinite(cutoff_split) && cutoff_split >= 2.0, "p3m_options.cutoff_split", cutoff_split,
            "r_cut / r_s of at least 2 (5 is the default; S(r_cut) is the force fraction dropped)");
    require(cutoff_split <= 10.0, "p3m_options.cutoff_split", cutoff_split,
            "at most 10 (the erfc force is below 1e-40 of Newton's there)");
    require(std::isfinite(softening_spacing) && softening_spacing >= 0.0, "p3m_options.softening_spacing",
            softening_spacing, "a non-negative fraction of the mean particle spacing (1/30 is the default)");
    require(mesh.split_mpc_h == 0.0, "p3m_options.mesh.split_mpc_h", mesh.split_mpc_h,
            "0 (p3m sets it from split_cells)");
  }
};

/// P3M force policy (see the file comment). Assignment: mesh::cic or mesh::tsc (ngp allowed);
/// Real: float or double; Source: the mass of the long-range mesh part (source::particles, or
/// source::sheet: the resampled Lagrangian sheet; the pair sum always uses the particles).
template <mesh::mass_assignment Assignment, class Real = float, class Source = source::particles>
class p3m {
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "lagframe::force::p3m: Real must be float or double");

 public:
  using real_type = Real;
  using assignment = Assignment;
  using options_type = p3m_options;
  static constexpr std::string_view name = "p3m";

  /// Validates the box and the options, builds the mesh part and the pair kernel.
  p3m(const box& b, const p3m_options& opt)
      : box_(validated(b)), opt_(validated(opt)), kernel_(make_kernel(b, opt)), mesh_(b, mesh_options(b, opt)),
        pair_(kernel_), cells_(b.side_mpc_h, kernel_.cutoff(), 2 * detail::pair_kernel<Real>::width),
        coupling_(b.volume() / (4.0 * std::numbers::pi * static_cast<double>(b.particle_count()))) {}

  [[nodiscard]] const box& domain() const { return box_; }
  [[nodiscard]] const p3m_options& options() const { return opt_; }
  [[nodiscard]] const short_range_kernel& kernel() const { return kernel_; }
  /// The long-range part (a particle_mesh with the Gaussian filter).
  [[nodiscard]] particle_mesh<Assignment, Real, Source>& long_range() { return mesh_; }
  /// The long-range mesh's density source as of the last evaluation (particle_mesh::density_source).
  [[nodiscard]] const auto& density_source() const { return mesh_.density_source(); }
  /// Pairs inside r_cut summed by the last accelerations() call.
  [[nodiscard]] std::size_t last_pair_count() const { return pairs_; }
  /// Chaining-mesh cells per side.
  [[nodiscard]] std::size_t chaining_cells() const { return cells_.cells_per_side(); }

  /// acc[i] = −∇φ(x_i) (Mpc/h): mesh long range plus the pair sum. Throws like particle_mesh.
  void accelerations(std::span<const vec3<Real>> positions, std::span<vec3<Real>> acc) {
    mesh_.accelerations(positions, acc);
    pair_watch_.restart();
    short_range_accelerations(positions, acc, true);
    pair_watch_.lap(pair_seconds_);
  }

  /// Wall-clock time per phase: the long-range mesh's (particle_mesh::times()) and, in
  /// `pairs`, the short-range pair sums of accelerations(), since construction or reset.
  [[nodiscard]] phase_times times() const {
    phase_times t = mesh_.times();
    t.pairs = pair_seconds_;
    return t;
  }
  void reset_phase_times() {
    mesh_.reset_phase_times();
    pair_seconds_ = 0;
  }

  /// Only the short-range pair sum, added to acc (or written, with add = false).
  void short_range_accelerations(std::span<const vec3<Real>> positions, std::span<vec3<Real>> acc, bool add) {
    require(acc.size() == positions.size(), "p3m: acceleration array size", acc.size(),
            lagframe::detail::concat("one entry per position (", positions.size(), ")"));
    require(positions.size() == box_.particle_count(), "p3m: number of positions", positions.size(),
            lagframe::detail::concat("the box's particle count ", box_.particle_count()));
    cells_.sort(positions);
    pairs_ = cells_.for_each_pair(pair_);
    const auto ids = cells_.ids();
    const Real c = static_cast<Real>(coupling_);
    const Real* ax = cells_.ax();
    const Real* ay = cells_.ay();
    const Real* az = cells_.az();
    const std::size_t planes = cells_.cells_per_side();
#pragma omp parallel for schedule(static)
    for (std::size_t p = 0; p < planes; ++p) {
      for (std::size_t s = cells_.plane_begin(p); s < cells_.plane_end(p); ++s) {
        auto& a = acc[ids[s]];
        const vec3<Real> v{c * ax[s], c * ay[s], c * az[s]};
        if (add) {
          a[0] += v[0];
          a[1] += v[1];
          a[2] += v[2];
        } else {
          a = v;
        }
      }
    }
  }

  /// phi[i] = φ(x_i) ((Mpc/h)²): the mesh long-range potential plus the short-range pair sum
  /// (double arithmetic, exact erfc), without the particle's own long-range self-potential
  /// −1/(4π n̄ √π r_s) (for energy checks: Layzer–Irvine).
  void potentials(std::span<const vec3<Real>> positions, std::span<Real> phi) {
    mesh_.potentials(positions, phi);
    std::vector<double> shortp(positions.size(), 0.0);
    cells_.sort(positions);
    potential_pairs_.reset(&kernel_);
    cells_.for_each_pair(potential_pairs_);
    const auto ids = cells_.ids();
    const double self = coupling_ * kernel_.long_range_self_potential();
    const std::size_t planes = cells_.cells_per_side();
#pragma omp parallel for schedule(static)
    for (std::size_t p = 0; p < planes; ++p) {
      for (std::size_t s = cells_.plane_begin(p); s < cells_.plane_end(p); ++s) {
        const std::size_t i = ids[s];
        phi[i] = static_cast<Real>(static_cast<double>(phi[i]) - self +
                                   coupling_ * static_cast<double>(cells_.ax()[s]));
      }
    }
  }

 private:
  static const box& validated(const box& b) {
    b.validate();
    return b;
  }
  static const p3m_options& validated(const p3m_options& o) {
    o.validate();
    return o;
  }
  static short_range_kernel make_kernel(const box& b, const p3m_options& o) {
    const double cell = b.side_mpc_h / static_cast<double>(o.mesh.grid_1d);
    const double r_s = o.split_cells * cell;
    return short_range_kernel(r_s, o.cutoff_split * r_s, o.softening_spacing * b.lagrangian_spacing());
  }
  static pm_options mesh_options(const box& b, const p3m_options& o) {
    pm_options m = o.mesh;
    m.split_mpc_h = o.split_cells * b.side_mpc_h / static_cast<double>(o.mesh.grid_1d);
    return m;
  }

  /// Scalar double-precision pair visitor for potentials(): the chaining mesh's "accelerations"
  /// hold Σ_j φ_s(r_ij) (per unit mass) instead, with exact erfc.
  struct potential_visitor {
    using batch = Real;
    const short_range_kernel* k = nullptr;
    double rc2 = 0;
    void reset(const short_range_kernel* kernel) {
      k = kernel;
      rc2 = kernel->cutoff() * kernel->cutoff();
    }
    static Real sum(const Real& b) { return b; }
    void run(const Real* xs, const Real* ys, const Real* zs, Real* ax, Real* /*ay*/, Real* /*az*/, std::size_t j0,
             std::size_t j1, Real xi, Real yi, Real zi, Real& fx, Real& /*fy*/, Real& /*fz*/,
             std::size_t& pairs) const {
      for (std::size_t j = j0; j < j1; ++j) {
        const double dx = static_cast<double>(xs[j]) - xi, dy = static_cast<double>(ys[j]) - yi,
                     dz = static_cast<double>(zs[j]) - zi;
        const double r2 = dx * dx + dy * dy + dz * dz;
        if (!(r2 < rc2)) continue;
        const double v = k->potential(std::sqrt(r2));
        fx += static_cast<Real>(v);
        ax[j] += static_cast<Real>(v);
        ++pairs;
      }
    }
  };

  box box_;
  p3m_options opt_;
  short_range_kernel kernel_;
  particle_mesh<Assignment, Real, Source> mesh_;
  double pair_seconds_ = 0;             ///< time in the pair sums of accelerations()
  detail::phase_stopwatch pair_watch_;
  detail::pair_kernel<Real> pair_;
  detail::chaining_mesh<Real> cells_;
  double coupling_;
  std::size_t pairs_ = 0;
  potential_visitor potential_pairs_;
};

}  // namespace lagframe::force
