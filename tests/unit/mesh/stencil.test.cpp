// SPDX-License-Identifier: BSD-3-Clause
// Stencils (ngp.hpp, cic.hpp, tsc.hpp) and their block/SIMD evaluation (detail/stencil_block.hpp,
// detail/simd.hpp) against the docs/physics.md §5.2 kernel formulas.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "lagframe/mesh/detail/scalar_floor.hpp"
#include "lagframe/mesh/detail/simd.hpp"
#include "lagframe/mesh/detail/stencil_block.hpp"
#include "mesh_test_support.hpp"

using namespace lagframe;
using namespace lagframe::mesh;

namespace {
// Grid coordinates probed: nodes, half-way points (except where NGP is ambiguous), edges.
constexpr double probes[] = {0.0, 0.1, 0.25, 0.4999, 0.5001, 0.75, 1.0, 2.3, 3.999999, 7.0, 14.62, 15.9999};
}  // namespace

TEST_CASE_TEMPLATE("stencil weights sum to one and equal the B-spline kernel at every node" *
                       doctest::test_suite("unit.mesh"),
                   A, ngp, cic, tsc) {
  for (double u : probes) {
    CAPTURE(u);
    const double first = A::first_node(u);
    CHECK(first == std::floor(first));
    double w[A::support];
    A::weights(u, first, w);
    double sum = 0.0;
    for (int s = 0; s < A::support; ++s) {
      CHECK(w[s] >= 0.0);
      CHECK(w[s] == doctest::Approx(test::kernel_value(A::support, first + s + 0.5 - u)).epsilon(1e-12));
      sum += w[s];
    }
    CHECK(sum == doctest::Approx(1.0).epsilon(1e-14));
    // The stencil is complete: the kernel vanishes on the nodes just outside it.
    CHECK(test::kernel_value(A::support, first - 0.5 - u) == 0.0);
    CHECK(test::kernel_value(A::support, first + A::support + 0.5 - u) == 0.0);
  }
}

TEST_CASE("stencil formulas at hand-picked points (docs/physics.md §5.2)" * doctest::test_suite("unit.mesh")) {
  // Cell i is centred at u = i + 1/2 (mesh/concepts.hpp).
  // CIC at u = 3.75: i0 = ⌊u − ½⌋ = 3, d = 0.25 → 0.75 at 3, 0.25 at 4.
  double w2[2];
  cic::weights(3.75, cic::first_node(3.75), w2);
  CHECK(cic::first_node(3.75) == 3.0);
  CHECK(w2[0] == doctest::Approx(0.75));
  CHECK(w2[1] == doctest::Approx(0.25));
  // TSC at u = 5.7: nearest centre 5 (5.5), d = 0.2 → ½(0.3)², 0.75 − 0.04, ½(0.7)² at 4, 5, 6.
  double w3[3];
  CHECK(tsc::first_node(5.7) == 4.0);
  tsc::weights(5.7, tsc::first_node(5.7), w3);
  CHECK(w3[0] == doctest::Approx(0.045));
  CHECK(w3[1] == doctest::Approx(0.71));
  CHECK(w3[2] == doctest::Approx(0.245));
  // NGP: the cell containing u.
  CHECK(ngp::first_node(5.99) == 5.0);
  CHECK(ngp::first_node(6.01) == 6.0);
}

TEST_CASE_TEMPLATE("SIMD block stencils equal the scalar ones, and nodes wrap periodically" *
                       doctest::test_suite("unit.mesh"),
                   A, ngp, cic, tsc) {
  const std::int32_t n = 16;
  const double side = 32.0, inv_dx = n / side;
  mesh::detail::stencil_block<A> simd_block, scalar_block;
  const std::size_t count = 37;  // not a multiple of the lane width
  for (std::size_t q = 0; q < count; ++q) {
    for (int d = 0; d < 3; ++d) {
      // Coordinates across [−L, 2L): negative (shifted) and beyond L, plus exact nodes.
      const double c = -side + 3.0 * side * static_cast<double>((q * 7 + d * 11) % count) / count;
      simd_block.coord[d][q] = scalar_block.coord[d][q] = (q % 5 == 0) ? 2.0 * q : c;
    }
  }
  simd_block.template pad<true>(count);
  scalar_block.template pad<false>(count);
  simd_block.template compute<true>(count, inv_dx, n);
  scalar_block.template compute<false>(count, inv_dx, n);
  for (std::size_t q = 0; q < count; ++q) {
    for (int d = 0; d < 3; ++d) {
      CAPTURE(q);
      const double u = simd_block.coord[d][q] * inv_dx;
      CHECK(simd_block.node[d][q] == scalar_block.node[d][q]);
      CHECK(simd_block.node[d][q] >= 0);
      CHECK(simd_block.node[d][q] < n);
      const double first = A::first_node(u);
      const double wrapped = first - n * std::floor(first / n);
      CHECK(simd_block.node[d][q] == static_cast<std::int32_t>(wrapped));
      for (int s = 0; s < A::support; ++s) {
        CHECK(simd_block.weight[d][s][q] == doctest::Approx(scalar_block.weight[d][s][q]).epsilon(1e-14));
      }
    }
  }
  CHECK(mesh::detail::simd_lanes >= 1);
}

TEST_CASE("wrap_first_node covers [−2N, 3N)" * doctest::test_suite("unit.mesh")) {
  const std::int32_t n = 8;
  for (int f = -2 * n; f < 3 * n; ++f) {
    CAPTURE(f);
    CHECK(mesh::detail::wrap_first_node(static_cast<double>(f), n) == ((f % n) + n) % n);
  }
}

TEST_CASE("scalar_double floor equals std::floor, at integers and half-integers too" * doctest::test_suite("unit.mesh")) {
  // The gather's inline floor (mesh/detail/scalar_floor.hpp): exact for |u| < 2^51; grid
  // coordinates are in [−2N − 4, 3N + 4]. Integers and values one ulp either side of them are
  // where a rounding trick would fail.
  std::vector<double> values = {0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 255.999999, -256.0, 1e6 + 0.25};
  for (int k = -600; k <= 600; ++k) {
    const double v = static_cast<double>(k);
    values.push_back(v);
    values.push_back(std::nextafter(v, -1e9));
    values.push_back(std::nextafter(v, 1e9));
    values.push_back(v + 0.5);
  }
  for (const double v : values) {
    CAPTURE(v);
    CHECK(floor(mesh::detail::scalar_double(v)).v == std::floor(v));
  }
  for (const double u : {-3.7, -0.2, 0.0, 0.49999, 0.5, 7.5, 127.2}) {
    CAPTURE(u);
    CHECK(mesh::detail::first_node_inline<mesh::cic>(u) == mesh::cic::first_node(u));
    CHECK(mesh::detail::first_node_inline<mesh::tsc>(u) == mesh::tsc::first_node(u));
    CHECK(mesh::detail::first_node_inline<mesh::ngp>(u) == mesh::ngp::first_node(u));
  }
}
