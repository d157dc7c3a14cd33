// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// Shared by tests/unit/halos/fof.test.cpp and tests/physics/fof_brute_force.test.cpp: clustered
// point sets with clumps across the box faces, an O(N²) brute-force friends-of-friends linking,
// and groups as sets of point indices.

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/halos/fof.hpp"

namespace lagframe::test {

/// `count` clustered points in a box of side L: count/130 clumps (Gaussian profiles of 0.3–3 Mpc/h with
/// 5–400 points; a quarter of them centred within 1 Mpc/h of a face, edge or corner so that
/// they wrap) and a uniform background for the rest.
inline std::vector<vec3<double>> clustered_points(std::size_t count, double side, unsigned seed, bool wrap) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<vec3<double>> x;
  x.reserve(count);
  const std::size_t clumps = std::max<std::size_t>(10, count / 130);
  for (std::size_t c = 0; c < clumps && x.size() < count; ++c) {
    vec3<double> centre{u(rng) * side, u(rng) * side, u(rng) * side};
    if (c % 4 == 0) {
      for (auto& v : centre)
        if (u(rng) < 0.7) v = (u(rng) < 0.5 ? 0.0 : side) + (u(rng) - 0.5) * 2.0;
    }
    const double size = 0.3 + 2.7 * u(rng) * u(rng);
    const auto n = static_cast<std::size_t>(5 + 395 * u(rng) * u(rng));
    for (std::size_t k = 0; k < n && x.size() < count; ++k) {
      vec3<double> p;
      for (int d = 0; d < 3; ++d) p[d] = centre[d] + size * g(rng);
      if (wrap)
        for (auto& v : p) v = wrap_periodic(v, side);
      x.push_back(p);
    }
  }
  while (x.size() < count) x.push_back({u(rng) * side, u(rng) * side, u(rng) * side});
  return x;
}

/// Brute force: every pair within l (minimum image when periodic) linked by a plain union-find.
inline std::vector<std::size_t> brute_force_components(const std::vector<vec3<double>>& x, double side, double link,
                                                bool periodic) {
  const std::size_t n = x.size();
  std::vector<std::size_t> parent(n);
  for (std::size_t i = 0; i < n; ++i) parent[i] = i;
  auto find = [&](std::size_t a) {
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
  };
  const double l2 = link * link;
  const double half = 0.5 * side;
  const auto image = [&](double v) { return !periodic ? v : v > half ? v - side : v < -half ? v + side : v; };
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const double dx = image(x[j][0] - x[i][0]);
      const double dy = image(x[j][1] - x[i][1]);
      const double dz = image(x[j][2] - x[i][2]);
      const double d2 = dx * dx + dy * dy + dz * dz;
      if (d2 <= l2) {
        const std::size_t a = find(i), b = find(j);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
      }
    }
  }
  std::vector<std::size_t> root(n);
  for (std::size_t i = 0; i < n; ++i) root[i] = find(i);
  return root;
}

/// The groups (sets of point indices) of at least `min` members, as a sorted set of sets.
inline std::set<std::vector<std::size_t>> as_sets(const std::vector<std::size_t>& root, std::size_t min) {
  std::map<std::size_t, std::vector<std::size_t>> by_root;
  for (std::size_t i = 0; i < root.size(); ++i) by_root[root[i]].push_back(i);
  std::set<std::vector<std::size_t>> out;
  for (auto& [r, v] : by_root)
    if (v.size() >= min) out.insert(v);
  return out;
}

inline std::set<std::vector<std::size_t>> as_sets(const halos::fof_groups& g) {
  std::set<std::vector<std::size_t>> out;
  for (std::size_t k = 0; k < g.groups(); ++k) {
    const auto m = g.members_of(k);
    out.insert(std::vector<std::size_t>(m.begin(), m.end()));
  }
  return out;
}

struct threads_guard {
  int saved = omp_get_max_threads();
  ~threads_guard() { omp_set_num_threads(saved); }
};

}  // namespace lagframe::test
