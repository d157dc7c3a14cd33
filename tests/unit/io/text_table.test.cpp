// SPDX-License-Identifier: BSD-3-Clause
// Tests of lagframe/io/text_table.hpp: write_text_table / read_text_table round trip, hand-written
// tables, and the io_error messages for bad input.

#include <doctest/doctest.h>

#include "support/scratch_dir.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "lagframe/io/text_table.hpp"

namespace fs = std::filesystem;
using lagframe::io::read_text_table;
using lagframe::io::write_text_table;

namespace {

using temp_dir = lagframe::test::scratch_dir;

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

std::string read_error(const fs::path& p) {
  try {
    (void)read_text_table(p);
  } catch (const lagframe::io_error& e) {
    return e.what();
  }
  FAIL("read_text_table did not throw io_error for " << p.string());
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_SUITE("unit.io") {

TEST_CASE("read_text_table reads back what write_text_table writes") {
  temp_dir dir;
  std::vector<double> k, pk, modes;
  for (int i = 0; i < 20; ++i) {
    k.push_back(0.01 * std::pow(1.3, i));
    pk.push_back(2.5e4 / (1.0 + i * i) - 17.0);
    modes.push_back(static_cast<double>(4 * i * i + 1));
  }
  const std::vector<std::string> names{"k[h/Mpc]", "P(k)[(Mpc/h)^3]", "modes"};
  const std::vector<std::string> comments{"lagframe power spectrum", "a = 1.0, L = 256 Mpc/h"};
  write_text_table(dir / "pk.txt", names, {k, pk, modes}, comments);
  const auto t = read_text_table(dir / "pk.txt");
  CHECK(t.comments == comments);
  CHECK(t.names == names);
  REQUIRE(t.columns.size() == 3);
  const std::vector<std::vector<double>> expected{k, pk, modes};
  // %.8e keeps 9 significant digits: relative error at most 5e-9.
  for (std::size_t c = 0; c < 3; ++c) {
    REQUIRE(t.columns[c].size() == 20);
    for (std::size_t r = 0; r < 20; ++r)
      CHECK(std::abs(t.columns[c][r] - expected[c][r]) <= 6e-9 * std::abs(expected[c][r]));
  }
}

TEST_CASE("read_text_table: no comments, empty tables, hand-written files") {
  temp_dir dir;
  SUBCASE("header only, no rows") {
    write_text_table(dir / "empty.txt", {"a", "b"}, {{}, {}});
    const auto t = read_text_table(dir / "empty.txt");
    CHECK(t.comments.empty());
    CHECK(t.names == std::vector<std::string>{"a", "b"});
    REQUIRE(t.columns.size() == 2);
    CHECK(t.columns[0].empty());
  }
  SUBCASE("no '#' line, blank lines, CRLF, leading spaces, nan") {
    write_text(dir / "plain.txt", "\n  1 2.5e3\r\n\n-3\t4\n5 nan\n");
    const auto t = read_text_table(dir / "plain.txt");
    CHECK(t.names.empty());
    CHECK(t.comments.empty());
    REQUIRE(t.columns.size() == 2);
    CHECK(t.columns[0] == std::vector<double>{1.0, -3.0, 5.0});
    CHECK(t.columns[1][0] == 2500.0);
    CHECK(t.columns[1][1] == 4.0);
    CHECK(std::isnan(t.columns[1][2]));
  }
  SUBCASE("the last '#' line before data names the columns; later '#' lines are comments") {
    write_text(dir / "h.txt", "#first\n# x y\n1 2\n# trailing note\n3 4\n");
    const auto t = read_text_table(dir / "h.txt");
    CHECK(t.comments == std::vector<std::string>{"first", "trailing note"});
    CHECK(t.names == std::vector<std::string>{"x", "y"});
    CHECK(t.columns[1] == std::vector<double>{2.0, 4.0});
  }
}

TEST_CASE("read_text_table errors name the path, line and token") {
  temp_dir dir;
  SUBCASE("missing file") {
    const std::string msg = read_error(dir / "absent.txt");
    CHECK(contains(msg, "absent.txt"));
  }
  SUBCASE("non-numeric token") {
    write_text(dir / "bad.txt", "# a b\n1 2\n3 4x\n");
    const std::string msg = read_error(dir / "bad.txt");
    CHECK(contains(msg, "bad.txt"));
    CHECK(contains(msg, "line 3"));
    CHECK(contains(msg, "'4x'"));
  }
  SUBCASE("row with too few or too many columns") {
    write_text(dir / "short.txt", "# a b c\n1 2 3\n4 5\n");
    std::string msg = read_error(dir / "short.txt");
    CHECK(contains(msg, "short.txt"));
    CHECK(contains(msg, "line 3"));
    CHECK(contains(msg, "2 columns, expected 3"));
    CHECK(contains(msg, "'4 5'"));
    write_text(dir / "long.txt", "1 2\n3 4\n5 6 7\n");
    msg = read_error(dir / "long.txt");
    CHECK(contains(msg, "line 3"));
    CHECK(contains(msg, "3 columns, expected 2"));
  }
  SUBCASE("first row disagrees with the names") {
    write_text(dir / "names.txt", "# a b c\n1 2\n");
    const std::string msg = read_error(dir / "names.txt");
    CHECK(contains(msg, "line 2"));
    CHECK(contains(msg, "expected 3"));
  }
}

}  // TEST_SUITE
