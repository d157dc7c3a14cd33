// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file tile_file.hpp
/// The file one sCOLA tile leaves behind: its core particles' ids, positions and total momenta
/// at the end of the run, with a header naming the run and a checksum, written atomically
/// (temporary name, then rename). A rerun trusts a file only if it reads back completely, its
/// checksum matches and its header names the same run (run key), tile and particle count.
///
/// Layout (little-endian, as written by this machine):
///   char[8] "LFTILE01"; u64 run_key; u64 tile; u64 tile_count; u64 count; u64 real_bytes;
///   f64 a; u64 ids[count]; Real x[count][3]; Real p[count][3]; u64 checksum
/// checksum = FNV-1a 64 over every byte before it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/io/atomic_file.hpp"

namespace lagframe::scola {

/// FNV-1a, 64 bit, continued from `h`.
[[nodiscard]] inline std::uint64_t fnv1a(const void* data, std::size_t bytes,
                                         std::uint64_t h = 1469598103934665603ull) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < bytes; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}
[[nodiscard]] inline std::uint64_t fnv1a(std::string_view s) { return fnv1a(s.data(), s.size()); }

/// What one tile produced.
template <class Real>
struct tile_output {
  std::uint64_t run_key = 0;
  std::size_t tile = 0, tile_count = 0;
  double a = 0;
  std::vector<std::uint64_t> ids;
  std::vector<vec3<Real>> positions, momenta;
  // Diagnostics of the run that produced it (not stored in the file):
  std::size_t outside_events = 0;     ///< particles found outside the tile mesh, summed over force evaluations
  std::size_t force_evaluations = 0;
};

namespace detail {

constexpr std::array<char, 8> tile_magic{'L', 'F', 'T', 'I', 'L', 'E', '0', '1'};

inline void append(std::vector<unsigned char>& out, const void* p, std::size_t n) {
  const auto* c = static_cast<const unsigned char*>(p);
  out.insert(out.end(), c, c + n);
}
template <class T>
void append_value(std::vector<unsigned char>& out, const T& v) {
  append(out, &v, sizeof(T));
}

}  // namespace detail

/// Writes `t` to `path` atomically.
template <class Real>
void write_tile_file(const std::filesystem::path& path, const tile_output<Real>& t) {
  require(t.positions.size() == t.ids.size() && t.momenta.size() == t.ids.size(), "tile output size",
          t.positions.size(), lagframe::detail::concat(t.ids.size(), " positions and momenta"));
  std::vector<unsigned char> bytes;
  bytes.reserve(64 + t.ids.size() * (8 + 6 * sizeof(Real)) + 8);
  detail::append(bytes, detail::tile_magic.data(), detail::tile_magic.size());
  const std::uint64_t header[5] = {t.run_key, t.tile, t.tile_count, t.ids.size(), sizeof(Real)};
  detail::append(bytes, header, sizeof(header));
  detail::append_value(bytes, t.a);
  detail::append(bytes, t.ids.data(), t.ids.size() * sizeof(std::uint64_t));
  detail::append(bytes, t.positions.data(), t.positions.size() * sizeof(vec3<Real>));
  detail::append(bytes, t.momenta.data(), t.momenta.size() * sizeof(vec3<Real>));
  const std::uint64_t sum = fnv1a(bytes.data(), bytes.size());
  detail::append_value(bytes, sum);
  io::write_atomically(path, [&](const std::filesystem::path& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw io_error(lagframe::detail::concat("lagframe: cannot open ", tmp.string(), " for writing"));
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) throw io_error(lagframe::detail::concat("lagframe: cannot write ", tmp.string()));
  });
}

/// Reads a tile file; throws io_error naming the file and what is wrong (missing, truncated,
/// checksum mismatch, wrong precision, another run or tile).
template <class Real>
[[nodiscard]] tile_output<Real> read_tile_file(const std::filesystem::path& path, std::uint64_t run_key,
                                               std::size_t tile, std::size_t tile_count) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(lagframe::detail::concat("lagframe: tile file ", path.string(), " cannot be opened"));
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto fail = [&](std::string_view why) {
    throw io_error(lagframe::detail::concat("lagframe: tile file ", path.string(), ": ", why));
  };
  constexpr std::size_t head = 8 + 5 * 8 + 8;
  if (bytes.size() < head + 8) fail("truncated header");
  if (std::memcmp(bytes.data(), detail::tile_magic.data(), 8) != 0) fail("not a lagframe tile file");
  std::uint64_t header[5];
  std::memcpy(header, bytes.data() + 8, sizeof(header));
  const std::size_t count = header[3];
  if (header[4] != sizeof(Real)) fail(lagframe::detail::concat("stored with ", header[4], "-byte reals, expected ", sizeof(Real)));
  const std::size_t expect = head + count * (8 + 6 * sizeof(Real)) + 8;
  if (bytes.size() != expect) fail(lagframe::detail::concat("size ", bytes.size(), " bytes, expected ", expect, " (truncated or corrupt)"));
  std::uint64_t sum;
  std::memcpy(&sum, bytes.data() + expect - 8, 8);
  if (sum != fnv1a(bytes.data(), expect - 8)) fail("checksum mismatch (corrupt)");
  if (header[0] != run_key) fail(lagframe::detail::concat("written by another run (key ", header[0], ", expected ", run_key, ")"));
  if (header[1] != tile || header[2] != tile_count)
    fail(lagframe::detail::concat("holds tile ", header[1], " of ", header[2], ", expected ", tile, " of ", tile_count));
  tile_output<Real> t;
  t.run_key = header[0];
  t.tile = header[1];
  t.tile_count = header[2];
  std::memcpy(&t.a, bytes.data() + 48, 8);
  t.ids.resize(count);
  t.positions.resize(count);
  t.momenta.resize(count);
  const unsigned char* p = bytes.data() + head;
  std::memcpy(t.ids.data(), p, count * 8);
  p += count * 8;
  std::memcpy(t.positions.data(), p, count * sizeof(vec3<Real>));
  p += count * sizeof(vec3<Real>);
  std::memcpy(t.momenta.data(), p, count * sizeof(vec3<Real>));
  return t;
}

/// True if `path` holds a complete, uncorrupted file of this run and tile.
template <class Real>
[[nodiscard]] bool tile_file_is_valid(const std::filesystem::path& path, std::uint64_t run_key, std::size_t tile,
                                      std::size_t tile_count) {
  if (!std::filesystem::exists(path)) return false;
  try {
    (void)read_tile_file<Real>(path, run_key, tile, tile_count);
    return true;
  } catch (const io_error&) {
    return false;
  }
}

}  // namespace lagframe::scola
