// SPDX-License-Identifier: BSD-3-Clause
// Sequential binary files (io/binary_file.hpp): round trip and the io_errors that name the file.

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "lagframe/io/atomic_file.hpp"
#include "lagframe/io/binary_file.hpp"
#include "support/scratch_dir.hpp"

using namespace lagframe;

TEST_CASE("binary writer and reader") {
  const test::scratch_dir dir("binary_file");
  const auto path = dir.path / "data.bin";
  const std::uint64_t n = 42;
  const double values[3] = {1.5, -2.0, 3.25};
  io::write_atomically(path, [&](const std::filesystem::path& tmp) {
    io::binary_writer out(tmp);
    out.put("MAGIC123", 8);
    out.put(&n, 8);
    out.put(values, sizeof(values));
    out.finish();
  });
  CHECK(std::filesystem::file_size(path) == 8 + 8 + 24);
  {
    io::binary_reader in(path, "test file");
    char magic[8];
    std::uint64_t m = 0;
    double back[3] = {};
    in.get(magic, 8, "the magic");
    in.get(&m, 8, "the count");
    in.get(back, sizeof(back), "the values");
    in.expect_end();
    CHECK(m == 42);
    CHECK(back[2] == 3.25);
  }
  SUBCASE("reading past the end names what was being read and the file") {
    io::binary_reader in(path, "test file");
    double big[6];
    const std::string expected = "test file " + path.string() + ": truncated while reading the big block";
    CHECK_THROWS_WITH_AS(in.get(big, sizeof(big), "the big block"), doctest::Contains(expected.c_str()), io_error);
  }
  SUBCASE("bytes beyond what the header announced") {
    io::binary_reader in(path, "test file");
    char head[8];
    in.get(head, 8, "the magic");
    CHECK_THROWS_WITH_AS(in.expect_end(), doctest::Contains("longer than its header says"), io_error);
  }
  SUBCASE("a missing file") {
    CHECK_THROWS_WITH_AS(io::binary_reader(dir.path / "nope.bin", "test file"), doctest::Contains("nope.bin"),
                         io_error);
    CHECK_THROWS_WITH_AS(io::binary_writer(dir.path / "no_dir" / "x.bin"), doctest::Contains("cannot open"), io_error);
  }
}
