// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include "support/known_ic_grid.hpp"
#include "support/scratch_dir.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lagframe/io/gadget2_binary.hpp"

using namespace lagframe;
namespace fs = std::filesystem;

namespace {

using lagframe::test::scratch_dir;
using namespace lagframe::test::known_ic;

constexpr double box_kpc = 100000.0;  // 100 Mpc/h
constexpr double a_ic = 0.02;

/// The known set (support/known_ic_grid.hpp) as written here: positions in kpc/h.
void check_grid(const io::ic_particles& ic) { lagframe::test::known_ic::check_grid(ic, 100.0, a_ic, 1e-5); }



struct writer_options {
  int format = 1;
  int id_bytes = 4;
  bool swap = false;
  std::size_t gas_in_first = 0;   // type-0 particles stored before type 1 in file 0
  std::string bad_label;          // replaces the "VEL " label in format 2 when set
};

writer_options opts(int format, int id_bytes = 4, bool swap = false, std::size_t gas = 0, std::string bad_label = "") {
  writer_options o;
  o.format = format;
  o.id_bytes = id_bytes;
  o.swap = swap;
  o.gas_in_first = gas;
  o.bad_label = std::move(bad_label);
  return o;
}

/// Independent little Gadget-2 writer: Fortran records `int32 n, payload, int32 n`.
class record_writer {
 public:
  record_writer(const fs::path& p, bool swap) : out_(p, std::ios::binary), swap_(swap) {}
  template <class T>
  void put(std::vector<unsigned char>& buf, T v) const {
    unsigned char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    if (swap_) std::reverse(b, b + sizeof(T));
    buf.insert(buf.end(), b, b + sizeof(T));
  }
  void record(const std::vector<unsigned char>& payload) {
    std::vector<unsigned char> m;
    put<std::int32_t>(m, static_cast<std::int32_t>(payload.size()));
    out_.write(reinterpret_cast<const char*>(m.data()), 4);
    out_.write(reinterpret_cast<const char*>(payload.data()), static_cast<std::streamsize>(payload.size()));
    out_.write(reinterpret_cast<const char*>(m.data()), 4);
  }
  void label(const std::string& name, std::size_t block_bytes) {
    std::vector<unsigned char> p(name.begin(), name.end());
    put<std::int32_t>(p, static_cast<std::int32_t>(block_bytes + 8));
    record(p);
  }

 private:
  std::ofstream out_;
  bool swap_;
};

/// Writes the 16³ grid as `base.0`, `base.1` with shuffled 1-based ids (plus `id_offset` − 1).
void write_gadget2(const fs::path& base, const writer_options& o, std::uint64_t id_offset = 1) {
  std::vector<std::size_t> order(n_total);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937 rng(12345);
  std::shuffle(order.begin(), order.end(), rng);
  const std::size_t split = 1900;
  for (int file = 0; file < 2; ++file) {
    const std::size_t first = file == 0 ? 0 : split;
    const std::size_t count = file == 0 ? split : n_total - split;
    const std::size_t gas = file == 0 ? o.gas_in_first : 0;
    const std::size_t all = gas + count;
    fs::path name = base;
    name += "." + std::to_string(file);
    record_writer w(name, o.swap);
    std::vector<unsigned char> head;
    for (int t = 0; t < 6; ++t) w.put<std::int32_t>(head, t == 1 ? static_cast<std::int32_t>(count) : t == 0 ? static_cast<std::int32_t>(gas) : 0);
    for (int t = 0; t < 6; ++t) w.put<double>(head, t == 1 ? 0.123 : 0.0);
    w.put<double>(head, a_ic);
    w.put<double>(head, 1.0 / a_ic - 1.0);
    w.put<std::int32_t>(head, 0);  // flag_sfr
    w.put<std::int32_t>(head, 0);  // flag_feedback
    for (int t = 0; t < 6; ++t) w.put<std::uint32_t>(head, t == 1 ? static_cast<std::uint32_t>(n_total) : t == 0 ? static_cast<std::uint32_t>(o.gas_in_first) : 0u);
    w.put<std::int32_t>(head, 0);  // flag_cooling
    w.put<std::int32_t>(head, 2);  // num_files
    w.put<double>(head, box_kpc);
    w.put<double>(head, 0.3);
    w.put<double>(head, 0.7);
    w.put<double>(head, 0.7);
    head.resize(256, 0);
    if (o.format == 2) w.label("HEAD", 256);
    w.record(head);

    std::vector<unsigned char> pos, vel, ids;
    for (std::size_t g = 0; g < gas; ++g) {
      for (int d = 0; d < 3; ++d) w.put<float>(pos, -1.0e6f);
      for (int d = 0; d < 3; ++d) w.put<float>(vel, 1.0e6f);
      if (o.id_bytes == 4) w.put<std::uint32_t>(ids, 999999u);
      else w.put<std::uint64_t>(ids, 999999u);
    }
    for (std::size_t p = first; p < first + count; ++p) {
      const std::size_t id = order[p];
      const std::size_t i = id / (n1d * n1d), j = (id / n1d) % n1d, k = id % n1d;
      for (double x : displaced(i, j, k, box_kpc / n1d)) w.put<float>(pos, static_cast<float>(x));
      for (double v : velocity(i, j, k)) w.put<float>(vel, static_cast<float>(v));
      if (o.id_bytes == 4) w.put<std::uint32_t>(ids, static_cast<std::uint32_t>(id + id_offset));
      else w.put<std::uint64_t>(ids, id + id_offset);
    }
    CHECK(pos.size() == 12 * all);
    if (o.format == 2) w.label("POS ", pos.size());
    w.record(pos);
    if (o.format == 2) w.label(o.bad_label.empty() ? "VEL " : o.bad_label, vel.size());
    w.record(vel);
    if (o.format == 2) w.label("ID  ", ids.size());
    w.record(ids);
  }
}



}  // namespace

TEST_CASE("read_gadget2_ic: SnapFormat 1, two files, shuffled 1-based ids, gas ignored") {
  scratch_dir dir("f1");
  const fs::path base = dir.path / "ics";
  write_gadget2(base, opts(1, 4, false, 10));
  check_grid(io::read_gadget2_ic(base, io::id_convention::one_based));
  // A piece name stands for the whole set.
  check_grid(io::read_gadget2_ic(dir.path / "ics.1", io::id_convention::one_based));
}

TEST_CASE("read_gadget2_ic: SnapFormat 2, 8-byte ids, 0-based") {
  scratch_dir dir("f2");
  const fs::path base = dir.path / "ics";
  write_gadget2(base, opts(2, 8), 0);
  check_grid(io::read_gadget2_ic(base, io::id_convention::zero_based));
  // The same file read as 1-based: id 0 is out of range.
  const auto msg = io_error_of([&] { (void)io::read_gadget2_ic(base, io::id_convention::one_based); });
  CHECK(msg.find("particle id 0 is out of range") != std::string::npos);
}

TEST_CASE("read_gadget2_ic: byte-swapped files are read") {
  scratch_dir dir("swap");
  const fs::path base = dir.path / "ics";
  write_gadget2(base, opts(2, 4, true));
  check_grid(io::read_gadget2_ic(base, io::id_convention::one_based));
  write_gadget2(base, opts(1, 4, true));
  check_grid(io::read_gadget2_ic(base, io::id_convention::one_based));
}

TEST_CASE("read_gadget2_ic: length unit") {
  scratch_dir dir("unit");
  const fs::path base = dir.path / "ics";
  write_gadget2(base, opts(1));
  const auto ic = io::read_gadget2_ic(base, io::id_convention::one_based, 1.0);  // file in Mpc/h
  CHECK(ic.grid.side_mpc_h == doctest::Approx(box_kpc));
  CHECK_THROWS_AS((void)io::read_gadget2_ic(base, io::id_convention::one_based, 0.0), config_error);
}

TEST_CASE("read_gadget2_ic: broken files give io_error naming the file") {
  scratch_dir dir("bad");
  const fs::path base = dir.path / "ics";

  SUBCASE("truncated") {
    write_gadget2(base, opts(1));
    const fs::path f1 = dir.path / "ics.1";
    fs::resize_file(f1, fs::file_size(f1) - 100);
    const auto msg = io_error_of([&] { (void)io::read_gadget2_ic(base, io::id_convention::one_based); });
    INFO(msg);
    CHECK(msg.find(f1.string()) != std::string::npos);
    CHECK(msg.find("truncated") != std::string::npos);
  }
  SUBCASE("wrong block label") {
    write_gadget2(base, opts(2, 4, false, 0, "VELX"));
    const auto msg = io_error_of([&] { (void)io::read_gadget2_ic(base, io::id_convention::one_based); });
    INFO(msg);
    CHECK(msg.find((dir.path / "ics.0").string()) != std::string::npos);
    CHECK(msg.find("wrong block label 'VELX'") != std::string::npos);
  }
  SUBCASE("record markers disagree") {
    write_gadget2(base, opts(1));
    const fs::path f0 = dir.path / "ics.0";
    {
      std::fstream f(f0, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(4 + 256);  // end marker of the header
      const std::int32_t bad = 255;
      f.write(reinterpret_cast<const char*>(&bad), 4);
    }
    const auto msg = io_error_of([&] { (void)io::read_gadget2_ic(base, io::id_convention::one_based); });
    INFO(msg);
    CHECK(msg.find(f0.string()) != std::string::npos);
    CHECK(msg.find("disagree") != std::string::npos);
  }
  SUBCASE("not a Gadget file") {
    std::ofstream(dir.path / "junk") << "hello world, this is not a snapshot";
    const auto msg = io_error_of([&] { (void)io::read_gadget2_ic(dir.path / "junk", io::id_convention::one_based); });
    CHECK(msg.find("junk") != std::string::npos);
    CHECK(msg.find("first record marker") != std::string::npos);
  }
  SUBCASE("missing file") {
    const auto msg = io_error_of([&] { (void)io::read_gadget2_ic(dir.path / "nothing", io::id_convention::one_based); });
    CHECK(msg.find("not found") != std::string::npos);
  }
  SUBCASE("second piece missing") {
    write_gadget2(base, opts(1));
    fs::remove(dir.path / "ics.1");
    const auto msg = io_error_of([&] { (void)io::read_gadget2_ic(base, io::id_convention::one_based); });
    CHECK(msg.find((dir.path / "ics.1").string()) != std::string::npos);
  }
}

TEST_CASE("map_to_grid: refuses sets that are not a full grid") {
  io::raw_ic raw;
  raw.source = "test-set";
  raw.box_size_mpc_h = 10.0;
  raw.a = 0.5;
  const std::size_t n = 3;
  for (std::uint64_t id = 0; id < n * n * n; ++id) {
    raw.ids.push_back(id + 1);
    raw.positions.push_back({0.0, 0.0, 0.0});
    raw.velocities.push_back({0.0, 0.0, 0.0});
  }
  CHECK_NOTHROW((void)io::map_to_grid(raw, io::id_convention::one_based));

  auto dup = raw;
  dup.ids[5] = 12;  // id 12 twice, id 6 missing
  auto msg = io_error_of([&] { (void)io::map_to_grid(dup, io::id_convention::one_based); });
  INFO(msg);
  CHECK(msg.find("test-set") != std::string::npos);
  CHECK(msg.find("particle id 12 occurs more than once (id 6 is missing)") != std::string::npos);

  auto big = raw;
  big.ids[0] = 28;
  msg = io_error_of([&] { (void)io::map_to_grid(big, io::id_convention::one_based); });
  CHECK(msg.find("particle id 28 is out of range") != std::string::npos);

  auto fewer = raw;
  fewer.ids.pop_back();
  fewer.positions.pop_back();
  fewer.velocities.pop_back();
  msg = io_error_of([&] { (void)io::map_to_grid(fewer, io::id_convention::one_based); });
  CHECK(msg.find("26 type-1 particles, not a perfect cube") != std::string::npos);

  // Positions outside the box are wrapped; momenta p = a^{3/2} u / 100.
  auto moved = raw;
  moved.positions[0] = {-0.5, 10.25, 23.0};
  moved.velocities[0] = {100.0, -200.0, 0.0};
  const auto ic = io::map_to_grid(moved, io::id_convention::one_based);
  CHECK(ic.positions[0][0] == doctest::Approx(9.5));
  CHECK(ic.positions[0][1] == doctest::Approx(0.25));
  CHECK(ic.positions[0][2] == doctest::Approx(3.0));
  CHECK(ic.momenta[0][0] == doctest::Approx(std::pow(0.5, 1.5)));
  CHECK(ic.momenta[0][1] == doctest::Approx(-2.0 * std::pow(0.5, 1.5)));
}
