// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "lagframe/cosmology/parameters.hpp"

using namespace lagframe;
using namespace lagframe::cosmology;

TEST_CASE("default parameters are valid and Omega_Lambda closes the budget") {
  const parameters p;
  CHECK_NOTHROW(p.validate());
  CHECK(p.omega_lambda() == doctest::Approx(1.0 - 0.3111));
  parameters curved;
  curved.omega_k = -0.05;
  CHECK(curved.omega_lambda() == doctest::Approx(1.0 - 0.3111 + 0.05));
  CHECK_NOTHROW(curved.validate());
  parameters no_cdm;
  no_cdm.omega_b = no_cdm.omega_m;
  CHECK_NOTHROW(no_cdm.validate());
}

TEST_CASE("bad cosmological parameters are refused with the field and value named") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto refused = [](auto set, const char* text) {
    parameters p;
    set(p);
    CAPTURE(text);
    CHECK_THROWS_WITH_AS(p.validate(), doctest::Contains(text), config_error);
  };
  refused([](parameters& p) { p.omega_m = -0.3; }, "cosmology.omega_m = -0.3");
  refused([](parameters& p) { p.omega_m = 0.0; }, "cosmology.omega_m = 0");
  refused([&](parameters& p) { p.omega_m = nan; }, "cosmology.omega_m = nan");
  refused([](parameters& p) { p.omega_b = -0.01; }, "cosmology.omega_b = -0.01");
  refused([](parameters& p) { p.omega_b = 0.5; }, "cosmology.omega_b = 0.5");
  refused([](parameters& p) { p.omega_k = 1.5; }, "cosmology.omega_k = 1.5");
  refused([&](parameters& p) { p.h = nan; }, "cosmology.h = nan");
  refused([](parameters& p) { p.h = -0.7; }, "cosmology.h = -0.7");
  refused([](parameters& p) { p.h = 0.0; }, "cosmology.h = 0");
  refused([&](parameters& p) { p.n_s = nan; }, "cosmology.n_s = nan");
  refused([](parameters& p) { p.sigma_8 = 0.0; }, "cosmology.sigma_8 = 0");
  refused([](parameters& p) { p.sigma_8 = -0.8; }, "cosmology.sigma_8 = -0.8");
  refused([](parameters& p) { p.t_cmb = -2.7; }, "cosmology.t_cmb = -2.7");
  refused([&](parameters& p) { p.t_cmb = std::numeric_limits<double>::infinity(); }, "cosmology.t_cmb = inf");
  // Ω_m = Ω_k = 0.9, Ω_Λ = −0.8: the model recollapses before a = 2.
  refused(
      [](parameters& p) {
        p.omega_m = 0.9;
        p.omega_b = 0.1;
        p.omega_k = 0.9;
      },
      "E^2 <= 0 at a");
}
