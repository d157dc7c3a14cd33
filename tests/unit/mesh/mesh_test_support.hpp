// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// Shared helpers of the mesh unit tests: particle sets, thread-count sweeps, grid comparisons.

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/mesh/ngp.hpp"
#include "lagframe/mesh/tsc.hpp"

namespace lagframe::mesh::test {

/// Uniform random positions in [0, side), fixed seed.
template <class Real>
std::vector<vec3<Real>> random_positions(std::size_t count, double side, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, side);
  std::vector<vec3<Real>> x(count);
  for (auto& p : x) {
    for (auto& c : p) {
      c = static_cast<Real>(u(rng));
      if (c >= static_cast<Real>(side)) c = Real(0);  // rounding to float can reach L
    }
  }
  return x;
}

/// Clustered positions: most particles within a few cells of a handful of centres, so many
/// contributions land on the same cells and in neighbouring slabs (wrapped into [0, side)).
template <class Real>
std::vector<vec3<Real>> clustered_positions(std::size_t count, double side, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, side);
  std::normal_distribution<double> g(0.0, 0.04 * side);
  std::vector<vec3<double>> centres(5);
  for (auto& c : centres)
    for (auto& v : c) v = u(rng);
  std::vector<vec3<Real>> x(count);
  for (std::size_t p = 0; p < count; ++p) {
    for (int d = 0; d < 3; ++d) {
      double v = centres[p % centres.size()][d] + g(rng);
      v -= side * std::floor(v / side);
      auto c = static_cast<Real>(v);
      x[p][d] = c >= static_cast<Real>(side) ? Real(0) : c;
    }
  }
  return x;
}

/// Largest |a − b| over real-space nodes.
template <class Real>
double max_abs_difference(const real_field<Real>& a, const real_field<Real>& b) {
  double m = 0.0;
  const std::size_t n = a.size_1d();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k)
        m = std::max(m, std::abs(static_cast<double>(a(i, j, k)) - static_cast<double>(b(i, j, k))));
  return m;
}

template <class Real>
double max_abs(const real_field<Real>& a) {
  double m = 0.0;
  const std::size_t n = a.size_1d();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) m = std::max(m, std::abs(static_cast<double>(a(i, j, k))));
  return m;
}

/// True when the real-space nodes of a and b are bitwise equal.
template <class Real>
bool bitwise_equal(const real_field<Real>& a, const real_field<Real>& b) {
  const std::size_t n = a.size_1d();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k)
        if (a(i, j, k) != b(i, j, k)) return false;
  return true;
}

/// Runs f with omp_set_num_threads(t), restoring the previous setting afterwards.
template <class F>
void with_threads(int t, F&& f) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(t);
  f();
  omp_set_num_threads(saved);
}

/// B-spline assignment kernels of docs/physics.md §5.2 as functions of the node offset s = node − u,
/// written independently of the stencil classes.
inline double kernel_value(int support, double s) {
  const double a = std::abs(s);
  switch (support) {
    case 1:
      return (s > -0.5 && s <= 0.5) ? 1.0 : 0.0;  // cell [centre − ½, centre + ½) in u = centre − s
    case 2:
      return a < 1.0 ? 1.0 - a : 0.0;
    case 3:
      if (a < 0.5) return 0.75 - a * a;
      if (a < 1.5) return 0.5 * (1.5 - a) * (1.5 - a);
      return 0.0;
    default:
      return std::nan("");
  }
}

}  // namespace lagframe::mesh::test
