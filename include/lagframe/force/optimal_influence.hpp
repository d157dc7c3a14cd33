// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file optimal_influence.hpp
/// Hockney & Eastwood's optimal influence function (Computer Simulation Using Particles, 1988,
/// §8-2, eq. 8-22) for a PM force with assignment window U, gradient operator D̂ = i g(k) and a
/// reference force R̂(k) = i k Ŝ²(k)/k² (Newtonian between S2 clouds of diameter a; exactly
/// Newtonian beyond r = a; docs/physics.md §6.3):
///
///   Γ(k) = Σ_n Û²(k_n) [g(k)·k_n] Ŝ²(k_n)/|k_n|²  /  ( |g(k)|² [Σ_n Û²(k_n)]² ),
///   k_n = k + 2π n/Δ,  Û(k) = Π_i sinc(k_iΔ/2)^p,  Ŝ(k) = 12 (2 − 2cos κ − κ sin κ)/κ⁴, κ = ka/2.
///
/// The solver then uses φ_k = −Γ(k) δ_k (Γ ≈ 1/k² at small k). It minimises the force error
/// averaged over particle positions against the reference, so it accounts for the aliasing that
/// a plain W⁻² deconvolution amplifies. The alias sums run over n ∈ [−2, 2]³ (Û² falls as
/// k^{−2p}); the denominator sum is separable and exact per axis up to the same range.
///
/// Interlaced (particle_mesh with pm_options.interlace): the averaged deposit and interpolation
/// on the two meshes offset by Δ/2 (1,1,1) have the window Û(k_n)·[n_x + n_y + n_z even], so
/// both sums run over the even images only; the denominator's sum is then
/// ½[Π_i Σ_n Û²(k_{i,n}) + Π_i Σ_n (−1)^n Û²(k_{i,n})] (per-axis sums again).

#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"

namespace lagframe::force::detail {

/// Fourier transform of the S2 shape (a sphere of diameter a with linearly falling density).
inline double s2_shape(double k, double diameter) {
  const double x = 0.5 * k * diameter;
  // Below x = 0.1 the closed form loses digits to cancellation; its Taylor series does not.
  if (x < 0.1) {
    const double x2 = x * x;
    return 1.0 - x2 / 15.0 + x2 * x2 / 560.0 - x2 * x2 * x2 / 37800.0;
  }
  return 12.0 * (2.0 - 2.0 * std::cos(x) - x * std::sin(x)) / (x * x * x * x);
}

/// Γ on the half-complex layout of an N³ mesh (index (i·N + j)·(N/2+1) + l), for the gradient
/// multipliers `grad` (per axis, as in axis_kernels), window order p and S2 diameter a (Mpc/h).
template <class Real>
std::vector<Real> optimal_influence(std::size_t n, double side, const std::vector<Real>& grad, int order,
                                    double diameter, bool interlaced = false) {
  require(diameter > 0.0 && std::isfinite(diameter), "optimal influence S2 diameter", diameter,
          "a positive length in Mpc/h");
  constexpr int alias = 2;
  const double dx = side / static_cast<double>(n);
  const double kf = 2.0 * std::numbers::pi / side;
  const double kg = 2.0 * std::numbers::pi / dx;  // alias spacing
  const std::size_t nz = n / 2 + 1;
  auto window2 = [&](double k) {  // 1D Û²
    const double x = 0.5 * k * dx;
    const double s = x == 0.0 ? 1.0 : std::sin(x) / x;
    return std::pow(s, 2 * order);
  };
  // Per-axis alias sums of Û² (the denominator is their product).
  std::vector<double> sum_axis(n), alternating_axis(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double k = kf * static_cast<double>(wavenumber_index(i, n));
    double total = 0, alternating = 0;
    for (int m = -alias; m <= alias; ++m) {
      total += window2(k + kg * m);
      alternating += (m % 2 == 0 ? 1.0 : -1.0) * window2(k + kg * m);
    }
    sum_axis[i] = total;
    alternating_axis[i] = alternating;
  }
  std::vector<Real> gamma(n * n * nz, Real(0));
#pragma omp parallel for schedule(static)
  for (std::size_t i = 0; i < n; ++i) {
    const double kx = kf * static_cast<double>(wavenumber_index(i, n));
    for (std::size_t j = 0; j < n; ++j) {
      const double ky = kf * static_cast<double>(wavenumber_index(j, n));
      for (std::size_t l = 0; l < nz; ++l) {
        const double kz = kf * static_cast<double>(l);
        const double gx = grad[i], gy = grad[j], gz = grad[l];
        const double g2 = gx * gx + gy * gy + gz * gz;
        if (g2 == 0.0) continue;  // no gradient: the mode exerts no force
        double numerator = 0;
        for (int a = -alias; a <= alias; ++a) {
          const double qx = kx + kg * a, ux = window2(qx);
          for (int b = -alias; b <= alias; ++b) {
            const double qy = ky + kg * b, uxy = ux * window2(qy);
            for (int c = -alias; c <= alias; ++c) {
              if (interlaced && (a + b + c) % 2 != 0) continue;  // odd images cancel
              const double qz = kz + kg * c;
              const double q2 = qx * qx + qy * qy + qz * qz;
              if (q2 == 0.0) continue;
              const double s = s2_shape(std::sqrt(q2), diameter);
              numerator += uxy * window2(qz) * (gx * qx + gy * qy + gz * qz) * s * s / q2;
            }
          }
        }
        const double window_sum =
            interlaced ? 0.5 * (sum_axis[i] * sum_axis[j] * sum_axis[l] +
                                alternating_axis[i] * alternating_axis[j] * alternating_axis[l])
                       : sum_axis[i] * sum_axis[j] * sum_axis[l];
        const double denominator = g2 * std::pow(window_sum, 2);
        gamma[(i * n + j) * nz + l] = static_cast<Real>(numerator / denominator);
      }
    }
  }
  return gamma;
}

}  // namespace lagframe::force::detail
