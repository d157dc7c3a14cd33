// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file particle_mesh.hpp
/// Particle-mesh gravity on a periodic N_g³ mesh of any size (Hockney & Eastwood 1988, ch. 5
/// and 7; PHYSICS.md §7.1–7.3). One force evaluation:
///   1. deposit the particles with the assignment stencil A, mass N_g³/N_p each, so the mesh
///      holds 1 + δ (the k = 0 mode is zeroed below, so the 1 never needs subtracting);
///   2. one r2c FFT; φ_k = −δ_k · G(k) · D(k)/N_g³ with G = 1/k² (exact) or the inverse
///      7-point Laplacian, D = 1/W(k)² (the assignment and interpolation windows) when
///      deconvolving, and 1/N_g³ the inverse-FFT normalisation; the φ modes are kept;
///      (see pm_options for the choice of defaults, which differ from the textbook i k + W⁻²)
///   3. 4-point gradient (the default): one c2r FFT of φ, then per particle the gradient and
///      the interpolation fused in one gather (two FFTs in all); spectral gradient: per axis a,
///      the modes of −∂_a φ = −i g_a(k) φ_k into the second mesh (the first fused with step 2),
///      one c2r FFT and an interpolation with the same stencil A (four FFTs in all).
/// Two N_g³ meshes of Real. Using the same stencil for deposit and
/// interpolation with this real, symmetric kernel conserves momentum and has no self-force.
///
/// Threading: spawns OpenMP teams (k-space loops, deposit, interpolation) and FFTW threads
/// (as many as omp_get_max_threads() when the object was built); not reentrant; do not call
/// from inside a parallel region. Allocation: everything is allocated by the constructor
/// except the deposit's sort buffers, which are sized on the first call and then reused.

#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/force/concepts.hpp"
#include "lagframe/force/greens_function.hpp"
#include "lagframe/force/optimal_influence.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/mesh/deposit.hpp"
#include "lagframe/mesh/interpolate.hpp"

namespace lagframe::force {

/// Run-time options of particle_mesh.
///
/// Defaults: the 4-point gradient without deconvolution. Measured here (tests/physics/
/// pm_force_ewald.test.cpp, tests/unit/force/particle_mesh.test.cpp): the spectral gradient i k
/// jumps from +k_N to −k_N across the Nyquist plane, which gives point-source forces wrong by
/// O(1) at all separations and 20–50 % force errors for a cold plane-wave lattice on a mesh
/// twice as fine as the particle grid; deconvolution by W⁻² amplifies the aliased images near
/// the Nyquist corner ((π/2)¹² ≈ 225 for CIC) with similar effects. With the defaults, the
/// single-source force is within 1 % rms of Ewald beyond 4 (TSC) or 6 (CIC) cells and linear
/// growth of the fundamental modes at 64³ particles / 128³ mesh is right to 1e-3 (spectral +
/// deconvolution: 15 %). Deconvolution does help when the mesh equals the particle grid and
/// the lowest modes must be exact to < 1 % (the window suppresses the force by ≈ (kΔ)²/6).
struct pm_options {
  std::size_t grid_1d = 0;  ///< mesh cells per side (required, ≥ 2; independent of the particle grid)
  greens_function greens = greens_function::exact;  ///< −1/k², inverse 7-point Laplacian or optimal
  gradient grad = gradient::finite_difference_4;    ///< 4-point finite difference or i k
  bool deconvolve = false;  ///< divide by W(k)² (assignment + interpolation windows)
  fft::planning planning = fft::planning::estimate;  ///< FFTW planning effort
  /// S2 reference-cloud diameter of the optimal influence function, in mesh cells (forces are
  /// Newtonian beyond it); used only with greens_function::optimal, which ignores `deconvolve`.
  double optimal_diameter_cells = 3.0;

  /// Throws config_error naming the first impossible value.
  void validate() const {
    require(grid_1d >= 2, "pm_options.grid_1d", grid_1d, "a mesh of at least 2 cells per side");
    require(grid_1d <= 8192, "pm_options.grid_1d", grid_1d, "at most 8192 cells per side");
    require(std::isfinite(optimal_diameter_cells) && optimal_diameter_cells > 0.0, "pm_options.optimal_diameter_cells",
            optimal_diameter_cells, "a positive diameter in mesh cells");
  }
};

/// PM force policy (models force_policy and provides_potential; see force/concepts.hpp).
/// Assignment: mesh::ngp, mesh::cic or mesh::tsc; Real: float or double.
template <mesh::mass_assignment Assignment, class Real = float>
class particle_mesh {
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "lagframe::force::particle_mesh: Real must be float or double");

 public:
  using real_type = Real;
  using assignment = Assignment;
  using options_type = pm_options;
  static constexpr std::string_view name = "particle_mesh";

  /// Validates the box and the options, allocates the two meshes and makes the FFTW plans.
  particle_mesh(const box& b, const pm_options& opt)
      : box_(validated(b)), opt_(validated(opt)), potential_(opt.grid_1d, b.side_mpc_h),
        work_(opt.grid_1d, b.side_mpc_h), plan_(opt.grid_1d, opt.planning),
        kernels_(opt.grid_1d, b.side_mpc_h, opt.greens, opt.grad, Assignment::order, opt.deconvolve) {
    if (opt_.greens == greens_function::optimal) {
      optimal_ = detail::optimal_influence<Real>(opt_.grid_1d, box_.side_mpc_h, kernels_.grad, Assignment::order,
                                                 opt_.optimal_diameter_cells * box_.side_mpc_h /
                                                     static_cast<double>(opt_.grid_1d));
    }
  }

  [[nodiscard]] const box& domain() const { return box_; }
  [[nodiscard]] const pm_options& options() const { return opt_; }

  /// acc[i] = −∇φ(x_i), ∇²φ = δ of the particles themselves (Mpc/h). One position per particle
  /// of the box, in [0, L); throws config_error for a size mismatch or a bad position and
  /// numerical_error if the density is not finite.
  void accelerations(std::span<const vec3<Real>> positions, std::span<vec3<Real>> acc) {
    accelerations_at(positions, positions, acc);
  }

  /// −∇φ at arbitrary probe points, φ sourced by `sources` (one per particle of the box, each
  /// of mass 1/n̄). With sources == probes this is accelerations(); with probes elsewhere it
  /// samples the mesh force field (force-accuracy tests, a P3M long-range part). The probes
  /// see the field through the same stencil as the particles.
  void accelerations_at(std::span<const vec3<Real>> sources, std::span<const vec3<Real>> probes,
                        std::span<vec3<Real>> acc) {
    require(acc.size() == probes.size(), "particle_mesh: acceleration array size", acc.size(),
            lagframe::detail::concat("one entry per position (", probes.size(), ")"));
    if (opt_.grad == gradient::finite_difference_4) {
      // Two FFTs: φ back to real space, then the 4-point gradient and the interpolation fused
      // in one gather per particle (the same operator as the Fourier-space 4-point kernel).
      solve_potential(sources, false);
      plan_.backward(potential_);
      gather_fd4_gradient(probes, acc);
      return;
    }
    accelerations_at_fourier_gradient(sources, probes, acc);
  }

  /// The four-FFT path: each gradient component formed in Fourier space (i g(k) φ_k), brought
  /// back with its own FFT and interpolated. accelerations_at() uses it for the spectral
  /// gradient; for finite_difference_4 it is the reference the fused real-space gather is
  /// tested against (identical operator, different rounding).
  void accelerations_at_fourier_gradient(std::span<const vec3<Real>> sources, std::span<const vec3<Real>> probes,
                                         std::span<vec3<Real>> acc) {
    require(acc.size() == probes.size(), "particle_mesh: acceleration array size", acc.size(),
            lagframe::detail::concat("one entry per position (", probes.size(), ")"));
    solve_potential(sources, true);
    for (int axis = 0; axis < 3; ++axis) {
      if (axis > 0) gradient_component(axis);
      plan_.backward(work_);
      mesh::interpolate<Assignment>(work_, probes, acc, axis);
    }
  }

  /// phi[i] = φ(x_i) with the same Green's function and deconvolution as the force ((Mpc/h)²,
  /// k = 0 mode zero). Same preconditions as accelerations().
  void potentials(std::span<const vec3<Real>> positions, std::span<Real> phi) {
    potentials_at(positions, positions, phi);
  }

  /// φ at arbitrary probe points, sourced by `sources` (see accelerations_at()).
  void potentials_at(std::span<const vec3<Real>> sources, std::span<const vec3<Real>> probes,
                     std::span<Real> phi) {
    require(phi.size() == probes.size(), "particle_mesh: potential array size", phi.size(),
            lagframe::detail::concat("one entry per position (", probes.size(), ")"));
    solve_potential(sources, false);
    const std::size_t count = potential_.storage().size();
    const Real* src = potential_.data();
    Real* dst = work_.data();
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < count; ++i) dst[i] = src[i];
    plan_.backward(work_);
    mesh::interpolate<Assignment>(work_, probes, phi);
  }

 private:
  static const box& validated(const box& b) {
    b.validate();
    return b;
  }
  static const pm_options& validated(const pm_options& o) {
    o.validate();
    return o;
  }

  /// Deposit and FFT the sources, then turn δ_k into φ_k (normalised for the inverse FFT) in
  /// potential_; with `with_x_gradient`, also write the modes of −∂_x φ into work_ in the same
  /// pass.
  void solve_potential(std::span<const vec3<Real>> sources, bool with_x_gradient) {
    require(sources.size() == box_.particle_count(), "particle_mesh: number of source positions",
            sources.size(), lagframe::detail::concat("the box's particle count ", box_.particle_count()));
    const std::size_t n = opt_.grid_1d;
    const double cells = static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
    potential_.fill(Real(0));
    mesh::deposit<Assignment>(sources, static_cast<Real>(cells / static_cast<double>(sources.size())),
                              potential_, workspace_);
    plan_.forward(potential_);
    // The k = 0 element is the total deposited mass: one cheap finiteness check of the density.
    const auto total = potential_.complex_data()[0].real();
    if (!std::isfinite(total)) {
      throw numerical_error(lagframe::detail::concat(
          "lagframe: particle_mesh: the deposited density is not finite (total ", total, ")"));
    }
    const std::size_t nz = potential_.complex_last();
    const Real norm = static_cast<Real>(1.0 / cells);
    const Real* lap = kernels_.laplace.data();
    const Real* dec = kernels_.deconv2.data();
    const Real* grad = kernels_.grad.data();
    Real* const pot = potential_.data();
    Real* const out = work_.data();
    const auto rows = static_cast<std::ptrdiff_t>(n * n);
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t r = 0; r < rows; ++r) {
      const auto i = static_cast<std::size_t>(r) / n;
      const auto j = static_cast<std::size_t>(r) % n;
      const Real lij = lap[i] + lap[j];
      const Real dij = -(dec[i] * dec[j] * norm);  // φ = −δ/k²
      const Real gx = grad[i];
      Real* const p = pot + 2 * potential_.complex_index(i, j, 0);
      Real* const w = out + 2 * potential_.complex_index(i, j, 0);
      const std::size_t k0 = (i == 0 && j == 0) ? 1 : 0;  // the k = 0 mode is zero
      if (k0 == 1) {
        p[0] = p[1] = Real(0);
        w[0] = w[1] = Real(0);
      }
      const Real* const opt_row = optimal_.empty() ? nullptr : optimal_.data() + static_cast<std::size_t>(r) * nz;
      auto green_of = [&](std::size_t k) {
        return opt_row != nullptr ? -norm * opt_row[k] : dij * dec[k] / (lij + lap[k]);
      };
      if (with_x_gradient) {
        for (std::size_t k = k0; k < nz; ++k) {
          const Real green = green_of(k);
          const Real re = p[2 * k] * green;
          const Real im = p[2 * k + 1] * green;
          p[2 * k] = re;
          p[2 * k + 1] = im;
          w[2 * k] = gx * im;  // −i g (re + i im) = g im − i g re
          w[2 * k + 1] = -gx * re;
        }
      } else {
        for (std::size_t k = k0; k < nz; ++k) {
          const Real green = green_of(k);
          p[2 * k] *= green;
          p[2 * k + 1] *= green;
        }
      }
    }
  }

  /// acc[p] = −Σ_nodes W(node − x_p) (∇₄φ)(node), with φ in real space in potential_ and ∇₄ the
  /// 4-point central difference [8(φ₊₁ − φ₋₁) − (φ₊₂ − φ₋₂)]/(12Δ) per axis (whose Fourier
  /// symbol is the finite_difference_4 kernel i(8 sin w − sin 2w)/(6Δ)). By linearity each
  /// component is one 1D filter c = w ⋆ stencil of support + 4 taps along its own axis, times
  /// the plain weights along the other two: 3·(support+4)·support² loads per particle instead of
  /// three mesh passes. OpenMP static over particles: results do not depend on the thread count.
  void gather_fd4_gradient(std::span<const vec3<Real>> probes, std::span<vec3<Real>> acc) const {
    constexpr int S = Assignment::support;
    constexpr int T = S + 4;  // taps of the filtered stencil: nodes first−2 … first+S+1
    const auto n = static_cast<long>(opt_.grid_1d);
    const double dx = box_.side_mpc_h / static_cast<double>(n);
    const double inv_dx = 1.0 / dx;
    const double inv_12dx = 1.0 / (12.0 * dx);
    const double side = box_.side_mpc_h;
    const Real* const phi = potential_.data();
    const std::size_t row = potential_.padded_last();
    const auto count = static_cast<std::ptrdiff_t>(probes.size());
    bool bad_position = false;
#pragma omp parallel for schedule(static) reduction(|| : bad_position)
    for (std::ptrdiff_t p = 0; p < count; ++p) {
      double w[3][S];     // assignment weights per axis
      double c[3][T];     // weights convolved with the derivative stencil, per axis
      std::size_t idx[3][T];  // wrapped node indices first−2 … first+S+1
      for (int d = 0; d < 3; ++d) {
        double x = static_cast<double>(probes[static_cast<std::size_t>(p)][d]);
        if (!(x >= -side && x < 2.0 * side)) {
          bad_position = true;
          x = 0.0;
        }
        const double u = x * inv_dx;
        const double first = Assignment::first_node(u);
        Assignment::weights(u, first, w[d]);
        // first ∈ [−n−1, 2n]: one conditional shift brings it into [0, n), then the taps need at
        // most one more wrap each (no integer division in this hot loop).
        long f = static_cast<long>(first);
        f += f < 0 ? n : 0;
        f -= f >= n ? n : 0;
        for (int t = 0; t < T; ++t) {
          long i = f - 2 + t;
          i += i < 0 ? n : 0;
          i -= i >= n ? n : 0;
          i += i < 0 ? n : 0;  // meshes narrower than the stencil (n < 4) need a second wrap
          i -= i >= n ? n : 0;
          idx[d][t] = static_cast<std::size_t>(i);
          c[d][t] = 0.0;
        }
        // d/dx at node f+s uses φ at offsets ±1 (weight ±8) and ±2 (weight ∓1).
        for (int s = 0; s < S; ++s) {
          const double ws = w[d][s] * inv_12dx;
          c[d][s + 2 + 1] += 8.0 * ws;
          c[d][s + 2 - 1] -= 8.0 * ws;
          c[d][s + 2 + 2] -= ws;
          c[d][s + 2 - 2] += ws;
        }
      }
      double gx = 0, gy = 0, gz = 0;
      // x: filter along x, weights along y and z.
      for (int t = 0; t < T; ++t)
        for (int b = 0; b < S; ++b) {
          const Real* line = phi + (idx[0][t] * static_cast<std::size_t>(n) + idx[1][b + 2]) * row;
          double inner = 0;
          for (int e = 0; e < S; ++e) inner += w[2][e] * static_cast<double>(line[idx[2][e + 2]]);
          gx += c[0][t] * w[1][b] * inner;
        }
      // y: filter along y.
      for (int a = 0; a < S; ++a)
        for (int t = 0; t < T; ++t) {
          const Real* line = phi + (idx[0][a + 2] * static_cast<std::size_t>(n) + idx[1][t]) * row;
          double inner = 0;
          for (int e = 0; e < S; ++e) inner += w[2][e] * static_cast<double>(line[idx[2][e + 2]]);
          gy += w[0][a] * c[1][t] * inner;
        }
      // z: filter along z (contiguous).
      for (int a = 0; a < S; ++a)
        for (int b = 0; b < S; ++b) {
          const Real* line = phi + (idx[0][a + 2] * static_cast<std::size_t>(n) + idx[1][b + 2]) * row;
          double inner = 0;
          for (int t = 0; t < T; ++t) inner += c[2][t] * static_cast<double>(line[idx[2][t]]);
          gz += w[0][a] * w[1][b] * inner;
        }
      acc[static_cast<std::size_t>(p)] = {static_cast<Real>(-gx), static_cast<Real>(-gy), static_cast<Real>(-gz)};
    }
    if (bad_position) {
      throw config_error("lagframe: particle_mesh: a probe position is not finite or lies outside [-L, 2L)");
    }
  }

  /// work_ ← modes of −∂φ/∂x_axis = −i g φ_k, axis 1 or 2.
  void gradient_component(int axis) {
    const std::size_t n = opt_.grid_1d;
    const std::size_t nz = potential_.complex_last();
    const Real* grad = kernels_.grad.data();
    const Real* const pot = potential_.data();
    Real* const out = work_.data();
    const auto rows = static_cast<std::ptrdiff_t>(n * n);
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t r = 0; r < rows; ++r) {
      const auto j = static_cast<std::size_t>(r) % n;
      const Real* const p = pot + 2 * nz * static_cast<std::size_t>(r);
      Real* const w = out + 2 * nz * static_cast<std::size_t>(r);
      if (axis == 1) {
        const Real g = grad[j];
        for (std::size_t k = 0; k < nz; ++k) {
          w[2 * k] = g * p[2 * k + 1];
          w[2 * k + 1] = -g * p[2 * k];
        }
      } else {
        for (std::size_t k = 0; k < nz; ++k) {
          w[2 * k] = grad[k] * p[2 * k + 1];
          w[2 * k + 1] = -grad[k] * p[2 * k];
        }
      }
    }
  }

  box box_;
  pm_options opt_;
  real_field<Real> potential_;
  real_field<Real> work_;
  fft::r2c_plan<Real> plan_;
  detail::axis_kernels<Real> kernels_;
  std::vector<Real> optimal_;  ///< Γ(k) of greens_function::optimal, half-complex layout (else empty)
  mesh::deposit_workspace workspace_;
};

}  // namespace lagframe::force
