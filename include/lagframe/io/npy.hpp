// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file npy.hpp
/// NumPy `.npy` files (the NumPy format specification, NEP 1, version 1.0 written, 1.0/2.0/3.0
/// read): the magic string "\x93NUMPY", major and minor version bytes, the header length
/// (little-endian uint16 in version 1, uint32 in 2 and 3), an ASCII Python dict
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (64, 64, 64), }` padded with spaces and a
/// final '\n' so that data starts at a multiple of 64 bytes, then the raw elements in C order.
///
/// Supported element types: float ('<f4'), double ('<f8'), int32 ('<i4'), int64 ('<i8'),
/// uint32 ('<u4'), uint64 ('<u8'); data are always written little-endian. Files are written
/// atomically (atomic_file.hpp). Every reading problem throws io_error naming the path.

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/io/atomic_file.hpp"

namespace lagframe::io {

/// An array read from a `.npy` file: `shape` (C order) and the `data` it describes.
template <class T>
struct npy_array {
  std::vector<std::size_t> shape;
  std::vector<T> data;
};

namespace detail {

template <class T>
inline constexpr bool is_npy_type =
    std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::int32_t> ||
    std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::uint32_t> ||
    std::is_same_v<T, std::uint64_t>;

/// Little-endian NumPy type string of T, e.g. "<f4".
template <class T>
std::string npy_descr() {
  static_assert(is_npy_type<T>, "lagframe::io npy: element type must be float, double, "
                                "std::int32_t, std::int64_t, std::uint32_t or std::uint64_t");
  const char kind = std::is_floating_point_v<T> ? 'f' : (std::is_signed_v<T> ? 'i' : 'u');
  return std::string{'<', kind, static_cast<char>('0' + sizeof(T))};
}

inline constexpr std::string_view npy_magic{"\x93NUMPY", 6};

inline std::size_t npy_element_count(const std::vector<std::size_t>& shape) {
  std::size_t count = 1;
  for (auto extent : shape) count *= extent;
  return count;
}

inline std::string shape_string(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t d = 0; d < shape.size(); ++d) {
    s += std::to_string(shape[d]);
    if (shape.size() == 1 || d + 1 < shape.size()) s += shape.size() == 1 ? "," : ", ";
  }
  return s + ")";
}

/// Full version-1.0 preamble (magic, version, length, dict, padding, '\n'), a multiple of 64 bytes.
inline std::string npy_preamble(const std::string& descr, const std::vector<std::size_t>& shape) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " +
                     shape_string(shape) + ", }";
  const std::size_t unpadded = npy_magic.size() + 2 + 2 + dict.size() + 1;
  const std::size_t total = (unpadded + 63) / 64 * 64;
  dict.append(total - unpadded, ' ');
  dict += '\n';
  if (dict.size() > 65535)
    throw config_error(lagframe::detail::concat("lagframe: npy header of ", dict.size(),
                                                " bytes is invalid: expected at most 65535 (too many dimensions)"));
  std::string out(npy_magic);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xffu);
  out += static_cast<char>((dict.size() >> 8) & 0xffu);
  return out + dict;
}

template <class T>
T byteswap_value(T v) {
  std::array<unsigned char, sizeof(T)> bytes;
  std::memcpy(bytes.data(), &v, sizeof(T));
  std::reverse(bytes.begin(), bytes.end());
  std::memcpy(&v, bytes.data(), sizeof(T));
  return v;
}

/// Writes little-endian elements of T, converting on big-endian hosts.
template <class T>
class npy_sink {
 public:
  npy_sink(std::FILE* f, const std::filesystem::path& path) : f_(f), path_(path) {}
  void put(const T* values, std::size_t count) {
    if constexpr (std::endian::native == std::endian::little) {
      write_bytes(values, count);
    } else {
      std::vector<T> swapped(values, values + count);
      for (auto& v : swapped) v = byteswap_value(v);
      write_bytes(swapped.data(), count);
    }
  }
  void put_bytes(const std::string& bytes) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size()) fail();
  }

 private:
  void write_bytes(const T* values, std::size_t count) {
    if (count > 0 && std::fwrite(values, sizeof(T), count, f_) != count) fail();
  }
  [[noreturn]] void fail() const {
    throw io_error(lagframe::detail::concat("lagframe: write failed on ", path_.string()));
  }
  std::FILE* f_;
  const std::filesystem::path& path_;
};

/// Opens `tmp`, checks `count` against `shape` (so a mismatch leaves nothing behind once the
/// caller discards `tmp`), writes the preamble and calls body(sink).
template <class T, class Body>
void write_npy_file(const std::filesystem::path& tmp, const std::vector<std::size_t>& shape, std::size_t count,
                    Body&& body) {
  const std::string preamble = npy_preamble(npy_descr<T>(), shape);
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) throw io_error(lagframe::detail::concat("lagframe: cannot open ", tmp.string(), " for writing"));
  try {
    require(npy_element_count(shape) == count, "npy element count", count,
            lagframe::detail::concat("the product of shape ", shape_string(shape), " = ", npy_element_count(shape)));
    npy_sink<T> sink(f, tmp);
    sink.put_bytes(preamble);
    body(sink);
  } catch (...) {
    std::fclose(f);
    throw;
  }
  const bool ok = std::ferror(f) == 0;
  if (std::fclose(f) != 0 || !ok) throw io_error(lagframe::detail::concat("lagframe: write failed on ", tmp.string()));
}

/// write_npy_file into `path`'s temporary of `set` (renamed when the set commits), or, without
/// a set, atomically on its own.
template <class T, class Body>
void write_npy_with(const std::filesystem::path& path, const std::vector<std::size_t>& shape, std::size_t count,
                    Body&& body, atomic_file_set* set = nullptr) {
  if (set != nullptr) {
    write_npy_file<T>(set->temporary(path), shape, count, body);
    return;
  }
  write_atomically(path, [&](const std::filesystem::path& tmp) { write_npy_file<T>(tmp, shape, count, body); });
}

/// Vectors into a sink, a block at a time, checking for interrupt requests between blocks.
template <class Real>
void put_vectors(npy_sink<Real>& sink, std::span<const vec3<Real>> vectors) {
  constexpr std::size_t block = 1 << 16;
  for (std::size_t b = 0; b < vectors.size(); b += block) {
    throw_if_interrupted();
    const std::size_t n = std::min(block, vectors.size() - b);
    sink.put(vectors[b].data(), 3 * n);
  }
}

// ---- reading ----------------------------------------------------------------------------

[[noreturn]] inline void npy_fail(const std::filesystem::path& path, const std::string& problem) {
  throw io_error(lagframe::detail::concat("lagframe: npy file ", path.string(), ": ", problem));
}

/// The three fields of a .npy header dict.
struct npy_header {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::size_t> shape;
};

/// Minimal parser of the Python literal dict NumPy writes (strings, True/False, int tuples).
class npy_header_parser {
 public:
  npy_header_parser(std::string_view text, const std::filesystem::path& path)
      : text_(text), path_(path) {}

  npy_header parse() {
    npy_header h;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = quoted();
      expect(':');
      if (key == "descr") {
        h.descr = quoted();
        seen_descr = true;
      } else if (key == "fortran_order") {
        h.fortran_order = boolean();
        seen_order = true;
      } else if (key == "shape") {
        h.shape = tuple();
        seen_shape = true;
      } else {
        fail("unknown header key '" + key + "'");
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != '}') {
        fail("expected ',' or '}'");
      }
    }
    ++pos_;
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after '}'");
    if (!seen_descr || !seen_order || !seen_shape)
      fail("header lacks one of 'descr', 'fortran_order', 'shape'");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    npy_fail(path_, lagframe::detail::concat("malformed header (", what, " at character ", pos_,
                                             ") in \"", text_, "\""));
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void expect(char c) {
    skip_space();
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string quoted() {
    skip_space();
    const char q = peek();
    if (q != '\'' && q != '"') fail("expected a quoted string");
    const std::size_t end = text_.find(q, pos_ + 1);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return s;
  }
  bool boolean() {
    skip_space();
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail("expected True or False");
  }
  std::vector<std::size_t> tuple() {
    std::vector<std::size_t> dims;
    expect('(');
    while (true) {
      skip_space();
      if (peek() == ')') break;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("expected a dimension");
      std::size_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        const std::size_t digit = static_cast<std::size_t>(peek() - '0');
        if (v > (SIZE_MAX - digit) / 10) fail("dimension too large");
        v = v * 10 + digit;
        ++pos_;
      }
      if (peek() == 'L') ++pos_;  // Python 2 long suffix
      dims.push_back(v);
      skip_space();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != ')') {
        fail("expected ',' or ')'");
      }
    }
    ++pos_;
    return dims;
  }

  std::string_view text_;
  const std::filesystem::path& path_;
  std::size_t pos_ = 0;
};

}  // namespace detail

/// Write `data` with the given C-order `shape` (product must equal data.size(), else
/// config_error, and nothing is left on disk).
template <class T>
void write_npy(const std::filesystem::path& path, std::span<const T> data,
               std::vector<std::size_t> shape) {
  detail::write_npy_with<T>(path, shape, data.size(),
                            [&](detail::npy_sink<T>& sink) { sink.put(data.data(), data.size()); });
}

/// Convenience for a vector or any contiguous range of T.
template <class T>
void write_npy(const std::filesystem::path& path, const std::vector<T>& data,
               std::vector<std::size_t> shape) {
  write_npy(path, std::span<const T>(data), std::move(shape));
}

/// Real-space values of an N³ field as shape (N, N, N) (the FFT padding is not written).
template <class Real>
void write_npy(const std::filesystem::path& path, const real_field<Real>& field) {
  const std::size_t n = field.size_1d();
  require(n > 0, "npy field size", n, "a constructed (non-empty) field");
  detail::write_npy_with<Real>(path, {n, n, n}, field.cell_count(), [&](detail::npy_sink<Real>& sink) {
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) sink.put(field.data() + field.index(i, j, 0), n);
  });
}

/// An array of vectors as shape (count, 3).
template <class Real>
void write_npy(const std::filesystem::path& path, std::span<const vec3<Real>> vectors) {
  detail::write_npy_with<Real>(path, {vectors.size(), 3}, 3 * vectors.size(),
                               [&](detail::npy_sink<Real>& sink) { detail::put_vectors(sink, vectors); });
}

/// The same into `set` (atomic_file.hpp): the file appears only when the set commits, together
/// with the set's other files (e.g. positions and momenta of one snapshot).
template <class Real>
void write_npy(atomic_file_set& set, const std::filesystem::path& path, std::span<const vec3<Real>> vectors) {
  detail::write_npy_with<Real>(
      path, {vectors.size(), 3}, 3 * vectors.size(),
      [&](detail::npy_sink<Real>& sink) { detail::put_vectors(sink, vectors); }, &set);
}

template <class Real>
void write_npy(const std::filesystem::path& path, const std::vector<vec3<Real>>& vectors) {
  write_npy(path, std::span<const vec3<Real>>(vectors));
}

/// Read a `.npy` file whose dtype is exactly T (little-endian, C order). Throws io_error naming
/// the path and the problem: missing/unreadable file, bad magic, unsupported version, other
/// dtype, big-endian data, fortran_order True (for 2 or more dimensions), malformed header,
/// data shorter or longer than the shape says.
template <class T>
npy_array<T> read_npy(const std::filesystem::path& path) {
  using detail::npy_fail;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) npy_fail(path, "cannot open (missing or unreadable)");
  struct closer {
    std::FILE* f;
    ~closer() { std::fclose(f); }
  } close_on_exit{f};

  std::array<unsigned char, 10> pre{};
  const std::size_t got = std::fread(pre.data(), 1, 8, f);
  if (got < 6 || std::memcmp(pre.data(), detail::npy_magic.data(), 6) != 0)
    npy_fail(path, "bad magic: not a NumPy .npy file (expected \\x93NUMPY)");
  if (got < 8) npy_fail(path, "truncated before the version bytes");
  const unsigned major = pre[6], minor = pre[7];
  std::size_t header_len = 0, len_bytes = 0;
  if (major == 1) {
    len_bytes = 2;
  } else if (major == 2 || major == 3) {
    len_bytes = 4;
  } else {
    npy_fail(path, lagframe::detail::concat("unsupported format version ", major, ".", minor,
                                            " (expected 1.0, 2.0 or 3.0)"));
  }
  if (std::fread(pre.data(), 1, len_bytes, f) != len_bytes)
    npy_fail(path, "truncated in the header length");
  for (std::size_t b = len_bytes; b-- > 0;) header_len = header_len * 256 + pre[b];
  std::string header(header_len, '\0');
  if (std::fread(header.data(), 1, header_len, f) != header_len)
    npy_fail(path, lagframe::detail::concat("truncated header (expected ", header_len, " bytes)"));

  const detail::npy_header h = detail::npy_header_parser(header, path).parse();
  const std::string want = detail::npy_descr<T>();
  if (h.descr.size() >= 2 && h.descr[0] == '>') {
    npy_fail(path, "big-endian data ('" + h.descr + "') are not supported; expected '" + want + "'");
  }
  const std::string little = (h.descr.size() >= 2 && h.descr[0] == '=' &&
                              std::endian::native == std::endian::little)
                                 ? "<" + h.descr.substr(1)
                                 : h.descr;
  if (little != want)
    npy_fail(path, "dtype '" + h.descr + "' does not match the requested '" + want + "'");
  if (h.fortran_order && h.shape.size() >= 2)
    npy_fail(path, "fortran_order True is not supported (C order expected)");

  npy_array<T> out;
  out.shape = h.shape;
  const std::size_t count = detail::npy_element_count(h.shape);
  const std::size_t expected = count * sizeof(T);
  const long data_start = std::ftell(f);
  std::fseek(f, 0, SEEK_END);
  const long file_end = std::ftell(f);
  std::fseek(f, data_start, SEEK_SET);
  const std::size_t found = data_start >= 0 && file_end >= data_start
                                ? static_cast<std::size_t>(file_end - data_start)
                                : 0;
  if (found != expected)
    npy_fail(path, lagframe::detail::concat(found < expected ? "truncated data" : "trailing data",
                                            ": shape ", detail::shape_string(h.shape), " needs ",
                                            expected, " bytes, found ", found));
  out.data.resize(count);
  if (count > 0 && std::fread(out.data.data(), sizeof(T), count, f) != count)
    npy_fail(path, lagframe::detail::concat("read failed: expected ", expected, " bytes of data"));
  if constexpr (std::endian::native != std::endian::little)
    for (auto& v : out.data) v = detail::byteswap_value(v);
  return out;
}

/// Read a cubic (N, N, N) array of Real into a field of side `side` (Mpc/h).
template <class Real>
real_field<Real> read_npy_field(const std::filesystem::path& path, double side) {
  const npy_array<Real> a = read_npy<Real>(path);
  if (a.shape.size() != 3 || a.shape[0] != a.shape[1] || a.shape[1] != a.shape[2])
    detail::npy_fail(path, "shape " + detail::shape_string(a.shape) +
                               " is not a cubic 3-dimensional grid (N, N, N)");
  const std::size_t n = a.shape[0];
  real_field<Real> field(n, side);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      std::copy_n(a.data.data() + (i * n + j) * n, n, field.data() + field.index(i, j, 0));
  return field;
}

/// Read a (count, 3) array of Real as vectors.
template <class Real>
std::vector<vec3<Real>> read_npy_vec3(const std::filesystem::path& path) {
  const npy_array<Real> a = read_npy<Real>(path);
  if (a.shape.size() != 2 || a.shape[1] != 3)
    detail::npy_fail(path, "shape " + detail::shape_string(a.shape) + " is not (count, 3)");
  std::vector<vec3<Real>> out(a.shape[0]);
  for (std::size_t p = 0; p < out.size(); ++p)
    for (std::size_t c = 0; c < 3; ++c) out[p][c] = a.data[3 * p + c];
  return out;
}

}  // namespace lagframe::io
