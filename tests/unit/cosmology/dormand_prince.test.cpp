// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>

#include "lagframe/cosmology/dormand_prince.hpp"

using lagframe::cosmology::detail::dormand_prince;

TEST_CASE("Dormand-Prince 5(4) meets its tolerance on problems with known solutions") {
  // y' = y: y(x) = e^x.
  {
    const dormand_prince<1> ode(1e-10, 0.0);
    auto f = [](double, const std::array<double, 1>& y) { return y; };
    std::array<double, 1> y{1.0};
    auto dydx = f(0.0, y);
    double h = 0.1;
    int calls = 0;
    auto counted = [&](double x, const std::array<double, 1>& v) {
      ++calls;
      return f(x, v);
    };
    ode.advance(counted, 0.0, 5.0, y, dydx, h);
    CHECK(y[0] == doctest::Approx(std::exp(5.0)).epsilon(1e-9));
    CHECK(dydx[0] == doctest::Approx(y[0]).epsilon(1e-15));  // first same as last
    CHECK(calls < 1000);                                     // adaptive, not tiny fixed steps
  }
  // Harmonic oscillator y'' = −y in segments (as the growth table does): y = cos x.
  {
    const dormand_prince<2> ode(1e-10, 1e-14);
    auto f = [](double, const std::array<double, 2>& y) { return std::array<double, 2>{y[1], -y[0]}; };
    std::array<double, 2> y{1.0, 0.0};
    auto dydx = f(0.0, y);
    double h = 1.0;
    for (int i = 0; i < 40; ++i) ode.advance(f, 0.25 * i, 0.25 * (i + 1), y, dydx, h);
    CHECK(y[0] == doctest::Approx(std::cos(10.0)).epsilon(1e-8));
    CHECK(y[1] == doctest::Approx(-std::sin(10.0)).epsilon(1e-8));
  }
}

TEST_CASE("Dormand-Prince reports a blow-up instead of looping") {
  // y' = y², y(0) = 1: y = 1/(1 − x) diverges at x = 1.
  const dormand_prince<1> ode(1e-10, 0.0);
  auto f = [](double, const std::array<double, 1>& y) { return std::array<double, 1>{y[0] * y[0]}; };
  std::array<double, 1> y{1.0};
  auto dydx = f(0.0, y);
  double h = 0.1;
  CHECK_THROWS_AS(ode.advance(f, 0.0, 2.0, y, dydx, h), lagframe::numerical_error);
}
