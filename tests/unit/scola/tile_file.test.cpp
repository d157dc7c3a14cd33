// SPDX-License-Identifier: BSD-3-Clause
// Tile files (scola/tile_file.hpp): round trip, and every way a file can be wrong is detected.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

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
