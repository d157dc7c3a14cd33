// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file particle_mesh.hpp
/// Particle-mesh gravity on a periodic N_g³ mesh of any size (Hockney & Eastwood 1988, ch. 5
/// and 7; docs/physics.md §6). One force evaluation:
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
/// Interlacing (pm_options.interlace; Hockney & Eastwood §7-8, Sefusatti et al. 2016 for the
/// estimator; docs/physics.md §6.6): the particles are deposited twice, at x + t₀ and x + t₁ with
/// t_m = ∓Δ/4 (1,1,1) (so the two meshes are offset by Δ/2 (1,1,1)), into the two meshes, both
/// r2c-transformed and combined as δ_k = ½[e^{ik·t₀} δ_k^(0) + e^{ik·t₁} δ_k^(1)], which cancels
/// the aliasing images k + 2πn/Δ with n_x + n_y + n_z odd; the Nyquist planes are zeroed. The
/// interpolation is interlaced too (its adjoint): φ_k e^{−ik·t_m} (or its gradient modes) on
/// each mesh, c2r, interpolated at x + t_m, and the two averaged; momentum is still conserved.
/// Cost: two deposits and twice the interpolation work; FFTs 2 → 4 (4-point gradient: φ on both
/// meshes, work_ holding the second) or 4 → 8 (spectral: 2 r2c and 6 c2r, one mesh-component at
/// a time through work_). Memory: still the two N_g³ meshes (the second deposit goes into the
/// one the gradient uses), plus 2·N_g complex phases. ±Δ/4 rather than 0, Δ/2: an unperturbed
/// lattice then sits a quarter cell from the nodes of both meshes (mesh/concepts.hpp).
///
/// Recommended accurate configuration (measured in tests/physics/pm_force_ewald.test.cpp, 64³):
///   {.greens = greens_function::optimal, .grad = gradient::spectral, .interlace = true,
///    .optimal_diameter_cells = 3.5}
/// single-source force against Ewald, rms over r ≥ 3 cells: CIC 0.39 % (0.8 % in [3, 4) cells;
/// without interlacing 1.8 %; the defaults 2.2 %), TSC 0.06 %. The optimal influence function
/// reproduces the S2-softened reference: Newtonian beyond 3.5 cells for a point mass, but a
/// plane wave's force is S²(k) times Newton's (1 − S² ≈ (ka)²/15, 1.6 % at kΔ = 0.2). Plain
/// W⁻² deconvolution does NOT work with interlacing (20–55 % at all r): the kept even images
/// are not periodic over the Brillouin cube, so a kernel that does not vanish at its faces
/// leaves a long-range error; the optimal Γ (computed for the interlaced window) does vanish
/// there. Not for cold lattices on a mesh twice as fine (N_g = 2N_p): the lattice sidebands
/// k ± k_N are split by the interlacing (plane-wave force 1.6 % off for CIC, 9e-4 without);
/// with N_g = N_p the cold wave stays right (its sidebands k ± 2k_N both cancel).
///
/// Threading: spawns OpenMP teams (k-space loops, deposit, interpolation) and FFTW threads
/// (as many as omp_get_max_threads() when the object was built); not reentrant; do not call
/// from inside a parallel region. Allocation: everything is allocated by the constructor
/// except the deposit's sort buffers, which are sized on the first call and then reused.

#include <cmath>
#include <complex>
#include <cstddef>
#include <numbers>

#include <omp.h>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "lagframe/config.hpp"
#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/force/detail/fd4_gather_simd.hpp"
#include "lagframe/force/detail/fd4_slab_gather.hpp"
#include "lagframe/force/concepts.hpp"
#include "lagframe/force/greens_function.hpp"
#include "lagframe/force/optimal_influence.hpp"
#include "lagframe/force/phase_times.hpp"
#include "lagframe/mesh/concepts.hpp"
#include "lagframe/mesh/detail/scalar_floor.hpp"
#include "lagframe/mesh/deposit.hpp"
#include "lagframe/mesh/interpolate.hpp"
#include "lagframe/source/concepts.hpp"
#include "lagframe/source/particles.hpp"
#include "lagframe/source/sheet.hpp"

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
/// For single-source forces within 1 % beyond 3 cells with CIC, see the interlaced "accurate"
/// configuration in the file comment (twice the deposits, 8 FFTs instead of 2).
struct pm_options {
  std::size_t grid_1d = 0;  ///< mesh cells per side (required, ≥ 2; independent of the particle grid)
  greens_function greens = greens_function::exact;  ///< −1/k², inverse 7-point Laplacian or optimal
  gradient grad = gradient::finite_difference_4;    ///< 4-point finite difference or i k
  bool deconvolve = false;  ///< divide by W(k)² (assignment + interpolation windows)
  /// Interlacing: deposit and interpolate on two meshes offset by Δ/2 (1,1,1) and average
  /// (cancels the odd aliasing images; doubles the FFTs and the deposit/interpolation work, no
  /// extra mesh; see the file comment, also for the combinations that do and do not benefit).
  bool interlace = false;
  fft::planning planning = fft::planning::estimate;  ///< FFTW planning effort
  /// S2 reference-cloud diameter of the optimal influence function, in mesh cells (forces are
  /// Newtonian beyond it); used only with greens_function::optimal, which ignores `deconvolve`.
  double optimal_diameter_cells = 3.0;
  /// Long-range part of a Gaussian force split (force/p3m.hpp): the Green's function is
  /// multiplied by e^{−k² r_s²} with r_s = split_mpc_h (Mpc/h), so the mesh carries the force
  /// erf(r/2r_s) − (r/(r_s√π)) e^{−r²/4r_s²} times Newton's. 0: no split (the whole force).
  double split_mpc_h = 0.0;
  /// Options of the density source (read by source::sheet: resampling factor, multi-stream
  /// policy; source/options.hpp).
  source::source_options source{};

  /// Throws config_error naming the first impossible value.
  void validate() const {
    require(grid_1d >= 2, "pm_options.grid_1d", grid_1d, "a mesh of at least 2 cells per side");
    require(grid_1d <= 8192, "pm_options.grid_1d", grid_1d, "at most 8192 cells per side");
    require(std::isfinite(optimal_diameter_cells) && optimal_diameter_cells > 0.0, "pm_options.optimal_diameter_cells",
            optimal_diameter_cells, "a positive diameter in mesh cells");
    require(std::isfinite(split_mpc_h) && split_mpc_h >= 0.0, "pm_options.split_mpc_h", split_mpc_h,
            "a non-negative length in Mpc/h (0: no force split)");
    source.validate();
    require(split_mpc_h == 0.0 || greens != greens_function::optimal, "pm_options.greens", "optimal",
            "exact or finite_difference with a force split (the optimal influence function is computed for "
            "the unsplit force; use greens_function::exact)");
  }
};

/// PM force policy (models force_policy and provides_potential; see force/concepts.hpp).
/// Assignment: mesh::ngp, mesh::cic or mesh::tsc; Real: float or double; Source: the mass the
/// Poisson solver sees, source::particles (the particles as points) or source::sheet (the
/// Lagrangian sheet resampled between them, options in pm_options::source; source/sheet.hpp).
template <mesh::mass_assignment Assignment, class Real = float, class Source = source::particles>
class particle_mesh {
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "lagframe::force::particle_mesh: Real must be float or double");

 public:
  using real_type = Real;
  using assignment = Assignment;
  using options_type = pm_options;
  using source_type = Source;
  static constexpr std::string_view name = "particle_mesh";
  static_assert(source::density_source<Source, Assignment, Real>,
                "lagframe::force::particle_mesh: Source must model source::density_source: use source::particles or "
                "source::sheet (see include/lagframe/source/concepts.hpp)");

  /// Validates the box and the options, allocates the two meshes and makes the FFTW plans.
  particle_mesh(const box& b, const pm_options& opt)
      : box_(validated(b)), opt_(validated(opt)), potential_(opt.grid_1d, b.side_mpc_h),
        work_(opt.grid_1d, b.side_mpc_h), plan_(opt.grid_1d, opt.planning),
        kernels_(opt.grid_1d, b.side_mpc_h, opt.greens, opt.grad, Assignment::order, opt.deconvolve,
                 opt.split_mpc_h),
        source_(box_, opt.source) {
    if (opt_.greens == greens_function::optimal) {
      optimal_ = detail::optimal_influence<Real>(opt_.grid_1d, box_.side_mpc_h, kernels_.grad, Assignment::order,
                                                 opt_.optimal_diameter_cells * box_.side_mpc_h /
                                                     static_cast<double>(opt_.grid_1d),
                                                 opt_.interlace);
    }
    if (opt_.interlace) {
      const std::size_t n = opt_.grid_1d;
      const double dx = box_.side_mpc_h / static_cast<double>(n);
      for (int m = 0; m < 2; ++m) phase_[m].resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        const double k = 2.0 * std::numbers::pi * static_cast<double>(wavenumber_index(i, n)) / box_.side_mpc_h;
        for (int m = 0; m < 2; ++m) phase_[m][i] = std::polar(1.0, k * dx * interlace_offset_cells[m]);
      }
    }
  }

  [[nodiscard]] const box& domain() const { return box_; }
  [[nodiscard]] const pm_options& options() const { return opt_; }

  /// Called by simulation: refuses the options that run but give a wrong cosmological answer.
  /// The spectral gradient or the W⁻² deconvolution with the exact or 7-point Green's function,
  /// unsplit, on a mesh finer than the particle grid amplify the aliased images of the particle
  /// lattice (docs/user_guide.md §3.1): measured in tCOLA runs of 64³ particles in 128 Mpc/h on a
  /// 128³ CIC mesh, P/P_ref at z = 0 and k = 0.3 / 1 h/Mpc is 2.38 / 2.57 (spectral +
  /// deconvolution, r = 0.16 at k = 1), 1.14 / 1.27 (spectral), 1.05 / 1.15 (deconvolution),
  /// where the defaults give 1.00 / 0.91. On a mesh equal to the particle grid, or with the
  /// optimal influence function, they are not refused.
  void check_cosmological_run() const {
    const bool amplifies = opt_.grad == gradient::spectral || opt_.deconvolve;
    if (!amplifies || opt_.greens == greens_function::optimal || opt_.split_mpc_h > 0.0 ||
        opt_.grid_1d <= box_.particles_1d)
      return;
    throw config_error(lagframe::detail::concat(
        "lagframe: pm_options ", opt_.grad == gradient::spectral ? "grad = gradient::spectral" : "",
        opt_.grad == gradient::spectral && opt_.deconvolve ? " with " : "", opt_.deconvolve ? "deconvolve = true" : "",
        " on a ", opt_.grid_1d, "^3 mesh, finer than the ", box_.particles_1d,
        "^3 particle grid, amplifies the aliased images of the particle lattice and gives a wrong P(k) in a "
        "simulation (measured at z = 0, k = 0.3 / 1 h/Mpc: P/P_ref = 2.38 / 2.57 with both, 1.14 / 1.27 with the "
        "spectral gradient alone, 1.05 / 1.15 with deconvolution alone; docs/user_guide.md §3.1). Use the defaults "
        "(gradient::finite_difference_4, deconvolve = false), greens_function::optimal with the spectral gradient, "
        "a mesh equal to the particle grid, or force::p3m"));
  }

  /// The two N_g³ work meshes (m = 0, 1) and the deposit's sort buffers, lent to analyses
  /// between force evaluations (e.g. analysis::density_modes_into: a power spectrum on the
  /// force's mesh without allocating another). Nothing is kept in them from one evaluation to
  /// the next, so a borrower may overwrite them freely, and the next evaluation does not depend
  /// on what it left.
  [[nodiscard]] real_field<Real>& work_mesh(int m) { return m == 0 ? potential_ : work_; }
  [[nodiscard]] mesh::deposit_workspace& deposit_workspace() { return source_.workspace(); }

  /// The density source's depositor as of the last evaluation (e.g. source::sheet's
  /// multistream_fraction() and used_sheet(): whether a global switch has happened).
  [[nodiscard]] const typename Source::template depositor<Assignment, Real>& density_source() const { return source_; }

  /// Wall-clock time per phase (deposit, FFTs, Fourier space, gather), summed over every
  /// Poisson solve since construction or reset_phase_times().
  [[nodiscard]] const phase_times& times() const { return times_; }
  void reset_phase_times() { times_ = {}; }

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
      if (!opt_.interlace) {
        plan_.backward(potential_);
        watch_.lap(times_.fft);
        gather_fd4_gradient<false>(sources, probes, acc);
        watch_.lap(times_.gather);
        return;
      }
      // φ on the nodes of both meshes (work_ first: it reads potential_), four FFTs in all.
      mesh_modes(1, work_);
      mesh_modes(0, potential_);
      watch_.lap(times_.k_space);
      plan_.backward(potential_);
      plan_.backward(work_);
      watch_.lap(times_.fft);
      gather_fd4_gradient<true>(sources, probes, acc);
      watch_.lap(times_.gather);
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
    if (opt_.interlace) {
      // Per axis and mesh: the component on that mesh's nodes, one c2r FFT, interpolation at
      // x + t_m; the two meshes averaged (two r2c and six c2r FFTs in all).
      solve_potential(sources, false);
      for (int axis = 0; axis < 3; ++axis) {
        for (int m = 0; m < 2; ++m) {
          shifted_gradient_component(axis, m);
          watch_.lap(times_.k_space);
          plan_.backward(work_);
          watch_.lap(times_.fft);
          gather_shifted(work_, probes, m, [acc, axis, m](std::size_t p, double v) {
            auto& a = acc[p][static_cast<std::size_t>(axis)];
            a = static_cast<Real>(m == 0 ? 0.5 * v : static_cast<double>(a) + 0.5 * v);
          });
          watch_.lap(times_.gather);
        }
      }
      return;
    }
    solve_potential(sources, true);
    for (int axis = 0; axis < 3; ++axis) {
      if (axis > 0) gradient_component(axis);
      watch_.lap(times_.k_space);
      plan_.backward(work_);
      watch_.lap(times_.fft);
      mesh::interpolate<Assignment>(work_, probes, acc, axis);
      watch_.lap(times_.gather);
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
    if (opt_.interlace) {
      for (int m = 0; m < 2; ++m) {
        mesh_modes(m, work_);
        watch_.lap(times_.k_space);
        plan_.backward(work_);
        watch_.lap(times_.fft);
        gather_shifted(work_, probes, m, [phi, m](std::size_t p, double v) {
          phi[p] = static_cast<Real>(m == 0 ? 0.5 * v : static_cast<double>(phi[p]) + 0.5 * v);
        });
        watch_.lap(times_.gather);
      }
      return;
    }
    const std::size_t count = potential_.storage().size();
    const Real* src = potential_.data();
    Real* dst = work_.data();
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < count; ++i) dst[i] = src[i];
    watch_.lap(times_.k_space);
    plan_.backward(work_);
    watch_.lap(times_.fft);
    mesh::interpolate<Assignment>(work_, probes, phi);
    watch_.lap(times_.gather);
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

  /// grid = the sources' mass: the source's deposit_replacing where it has one (each plane
  /// zeroed just before its first write, still in cache), otherwise zero, then deposit.
  void deposit_onto_empty(std::span<const vec3<Real>> sources, Real mass, real_field<Real>& grid,
                          const vec3<double>& shift) {
    if constexpr (requires { source_.deposit_replacing(sources, mass, grid, shift); }) {
      source_.deposit_replacing(sources, mass, grid, shift);
    } else {
      grid.fill(Real(0));
      source_.deposit(sources, mass, grid, shift);
    }
  }

  /// Deposit and FFT the sources, then turn δ_k into φ_k (normalised for the inverse FFT) in
  /// potential_; with `with_x_gradient`, also write the modes of −∂_x φ into work_ in the same
  /// pass.
  void solve_potential(std::span<const vec3<Real>> sources, bool with_x_gradient) {
    require(sources.size() == box_.particle_count(), "particle_mesh: number of source positions",
            sources.size(), lagframe::detail::concat("the box's particle count ", box_.particle_count()));
    const std::size_t n = opt_.grid_1d;
    const double cells = static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
    const auto mass = static_cast<Real>(cells / static_cast<double>(sources.size()));
    watch_.restart();
    ++times_.evaluations;
    if (!opt_.interlace) {
      deposit_onto_empty(sources, mass, potential_, vec3<double>{0.0, 0.0, 0.0});
      watch_.lap(times_.deposit);
      plan_.forward(potential_);
      watch_.lap(times_.fft);
    } else {
      const double dx = box_.side_mpc_h / static_cast<double>(n);
      const double t0 = interlace_offset_cells[0] * dx, t1 = interlace_offset_cells[1] * dx;
      deposit_onto_empty(sources, mass, potential_, vec3<double>{t0, t0, t0});
      deposit_onto_empty(sources, mass, work_, vec3<double>{t1, t1, t1});
      watch_.lap(times_.deposit);
      plan_.forward(potential_);
      plan_.forward(work_);
      watch_.lap(times_.fft);
      combine_interlaced();
    }
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
    watch_.lap(times_.k_space);
  }

  /// acc[p] = −Σ_nodes W(node − x_p) (∇₄φ)(node), with φ in real space in potential_ and ∇₄ the
  /// 4-point central difference [8(φ₊₁ − φ₋₁) − (φ₊₂ − φ₋₂)]/(12Δ) per axis (whose Fourier
  /// symbol is the finite_difference_4 kernel i(8 sin w − sin 2w)/(6Δ)). By linearity each
  /// component is one 1D filter c = w ⋆ stencil of support + 4 taps along its own axis, times
  /// the plain weights along the other two: (2T − S)·S + S²·T loads per particle (CIC: 64) instead
  /// of three mesh passes. OpenMP static over particles: results do not depend on the thread count.
  /// Interlaced: the average of the same gather from φ of mesh 0 (potential_) at x_p + t₀ and
  /// of mesh 1 (work_) at x_p + t₁.
  /// With probes == sources (a force on the particles themselves) and a source that keeps the
  /// deposit's cell order (source::particles: mesh::deposit_workspace::cell_order_of), the
  /// particles are visited in that order (x slab, y row, z column of the stencil) and each
  /// result is written to its own index: the mesh rows are then read in sequence, as the
  /// deposit wrote them, instead of in the particles' own (Lagrangian) order, where displaced
  /// neighbours send consecutive reads to distant rows (measured at 128³ particles on 256³,
  /// tCOLA z = 0: 39 against 70 ms, the unperturbed lattice's speed). On a float mesh without
  /// interlacing, in that order, −∇₄φ is formed once per node of each slab and each particle
  /// sums its S³ nodes (force/detail/fd4_slab_gather.hpp; gather 53–63 → 39–46 ms on a slow
  /// host), which differs from the per-particle sums by the float rounding of the node
  /// gradients; otherwise every particle gets the same arithmetic in either order, so the
  /// result is bitwise the same. Both are independent of the thread count.
  template <bool Interlaced>
  void gather_fd4_gradient(std::span<const vec3<Real>> sources, std::span<const vec3<Real>> probes,
                           std::span<vec3<Real>> acc) {
    if (gather_fd4_gradient_reporting_bad<Interlaced>(sources, probes, acc)) {
      throw_bad_probe_position();
    }
  }

  /// The error of every gather that met a probe not finite or outside [−L, 2L).
  [[noreturn]] static void throw_bad_probe_position() {
    throw config_error("lagframe: particle_mesh: a probe position is not finite or lies outside [-L, 2L)");
  }

  /// gather_fd4_gradient's work, by the path that applies; returns whether a probe position was
  /// not finite or outside [−L, 2L).
  template <bool Interlaced>
  bool gather_fd4_gradient_reporting_bad(std::span<const vec3<Real>> sources, std::span<const vec3<Real>> probes,
                                         std::span<vec3<Real>> acc) {
    if constexpr (requires { source_.workspace().template cell_order_of<Real>(sources); }) {
      if (sources.data() == probes.data() && sources.size() == probes.size()) {
        const auto [ordered, index] = source_.workspace().template cell_order_of<Real>(sources);
        if (!ordered.empty()) {
          if constexpr (std::is_same_v<Real, float> && !Interlaced) {
            if (gather_fd4_by_slabs_fits()) {
              return detail::gather_fd4_by_slabs<Assignment>(potential_.data(), opt_.grid_1d, potential_.padded_last(),
                                                             box_.side_mpc_h, ordered, index.data(), acc, work_.data());
            }
          }
          return gather_fd4_gradient_at<Interlaced>(ordered, acc, index.data());
        }
      }
    }
    return gather_fd4_gradient_at<Interlaced>(probes, acc, static_cast<const std::uint32_t*>(nullptr));
  }

  /// Whether the slab-ring gather (force/detail/fd4_slab_gather.hpp) can borrow its scratch
  /// from work_ (idle in the non-interlaced 4-point path): S slabs of n² nodes × 4 floats per
  /// thread, and a mesh of at least 8 cells per side.
  [[nodiscard]] bool gather_fd4_by_slabs_fits() const {
    const std::size_t n = opt_.grid_1d;
    const auto threads = static_cast<std::size_t>(omp_get_max_threads());
    return n >= 8 && detail::fd4_slab_scratch_floats<Assignment>(n, threads) <= work_.storage().size();
  }

  /// acc[index[p]] (or acc[p] without an index) = the fused gather at probes[p]; returns whether
  /// a probe position was not finite or outside [−L, 2L) (gathered at the origin).
  template <bool Interlaced>
  bool gather_fd4_gradient_at(std::span<const vec3<Real>> probes, std::span<vec3<Real>> acc,
                              const std::uint32_t* const index) const {
    const double side = box_.side_mpc_h;
    const double dx = side / static_cast<double>(opt_.grid_1d);
    const double t0 = interlace_offset_cells[0] * dx, t1 = interlace_offset_cells[1] * dx;
    const Real* const phi = potential_.data();
    const Real* const phi_shifted = work_.data();
    const auto count = static_cast<std::ptrdiff_t>(probes.size());
    const auto n = static_cast<long>(opt_.grid_1d);
    const fd4_geometry geo{.n = n,
                           .inv_dx = 1.0 / dx,
                           .inv_12dx = 1.0 / (12.0 * dx),
                           .stride = {static_cast<std::size_t>(n) * potential_.padded_last(), potential_.padded_last(), 1}};
    bool bad_position = false;
#pragma omp parallel for schedule(static) reduction(|| : bad_position)
    for (std::ptrdiff_t p = 0; p < count; ++p) {
      const auto i = static_cast<std::size_t>(p);
      bool bad = false;
      const std::size_t out = index != nullptr ? index[i] : i;
      acc[out] = fd4_gather_one<Interlaced>(geo, phi, phi_shifted, side, t0, t1, probes[i], bad);
      bad_position = bad_position || bad;
    }
    return bad_position;
  }

  /// Mesh constants of the fused gather, computed once per call.
  struct fd4_geometry {
    long n;                  ///< nodes per side
    double inv_dx;           ///< 1/Δ
    double inv_12dx;         ///< 1/(12Δ), the 4-point stencil's normalisation
    std::size_t stride[3];   ///< element strides of x, y, z in the padded real layout
  };

  /// −∇₄φ at one probe (both meshes averaged when interlaced); `bad` is set, and the point
  /// replaced by the origin, for a coordinate outside [−L, 2L) or not finite.
  template <bool Interlaced>
  LAGFRAME_INLINE vec3<Real> fd4_gather_one(const fd4_geometry& geo, const Real* const phi,
                                            const Real* const phi_shifted, const double side, const double t0,
                                            const double t1, const vec3<Real>& probe, bool& bad) const {
    double x[3];
    for (int d = 0; d < 3; ++d) {
      x[d] = static_cast<double>(probe[d]);
      if (!(x[d] >= -side && x[d] < 2.0 * side)) {
        bad = true;
        x[d] = 0.0;
      }
    }
    double g[3];
    if constexpr (Interlaced) {
      const double x0[3] = {x[0] + t0, x[1] + t0, x[2] + t0};
      const double x1[3] = {x[0] + t1, x[1] + t1, x[2] + t1};
      double g1[3];
      fd4_gradient_at(geo, phi, x0, g);
      fd4_gradient_at(geo, phi_shifted, x1, g1);
      for (int d = 0; d < 3; ++d) g[d] = 0.5 * (g[d] + g1[d]);
    } else {
      (void)phi_shifted;
      (void)t0;
      (void)t1;
      fd4_gradient_at(geo, phi, x, g);
    }
    return {static_cast<Real>(-g[0]), static_cast<Real>(-g[1]), static_cast<Real>(-g[2])};
  }

  /// g = Σ_nodes W(node − x) (∇₄φ)(node) for one point x (Mpc/h, in [−L − Δ, 2L + Δ)) of the
  /// real-space mesh phi (see gather_fd4_gradient). The stencil setup avoids libm (floor through
  /// mesh::detail::scalar_double) and integer division. For a float mesh every point is summed
  /// with SIMD along z (force/detail/fd4_gather_simd.hpp): in place where no tap wraps (all but
  /// a fraction ≈ 3·(S + 4)/n of the points), otherwise through wrapped rows, out of line
  /// (fd4_gradient_wrapped_cold). Double meshes use the scalar fd4_gradient_sums.
  LAGFRAME_INLINE void fd4_gradient_at(const fd4_geometry& geo, const Real* const phi, const double (&x)[3],
                                       double (&g)[3]) const {
    constexpr int S = Assignment::support;
    const long n = geo.n;
    double w[3][S];  // assignment weights per axis
    long f[3];       // first node, wrapped into [0, n)
    for (int d = 0; d < 3; ++d) {
      // x ∈ [−L − Δ/4, 2L + Δ/4) with the interlacing offsets.
      f[d] = mesh::detail::wrapped_first_node_and_weights<Assignment>(x[d] * geo.inv_dx, n, w[d]);
    }
    if constexpr (std::is_same_v<Real, float>) {
      const long z_reach = static_cast<long>(detail::fd4_simd_floats<S>());  // floats read per row
      if (f[0] >= 2 && f[0] + S + 2 <= n && f[1] >= 2 && f[1] + S + 2 <= n && f[2] >= 2 && f[2] - 2 + z_reach <= n) {
        const float* const corner = phi + static_cast<std::size_t>(f[0] - 2) * geo.stride[0] +
                                    static_cast<std::size_t>(f[1] - 2) * geo.stride[1] + static_cast<std::size_t>(f[2] - 2);
        detail::fd4_gradient_sums_float_simd<S>(corner, geo.stride[0], geo.stride[1], w, geo.inv_12dx, g);
      } else {
        fd4_gradient_wrapped_cold<S>(geo, phi, f, w, g);
      }
    } else {
      fd4_gradient_wrapped<S>(geo, phi, f, w, g);
    }
  }

  /// A float-mesh stencil that wraps (≈ 3·(S + 4)/n of the points), out of line so that the
  /// gather's hot loop stays small. The same SIMD sums as the points that do not wrap, so every
  /// point gets the same arithmetic wherever it lies: rows wrapped in x and y are addressed
  /// through offset tables; where z wraps too (or the batches would run past the row), the z
  /// taps of the cross of rows are copied, wrapped, into a small local block first.
  template <int S>
  LAGFRAME_COLD void fd4_gradient_wrapped_cold(const fd4_geometry& geo, const Real* const phi, const long (&f)[3],
                                               const double (&w)[3][S], double (&g)[3]) const {
    constexpr int T = S + 4;
    constexpr std::size_t floats = detail::fd4_simd_floats<S>();
    std::size_t off[3][T];  // wrapped offsets of taps first − 2 … first + S + 1 per axis
    fd4_tap_offsets<S>(geo, f, off);
    if (f[2] >= 2 && f[2] - 2 + static_cast<long>(floats) <= geo.n) {
      const Real* const base = phi + (f[2] - 2);
      const auto row = [base, &off](int i, int j) { return base + off[0][i] + off[1][j]; };
      detail::fd4_gradient_sums_float_simd<S>(row, w, geo.inv_12dx, g);
      return;
    }
    alignas(64) float local[T][T][floats];
    for (int i = 0; i < T; ++i)
      for (int j = 0; j < T; ++j) {
        if ((i < 2 || i >= S + 2) && (j < 2 || j >= S + 2)) continue;  // outside the cross: never read
        const Real* const r = phi + off[0][i] + off[1][j];
        for (int t = 0; t < T; ++t) local[i][j][t] = r[off[2][t]];
        for (std::size_t t = T; t < floats; ++t) local[i][j][t] = 0.0f;
      }
    const auto row = [&local](int i, int j) { return &local[i][j][0]; };
    detail::fd4_gradient_sums_float_simd<S>(row, w, geo.inv_12dx, g);
  }

  /// Offsets of the periodically wrapped taps first − 2 … first + S + 1 along each axis (x, y:
  /// rows; z: elements); meshes narrower than the stencil (n < 4) need the second wrap.
  template <int S>
  static LAGFRAME_INLINE void fd4_tap_offsets(const fd4_geometry& geo, const long (&f)[3],
                                              std::size_t (&off)[3][S + 4]) {
    const long n = geo.n;
    for (int d = 0; d < 3; ++d)
      for (int t = 0; t < S + 4; ++t) {
        long i = f[d] - 2 + t;
        i += i < 0 ? n : 0;
        i -= i >= n ? n : 0;
        i += i < 0 ? n : 0;
        i -= i >= n ? n : 0;
        off[d][t] = static_cast<std::size_t>(i) * geo.stride[d];
      }
  }

  /// fd4_gradient_at for a double mesh: node offsets through the periodic wrap, then the
  /// scalar sums.
  template <int S>
  LAGFRAME_INLINE void fd4_gradient_wrapped(const fd4_geometry& geo, const Real* const phi, const long (&f)[3],
                                            const double (&w)[3][S], double (&g)[3]) const {
    constexpr int T = S + 4;
    const long n = geo.n;
    double c[3][T];  // weights convolved with the derivative stencil, per axis
    for (int d = 0; d < 3; ++d) {
      for (int t = 0; t < T; ++t) c[d][t] = 0.0;
      // d/dx at node f+s uses taps s … s + 4 with the coefficients of detail::fd4_tap_coefficient.
      for (int s = 0; s < S; ++s) {
        const double ws = w[d][s] * geo.inv_12dx;
        for (int o = 0; o < 5; ++o) c[d][s + o] += static_cast<double>(detail::fd4_tap_coefficient(o)) * ws;
      }
    }
    std::size_t off[3][T];  // offsets of the wrapped nodes first−2 … first+S+1 (x, y: rows; z: elements)
    fd4_tap_offsets<S>(geo, f, off);
    const bool contiguous_z = f[2] >= 2 && f[2] + S + 1 < n;
    if (contiguous_z) {
      fd4_gradient_sums<true>(phi, off, w, c, g);
    } else {
      fd4_gradient_sums<false>(phi, off, w, c, g);
    }
  }

  /// The sums of fd4_gradient_at. By linearity each component filters along its own axis and
  /// weights along the other two. The z-weighted row sums I(a, b) = Σ_e w_z[e] φ(a, b, e) are
  /// formed once over the cross of rows the x and y components need (shared in the S×S centre),
  /// and the z component filters the S×S central rows: (2T − S)·S + S²·T loads per point (CIC:
  /// 64). ContiguousZ: the z taps do not wrap, so they are consecutive elements of each row.
  template <bool ContiguousZ>
  static LAGFRAME_INLINE void fd4_gradient_sums(const Real* const phi,
                                                const std::size_t (&off)[3][Assignment::support + 4],
                                                const double (&w)[3][Assignment::support],
                                                const double (&c)[3][Assignment::support + 4], double (&g)[3]) {
    constexpr int S = Assignment::support;
    constexpr int T = S + 4;
    const std::size_t z0 = off[2][0];
    const auto z_at = [&](const Real* line, int t) -> double {
      if constexpr (ContiguousZ) {
        return static_cast<double>(line[z0 + static_cast<std::size_t>(t)]);
      } else {
        return static_cast<double>(line[off[2][t]]);
      }
    };
    const auto row_sum = [&](const Real* line) {
      double inner = 0;
      for (int e = 0; e < S; ++e) inner += w[2][e] * z_at(line, e + 2);
      return inner;
    };
    double centre[S][S] = {};  // I(a + 2, b + 2)
    double gx = 0, gy = 0, gz = 0;
    // x: filter along x, weights along y and z.
    for (int t = 0; t < T; ++t) {
      double sum = 0;
      for (int b = 0; b < S; ++b) {
        const double inner = row_sum(phi + off[0][t] + off[1][b + 2]);
        if (t >= 2 && t < 2 + S) centre[t - 2][b] = inner;
        sum += w[1][b] * inner;
      }
      gx += c[0][t] * sum;
    }
    // y: filter along y; the central rows' sums are reused.
    for (int a = 0; a < S; ++a) {
      double sum = 0;
      for (int t = 0; t < T; ++t) {
        const double inner = (t >= 2 && t < 2 + S) ? centre[a][t - 2] : row_sum(phi + off[0][a + 2] + off[1][t]);
        sum += c[1][t] * inner;
      }
      gy += w[0][a] * sum;
    }
    // z: filter along z (consecutive in memory).
    for (int a = 0; a < S; ++a) {
      double sum = 0;
      for (int b = 0; b < S; ++b) {
        const Real* line = phi + off[0][a + 2] + off[1][b + 2];
        double inner = 0;
        for (int t = 0; t < T; ++t) inner += c[2][t] * z_at(line, t);
        sum += w[1][b] * inner;
      }
      gz += w[0][a] * sum;
    }
    g[0] = gx;
    g[1] = gy;
    g[2] = gz;
  }

  /// Interlacing, after both forward FFTs: potential_ ← ½[e^{ik·t₀} δ_k^(0) + e^{ik·t₁} δ_k^(1)]
  /// with δ^(m) deposited at x + t_m (t_m = interlace_offset_cells[m]·Δ (1,1,1), t₁ − t₀ = Δ/2).
  /// Node i of mesh m sits at (i + ½)Δ − t_m, so a mode e^{iq·x} appears there with the phase
  /// e^{−iq·t_m}; e^{ik·t_m} realigns the principal image q = k, and an alias q = k + 2πn/Δ keeps
  /// the relative phase e^{−iπ(n_x+n_y+n_z)} between the meshes, so the odd images cancel in the
  /// average. The modes on the Nyquist planes (even N) are set to zero: there the phases are not
  /// ±1, so the average keeps the +k_N and cancels the −k_N image of the same element, which no
  /// real field represents.
  void combine_interlaced() {
    const std::size_t n = opt_.grid_1d;
    const std::size_t nz = potential_.complex_last();
    const bool even = n % 2 == 0;
    const std::size_t nyquist = n / 2;
    auto* const p = potential_.complex_data();
    const auto* const w = work_.complex_data();
    const std::complex<double>* const e0 = phase_[0].data();
    const std::complex<double>* const e1 = phase_[1].data();
    const auto rows = static_cast<std::ptrdiff_t>(n * n);
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t r = 0; r < rows; ++r) {
      const auto i = static_cast<std::size_t>(r) / n;
      const auto j = static_cast<std::size_t>(r) % n;
      auto* const pr = p + static_cast<std::size_t>(r) * nz;
      const auto* const wr = w + static_cast<std::size_t>(r) * nz;
      if (even && (i == nyquist || j == nyquist)) {
        for (std::size_t k = 0; k < nz; ++k) pr[k] = 0;
        continue;
      }
      const std::complex<double> a = 0.5 * e0[i] * e0[j];
      const std::complex<double> b = 0.5 * e1[i] * e1[j];
      for (std::size_t k = 0; k < nz; ++k) {
        const std::complex<double> v =
            a * e0[k] * std::complex<double>(pr[k]) + b * e1[k] * std::complex<double>(wr[k]);
        pr[k] = std::complex<Real>(v);
      }
      if (even) pr[nyquist] = 0;
    }
  }

  /// For every Fourier element: v = φ_k e^{−ik·t_m} (the modes of φ on the nodes of mesh m,
  /// (i + ½)Δ − t_m; φ_k in potential_), then store(i, j, k, v, dst element). dst may be
  /// potential_ itself.
  template <class Store>
  void shifted_potential_modes(int m, real_field<Real>& dst, const Store& store) {
    const std::size_t n = opt_.grid_1d;
    const std::size_t nz = potential_.complex_last();
    const auto* const p = potential_.complex_data();
    auto* const w = dst.complex_data();
    const std::complex<double>* const e = phase_[m].data();
    const auto rows = static_cast<std::ptrdiff_t>(n * n);
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t r = 0; r < rows; ++r) {
      const auto i = static_cast<std::size_t>(r) / n;
      const auto j = static_cast<std::size_t>(r) % n;
      const std::complex<double> eij = std::conj(e[i] * e[j]);
      const auto* const pr = p + static_cast<std::size_t>(r) * nz;
      auto* const wr = w + static_cast<std::size_t>(r) * nz;
      for (std::size_t k = 0; k < nz; ++k) store(i, j, k, std::complex<double>(pr[k]) * eij * std::conj(e[k]), wr[k]);
    }
  }

  /// dst ← φ_k e^{−ik·t_m}: φ on the nodes of mesh m.
  void mesh_modes(int m, real_field<Real>& dst) {
    shifted_potential_modes(m, dst, [](std::size_t, std::size_t, std::size_t, std::complex<double> v,
                                       std::complex<Real>& out) { out = std::complex<Real>(v); });
  }

  /// work_ ← modes of −∂φ/∂x_axis = −i g φ_k on the nodes of mesh m (times e^{−ik·t_m}).
  void shifted_gradient_component(int axis, int m) {
    const Real* grad = kernels_.grad.data();
    shifted_potential_modes(m, work_, [grad, axis](std::size_t i, std::size_t j, std::size_t k, std::complex<double> v,
                                                   std::complex<Real>& out) {
      const double g = axis == 0 ? grad[i] : axis == 1 ? grad[j] : grad[k];
      out = std::complex<Real>(static_cast<Real>(g * v.imag()), static_cast<Real>(-g * v.real()));  // −i g v
    });
  }

  /// For every probe p: sink(p, Σ_nodes W(node − (x_p + t_m)) f(node)), f a real-space mesh:
  /// the interpolation from mesh m (the adjoint of its deposit). Scalar stencils; OpenMP static
  /// over probes (results independent of the thread count). Throws config_error, after the
  /// loop, for a probe outside [−L, 2L) or not finite.
  template <class Sink>
  void gather_shifted(const real_field<Real>& f, std::span<const vec3<Real>> probes, int m, Sink sink) const {
    constexpr int S = Assignment::support;
    const auto n = static_cast<long>(opt_.grid_1d);
    const double side = box_.side_mpc_h;
    const double inv_dx = static_cast<double>(n) / side;
    const double t = interlace_offset_cells[m] * side / static_cast<double>(n);
    const Real* const data = f.data();
    const std::size_t row = f.padded_last();
    const auto count = static_cast<std::ptrdiff_t>(probes.size());
    bool bad_position = false;
#pragma omp parallel for schedule(static) reduction(|| : bad_position)
    for (std::ptrdiff_t p = 0; p < count; ++p) {
      double w[3][S];
      std::size_t idx[3][S];
      for (int d = 0; d < 3; ++d) {
        double x = static_cast<double>(probes[static_cast<std::size_t>(p)][d]);
        if (!(x >= -side && x < 2.0 * side)) {
          bad_position = true;
          x = 0.0;
        }
        const double u = (x + t) * inv_dx;
        const double first = Assignment::first_node(u);
        Assignment::weights(u, first, w[d]);
        long i0 = static_cast<long>(first) % n;
        i0 += i0 < 0 ? n : 0;
        for (int s = 0; s < S; ++s) idx[d][s] = static_cast<std::size_t>((i0 + s) % n);
      }
      double value = 0;
      for (int a = 0; a < S; ++a)
        for (int b = 0; b < S; ++b) {
          const Real* line = data + (idx[0][a] * static_cast<std::size_t>(n) + idx[1][b]) * row;
          double inner = 0;
          for (int e = 0; e < S; ++e) inner += w[2][e] * static_cast<double>(line[idx[2][e]]);
          value += w[0][a] * w[1][b] * inner;
        }
      sink(static_cast<std::size_t>(p), value);
    }
    if (bad_position) {
      throw_bad_probe_position();
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

  /// Interlacing: the particle shifts t_m = interlace_offset_cells[m]·Δ (1,1,1) of the two
  /// meshes (differing by Δ/2). ±Δ/4 rather than 0 and Δ/2: lattice particles (at cell faces,
  /// mesh/concepts.hpp) then sit a quarter cell from the nodes of both meshes, away from the
  /// kink of the CIC weights at a node, as without interlacing (a lattice on the nodes of one
  /// mesh responds one-sidedly to small displacements: several % force errors for cold waves).
  static constexpr double interlace_offset_cells[2] = {-0.25, 0.25};

  box box_;
  pm_options opt_;
  real_field<Real> potential_;
  real_field<Real> work_;
  fft::r2c_plan<Real> plan_;
  detail::axis_kernels<Real> kernels_;
  std::vector<Real> optimal_;  ///< Γ(k) of greens_function::optimal, half-complex layout (else empty)
  std::vector<std::complex<double>> phase_[2];  ///< e^{+ik_i t_m} per axis index and mesh (interlacing only)
  typename Source::template depositor<Assignment, Real> source_;
  phase_times times_;              ///< time per phase, summed over the Poisson solves
  detail::phase_stopwatch watch_;  ///< laps of the current solve
};

}  // namespace lagframe::force
