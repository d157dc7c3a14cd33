// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>

#include "lagframe/cosmology/background.hpp"

using namespace lagframe;
using namespace lagframe::cosmology;

TEST_CASE("E(a), Omega_m(a) and dlnE/dlna follow their definitions") {
  for (double ok : {0.0, 0.05, -0.05}) {
    parameters p;
    p.omega_k = ok;
    const background bg(p);
    CAPTURE(ok);
    CHECK(bg.params().omega_k == ok);
    CHECK(bg.e(1.0) == doctest::Approx(1.0).epsilon(1e-15));
    CHECK(bg.omega_m_of_a(1.0) == doctest::Approx(p.omega_m).epsilon(1e-15));
    for (double a : {1e-4, 0.02, 0.3, 1.0, 2.0, 10.0}) {
      CAPTURE(a);
      // H²/H0² = Ω_m (1+z)³ + Ω_k (1+z)² + Ω_Λ, written in redshift.
      const double z = 1.0 / a - 1.0;
      const double e_ref = std::sqrt(p.omega_m * std::pow(1 + z, 3) + ok * std::pow(1 + z, 2) + p.omega_lambda());
      CHECK(bg.e(a) == doctest::Approx(e_ref).epsilon(1e-13));
      CHECK(bg.e2(a) == doctest::Approx(e_ref * e_ref).epsilon(1e-13));
      CHECK(bg.omega_m_of_a(a) == doctest::Approx(p.omega_m * std::pow(1 + z, 3) / (e_ref * e_ref)).epsilon(1e-13));
      const double h = 1e-5;
      const double slope = (std::log(bg.e(a * std::exp(h))) - std::log(bg.e(a * std::exp(-h)))) / (2 * h);
      CHECK(bg.dlne_dlna(a) == doctest::Approx(slope).epsilon(1e-8));
    }
  }
  // Matter domination: d ln E/d ln a → −3/2, Ω_m(a) → 1.
  const background bg(parameters{});
  CHECK(bg.dlne_dlna(1e-5) == doctest::Approx(-1.5).epsilon(1e-9));
  CHECK(bg.omega_m_of_a(1e-5) == doctest::Approx(1.0).epsilon(1e-9));
}

TEST_CASE("the background validates its parameters") {
  parameters p;
  p.h = std::nan("");
  CHECK_THROWS_WITH_AS(background{p}, doctest::Contains("cosmology.h = nan"), config_error);
}
