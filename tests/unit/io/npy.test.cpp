// SPDX-License-Identifier: BSD-3-Clause
// Tests of lagframe/io/npy.hpp: round trips, agreement with NumPy itself in both directions
// (via /usr/bin/python3), one test per reading error, and atomicity of failed writes.

#include <doctest/doctest.h>

#include "support/scratch_dir.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "lagframe/io/npy.hpp"

namespace fs = std::filesystem;
using lagframe::io::read_npy;
using lagframe::io::write_npy;

namespace {

using temp_dir = lagframe::test::scratch_dir;

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A hand-made .npy file: magic, version, little-endian header length, the dict padded to 64.
std::string npy_bytes(const std::string& dict, const std::string& payload, unsigned char major = 1) {
  std::string header = dict;
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  while ((6 + 2 + len_bytes + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t b = 0; b < len_bytes; ++b) out += static_cast<char>((header.size() >> (8 * b)) & 0xff);
  return out + header + payload;
}

template <class T>
std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

/// The message of the io_error read_npy<T> throws (fails the test if none is thrown).
template <class T>
std::string read_error(const fs::path& p) {
  try {
    (void)read_npy<T>(p);
  } catch (const lagframe::io_error& e) {
    return e.what();
  }
  FAIL("read_npy did not throw io_error for " << p.string());
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

double field_formula(std::size_t i, std::size_t j, std::size_t k) {
  return std::sin(0.3 * static_cast<double>(i)) + 0.1 * static_cast<double>(j) -
         0.01 * static_cast<double>(k * k);
}

/// Runs a Python script with NumPy; a missing interpreter or NumPy is a failure, not a skip.
int run_python(const temp_dir& dir, const std::string& script) {
  const fs::path python = "/usr/bin/python3";
  REQUIRE_MESSAGE(fs::exists(python),
                  "/usr/bin/python3 is missing: install python3 and python3-numpy to run this test");
  const fs::path file = dir / "check.py";
  {
    std::ofstream out(file);
    out << "import sys\ntry:\n    import numpy as np\nexcept ImportError:\n    sys.exit(77)\n" << script;
  }
  const std::string command = "cd '" + dir.path.string() + "' && /usr/bin/python3 '" + file.string() + "'";
  const int status = std::system(command.c_str());
  const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  REQUIRE_MESSAGE(rc != 77, "NumPy is missing for /usr/bin/python3: install python3-numpy");
  return rc;
}

}  // namespace

TEST_SUITE("unit.io") {

TEST_CASE("npy round trips preserve shape and values exactly") {
  temp_dir dir;
  SUBCASE("float") {
    std::vector<float> v{1.5f, -2.25f, 3.0e-7f, 4.0e20f, 0.0f, -0.0f};
    write_npy(dir / "a.npy", v, {2, 3});
    const auto a = read_npy<float>(dir / "a.npy");
    CHECK(a.shape == std::vector<std::size_t>{2, 3});
    CHECK(a.data == v);
  }
  SUBCASE("double, 1-D and 0-D") {
    std::vector<double> v{0.1, 1.0 / 3.0, -1e300, 5e-324};
    write_npy(dir / "d.npy", std::span<const double>(v), {4});
    const auto a = read_npy<double>(dir / "d.npy");
    CHECK(a.shape == std::vector<std::size_t>{4});
    CHECK(a.data == v);
    const std::vector<double> scalar{2.5};
    write_npy(dir / "s.npy", scalar, {});
    const auto s = read_npy<double>(dir / "s.npy");
    CHECK(s.shape.empty());
    CHECK(s.data == scalar);
  }
  SUBCASE("int64, uint32, uint64, int32") {
    std::vector<std::int64_t> v{-(std::int64_t{1} << 62), -1, 0, 7, std::int64_t{1} << 40, 42};
    write_npy(dir / "i.npy", v, {3, 1, 2});
    const auto a = read_npy<std::int64_t>(dir / "i.npy");
    CHECK(a.shape == std::vector<std::size_t>{3, 1, 2});
    CHECK(a.data == v);
    std::vector<std::uint32_t> u{4000000000u, 1u};
    write_npy(dir / "u.npy", u, {2});
    CHECK(read_npy<std::uint32_t>(dir / "u.npy").data == u);
    std::vector<std::uint64_t> u64{~std::uint64_t{0}};
    write_npy(dir / "u64.npy", u64, {1});
    CHECK(read_npy<std::uint64_t>(dir / "u64.npy").data == u64);
    std::vector<std::int32_t> i32{-5, 6, 0};
    write_npy(dir / "i32.npy", i32, {3, 1});
    CHECK(read_npy<std::int32_t>(dir / "i32.npy").data == i32);
  }
  SUBCASE("empty array") {
    write_npy(dir / "e.npy", std::vector<float>{}, {0, 3});
    const auto a = read_npy<float>(dir / "e.npy");
    CHECK(a.shape == std::vector<std::size_t>{0, 3});
    CHECK(a.data.empty());
  }
}

TEST_CASE("npy header is version 1.0 and data start at a multiple of 64 bytes") {
  temp_dir dir;
  write_npy(dir / "a.npy", std::vector<float>(6, 1.0f), {2, 3});
  const std::string bytes = read_bytes(dir / "a.npy");
  REQUIRE(bytes.size() > 10);
  CHECK(bytes.substr(0, 6) == std::string("\x93NUMPY", 6));
  CHECK(bytes[6] == '\x01');
  CHECK(bytes[7] == '\x00');
  const std::size_t header_len = static_cast<unsigned char>(bytes[8]) + 256u * static_cast<unsigned char>(bytes[9]);
  CHECK((10 + header_len) % 64 == 0);
  CHECK(bytes.size() == 10 + header_len + 6 * sizeof(float));
  CHECK(bytes[10 + header_len - 1] == '\n');
  CHECK(contains(bytes.substr(10, header_len), "'descr': '<f4'"));
  CHECK(contains(bytes.substr(10, header_len), "'shape': (2, 3)"));
}

TEST_CASE_TEMPLATE("npy field and vec3 overloads round trip", Real, float, double) {
  temp_dir dir;
  const std::size_t n = 6;
  lagframe::real_field<Real> field(n, 100.0);
  field.fill(Real(-99));  // padding must not leak into the file
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) field(i, j, k) = static_cast<Real>(field_formula(i, j, k));
  write_npy(dir / "f.npy", field);
  const auto raw_back = read_npy<Real>(dir / "f.npy");
  CHECK(raw_back.shape == std::vector<std::size_t>{n, n, n});
  CHECK(raw_back.data.size() == n * n * n);
  const auto back = lagframe::io::read_npy_field<Real>(dir / "f.npy", 100.0);
  REQUIRE(back.size_1d() == n);
  CHECK(back.side() == 100.0);
  bool same = true;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) same = same && back(i, j, k) == field(i, j, k);
  CHECK(same);

  std::vector<lagframe::vec3<Real>> vectors{{Real(1), Real(2), Real(3)}, {Real(-4), Real(0.5), Real(6)}};
  write_npy(dir / "v.npy", std::span<const lagframe::vec3<Real>>(vectors));
  const auto vraw = read_npy<Real>(dir / "v.npy");
  CHECK(vraw.shape == std::vector<std::size_t>{2, 3});
  CHECK(lagframe::io::read_npy_vec3<Real>(dir / "v.npy") == vectors);

  // Shape checks of the convenience readers.
  CHECK(contains(read_error<Real>(dir / "missing.npy"), "missing.npy"));
  CHECK_THROWS_AS(lagframe::io::read_npy_vec3<Real>(dir / "f.npy"), lagframe::io_error);
  CHECK_THROWS_AS(lagframe::io::read_npy_field<Real>(dir / "v.npy", 1.0), lagframe::io_error);
}

TEST_CASE("NumPy loads what lagframe writes") {
  temp_dir dir;
  const std::size_t n = 8;
  lagframe::real_field<float> field(n, 50.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) field(i, j, k) = static_cast<float>(field_formula(i, j, k));
  write_npy(dir / "field.npy", field);
  std::vector<double> d(2 * 3 * 4);
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = 0.5 * static_cast<double>(i) - 1.0;
  write_npy(dir / "d.npy", d, {2, 3, 4});
  std::vector<std::int64_t> ids(5);
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = (std::int64_t{1} << 40) + static_cast<std::int64_t>(i);
  write_npy(dir / "ids.npy", ids, {5});
  std::vector<lagframe::vec3<double>> pos(4);
  for (std::size_t p = 0; p < pos.size(); ++p)
    pos[p] = {static_cast<double>(p), 10.0 + static_cast<double>(p), -static_cast<double>(p * p)};
  write_npy(dir / "pos.npy", pos);

  const int rc = run_python(dir, R"(
ok = True
f = np.load('field.npy')
i, j, k = np.indices((8, 8, 8)).astype(np.float64)
ok &= f.dtype == np.float32 and f.shape == (8, 8, 8)
ok &= np.allclose(f, np.sin(0.3 * i) + 0.1 * j - 0.01 * k * k, rtol=0, atol=1e-6)
d = np.load('d.npy')
ok &= d.dtype == np.float64 and d.shape == (2, 3, 4) and np.array_equal(d, np.arange(24).reshape(2, 3, 4) * 0.5 - 1.0)
ids = np.load('ids.npy')
ok &= ids.dtype == np.int64 and ids.shape == (5,) and np.array_equal(ids, 2**40 + np.arange(5))
p = np.load('pos.npy')
q = np.arange(4.0)
ok &= p.dtype == np.float64 and p.shape == (4, 3) and np.array_equal(p, np.stack([q, 10 + q, -q * q], axis=1))
with open('d.npy', 'rb') as fh:
    ok &= np.lib.format.read_magic(fh) == (1, 0)
print('numpy check', 'passed' if ok else 'FAILED')
sys.exit(0 if ok else 1)
)");
  CHECK_MESSAGE(rc == 0, "NumPy rejected or disagreed with a file lagframe wrote");
}

TEST_CASE("lagframe reads what NumPy saves") {
  temp_dir dir;
  const int rc = run_python(dir, R"(
i, j, k = np.indices((5, 5, 5)).astype(np.float64)
np.save('field.npy', (np.sin(0.3 * i) + 0.1 * j - 0.01 * k * k).astype(np.float32))
np.save('vec.npy', np.arange(21, dtype=np.float64).reshape(7, 3) * 0.25)
np.save('ids.npy', np.arange(6, dtype=np.int64) * -3 + 2**40)
np.save('fortran.npy', np.asfortranarray(np.arange(6.0).reshape(2, 3)))
np.save('big.npy', np.arange(4, dtype='>f8'))
with open('v2.npy', 'wb') as fh:
    np.lib.format.write_array(fh, np.arange(3, dtype=np.int32), version=(2, 0))
)");
  REQUIRE_MESSAGE(rc == 0, "the NumPy script that writes test files failed");

  const auto field = lagframe::io::read_npy_field<float>(dir / "field.npy", 10.0);
  REQUIRE(field.size_1d() == 5);
  double worst = 0.0;
  for (std::size_t i = 0; i < 5; ++i)
    for (std::size_t j = 0; j < 5; ++j)
      for (std::size_t k = 0; k < 5; ++k)
        worst = std::max(worst, std::abs(field(i, j, k) - field_formula(i, j, k)));
  CHECK(worst < 1e-6);

  const auto vec = lagframe::io::read_npy_vec3<double>(dir / "vec.npy");
  REQUIRE(vec.size() == 7);
  for (std::size_t p = 0; p < 7; ++p)
    for (std::size_t c = 0; c < 3; ++c) CHECK(vec[p][c] == 0.25 * static_cast<double>(3 * p + c));

  const auto ids = read_npy<std::int64_t>(dir / "ids.npy");
  CHECK(ids.shape == std::vector<std::size_t>{6});
  for (std::size_t p = 0; p < 6; ++p)
    CHECK(ids.data[p] == (std::int64_t{1} << 40) - 3 * static_cast<std::int64_t>(p));

  const auto v2 = read_npy<std::int32_t>(dir / "v2.npy");
  CHECK(v2.data == std::vector<std::int32_t>{0, 1, 2});

  CHECK(contains(read_error<double>(dir / "fortran.npy"), "fortran_order"));
  CHECK(contains(read_error<double>(dir / "big.npy"), "big-endian"));
  CHECK(contains(read_error<float>(dir / "ids.npy"), "'<i8'"));
}

TEST_CASE("read_npy names the path and the problem for bad input") {
  temp_dir dir;
  const std::string good_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }";
  const std::string payload = raw(std::vector<float>{1, 2, 3, 4});
  // Sanity: the hand-made good file is accepted, so each failure below is due to its one change.
  write_bytes(dir / "good.npy", npy_bytes(good_dict, payload));
  CHECK(read_npy<float>(dir / "good.npy").data == std::vector<float>{1, 2, 3, 4});

  SUBCASE("missing file") {
    const std::string msg = read_error<float>(dir / "nope.npy");
    CHECK(contains(msg, "nope.npy"));
    CHECK(contains(msg, "missing"));
  }
  SUBCASE("bad magic") {
    std::string bytes = npy_bytes(good_dict, payload);
    bytes[1] = 'X';
    write_bytes(dir / "magic.npy", bytes);
    const std::string msg = read_error<float>(dir / "magic.npy");
    CHECK(contains(msg, "magic.npy"));
    CHECK(contains(msg, "bad magic"));
    write_bytes(dir / "short.npy", "\x93NU");
    CHECK(contains(read_error<float>(dir / "short.npy"), "bad magic"));
  }
  SUBCASE("unsupported version") {
    std::string bytes = npy_bytes(good_dict, payload);
    bytes[6] = '\x04';
    write_bytes(dir / "v4.npy", bytes);
    const std::string msg = read_error<float>(dir / "v4.npy");
    CHECK(contains(msg, "v4.npy"));
    CHECK(contains(msg, "unsupported format version 4.0"));
  }
  SUBCASE("dtype different from the requested type names both") {
    write_bytes(dir / "dtype.npy", npy_bytes(good_dict, payload));
    const std::string msg = read_error<double>(dir / "dtype.npy");
    CHECK(contains(msg, "dtype.npy"));
    CHECK(contains(msg, "'<f4'"));
    CHECK(contains(msg, "'<f8'"));
    CHECK_THROWS_AS((void)read_npy<std::int32_t>(dir / "dtype.npy"), lagframe::io_error);
  }
  SUBCASE("big-endian data") {
    write_bytes(dir / "big.npy",
                npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", payload));
    const std::string msg = read_error<float>(dir / "big.npy");
    CHECK(contains(msg, "big.npy"));
    CHECK(contains(msg, "big-endian"));
  }
  SUBCASE("fortran order") {
    write_bytes(dir / "fortran.npy",
                npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", payload));
    const std::string msg = read_error<float>(dir / "fortran.npy");
    CHECK(contains(msg, "fortran.npy"));
    CHECK(contains(msg, "fortran_order True"));
  }
  SUBCASE("truncated data says how many bytes were expected and found") {
    write_bytes(dir / "trunc.npy", npy_bytes(good_dict, payload.substr(0, 10)));
    const std::string msg = read_error<float>(dir / "trunc.npy");
    CHECK(contains(msg, "trunc.npy"));
    CHECK(contains(msg, "truncated data"));
    CHECK(contains(msg, "needs 16 bytes, found 10"));
  }
  SUBCASE("malformed headers") {
    const std::vector<std::string> bad{
        "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (4,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4,x), }",
        "{'descr': '<f4', 'fortran_order': False, }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'extra': 1}",
        "['descr', '<f4']",
        "{'descr: '<f4', 'fortran_order': False, 'shape': (4,), }",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (4,), }",
    };
    for (std::size_t b = 0; b < bad.size(); ++b) {
      const fs::path p = dir / ("malformed" + std::to_string(b) + ".npy");
      write_bytes(p, npy_bytes(bad[b], payload));
      const std::string msg = read_error<float>(p);
      CHECK_MESSAGE(contains(msg, p.filename().string()), msg);
      CHECK_MESSAGE(contains(msg, "malformed header"), msg);
    }
    // A header length pointing past the end of the file.
    std::string bytes = npy_bytes(good_dict, "");
    bytes[9] = '\x7f';
    write_bytes(dir / "longheader.npy", bytes);
    CHECK(contains(read_error<float>(dir / "longheader.npy"), "truncated header"));
  }
}

TEST_CASE("a failed npy write leaves nothing under the final name") {
  temp_dir dir;
  SUBCASE("shape does not match the data (detected inside the atomic write)") {
    const fs::path p = dir / "x.npy";
    CHECK_THROWS_AS(write_npy(p, std::vector<float>(5, 1.0f), {2, 3}), lagframe::config_error);
    CHECK_FALSE(fs::exists(p));
    CHECK_FALSE(fs::exists(dir / "x.npy.tmp"));
    // An existing file is left untouched by the failed overwrite.
    write_npy(p, std::vector<float>{7.0f}, {1});
    const std::string before = read_bytes(p);
    CHECK_THROWS_AS(write_npy(p, std::vector<float>(5, 1.0f), {5, 5}), lagframe::config_error);
    CHECK(read_bytes(p) == before);
    CHECK_FALSE(fs::exists(dir / "x.npy.tmp"));
    CHECK(fs::directory_iterator(dir.path) != fs::directory_iterator());
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) ++entries;
    CHECK(entries == 1);
  }
  SUBCASE("directory does not exist") {
    const fs::path p = dir / "no_such_dir" / "y.npy";
    CHECK_THROWS_AS(write_npy(p, std::vector<double>{1.0}, {1}), lagframe::io_error);
    CHECK_FALSE(fs::exists(p));
    CHECK_FALSE(fs::exists(dir / "no_such_dir"));
  }
}

}  // TEST_SUITE
