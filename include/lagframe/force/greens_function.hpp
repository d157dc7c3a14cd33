// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file greens_function.hpp
/// Fourier-space operators of the particle-mesh solver (docs/physics.md §6.2–6.5), tabulated per
/// axis so that the 3D kernels are sums or products of 1D tables.
///
/// For an N-point periodic axis of spacing Δ = L/N and array index i (signed frequency
/// m = wavenumber_index(i, N), k = 2πm/L, w = kΔ):
///   - Laplacian eigenvalue −λ(k) per axis (∇² → −Σ_axes λ):
///       exact: λ = k²;  finite_difference (7-point stencil): λ = (4/Δ²) sin²(w/2);
///   - gradient ∂ → i g(k):
///       spectral: g = k, zero at the Nyquist index (an odd derivative of a real field has no
///       Nyquist component);  finite_difference_4 (4-point central): g = (8 sin w − sin 2w)/(6Δ),
///       which vanishes at Nyquist by itself;
///   - inverse squared window 1/W²: W = sinc(w/2)^p per axis (p = the assignment order),
///     applied once for the deposit and once for the interpolation (Hockney & Eastwood 1988,
///     §7-6; Gadget-4 `pm_periodic.cc` uses the same sinc⁻⁴ for CIC);
///   - the long-range filter of a Gaussian force split, e^{−k² r_s²} = Π_axes e^{−k_i² r_s²}
///     (force/p3m.hpp; 1 when there is no split), folded into the same per-axis table as 1/W².

#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

#include "lagframe/core/field.hpp"

namespace lagframe::force {

/// The inverse Laplacian of the Poisson solve: −1/k², the inverse 7-point discrete Laplacian, or
/// Hockney & Eastwood's optimal influence function (optimal_influence.hpp), which minimises the
/// mean-square force error against an S2-softened Newtonian reference for the chosen
/// assignment and gradient and so replaces both 1/k² and the window deconvolution.
enum class greens_function { exact, finite_difference, optimal };
/// The gradient of the potential: spectral i k or the 4-point finite difference.
enum class gradient { spectral, finite_difference_4 };

namespace detail {

/// sin(x)/x, continuous at 0.
inline double sinc(double x) { return x == 0.0 ? 1.0 : std::sin(x) / x; }

/// The 1D tables of one axis, indexed by FFT array index, stored in the solver's Real type.
template <class Real>
struct axis_kernels {
  std::vector<Real> laplace;  ///< λ(k) ≥ 0 (per-axis part of −∇²)
  std::vector<Real> grad;     ///< g(k): ∂ → i g
  std::vector<Real> deconv2;  ///< 1/W_1D(k)² (1 where deconvolution is off) × e^{−k² r_s²}

  axis_kernels(std::size_t n, double side, greens_function greens, gradient grad_kind,
               int window_order, bool deconvolve, double split_mpc_h = 0.0)
      : laplace(n), grad(n), deconv2(n) {
    const double dx = side / static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double k = 2.0 * std::numbers::pi * static_cast<double>(wavenumber_index(i, n)) / side;
      const double w = k * dx;
      const bool nyquist = (n % 2 == 0) && (i == n / 2);
      const double s = std::sin(0.5 * w);
      laplace[i] = static_cast<Real>(greens == greens_function::finite_difference ? 4.0 / (dx * dx) * s * s : k * k);
      double g = grad_kind == gradient::spectral ? k : (8.0 * std::sin(w) - std::sin(2.0 * w)) / (6.0 * dx);
      if (nyquist) g = 0.0;
      grad[i] = static_cast<Real>(g);
      const double filter = std::exp(-k * k * split_mpc_h * split_mpc_h);
      deconv2[i] = static_cast<Real>((deconvolve ? std::pow(sinc(0.5 * w), -2.0 * window_order) : 1.0) * filter);
    }
  }
};

}  // namespace detail

}  // namespace lagframe::force
