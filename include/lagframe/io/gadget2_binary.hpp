// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file gadget2_binary.hpp
/// Initial conditions in Gadget-2's binary snapshot format (SnapFormat 1 and 2), as written by
/// N-GenIC, 2LPTic, MUSIC and monofonIC, and the mapping of such particles onto lagframe's
/// Lagrangian grid (shared with the HDF5 reader in io/gadget_ic.hpp). No HDF5 dependency.
///
/// File layout (Springel 2005, Gadget-2 user guide §6.1; Gadget-4 documentation "Snapshot file
/// format, Legacy Format 1/2"): Fortran unformatted records, each `int32 n, n bytes, int32 n`.
///   SnapFormat 1: HEAD (256 bytes), POS (float[3] per particle), VEL (float[3]), ID (uint32 or
///                 uint64), then optional MASS and gas blocks (ignored here).
///   SnapFormat 2: every block is preceded by an 8-byte record holding a 4-character label
///                 ("HEAD", "POS ", "VEL ", "ID  ") and int32 (8 + block size).
/// Header (256 bytes, offsets in bytes):
///   0 int32 npart[6]  24 double mass[6]  72 double time  80 double redshift  88 int32 flag_sfr
///   92 int32 flag_feedback  96 uint32 npartTotal[6]  120 int32 flag_cooling  124 int32 num_files
///   128 double BoxSize  136 double Omega0  144 double OmegaLambda  152 double HubbleParam
///   160 int32 flag_stellarage  164 int32 flag_metals  168 uint32 npartTotalHighWord[6]
///   192..255 padding.
/// Particles of each block are ordered by type; only type 1 (dark matter) is read, other types
/// present in a file are skipped. Positions/velocities may be float (12 bytes per particle) or
/// double (24 bytes); ids 4 or 8 bytes, detected from the record lengths. Files written with the
/// other byte order are detected from the first record marker and byte-swapped on reading.
/// Several files: `base.0`, `base.1`, ... (num_files from the header).
///
/// Units: Gadget lengths are comoving UnitLength/h (kpc/h for N-GenIC/Gadget-2 defaults, hence
/// the default length_unit_in_mpc_h = 1e-3); velocities u = v_pec/√a in km/s. lagframe's momentum
/// p = a³E dx/da (Mpc/h) satisfies v_pec = 100 p / a km/s (docs/physics.md §1.2), so p = a^{3/2} u / 100.
///
/// Particle ids: the generators number particles in the grid order id = (ix·N + iy)·N + iz
/// (core/box.hpp), offset by 1 in N-GenIC, 2LPTic and Gadget-4's built-in N-GenIC
/// (id_convention::one_based); MUSIC and monofonIC start at 0 (id_convention::zero_based) for a
/// single-resolution grid. Other numberings (e.g. zoom ICs) are refused by map_to_grid.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"

namespace lagframe::io {

/// First particle id of the generator: id = (ix·N + iy)·N + iz, plus 1 for one_based.
/// N-GenIC, 2LPTic and Gadget-4's built-in N-GenIC: one_based. MUSIC, monofonIC: zero_based.
enum class id_convention { zero_based, one_based };

/// Initial conditions in lagframe units, in Lagrangian id order.
struct ic_particles {
  box grid;                              ///< side in Mpc/h, particles_1d
  double a = 0;                          ///< scale factor (header Time)
  std::vector<vec3<double>> positions;   ///< comoving Mpc/h, wrapped into [0, L)
  std::vector<vec3<double>> momenta;     ///< p = a³E dx/da in Mpc/h (v_pec = 100 p / a km/s)
};

/// Particles as read from IC files, before mapping to the grid (file order, lagframe lengths).
struct raw_ic {
  std::string source;                    ///< file or base name, for error messages
  double box_size_mpc_h = 0;             ///< L in Mpc/h
  double a = 0;                          ///< scale factor
  std::vector<vec3<double>> positions;   ///< Mpc/h
  std::vector<vec3<double>> velocities;  ///< Gadget u = v_pec/√a in km/s
  std::vector<std::uint64_t> ids;
};

/// Sorts `raw` into Lagrangian id order and converts to lagframe units. Throws io_error naming
/// raw.source when the particle count is not a perfect cube N³ (2 ≤ N ≤ 4096), when an id is out
/// of range for the convention, or when an id is repeated (naming it and an id that is missing),
/// when a position or velocity is not finite, or when the box size or scale factor is not
/// positive and finite.
inline ic_particles map_to_grid(const raw_ic& raw, id_convention convention) {
  using lagframe::detail::concat;
  const std::string& src = raw.source;
  const std::size_t count = raw.ids.size();
  if (raw.positions.size() != count || raw.velocities.size() != count) {
    throw io_error(concat("lagframe: ", src, ": ", count, " ids but ", raw.positions.size(), " positions and ",
                          raw.velocities.size(), " velocities"));
  }
  if (!(std::isfinite(raw.box_size_mpc_h) && raw.box_size_mpc_h > 0.0)) {
    throw io_error(concat("lagframe: ", src, ": box size ", raw.box_size_mpc_h, " Mpc/h is not a positive length"));
  }
  if (!(std::isfinite(raw.a) && raw.a > 0.0)) {
    throw io_error(concat("lagframe: ", src, ": scale factor (Time) ", raw.a, " is not positive"));
  }
  std::size_t n = static_cast<std::size_t>(std::llround(std::cbrt(static_cast<double>(count))));
  while (n * n * n > count) --n;
  while ((n + 1) * (n + 1) * (n + 1) <= count) ++n;
  if (n * n * n != count || n < 2 || n > 4096) {
    throw io_error(concat("lagframe: ", src, " holds ", count,
                          " type-1 particles, not a perfect cube N^3 with 2 <= N <= 4096 (nearest: ", n, "^3 = ",
                          n * n * n, "), so they cannot form a Lagrangian grid"));
  }
  const std::uint64_t offset = convention == id_convention::one_based ? 1 : 0;
  ic_particles out;
  out.grid = box{raw.box_size_mpc_h, n};
  out.a = raw.a;
  out.positions.resize(count);
  out.momenta.resize(count);
  std::vector<unsigned char> seen(count, 0);
  std::optional<std::uint64_t> duplicate;
  const double L = raw.box_size_mpc_h;
  const double vfac = raw.a * std::sqrt(raw.a) / 100.0;  // p = a^{3/2} u / 100
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t id = raw.ids[i];
    if (id < offset || id - offset >= count) {
      throw io_error(concat("lagframe: ", src, ": particle id ", id, " is out of range for ", n, "^3 particles with ",
                            offset == 1 ? "1-based" : "0-based", " ids (expected ", offset, " .. ",
                            count - 1 + offset, ")"));
    }
    const std::size_t g = static_cast<std::size_t>(id - offset);
    if (seen[g] != 0) {
      if (!duplicate) duplicate = id;
      continue;
    }
    seen[g] = 1;
    for (int d = 0; d < 3; ++d) {
      if (!std::isfinite(raw.positions[i][d]) || !std::isfinite(raw.velocities[i][d])) {
        throw io_error(concat("lagframe: ", src, ": particle id ", id, " has a non-finite ",
                              std::isfinite(raw.positions[i][d]) ? "velocity" : "position", " component ", d));
      }
      out.positions[g][d] = wrap_periodic(raw.positions[i][d], L);
      out.momenta[g][d] = vfac * raw.velocities[i][d];
    }
  }
  if (duplicate) {
    // The count is N³ and an id repeats, so at least one id is absent.
    const auto missing = static_cast<std::uint64_t>(std::find(seen.begin(), seen.end(), 0) - seen.begin());
    throw io_error(concat("lagframe: ", src, ": particle id ", *duplicate, " occurs more than once (id ",
                          missing + offset, " is missing), so the ids do not form a full ", n, "^3 grid"));
  }
  return out;
}

namespace detail {

template <class T>
T byte_swap(T v) {
  static_assert(std::is_trivially_copyable_v<T>);
  unsigned char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  std::reverse(b, b + sizeof(T));
  std::memcpy(&v, b, sizeof(T));
  return v;
}

/// Sequential reader of Fortran unformatted records with optional byte swapping.
class fortran_record_reader {
 public:
  explicit fortran_record_reader(const std::filesystem::path& file) : file_(file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      throw io_error(lagframe::detail::concat("lagframe: Gadget-2 file ", file.string(), " does not exist"));
    }
    size_ = std::filesystem::file_size(file, ec);
    in_.open(file, std::ios::binary);
    if (!in_) throw io_error(lagframe::detail::concat("lagframe: cannot open Gadget-2 file ", file.string()));
  }

  [[nodiscard]] const std::filesystem::path& file() const { return file_; }
  [[nodiscard]] bool swapped() const { return swap_; }
  void set_swapped(bool s) { swap_ = s; }

  /// Raw int32 at the current position without consuming it (native byte order).
  [[nodiscard]] std::int32_t peek_raw_marker() {
    const auto pos = in_.tellg();
    std::int32_t m = 0;
    read_bytes(&m, 4, "the first record marker");
    in_.seekg(pos);
    return m;
  }

  /// Reads one record of `what` into bytes; checks both markers.
  std::vector<unsigned char> read_record(const std::string& what) {
    const std::uint32_t n = begin_record(what);
    std::vector<unsigned char> data(n);
    read_bytes(data.data(), n, what);
    end_record(n, what);
    return data;
  }

  /// Skips one record of `what`; returns its length.
  std::uint32_t skip_record(const std::string& what) {
    const std::uint32_t n = begin_record(what);
    require_available(n, what);
    in_.seekg(static_cast<std::streamoff>(n), std::ios::cur);
    end_record(n, what);
    return n;
  }

  template <class T>
  [[nodiscard]] T value(const unsigned char* p) const {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return swap_ ? byte_swap(v) : v;
  }

 private:
  std::uint32_t begin_record(const std::string& what) {
    std::int32_t m = 0;
    read_bytes(&m, 4, what + " record marker");
    if (swap_) m = byte_swap(m);
    if (m < 0) {
      throw io_error(lagframe::detail::concat("lagframe: ", file_.string(), ": ", what, " record has negative length ",
                                              m, " at byte ", static_cast<long long>(in_.tellg()) - 4));
    }
    require_available(static_cast<std::uint64_t>(m) + 4, what);
    return static_cast<std::uint32_t>(m);
  }
  void end_record(std::uint32_t n, const std::string& what) {
    std::int32_t m = 0;
    read_bytes(&m, 4, what + " end marker");
    if (swap_) m = byte_swap(m);
    if (static_cast<std::uint32_t>(m) != n) {
      throw io_error(lagframe::detail::concat("lagframe: ", file_.string(), ": record markers of the ", what,
                                              " block disagree (", n, " at the start, ", m, " at the end)"));
    }
  }
  void require_available(std::uint64_t n, const std::string& what) {
    const auto pos = static_cast<std::uint64_t>(in_.tellg());
    if (pos + n > size_) {
      throw io_error(lagframe::detail::concat("lagframe: ", file_.string(), " is truncated: the ", what,
                                              " block needs ", n, " bytes at byte ", pos, ", the file has ", size_));
    }
  }
  void read_bytes(void* dst, std::size_t n, const std::string& what) {
    in_.read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
    if (static_cast<std::size_t>(in_.gcount()) != n) {
      throw io_error(lagframe::detail::concat("lagframe: ", file_.string(), " is truncated while reading ", what));
    }
  }

  std::filesystem::path file_;
  std::ifstream in_;
  std::uint64_t size_ = 0;
  bool swap_ = false;
};

struct gadget2_header {
  std::array<std::uint32_t, 6> npart{};
  double time = 0;
  double box_size = 0;  // file length units
  std::uint64_t total1 = 0;
  int num_files = 1;
};

struct gadget2_file_data {
  gadget2_header header;
  int format = 1;
};

/// Reads one Gadget-2 binary file, appending its type-1 particles (lengths in file units).
inline gadget2_file_data read_gadget2_file(const std::filesystem::path& f, raw_ic& out) {
  using lagframe::detail::concat;
  fortran_record_reader r(f);
  const std::int32_t first = r.peek_raw_marker();
  gadget2_file_data result;
  if (first == 256 || first == 8) {
    r.set_swapped(false);
  } else if (byte_swap(first) == 256 || byte_swap(first) == 8) {
    r.set_swapped(true);
  } else {
    throw io_error(concat("lagframe: ", f.string(), " is not a Gadget-2 binary snapshot: first record marker is ", first,
                          " (expected 256 for SnapFormat 1 or 8 for SnapFormat 2, in either byte order)"));
  }
  const std::int32_t marker = r.swapped() ? byte_swap(first) : first;
  result.format = marker == 8 ? 2 : 1;

  auto label = [&](const char* expected) {
    if (result.format != 2) return;
    const auto rec = r.read_record(concat("'", expected, "' label"));
    if (rec.size() < 4) {
      throw io_error(concat("lagframe: ", f.string(), ": block label record of ", rec.size(),
                            " bytes, expected 8 before block '", expected, "'"));
    }
    const std::string got(reinterpret_cast<const char*>(rec.data()), 4);
    if (got != expected) {
      throw io_error(concat("lagframe: ", f.string(), ": wrong block label '", got, "', expected '", expected, "'"));
    }
  };

  label("HEAD");
  const auto head = r.read_record("HEAD");
  if (head.size() != 256) {
    throw io_error(concat("lagframe: ", f.string(), ": header record is ", head.size(), " bytes, expected 256"));
  }
  gadget2_header& h = result.header;
  for (int t = 0; t < 6; ++t) h.npart[t] = r.value<std::uint32_t>(head.data() + 4 * t);
  h.time = r.value<double>(head.data() + 72);
  const std::uint32_t total_low = r.value<std::uint32_t>(head.data() + 96 + 4);
  h.num_files = r.value<std::int32_t>(head.data() + 124);
  h.box_size = r.value<double>(head.data() + 128);
  const std::uint32_t total_high = r.value<std::uint32_t>(head.data() + 168 + 4);
  h.total1 = (static_cast<std::uint64_t>(total_high) << 32) + total_low;

  std::uint64_t n_all = 0;
  for (int t = 0; t < 6; ++t) {
    if (static_cast<std::int32_t>(h.npart[t]) < 0) {
      throw io_error(concat("lagframe: ", f.string(), ": npart[", t, "] = ", static_cast<std::int32_t>(h.npart[t]),
                            " is negative"));
    }
    n_all += h.npart[t];
  }
  const std::uint64_t skip = h.npart[0];
  const std::uint64_t n1 = h.npart[1];

  auto read_vectors = [&](const char* lab, const char* what, std::vector<vec3<double>>& dest) {
    label(lab);
    const auto rec = r.read_record(what);
    std::size_t width = 0;
    if (n_all > 0 && rec.size() == 12 * n_all) width = 4;
    else if (n_all > 0 && rec.size() == 24 * n_all) width = 8;
    else if (n_all == 0 && rec.empty()) width = 4;
    else {
      throw io_error(concat("lagframe: ", f.string(), ": ", what, " block holds ", rec.size(), " bytes, expected ",
                            12 * n_all, " (float) or ", 24 * n_all, " (double) for ", n_all, " particles"));
    }
    const std::size_t offset = dest.size();
    dest.resize(offset + n1);
    for (std::uint64_t i = 0; i < n1; ++i) {
      for (int d = 0; d < 3; ++d) {
        const unsigned char* p = rec.data() + ((skip + i) * 3 + static_cast<std::uint64_t>(d)) * width;
        dest[offset + i][d] = width == 4 ? static_cast<double>(r.value<float>(p)) : r.value<double>(p);
      }
    }
  };
  read_vectors("POS ", "POS", out.positions);
  read_vectors("VEL ", "VEL", out.velocities);
  label("ID  ");
  const auto ids = r.read_record("ID");
  std::size_t width = 0;
  if (n_all > 0 && ids.size() == 4 * n_all) width = 4;
  else if (n_all > 0 && ids.size() == 8 * n_all) width = 8;
  else if (n_all == 0 && ids.empty()) width = 4;
  else {
    throw io_error(concat("lagframe: ", f.string(), ": ID block holds ", ids.size(), " bytes, expected ", 4 * n_all,
                          " (4-byte ids) or ", 8 * n_all, " (8-byte ids) for ", n_all, " particles"));
  }
  const std::size_t offset = out.ids.size();
  out.ids.resize(offset + n1);
  for (std::uint64_t i = 0; i < n1; ++i) {
    const unsigned char* p = ids.data() + (skip + i) * width;
    out.ids[offset + i] = width == 4 ? r.value<std::uint32_t>(p) : r.value<std::uint64_t>(p);
  }
  // Further blocks (MASS, gas properties) are not needed.
  return result;
}

inline std::filesystem::path gadget2_piece(const std::filesystem::path& base, int k) {
  std::filesystem::path p = base;
  p += lagframe::detail::concat(".", k);
  return p;
}

}  // namespace detail

/// Reads the type-1 particles of Gadget-2 binary initial conditions (SnapFormat 1 or 2, either
/// byte order) and maps them onto the Lagrangian grid. `path_or_base` is a single file, a piece
/// `stem.k` of a multi-file set (all num_files pieces of `stem` are read), or a base name `stem`
/// for which `stem.0` exists. `length_unit_in_mpc_h` is the file's length unit (default kpc/h).
/// Throws io_error naming the file for missing or truncated files, disagreeing record markers,
/// wrong block labels or sizes, inconsistent particle totals, and ids not forming a full grid;
/// config_error for a non-positive length unit.
inline ic_particles read_gadget2_ic(const std::filesystem::path& path_or_base, id_convention convention,
                                    double length_unit_in_mpc_h = 1e-3) {
  namespace fs = std::filesystem;
  using lagframe::detail::concat;
  require(std::isfinite(length_unit_in_mpc_h) && length_unit_in_mpc_h > 0.0, "read_gadget2_ic length_unit_in_mpc_h",
          length_unit_in_mpc_h, "a positive length in Mpc/h");
  std::error_code ec;
  raw_ic raw;
  fs::path base;
  if (fs::is_regular_file(path_or_base, ec)) {
    raw.source = path_or_base.string();
    const auto d = detail::read_gadget2_file(path_or_base, raw);
    if (d.header.num_files <= 1) {
      if (raw.ids.size() != d.header.total1) {
        throw io_error(concat("lagframe: ", path_or_base.string(), " holds ", raw.ids.size(),
                              " type-1 particles, npartTotal[1] = ", d.header.total1));
      }
      raw.box_size_mpc_h = d.header.box_size * length_unit_in_mpc_h;
      raw.a = d.header.time;
      for (auto& x : raw.positions)
        for (auto& c : x) c *= length_unit_in_mpc_h;
      return map_to_grid(raw, convention);
    }
    const std::string k = path_or_base.extension().string();
    const bool numbered = k.size() > 1 && std::all_of(k.begin() + 1, k.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!numbered) {
      throw io_error(concat("lagframe: ", path_or_base.string(), " has num_files = ", d.header.num_files,
                            " but its name does not end in .<k>, so the other pieces cannot be found"));
    }
    base = path_or_base.parent_path() / path_or_base.stem();
    raw = raw_ic{};
  } else if (fs::is_regular_file(detail::gadget2_piece(path_or_base, 0), ec)) {
    base = path_or_base;
  } else {
    throw io_error(concat("lagframe: Gadget-2 initial conditions ", path_or_base.string(), " not found (tried ",
                          path_or_base.string(), " and ", detail::gadget2_piece(path_or_base, 0).string(), ")"));
  }

  raw.source = base.string() + ".*";
  const auto first_name = detail::gadget2_piece(base, 0);
  const auto first = detail::read_gadget2_file(first_name, raw);
  const int files = first.header.num_files;
  if (files < 1) {
    throw io_error(concat("lagframe: ", first_name.string(), " has num_files = ", files));
  }
  for (int k = 1; k < files; ++k) {
    const auto name = detail::gadget2_piece(base, k);
    const auto d = detail::read_gadget2_file(name, raw);
    if (d.header.total1 != first.header.total1 || d.header.num_files != files ||
        d.header.box_size != first.header.box_size || d.header.time != first.header.time) {
      throw io_error(concat("lagframe: ", name.string(), " has npartTotal[1] = ", d.header.total1, ", num_files = ",
                            d.header.num_files, ", BoxSize = ", d.header.box_size, ", Time = ", d.header.time, ", but ",
                            first_name.string(), " has ", first.header.total1, ", ", files, ", ",
                            first.header.box_size, ", ", first.header.time));
    }
  }
  if (raw.ids.size() != first.header.total1) {
    throw io_error(concat("lagframe: Gadget-2 initial conditions ", raw.source, " hold ", raw.ids.size(),
                          " type-1 particles in ", files, " files, npartTotal[1] = ", first.header.total1));
  }
  raw.box_size_mpc_h = first.header.box_size * length_unit_in_mpc_h;
  raw.a = first.header.time;
  for (auto& x : raw.positions)
    for (auto& c : x) c *= length_unit_in_mpc_h;
  return map_to_grid(raw, convention);
}

}  // namespace lagframe::io
