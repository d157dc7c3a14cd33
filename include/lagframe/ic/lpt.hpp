// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file lpt.hpp
/// First- and second-order Lagrangian perturbation theory displacement fields at unit growth on
/// the particle grid (docs/physics.md §4.3; Zel'dovich 1970; Scoccimarro 1998; Bouchet et al. 1995):
///
///     φ1 = ∇⁻²δ0,                  ψ1 = −∇φ1,   ψ̂1(k) = i k/k² δ̂0(k),   ∇·ψ1 = −δ0,
///     ∇²φ2 = Σ_{i>j} [φ1,ii φ1,jj − (φ1,ij)²],   ψ2 = +∇φ2,
///     Ψ(q, a) = D1(a) ψ1(q) + D2(a) ψ2(q),   D2 < 0 (≈ −3/7 D1²).
///
/// All derivatives are spectral (exact −k² Laplacian, i k gradient) on the N³ particle grid.
///
/// Nyquist treatment (N even; an odd N has no Nyquist index):
///   * first derivatives (ψ1 and ψ2 components): the Nyquist element along the derivative axis is
///     set to zero (docs/physics.md §1.3): i k_N is not Hermitian on that plane. Consequently
///     ∇·ψ1 = −δ0 holds exactly for the part of δ0 with no Nyquist index; a δ0 mode with
///     k_x = k_Ny contributes nothing to ψ1,x (but does to ψ1,y and ψ1,z).
///   * second derivatives of φ1: diagonal φ,ii keep the Nyquist elements (the factor k_i² is
///     even); off-diagonal φ,ij are zero where index i or index j is Nyquist (product of two odd
///     derivatives, as pmwd does for LPT strains).
///   * the 2LPT source is a product evaluated on the N³ grid without 3/2 dealiasing padding;
///     its k = 0 mode is dropped (periodic Poisson equation).
///
/// Memory: the result (6 N³ Real) plus three N³ real_field work grids (one for order 1).
/// Cost: 3 inverse FFTs for order 1, 13 FFTs for order 2 (FFTW_ESTIMATE plans).
/// Threads: OpenMP loops are elementwise and FFTW_ESTIMATE threaded plans split independent
/// loops, so the output does not depend on the thread count. Do not call inside a parallel region.

#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <numbers>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/ic/gaussian_field.hpp"

namespace lagframe::ic {

/// LPT displacement fields at unit growth on the Lagrangian grid, indexed by particle id
/// (ix·N + iy)·N + iz (core/box.hpp). Units Mpc/h.
template <class Real>
struct lpt_fields {
  box grid;                          ///< the Lagrangian grid they were computed on
  int order = 2;                     ///< 1 or 2
  std::vector<vec3<Real>> psi1;      ///< ψ1 at D1 = 1 (Zel'dovich), N³ entries
  std::vector<vec3<Real>> psi2;      ///< ψ2 (multiplied by D2 < 0), N³ entries; all zero if order 1

  /// Ψ = D1 ψ1 + D2 ψ2 of particle `id` (pass D2 with its sign, i.e. negative).
  [[nodiscard]] vec3<Real> displacement(std::size_t id, double d1, double d2) const {
    const auto& a = psi1[id];
    const auto& b = psi2[id];
    return {static_cast<Real>(d1 * a[0] + d2 * b[0]), static_cast<Real>(d1 * a[1] + d2 * b[1]),
            static_cast<Real>(d1 * a[2] + d2 * b[2])};
  }
};

namespace detail {

/// out(k) = in(k) · kernel(m_x, m_y, m_z, i, j, k) for every Fourier element, where m are the
/// signed integer wavenumbers and (i, j, k) the storage indices. kernel returns complex<double>.
template <class Real, class Kernel>
void multiply_modes(const real_field<Real>& in, real_field<Real>& out, const Kernel& kernel) {
  const std::size_t n = in.size_1d();
  const std::size_t nk = in.complex_last();
  using complex_type = std::complex<Real>;
#pragma omp parallel for collapse(2) schedule(static)
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const complex_type* src = &in.mode(i, j, 0);
      complex_type* dst = &out.mode(i, j, 0);
      for (std::size_t k = 0; k < nk; ++k) {
        const std::complex<double> f = kernel(std::array<std::size_t, 3>{i, j, k});
        const std::complex<double> v =
            f * std::complex<double>(static_cast<double>(src[k].real()),
                                     static_cast<double>(src[k].imag()));
        dst[k] = complex_type(static_cast<Real>(v.real()), static_cast<Real>(v.imag()));
      }
    }
  }
}

/// psi[id][component] = grid(i, j, k) for every node.
template <class Real>
void scatter_component(const real_field<Real>& grid, std::vector<vec3<Real>>& psi,
                       std::size_t component) {
  const std::size_t n = grid.size_1d();
#pragma omp parallel for collapse(2) schedule(static)
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const Real* row = grid.data() + grid.index(i, j, 0);
      vec3<Real>* out = psi.data() + (i * n + j) * n;
      for (std::size_t k = 0; k < n; ++k) out[k][component] = row[k];
    }
  }
}

/// Applies `op(a, b, s)` to every real-space node of the three grids (padding excluded).
template <class Real, class Op>
void combine_nodes(real_field<Real>& a, real_field<Real>& b, real_field<Real>& s, const Op& op) {
  const std::size_t n = a.size_1d();
#pragma omp parallel for collapse(2) schedule(static)
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t base = a.index(i, j, 0);
      Real* ra = a.data() + base;
      Real* rb = b.data() + base;
      Real* rs = s.data() + base;
      for (std::size_t k = 0; k < n; ++k) op(ra[k], rb[k], rs[k]);
    }
  }
}

/// The Fourier kernels of LPT on an n³ grid of side L (one place for the serial and the MPI
/// generators), unnormalised FFT convention (the 1/N³ of the inverse transform included).
struct lpt_kernels {
  std::size_t n = 0;
  double k_f = 0;        ///< 2π/L
  double inv_cells = 0;  ///< 1/N³

  [[nodiscard]] std::array<double, 3> wavevector(const std::array<std::size_t, 3>& s) const {
    return {k_f * static_cast<double>(wavenumber_index(s[0], n)), k_f * static_cast<double>(wavenumber_index(s[1], n)),
            k_f * static_cast<double>(wavenumber_index(s[2], n))};
  }
  /// sign · i k_c / k² / N³, the Nyquist element along c zeroed: with sign +1 applied to δ0 it
  /// gives ψ1,c; with sign −1 applied to the 2LPT source Ŝ it gives ψ2,c (φ̂2 = −Ŝ/k², ψ2 = ∇φ2).
  [[nodiscard]] std::complex<double> gradient_inverse_laplacian(const std::array<std::size_t, 3>& s, std::size_t c,
                                                                double sign) const {
    const auto kv = wavevector(s);
    const double k2 = kv[0] * kv[0] + kv[1] * kv[1] + kv[2] * kv[2];
    if (k2 == 0.0 || is_nyquist(s[c], n)) return {0.0, 0.0};
    return {0.0, sign * kv[c] / k2 * inv_cells};
  }
  /// k_a k_c / k² / N³ (φ1,ac from δ0), off-diagonal Nyquist elements zeroed.
  [[nodiscard]] std::complex<double> hessian(const std::array<std::size_t, 3>& s, std::size_t a, std::size_t c) const {
    const auto kv = wavevector(s);
    const double k2 = kv[0] * kv[0] + kv[1] * kv[1] + kv[2] * kv[2];
    if (k2 == 0.0) return {0.0, 0.0};
    if (a != c && (is_nyquist(s[a], n) || is_nyquist(s[c], n))) return {0.0, 0.0};
    return {kv[a] * kv[c] / k2 * inv_cells, 0.0};
  }
};

/// Throws numerical_error naming the first Fourier element with a non-finite component.
template <class Real>
void require_finite_modes(const real_field<Real>& modes) {
  const std::size_t n = modes.size_1d();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < modes.complex_last(); ++k) {
        const auto v = modes.mode(i, j, k);
        if (!std::isfinite(v.real()) || !std::isfinite(v.imag())) {
          throw numerical_error(lagframe::detail::concat(
              "lagframe: lpt_displacements: delta_modes has a non-finite mode (", v.real(), ", ",
              v.imag(), ") at Fourier element (", i, ", ", j, ", ", k, ")"));
        }
      }
}

}  // namespace detail

/// ψ1 (and ψ2 for order 2) from δ0 given in Fourier space in the unnormalised FFT convention of
/// linear_density_modes (δ0(x) = backward(delta_modes)/N³). The k = 0 mode of delta_modes is
/// ignored. See the file comment for the Nyquist treatment.
/// Throws config_error if delta_modes is not b.particles_1d³ over side b.side_mpc_h or order is
/// not 1 or 2; numerical_error if delta_modes holds NaN/inf.
template <class Real>
[[nodiscard]] lpt_fields<Real> lpt_displacements(const box& b, const real_field<Real>& delta_modes,
                                                 int order) {
  b.validate();
  require(order == 1 || order == 2, "LPT order", order, "1 or 2");
  if (delta_modes.size_1d() != b.particles_1d) {
    throw config_error(lagframe::detail::concat(
        "lagframe: lpt_displacements: delta_modes is a ", delta_modes.size_1d(),
        "^3 grid but box.particles_1d = ", b.particles_1d, " (they must be equal)"));
  }
  if (std::abs(delta_modes.side() - b.side_mpc_h) > 1e-12 * b.side_mpc_h) {
    throw config_error(lagframe::detail::concat(
        "lagframe: lpt_displacements: delta_modes covers a box of side ", delta_modes.side(),
        " Mpc/h but box.side_mpc_h = ", b.side_mpc_h, " (they must be equal)"));
  }
  detail::require_finite_modes(delta_modes);

  const std::size_t n = b.particles_1d;
  using idx3 = std::array<std::size_t, 3>;
  const detail::lpt_kernels kernels{n, 2.0 * std::numbers::pi / b.side_mpc_h,
                                    1.0 / static_cast<double>(b.particle_count())};
  const auto gradient_inverse_laplacian = [&kernels](std::size_t c, double sign) {
    return [&kernels, c, sign](const idx3& s) { return kernels.gradient_inverse_laplacian(s, c, sign); };
  };
  const auto hessian = [&kernels](std::size_t a, std::size_t c) {
    return [&kernels, a, c](const idx3& s) { return kernels.hessian(s, a, c); };
  };

  lpt_fields<Real> out;
  out.grid = b;
  out.order = order;
  out.psi1.assign(b.particle_count(), vec3<Real>{Real(0), Real(0), Real(0)});
  out.psi2.assign(b.particle_count(), vec3<Real>{Real(0), Real(0), Real(0)});

  const fft::r2c_plan<Real> plan(n, fft::planning::estimate);
  real_field<Real> work_a(n, b.side_mpc_h);
  for (std::size_t c = 0; c < 3; ++c) {
    detail::multiply_modes(delta_modes, work_a, gradient_inverse_laplacian(c, 1.0));
    plan.backward(work_a);
    detail::scatter_component(work_a, out.psi1, c);
  }
  if (order == 1) return out;

  real_field<Real> work_b(n, b.side_mpc_h);
  real_field<Real> source(n, b.side_mpc_h);
  const auto real_space_hessian = [&](std::size_t a, std::size_t c, real_field<Real>& dst) {
    detail::multiply_modes(delta_modes, dst, hessian(a, c));
    plan.backward(dst);
  };
  // S = φxx φyy + (φxx + φyy) φzz − φxy² − φxz² − φyz², with two work grids.
  real_space_hessian(0, 0, work_a);
  real_space_hessian(1, 1, work_b);
  detail::combine_nodes(work_a, work_b, source, [](Real& xx, Real& yy, Real& s) {
    s = xx * yy;
    xx += yy;
  });
  real_space_hessian(2, 2, work_b);
  detail::combine_nodes(work_a, work_b, source,
                        [](Real& sum, Real& zz, Real& s) { s += sum * zz; });
  for (const auto& [a, c] : {std::array<std::size_t, 2>{0, 1}, std::array<std::size_t, 2>{0, 2},
                             std::array<std::size_t, 2>{1, 2}}) {
    real_space_hessian(a, c, work_a);
    detail::combine_nodes(work_a, work_b, source,
                          [](Real& off, Real& /*unused*/, Real& s) { s -= off * off; });
  }
  plan.forward(source);
  // ψ2 = ∇φ2, φ̂2 = −Ŝ/k²  ⇒  ψ̂2,c = −i k_c Ŝ / k².
  for (std::size_t c = 0; c < 3; ++c) {
    detail::multiply_modes(source, work_a, gradient_inverse_laplacian(c, -1.0));
    plan.backward(work_a);
    detail::scatter_component(work_a, out.psi2, c);
  }
  return out;
}

}  // namespace lagframe::ic
