// SPDX-License-Identifier: BSD-3-Clause
// analysis::tracer_bias: a set against itself (b = 1, exactly), a random half of a clustered set
// (b = 1 within the noise, shot noise 1/n̄ of the half), thread-count independence; the matter's
// modes made once (modes_of_set) give the same numbers, and modes of other mesh options are refused.
#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <random>
#include <vector>

#include "lagframe/analysis/bias.hpp"
#include "lagframe/mesh/cic.hpp"

using namespace lagframe;

namespace {

/// 40000 points in 300 clumps of width 2 Mpc/h in a 100 Mpc/h box.
std::vector<vec3<double>> clumps(unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 100.0);
  std::normal_distribution<double> g(0.0, 2.0);
  std::vector<vec3<double>> x;
  for (int c = 0; c < 300; ++c) {
    const vec3<double> centre{u(rng), u(rng), u(rng)};
    for (int k = 0; k < 133; ++k)
      x.push_back({wrap_periodic(centre[0] + g(rng), 100.0), wrap_periodic(centre[1] + g(rng), 100.0),
                   wrap_periodic(centre[2] + g(rng), 100.0)});
  }
  return x;
}

}  // namespace

TEST_CASE("bias of a set against itself and of a random subsample" * doctest::test_suite("unit.analysis")) {
  const auto x = clumps(1);
  const analysis::spectrum_options opt{.grid_1d = 32};
  const auto self = analysis::tracer_bias<mesh::cic, double>(x, x, 100.0, opt);
  for (std::size_t i = 0; i < self.k.size(); ++i) {
    CHECK(self.b_cross[i] > 0.0);
    CHECK(self.p_tm[i] / (self.p_mm[i] + 0.0) >= 1.0);  // P_tm keeps the shot noise P_mm has lost
    CHECK(self.b_auto[i] == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(self.r[i] == doctest::Approx(1.0).epsilon(1e-12));
  }
  CHECK(self.tracer_shot_noise == doctest::Approx(1e6 / x.size()));
  std::mt19937_64 rng(2);
  std::vector<vec3<double>> half;
  for (const auto& p : x)
    if (rng() % 2 == 0) half.push_back(p);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = analysis::tracer_bias<mesh::cic, double>(half, x, 100.0, opt);
  omp_set_num_threads(2);
  const auto two = analysis::tracer_bias<mesh::cic, double>(half, x, 100.0, opt);
  omp_set_num_threads(saved);
  CHECK(one.b_cross == two.b_cross);
  // The cross spectrum of a subsample with its parent carries the subsample's points once: its
  // expected value is P_mm + 1/n̄_m, so (P_tm − 1/n̄_m)/P_mm = 1 on scales with P ≫ noise.
  for (std::size_t i = 0; i < 6; ++i) {
    CAPTURE(one.k[i]);
    CHECK((one.p_tm[i] - one.matter_shot_noise) / one.p_mm[i] == doctest::Approx(1.0).epsilon(0.05).scale(0));
    CHECK(one.b_auto[i] == doctest::Approx(1.0).epsilon(0.1).scale(0));
  }
}

TEST_CASE("matter modes made once serve several tracer sets, bit for bit" * doctest::test_suite("unit.analysis")) {
  const auto x = clumps(3);
  std::vector<vec3<double>> half, third;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (i % 2 == 0) half.push_back(x[i]);
    if (i % 3 == 0) third.push_back(x[i]);
  }
  for (const bool interlacing : {false, true}) {
    CAPTURE(interlacing);
    const analysis::spectrum_options opt{.grid_1d = 32, .interlacing = interlacing};
    const auto matter = analysis::modes_of_set<mesh::cic>(std::span<const vec3<double>>(x), 100.0, opt);
    CHECK(matter.count == x.size());
    for (const auto* tracers : {&half, &third}) {
      const auto once = analysis::tracer_bias<mesh::cic, double>(*tracers, matter);
      const auto fresh = analysis::tracer_bias<mesh::cic, double>(*tracers, x, 100.0, opt);
      CHECK(once.k == fresh.k);
      CHECK(once.p_tt == fresh.p_tt);
      CHECK(once.p_tm == fresh.p_tm);
      CHECK(once.p_mm == fresh.p_mm);
      CHECK(once.b_cross == fresh.b_cross);
      CHECK(once.matter_shot_noise == fresh.matter_shot_noise);
      CHECK(once.tracer_shot_noise == doctest::Approx(1e6 / static_cast<double>(tracers->size())));
    }
  }
  // Modes made on another mesh, with other options or in another box cannot be crossed.
  const auto on_32 = analysis::modes_of_set<mesh::cic>(std::span<const vec3<double>>(x), 100.0, {.grid_1d = 32});
  const auto on_16 = analysis::modes_of_set<mesh::cic>(std::span<const vec3<double>>(half), 100.0, {.grid_1d = 16});
  const auto interlaced =
      analysis::modes_of_set<mesh::cic>(std::span<const vec3<double>>(half), 100.0, {.grid_1d = 32, .interlacing = true});
  const auto other_box = analysis::modes_of_set<mesh::cic>(std::span<const vec3<double>>(half), 200.0, {.grid_1d = 32});
  CHECK_THROWS_WITH_AS(analysis::cross_power(on_32, on_16), doctest::Contains("grid_1d 16"), config_error);
  CHECK_THROWS_WITH_AS(analysis::cross_power(on_32, interlaced), doctest::Contains("interlacing true"), config_error);
  CHECK_THROWS_WITH_AS(analysis::cross_power(on_32, other_box), doctest::Contains("200"), config_error);
}
