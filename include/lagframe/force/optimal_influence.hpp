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

#include <array>
#include <cmath>
#include <cstddef>
#include <utility>
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
/// multipliers `grad` (per axis, as in axis_kernels), window order p and S2 diameter a (Mpc/h):
/// the alias sums evaluated element by element. The reference for optimal_influence (below),
/// which computes the same values 100–1000× faster.
template <class Real>
std::vector<Real> optimal_influence_direct(std::size_t n, double side, const std::vector<Real>& grad, int order,
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

/// Γ as optimal_influence_direct, the same values to rounding (1e-12 relative, tested), fast:
///   - symmetry: Γ depends on |k_x|, |k_y|, |k_z| and is symmetric under their permutations
///     (the windows are even, the gradient multipliers odd, the alias range symmetric), so it is
///     computed once per triple 0 ≤ s₀ ≤ s₁ ≤ s₂ ≤ N/2 of |wavenumber indices| (N³/48 of the
///     elements) and written to every element it stands for;
///   - separable windows: Û² of each axis and alias, tabulated per |index|;
///   - the S2 factor Ŝ²(q)/q² depends on q² = k_f² m with the integer m = Σ_i (s_i + N n_i)²,
///     tabulated over m (up to 3 (5N/2)²) for N ≤ table_limit (512: at most 39 MB); computed
///     per term above.
/// Measured (one thread): 0.03 s at 128³ (the direct sums: 16 s), 0.2 s at 256³ (direct 180 s).
template <class Real>
std::vector<Real> optimal_influence(std::size_t n, double side, const std::vector<Real>& grad, int order,
                                    double diameter, bool interlaced = false, std::size_t table_limit = 512) {
  require(diameter > 0.0 && std::isfinite(diameter), "optimal influence S2 diameter", diameter,
          "a positive length in Mpc/h");
  constexpr int alias = 2;
  constexpr int terms = 2 * alias + 1;
  const double dx = side / static_cast<double>(n);
  const double kf = 2.0 * std::numbers::pi / side;
  const double kg = 2.0 * std::numbers::pi / dx;
  const std::size_t nz = n / 2 + 1;
  const auto smax = static_cast<long>(n / 2);
  const auto size = static_cast<std::size_t>(smax + 1);
  // Per |index| s: the alias windows Û²(k + k_g a), their sums, and the gradient multiplier of +s.
  std::vector<double> window(size * terms), sum_axis(size), alternating_axis(size), g_of(size), k_of(size);
  for (std::size_t s = 0; s < size; ++s) {
    const double k = kf * static_cast<double>(s);
    k_of[s] = k;
    g_of[s] = static_cast<double>(grad[s]);
    double total = 0, alternating = 0;
    for (int a = -alias; a <= alias; ++a) {
      const double x = 0.5 * (k + kg * a) * dx;
      const double sinc = x == 0.0 ? 1.0 : std::sin(x) / x;
      const double w = std::pow(sinc, 2 * order);
      window[s * terms + static_cast<std::size_t>(a + alias)] = w;
      total += w;
      alternating += (a % 2 == 0 ? 1.0 : -1.0) * w;
    }
    sum_axis[s] = total;
    alternating_axis[s] = alternating;
  }
  // Ŝ²(q)/q² over the integer m = q²/k_f², when the table is small enough.
  const long nl = static_cast<long>(n);
  const long reach = smax + alias * nl;
  const std::size_t m_max = static_cast<std::size_t>(3 * reach * reach);
  std::vector<double> s2_over_q2;
  if (n <= table_limit) {
    s2_over_q2.resize(m_max + 1, 0.0);
#pragma omp parallel for schedule(static)
    for (std::size_t m = 1; m <= m_max; ++m) {
      const double q2 = kf * kf * static_cast<double>(m);
      const double sh = s2_shape(std::sqrt(q2), diameter);
      s2_over_q2[m] = sh * sh / q2;
    }
  }
  // The sorted triples s0 ≤ s1 ≤ s2, enumerated by (s0, s1) rows.
  std::vector<std::pair<long, long>> rows;
  for (long s0 = 0; s0 <= smax; ++s0)
    for (long s1 = s0; s1 <= smax; ++s1) rows.emplace_back(s0, s1);
  std::vector<Real> gamma(n * n * nz, Real(0));
  const auto index_of = [nl](long s) { return std::array<long, 2>{s, s == 0 || 2 * s == nl ? s : nl - s}; };
#pragma omp parallel for schedule(dynamic, 8)
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const long s0 = rows[r].first, s1 = rows[r].second;
    for (long s2 = s1; s2 <= smax; ++s2) {
      const long sv[3] = {s0, s1, s2};
      const double g[3] = {g_of[static_cast<std::size_t>(s0)], g_of[static_cast<std::size_t>(s1)],
                           g_of[static_cast<std::size_t>(s2)]};
      const double g2 = g[0] * g[0] + g[1] * g[1] + g[2] * g[2];
      if (g2 == 0.0) continue;  // no gradient: the mode exerts no force
      const double* w0 = &window[static_cast<std::size_t>(s0) * terms];
      const double* w1 = &window[static_cast<std::size_t>(s1) * terms];
      const double* w2 = &window[static_cast<std::size_t>(s2) * terms];
      double numerator = 0;
      for (int a = -alias; a <= alias; ++a) {
        const long ix = s0 + nl * a;
        const double qx = k_of[static_cast<std::size_t>(s0)] + kg * a, ux = w0[a + alias];
        for (int b = -alias; b <= alias; ++b) {
          const long iy = s1 + nl * b;
          const double qy = k_of[static_cast<std::size_t>(s1)] + kg * b, uxy = ux * w1[b + alias];
          for (int c = -alias; c <= alias; ++c) {
            if (interlaced && (a + b + c) % 2 != 0) continue;  // odd images cancel
            const long iz = s2 + nl * c;
            const auto m = static_cast<std::size_t>(ix * ix + iy * iy + iz * iz);
            if (m == 0) continue;
            const double qz = k_of[static_cast<std::size_t>(s2)] + kg * c;
            double factor;
            if (!s2_over_q2.empty()) {
              factor = s2_over_q2[m];
            } else {
              const double q2 = qx * qx + qy * qy + qz * qz;
              const double sh = s2_shape(std::sqrt(q2), diameter);
              factor = sh * sh / q2;
            }
            numerator += uxy * w2[c + alias] * (g[0] * qx + g[1] * qy + g[2] * qz) * factor;
          }
        }
      }
      const std::size_t u0 = static_cast<std::size_t>(s0), u1 = static_cast<std::size_t>(s1), u2 = static_cast<std::size_t>(s2);
      const double window_sum = interlaced ? 0.5 * (sum_axis[u0] * sum_axis[u1] * sum_axis[u2] +
                                                    alternating_axis[u0] * alternating_axis[u1] * alternating_axis[u2])
                                           : sum_axis[u0] * sum_axis[u1] * sum_axis[u2];
      const auto value = static_cast<Real>(numerator / (g2 * window_sum * window_sum));
      // Every element whose |indices| are a permutation of (s0, s1, s2), z in the half range.
      static constexpr int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
      for (const auto& p : perms) {
        const long sx = sv[p[0]], sy = sv[p[1]], l = sv[p[2]];
        for (const long i : index_of(sx))
          for (const long j : index_of(sy))
            gamma[(static_cast<std::size_t>(i) * n + static_cast<std::size_t>(j)) * nz + static_cast<std::size_t>(l)] = value;
      }
    }
  }
  return gamma;
}

}  // namespace lagframe::force::detail
