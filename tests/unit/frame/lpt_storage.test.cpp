// SPDX-License-Identifier: BSD-3-Clause
// frame/lpt_storage.hpp: the fixed16 field holds every component within s/2 of its value
// (s = largest |component| / 32767) in half the bytes; zero fields and non-finite values.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "lagframe/lagframe.hpp"

using namespace lagframe;

// The compact frame is a frame like the float one (simulation<> accepts it).
static_assert(frame::frame_policy<frame::lpt<2, float, frame::fixed16>>);
static_assert(frame::frame_policy<frame::lpt<1, float, frame::fixed16>>);

TEST_CASE("fixed16 LPT fields: every component within half a step of the scale" * doctest::test_suite("unit.frame")) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> g(0.0, 6.0);
  std::vector<vec3<float>> values(20000);
  double largest = 0;
  for (auto& v : values)
    for (auto& c : v) {
      c = static_cast<float>(g(rng));
      largest = std::max(largest, std::abs(static_cast<double>(c)));
    }
  values[17] = {static_cast<float>(-largest), 0.0f, 1e-7f};  // the extreme, and a tiny value
  const frame::lpt_field<float, float> plain(values);
  const frame::lpt_field<float, frame::fixed16> packed(values);
  REQUIRE(packed.size() == values.size());
  CHECK(packed.bytes() * 2 == plain.bytes());
  const double step = largest / 32767.0;
  CHECK(packed.resolution() == doctest::Approx(0.5 * step).epsilon(1e-12));
  double worst = 0;
  for (std::size_t i = 0; i < values.size(); ++i)
    for (int d = 0; d < 3; ++d) {
      CHECK(plain(i, d) == values[i][static_cast<std::size_t>(d)]);
      worst = std::max(worst, std::abs(static_cast<double>(packed(i, d)) - values[i][static_cast<std::size_t>(d)]));
    }
  MESSAGE("largest |Psi| " << largest << ", worst difference " << worst << " (s/2 = " << 0.5 * step << ")");
  // s/2 from the rounding, plus float rounding of s·n (|value| ≤ largest: 6e-8 relative).
  CHECK(worst <= 0.5 * step + 1e-7 * largest);
  CHECK(worst > 0.25 * step);  // the storage is really coarser than float
  CHECK(static_cast<double>(packed(17, 0)) == doctest::Approx(-largest).epsilon(1e-6));

  const frame::lpt_field<float, frame::fixed16> zero(std::vector<vec3<float>>(8, vec3<float>{0, 0, 0}));
  CHECK(zero(3, 1) == 0.0f);
  auto bad = values;
  bad[3][2] = std::numeric_limits<float>::quiet_NaN();
  using packed_t = frame::lpt_field<float, frame::fixed16>;
  CHECK_THROWS_WITH_AS(static_cast<void>(packed_t(bad)), doctest::Contains("largest |Psi|"), config_error);
}
