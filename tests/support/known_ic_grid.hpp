// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// The 16³ initial-condition set the IC-reader tests write with independent writers and read
// back with lagframe: a known smooth displacement and a known Gadget velocity u (km/s) per grid
// index, and the check that a read file reproduces them on the Lagrangian grid.

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/io/gadget2_binary.hpp"

namespace lagframe::test::known_ic {

constexpr std::size_t n1d = 16;
constexpr std::size_t n_total = n1d * n1d * n1d;
constexpr double two_pi = 6.283185307179586;

/// Position of grid index (i, j, k) for a Lagrangian spacing dq (any length unit).
inline std::array<double, 3> displaced(std::size_t i, std::size_t j, std::size_t k, double dq) {
  const double n = static_cast<double>(n1d);
  return {static_cast<double>(i) * dq + 0.3 * dq * std::sin(two_pi * static_cast<double>(j) / n),
          static_cast<double>(j) * dq + 0.2 * dq * std::cos(two_pi * static_cast<double>(k) / n),
          static_cast<double>(k) * dq - 0.25 * dq * std::sin(two_pi * (static_cast<double>(i) + 1.0) / n)};
}

/// Gadget velocity u = v_pec/√a (km/s) of grid index (i, j, k).
inline std::array<double, 3> velocity(std::size_t i, std::size_t j, std::size_t k) {
  return {40.0 * std::sin(two_pi * static_cast<double>(j) / 16.0) + static_cast<double>(i),
          -25.0 * std::cos(two_pi * static_cast<double>(k) / 16.0), 10.0 + 0.5 * static_cast<double>(i + j)};
}

/// The read set is the known one on an n1d³ grid in a box of side box_mpc (Mpc/h) at scale factor
/// a: positions to tol_fraction_of_cell of a cell, momenta p = a^{3/2} u / 100 to 1e-6 of 50 km/s.
inline void check_grid(const io::ic_particles& ic, double box_mpc, double a, double tol_fraction_of_cell) {
  CHECK(ic.grid.particles_1d == n1d);
  CHECK(ic.grid.side_mpc_h == doctest::Approx(box_mpc).epsilon(1e-12));
  CHECK(ic.a == doctest::Approx(a).epsilon(1e-15));
  REQUIRE(ic.positions.size() == n_total);
  REQUIRE(ic.momenta.size() == n_total);
  const double L = box_mpc;
  const double dq = L / n1d;
  const double vfac = a * std::sqrt(a) / 100.0;  // p = a v_pec / 100, v_pec = u √a
  double worst_x = 0, worst_p = 0;
  std::size_t out_of_box = 0;
  for (std::size_t id = 0; id < n_total; ++id) {
    const std::size_t i = id / (n1d * n1d), j = (id / n1d) % n1d, k = id % n1d;
    const auto x = displaced(i, j, k, dq);
    const auto v = velocity(i, j, k);
    for (int d = 0; d < 3; ++d) {
      const double got = ic.positions[id][d];
      if (!(got >= 0.0 && got < L)) ++out_of_box;
      double diff = std::abs(got - wrap_periodic(x[d], L));
      diff = std::min(diff, L - diff);  // a float value at the box edge may wrap either way
      worst_x = std::max(worst_x, diff);
      worst_p = std::max(worst_p, std::abs(ic.momenta[id][d] - vfac * v[d]) / (vfac * 50.0));
    }
  }
  MESSAGE("worst position error / cell = ", worst_x / dq, ", worst momentum error (rel. 50 km/s) = ", worst_p);
  CHECK(out_of_box == 0);
  CHECK(worst_x < tol_fraction_of_cell * dq);
  CHECK(worst_p < 1e-6);
}

/// The message of the io_error `f` throws ("(no io_error)" if it throws none).
template <class F>
std::string io_error_of(F&& f) {
  try {
    f();
  } catch (const io_error& e) {
    return e.what();
  }
  return "(no io_error)";
}

}  // namespace lagframe::test::known_ic
