// SPDX-License-Identifier: BSD-3-Clause
// io::atomic_file_set and io/interrupt.hpp: a set of files appears whole or not at all, also
// when a stop is requested in the middle; an interrupted npy write leaves nothing behind.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lagframe/io/atomic_file.hpp"
#include "lagframe/io/interrupt.hpp"
#include "lagframe/io/npy.hpp"
#include "support/scratch_dir.hpp"

using namespace lagframe;

namespace {
void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
}
std::size_t file_count(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}
/// Clears the interrupt request when the test ends, whatever happens.
struct interrupt_reset {
  ~interrupt_reset() { io::interrupt_signal.store(0); }
};
}  // namespace

TEST_CASE("atomic_file_set renames all parts together on commit" * doctest::test_suite("unit.io")) {
  const test::scratch_dir dir("atomic_set");
  io::atomic_file_set set;
  for (int k = 0; k < 3; ++k) {
    const auto final_name = dir.path / ("part." + std::to_string(k));
    const auto tmp = set.temporary(final_name);
    CHECK(tmp.string() == final_name.string() + ".tmp");
    write_text(tmp, "x");
    CHECK_FALSE(std::filesystem::exists(final_name));  // nothing visible before the commit
  }
  set.commit();
  for (int k = 0; k < 3; ++k) CHECK(std::filesystem::exists(dir.path / ("part." + std::to_string(k))));
  CHECK(file_count(dir.path) == 3);
}

TEST_CASE("an uncommitted set leaves no file, also after an exception" * doctest::test_suite("unit.io")) {
  const test::scratch_dir dir("atomic_abort");
  {
    io::atomic_file_set set;
    write_text(set.temporary(dir.path / "a"), "x");
    write_text(set.temporary(dir.path / "b"), "y");
  }
  CHECK(file_count(dir.path) == 0);
  CHECK_THROWS_AS(io::write_atomically(dir.path / "c",
                                       [](const std::filesystem::path& tmp) {
                                         write_text(tmp, "z");
                                         throw io_error("failed on purpose");
                                       }),
                  io_error);
  CHECK(file_count(dir.path) == 0);
}

TEST_CASE("an interrupt request stops a set before its next file and removes the rest" * doctest::test_suite("unit.io")) {
  const test::scratch_dir dir("atomic_interrupt");
  const interrupt_reset reset;
  CHECK_NOTHROW(io::throw_if_interrupted());
  io::atomic_file_set set;
  write_text(set.temporary(dir.path / "first"), "x");
  io::request_interrupt(15);
  try {
    (void)set.temporary(dir.path / "second");
    FAIL("an interrupt request must throw");
  } catch (const io::interrupted& e) {
    CHECK(e.signal == 15);
    CHECK(std::string(e.what()).find("signal 15") != std::string::npos);
  }
  set.discard();
  CHECK(file_count(dir.path) == 0);
}

TEST_CASE("a paired npy write interrupted half-way leaves neither file" * doctest::test_suite("unit.io")) {
  const test::scratch_dir dir("atomic_npy");
  const interrupt_reset reset;
  const std::vector<vec3<float>> positions(1000, vec3<float>{1, 2, 3});
  {
    io::atomic_file_set set;
    io::write_npy(set, dir.path / "positions.npy", std::span<const vec3<float>>(positions));
    io::request_interrupt(2);
    CHECK_THROWS_AS(io::write_npy(set, dir.path / "momenta.npy", std::span<const vec3<float>>(positions)),
                    io::interrupted);
  }
  CHECK(file_count(dir.path) == 0);
  io::interrupt_signal.store(0);
  {
    io::atomic_file_set set;
    io::write_npy(set, dir.path / "positions.npy", std::span<const vec3<float>>(positions));
    io::write_npy(set, dir.path / "momenta.npy", std::span<const vec3<float>>(positions));
    set.commit();
  }
  CHECK(io::read_npy_vec3<float>(dir.path / "momenta.npy") == positions);
  CHECK(file_count(dir.path) == 2);
}
