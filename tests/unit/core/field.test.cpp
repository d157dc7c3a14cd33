// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "lagframe/core/box.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/fft/plan.hpp"

using namespace lagframe;

TEST_CASE("box validation names the bad value" * doctest::test_suite("unit.core")) {
  CHECK_THROWS_WITH_AS((box{.side_mpc_h = -1.0, .particles_1d = 8}.validate()),
                       doctest::Contains("side_mpc_h = -1"), config_error);
  CHECK_THROWS_WITH_AS((box{.side_mpc_h = 100.0, .particles_1d = 1}.validate()),
                       doctest::Contains("particles_1d = 1"), config_error);
  CHECK_THROWS_AS((box{.side_mpc_h = std::nan(""), .particles_1d = 8}.validate()), config_error);
  CHECK_NOTHROW((box{.side_mpc_h = 100.0, .particles_1d = 8}.validate()));
}

TEST_CASE("Lagrangian ids follow (ix*N + iy)*N + iz and q = index * L/N" * doctest::test_suite("unit.core")) {
  const box b{.side_mpc_h = 80.0, .particles_1d = 4};
  const std::size_t id = (2 * 4 + 1) * 4 + 3;
  const auto idx = b.lagrangian_index(id);
  CHECK(idx[0] == 2);
  CHECK(idx[1] == 1);
  CHECK(idx[2] == 3);
  const auto q = b.lagrangian_position(id);
  CHECK(q[0] == doctest::Approx(40.0));
  CHECK(q[1] == doctest::Approx(20.0));
  CHECK(q[2] == doctest::Approx(60.0));
}

TEST_CASE("wrap_periodic maps into [0, L)" * doctest::test_suite("unit.core")) {
  CHECK(wrap_periodic(-1.0, 10.0) == doctest::Approx(9.0));
  CHECK(wrap_periodic(25.0, 10.0) == doctest::Approx(5.0));
  CHECK(wrap_periodic(-1e-20f, 10.0f) < 10.0f);
  CHECK(wrap_periodic(10.0, 10.0) == 0.0);
}

TEST_CASE("mesh size below 2 is refused" * doctest::test_suite("unit.core")) {
  CHECK_THROWS_WITH_AS(real_field<float>(1, 10.0), doctest::Contains("mesh size = 1"), config_error);
  CHECK_THROWS_AS(real_field<float>(8, -3.0), config_error);
}

TEST_CASE_TEMPLATE("r2c plan: a cosine lands on its mode with the e^{-ikx} sign convention", Real,
                   float, double) {
  const std::size_t n = 16;
  const double side = 100.0;
  real_field<Real> f(n, side);
  fft::r2c_plan<Real> plan(n);
  const double k = 2.0 * std::numbers::pi * 3 / side;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t l = 0; l < n; ++l) f(i, j, l) = static_cast<Real>(std::sin(k * i * f.spacing()));
  plan.forward(f);
  // sin(kx) = (e^{ikx} − e^{−ikx}) / 2i  →  Σ_x sin(kx) e^{−ikx} = N³/(2i) = −i N³/2.
  const auto m = f.mode(3, 0, 0);
  CHECK(static_cast<double>(m.real()) == doctest::Approx(0.0).epsilon(1e-3).scale(4096));
  CHECK(static_cast<double>(m.imag()) == doctest::Approx(-0.5 * n * n * n).epsilon(1e-5));
  plan.backward(f);
  CHECK(static_cast<double>(f(5, 2, 7)) ==
        doctest::Approx(n * n * n * std::sin(k * 5 * f.spacing())).epsilon(1e-4).scale(4096));
  real_field<Real> wrong(8, side);
  CHECK_THROWS_AS(plan.forward(wrong), config_error);
}

TEST_CASE("non-finite values are reported with their node" * doctest::test_suite("unit.core")) {
  real_field<double> f(4, 1.0);
  f(1, 2, 3) = std::nan("");
  CHECK_THROWS_WITH_AS(f.require_finite("density"), doctest::Contains("(1, 2, 3)"), numerical_error);
}
