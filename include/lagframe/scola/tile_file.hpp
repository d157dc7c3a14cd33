// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file tile_file.hpp
/// The file one sCOLA tile leaves behind: its core particles' ids, positions and total momenta
/// at the end of the run (none in a lightcone-only run), the lightcone crossings of its core
/// particles by shell (docs/physics.md §16.7), with a header naming the run and a checksum,
/// written atomically (temporary name, then rename). A rerun trusts a file only if it reads back
/// completely, its checksum matches and its header names the same run (run key), tile and
/// particle count.
///
/// Layout (little-endian, as written by this machine):
///   char[8] "LFTILE02"; u64 run_key; u64 tile; u64 tile_count; u64 count; u64 real_bytes;
///   f64 a; u64 steps; u64 ids[count]; Real x[count][3]; Real p[count][3];
///   u64 shells; per shell: u64 index; f64 chi_min; f64 chi_max; u64 pixels (12 N_side², 0
///     without maps); u64 crossings; u64 nonzero;
///     crossings × {u64 id; i32 replica[3]; f64 a; f64 position[3]; f64 momentum[3]};
///     nonzero × {u64 pixel; u32 count}   (the map's non-zero pixels, ascending);
///   u64 checksum
/// checksum = FNV-1a 64 over every byte before it. `a` is the time of the particles (the last
/// node the tile reached) and `steps` the steps it ran.

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
#include "lagframe/lightcone/crossing.hpp"

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
  double a = 0;                ///< time of the particles: the last node the tile reached
  std::size_t steps = 0;       ///< steps the tile ran (0: it did not run)
  std::vector<std::uint64_t> ids;
  std::vector<vec3<Real>> positions, momenta;
  /// The tile's share of each lightcone shell (crossings of its core particles, map counts).
  std::vector<lightcone::shell> shells;
  // Diagnostics of the run that produced it (not stored in the file):
  std::size_t outside_events = 0;     ///< particles found outside the tile mesh, summed over force evaluations
  std::size_t force_evaluations = 0;
  double max_displacement = 0;        ///< largest |x − q| of a core particle at the nodes it reached (Mpc/h)
  double seconds = 0;                 ///< wall time of compute_tile
};

namespace detail {

constexpr std::array<char, 8> tile_magic{'L', 'F', 'T', 'I', 'L', 'E', '0', '2'};

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
  detail::append_value(bytes, static_cast<std::uint64_t>(t.steps));
  detail::append(bytes, t.ids.data(), t.ids.size() * sizeof(std::uint64_t));
  detail::append(bytes, t.positions.data(), t.positions.size() * sizeof(vec3<Real>));
  detail::append(bytes, t.momenta.data(), t.momenta.size() * sizeof(vec3<Real>));
  detail::append_value(bytes, static_cast<std::uint64_t>(t.shells.size()));
  for (const auto& sh : t.shells) {
    std::uint64_t nonzero = 0;
    for (const auto c : sh.healpix_counts) nonzero += c != 0 ? 1 : 0;
    const std::uint64_t head[1] = {sh.index};
    detail::append(bytes, head, sizeof(head));
    detail::append_value(bytes, sh.chi_min);
    detail::append_value(bytes, sh.chi_max);
    const std::uint64_t counts[3] = {sh.healpix_counts.size(), sh.particles.size(), nonzero};
    detail::append(bytes, counts, sizeof(counts));
    for (const auto& c : sh.particles) {
      detail::append_value(bytes, c.id);
      detail::append(bytes, c.replica.data(), 3 * sizeof(std::int32_t));
      detail::append_value(bytes, c.a);
      for (int d = 0; d < 3; ++d) detail::append_value(bytes, c.position[d]);
      for (int d = 0; d < 3; ++d) detail::append_value(bytes, c.momentum[d]);
    }
    for (std::size_t k = 0; k < sh.healpix_counts.size(); ++k)
      if (sh.healpix_counts[k] != 0) {
        detail::append_value(bytes, static_cast<std::uint64_t>(k));
        detail::append_value(bytes, sh.healpix_counts[k]);
      }
  }
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
  constexpr std::size_t head = 8 + 5 * 8 + 8 + 8;
  if (bytes.size() < head + 8) fail("truncated header");
  if (std::memcmp(bytes.data(), detail::tile_magic.data(), 8) != 0) fail("not a lagframe tile file (or an older layout)");
  std::uint64_t sum;
  std::memcpy(&sum, bytes.data() + bytes.size() - 8, 8);
  if (sum != fnv1a(bytes.data(), bytes.size() - 8)) fail("checksum mismatch (truncated or corrupt)");
  std::uint64_t header[5];
  std::memcpy(header, bytes.data() + 8, sizeof(header));
  const std::size_t count = header[3];
  if (header[4] != sizeof(Real)) fail(lagframe::detail::concat("stored with ", header[4], "-byte reals, expected ", sizeof(Real)));
  if (header[0] != run_key) fail(lagframe::detail::concat("written by another run (key ", header[0], ", expected ", run_key, ")"));
  if (header[1] != tile || header[2] != tile_count)
    fail(lagframe::detail::concat("holds tile ", header[1], " of ", header[2], ", expected ", tile, " of ", tile_count));
  // Reads `n` bytes at the cursor, refusing to run past the checksum.
  const std::size_t end = bytes.size() - 8;
  std::size_t at = 48;
  const auto take = [&](void* to, std::size_t n) {
    if (n > end - at) fail(lagframe::detail::concat("size ", bytes.size(), " bytes is too short for its contents (truncated or corrupt)"));
    std::memcpy(to, bytes.data() + at, n);
    at += n;
  };
  const auto take_u64 = [&] {
    std::uint64_t v;
    take(&v, 8);
    return v;
  };
  tile_output<Real> t;
  t.run_key = header[0];
  t.tile = header[1];
  t.tile_count = header[2];
  take(&t.a, 8);
  t.steps = take_u64();
  if (count > (end - at) / (8 + 6 * sizeof(Real))) fail(lagframe::detail::concat("holds ", count, " particles in ", bytes.size(), " bytes (truncated or corrupt)"));
  t.ids.resize(count);
  t.positions.resize(count);
  t.momenta.resize(count);
  take(t.ids.data(), count * 8);
  take(t.positions.data(), count * sizeof(vec3<Real>));
  take(t.momenta.data(), count * sizeof(vec3<Real>));
  const std::uint64_t shells = take_u64();
  if (shells > (end - at) / 48) fail(lagframe::detail::concat("lists ", shells, " lightcone shells (corrupt)"));
  t.shells.resize(shells);
  for (auto& sh : t.shells) {
    sh.index = take_u64();
    take(&sh.chi_min, 8);
    take(&sh.chi_max, 8);
    const std::uint64_t pixels = take_u64(), crossings = take_u64(), nonzero = take_u64();
    constexpr std::size_t crossing_bytes = 8 + 12 + 8 + 48, pixel_bytes = 12;
    if (crossings > (end - at) / crossing_bytes || nonzero > pixels || nonzero > (end - at) / pixel_bytes)
      fail(lagframe::detail::concat("lightcone shell ", sh.index, " lists ", crossings, " crossings and ", nonzero,
                                    " pixels that do not fit (corrupt)"));
    sh.particles.resize(crossings);
    for (auto& c : sh.particles) {
      take(&c.id, 8);
      take(c.replica.data(), 12);
      take(&c.a, 8);
      for (int d = 0; d < 3; ++d) take(&c.position[d], 8);
      for (int d = 0; d < 3; ++d) take(&c.momentum[d], 8);
    }
    sh.healpix_counts.assign(pixels, 0);
    for (std::uint64_t k = 0; k < nonzero; ++k) {
      const std::uint64_t pixel = take_u64();
      std::uint32_t value;
      take(&value, 4);
      if (pixel >= pixels) fail(lagframe::detail::concat("lightcone shell ", sh.index, " pixel ", pixel, " beyond ", pixels));
      sh.healpix_counts[pixel] = value;
    }
  }
  if (at != end) fail(lagframe::detail::concat("size ", bytes.size(), " bytes, expected ", at + 8, " (corrupt)"));
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
