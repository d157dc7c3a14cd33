// SPDX-License-Identifier: BSD-3-Clause
// Tile files (scola/tile_file.hpp): round trip (particles, lightcone crossings and sparse maps),
// and every way a file can be wrong is detected.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "lagframe/lightcone/crossing.hpp"
#include "lagframe/scola/tile_file.hpp"
#include "support/scratch_dir.hpp"

using namespace lagframe;

namespace {
scola::tile_output<float> sample() {
  scola::tile_output<float> t;
  t.run_key = 0x1234;
  t.tile = 2;
  t.tile_count = 8;
  t.a = 0.75;
  for (std::uint64_t i = 0; i < 5; ++i) {
    t.ids.push_back(10 * i + 3);
    t.positions.push_back({float(i), 0.5f, -1.0f});
    t.momenta.push_back({0.25f, float(i) * 2, 3.0f});
  }
  t.steps = 7;
  lightcone::shell sh;
  sh.index = 3;
  sh.chi_min = 100.5;
  sh.chi_max = 175.25;
  sh.healpix_counts.assign(48, 0);
  sh.healpix_counts[5] = 2;
  sh.healpix_counts[47] = 1;
  for (std::uint64_t i = 0; i < 3; ++i) {
    lightcone::crossing c;
    c.id = 13 + 10 * i;
    c.replica = {-1, static_cast<std::int32_t>(i), 2};
    c.a = 0.9 + 1e-3 * static_cast<double>(i);
    c.position = {120.0 + 0.1 * static_cast<double>(i), -3.0, 1e-9};
    c.momentum = {-4.0, 5.5, 1.0 / 3.0};
    sh.particles.push_back(c);
  }
  t.shells.push_back(sh);
  t.shells.push_back(lightcone::shell{4, 175.25, 200.0, {}, std::vector<std::uint32_t>(48, 0)});
  return t;
}
}  // namespace

TEST_CASE("tile file round trip and verification") {
  const test::scratch_dir dir("tile_file");
  const auto path = dir.path / "tile_2.bin";
  const auto t = sample();
  scola::write_tile_file(path, t);
  CHECK_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  const auto back = scola::read_tile_file<float>(path, 0x1234, 2, 8);
  CHECK(back.a == 0.75);
  CHECK(back.ids == t.ids);
  CHECK(back.positions == t.positions);
  CHECK(back.momenta == t.momenta);
  CHECK(back.steps == 7);
  REQUIRE(back.shells.size() == 2);
  for (std::size_t s = 0; s < 2; ++s) {
    const auto &x = t.shells[s], &y = back.shells[s];
    CHECK(y.index == x.index);
    CHECK(y.chi_min == x.chi_min);
    CHECK(y.chi_max == x.chi_max);
    CHECK(y.healpix_counts == x.healpix_counts);
    REQUIRE(y.particles.size() == x.particles.size());
    for (std::size_t k = 0; k < x.particles.size(); ++k) {  // bit for bit (doubles on disk)
      CHECK(y.particles[k].id == x.particles[k].id);
      CHECK(y.particles[k].replica == x.particles[k].replica);
      CHECK(y.particles[k].a == x.particles[k].a);
      CHECK(y.particles[k].position == x.particles[k].position);
      CHECK(y.particles[k].momentum == x.particles[k].momentum);
    }
  }
  CHECK(scola::tile_file_is_valid<float>(path, 0x1234, 2, 8));

  SUBCASE("another run, tile or precision is refused") {
    CHECK_THROWS_WITH_AS(scola::read_tile_file<float>(path, 0x9999, 2, 8), doctest::Contains("another run"), io_error);
    CHECK_THROWS_WITH_AS(scola::read_tile_file<float>(path, 0x1234, 3, 8), doctest::Contains("holds tile 2"), io_error);
    CHECK_THROWS_WITH_AS(scola::read_tile_file<double>(path, 0x1234, 2, 8), doctest::Contains("4-byte reals"), io_error);
    CHECK_FALSE(scola::tile_file_is_valid<float>(path, 0x1234, 3, 8));
  }
  SUBCASE("a flipped byte is a checksum mismatch") {
    {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(70);
      f.put('\x7f');
    }
    CHECK_THROWS_WITH_AS(scola::read_tile_file<float>(path, 0x1234, 2, 8), doctest::Contains("checksum"), io_error);
    CHECK_FALSE(scola::tile_file_is_valid<float>(path, 0x1234, 2, 8));
  }
  SUBCASE("a truncated file is detected") {
    std::filesystem::resize_file(path, std::filesystem::file_size(path) - 9);
    CHECK_THROWS_WITH_AS(scola::read_tile_file<float>(path, 0x1234, 2, 8), doctest::Contains("truncated"), io_error);
  }
  SUBCASE("a missing file is named") {
    CHECK_THROWS_WITH_AS(scola::read_tile_file<float>(dir.path / "nope.bin", 1, 0, 1), doctest::Contains("nope.bin"),
                         io_error);
    CHECK_FALSE(scola::tile_file_is_valid<float>(dir.path / "nope.bin", 1, 0, 1));
  }
}
