// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// Ewald-summed periodic gravitational accelerations, double precision, for force-accuracy tests
// (Hernquist, Bouchet & Suto 1991, eqs. 2.13–2.14). Point masses with G m = 1 each in a cube of
// side L with a uniform neutralising background (the k = 0 mode removed, as in the code-unit
// Poisson equation ∇²φ = δ). For particle i, with r = x_j − x_i + nL:
//   a_i = Σ_j Σ_n (r/r³)[erfc(α r) + (2α r/√π) e^{−α² r²}]
//         + (4π/V) Σ_{k≠0} (k/k²) e^{−k²/4α²} Im[e^{−ik·x_i} Σ_j e^{ik·x_j}].
// With αL = 8 the real-space terms beyond L/2 are below 1e-6 of their Newtonian force (only the
// nearest image within L/2 is summed) and the k-space sum is cut at |h_i| ≤ 11, k = 2πh/L
// (e^{−k²/4α²} < 1e-7 beyond). Multiply by the code units' coupling 1/(4π n̄) for lagframe's
// accelerations.

#include <cmath>
#include <complex>
#include <cstddef>
#include <numbers>
#include <vector>

#include "lagframe/core/vec3.hpp"

namespace lagframe::test {

/// Ewald accelerations (G m = 1 per particle) of every particle; alpha_l = αL.
template <class Real>
std::vector<vec3<double>> ewald_accelerations(const std::vector<vec3<Real>>& x, double side, double alpha_l = 8.0,
                                              int k_max = 11) {
  const std::size_t n = x.size();
  const double alpha = alpha_l / side;
  const double volume = side * side * side;
  const double pi = std::numbers::pi;
  std::vector<vec3<double>> acc(n, vec3<double>{0, 0, 0});
  const double half = 0.5 * side;
  // Real space: nearest image within L/2.
#pragma omp parallel for schedule(dynamic, 16)
  for (std::size_t i = 0; i < n; ++i) {
    vec3<double> a{0, 0, 0};
    for (std::size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      vec3<double> r;
      for (int d = 0; d < 3; ++d) {
        r[d] = static_cast<double>(x[j][d]) - static_cast<double>(x[i][d]);
        r[d] -= side * std::round(r[d] / side);
      }
      const double d2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
      if (d2 == 0.0 || d2 >= half * half) continue;
      const double d = std::sqrt(d2);
      const double f =
          (std::erfc(alpha * d) + 2.0 * alpha * d / std::sqrt(pi) * std::exp(-alpha * alpha * d2)) / (d2 * d);
      for (int c = 0; c < 3; ++c) a[c] += f * r[c];
    }
    acc[i] = a;
  }
  // k space, over the half space of h (k and −k contribute equally).
  std::vector<vec3<double>> ks;
  std::vector<double> weights;
  for (int a = 0; a <= k_max; ++a)
    for (int b = -k_max; b <= k_max; ++b)
      for (int c = -k_max; c <= k_max; ++c) {
        if (a == 0 && (b < 0 || (b == 0 && c <= 0))) continue;
        const vec3<double> k{2 * pi * a / side, 2 * pi * b / side, 2 * pi * c / side};
        const double k2 = k[0] * k[0] + k[1] * k[1] + k[2] * k[2];
        const double w = 2.0 * 4.0 * pi / volume * std::exp(-k2 / (4.0 * alpha * alpha)) / k2;
        if (w < 1e-14 * 4.0 * pi / volume * side * side) continue;
        ks.push_back(k);
        weights.push_back(w);
      }
  std::vector<std::complex<double>> structure(ks.size());
#pragma omp parallel for schedule(static)
  for (std::size_t m = 0; m < ks.size(); ++m) {
    std::complex<double> s = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const double phase =
          ks[m][0] * static_cast<double>(x[j][0]) + ks[m][1] * static_cast<double>(x[j][1]) + ks[m][2] * static_cast<double>(x[j][2]);
      s += std::complex<double>(std::cos(phase), std::sin(phase));
    }
    structure[m] = s;
  }
#pragma omp parallel for schedule(static)
  for (std::size_t i = 0; i < n; ++i) {
    vec3<double> a{0, 0, 0};
    for (std::size_t m = 0; m < ks.size(); ++m) {
      const double phase =
          ks[m][0] * static_cast<double>(x[i][0]) + ks[m][1] * static_cast<double>(x[i][1]) + ks[m][2] * static_cast<double>(x[i][2]);
      const double im = (std::complex<double>(std::cos(phase), -std::sin(phase)) * structure[m]).imag();
      for (int c = 0; c < 3; ++c) a[c] += weights[m] * ks[m][c] * im;
    }
    for (int c = 0; c < 3; ++c) acc[i][c] += a[c];
  }
  return acc;
}

}  // namespace lagframe::test
