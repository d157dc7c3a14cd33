// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file lightcone_stream.hpp
/// Lightcone shells streamed to disk while they are open (docs/physics.md §16.5), so that memory
/// holds one drift's crossings instead of a whole shell's. Connected to a lightcone through its
/// stream and shell callbacks (lightcone::set_stream_callback, set_shell_callback):
///   * while shell s is open, each drift's crossings of it (sorted by id, then replica) are
///     appended to <base>_<sss>.crossings.bin: fixed 52-byte little-endian records (id uint64,
///     replica 3 × int32, a float64, position 3 × float32 in Mpc/h, velocity 3 × float32 in
///     km/s = 100 p/a), the values a shell file holds;
///   * save_point(lc), with each restart snapshot: the records written so far are flushed to
///     disk, and <base>_<sss>.pending.hdf5 (written atomically) records their number (`rows`),
///     the time `a_front` and the shell's HEALPix counts so far;
///   * complete(shell): the records are copied, a block of 2¹⁸ at a time, into the shell file
///     <base>_<sss>.hdf5 of lightcone_hdf5.hpp (written under a temporary name and renamed: a
///     shell file on disk is always whole; complete = 1), with the shell's map; the two
///     working files are removed. Its crossings are in the order recorded: drift by drift,
///     each drift's by id, then replica (the same at any thread count);
///   * resume(lc, a_restart): a complete shell file marks its shell done; a shell whose pending
///     file was saved at a_restart is cut back to its saved records (crossings recorded after
///     that snapshot are dropped; the restarted run records them again), its map restored, and
///     appended to from there; records without a pending file belong to a shell entered after
///     the last snapshot and are removed; a pending file saved at another time is refused (it
///     would lose or repeat crossings). check_resume makes the same checks and changes nothing.
/// A killed run thus keeps every complete shell and, from its last snapshot, the open ones: the
/// records are only appended to, and the pending file is replaced atomically. A stream that
/// did not resume a shell removes the working files an earlier run left for it before its first
/// record. A shell file left
/// partial by save_lightcone_pending (complete = 0, lightcone_hdf5.hpp) is continued as well.
///
/// Requires the HDF5 C library (link lagframe::hdf5). Not thread-safe: call from one thread.

#include <hdf5.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/io/atomic_file.hpp"
#include "lagframe/io/hdf5_detail.hpp"
#include "lagframe/io/lightcone_hdf5.hpp"
#include "lagframe/lightcone/lightcone.hpp"

namespace lagframe::io {

/// `<directory>/<base>_<shell, three digits><suffix>`: the working files of an open shell
/// (suffix ".crossings.bin" or ".pending.hdf5").
[[nodiscard]] inline std::filesystem::path lightcone_stream_path(const std::filesystem::path& directory,
                                                                 const std::string& base, std::size_t shell,
                                                                 const char* suffix) {
  auto p = lightcone_shell_path(directory, base, shell);
  p.replace_extension();
  p += suffix;
  return p;
}

namespace detail {

inline constexpr std::size_t crossing_record_bytes = 52;

/// One crossing as a 52-byte record (see the file comment; the host is little-endian).
inline void encode_crossing(const lightcone::crossing& c, unsigned char* out) {
  static_assert(std::endian::native == std::endian::little, "lightcone records are little-endian");
  const std::uint64_t id = c.id;
  const std::int32_t replica[3] = {c.replica[0], c.replica[1], c.replica[2]};
  const double a = c.a;
  const float position[3] = {static_cast<float>(c.position[0]), static_cast<float>(c.position[1]),
                             static_cast<float>(c.position[2])};
  const float velocity[3] = {static_cast<float>(100.0 * c.momentum[0] / c.a),
                             static_cast<float>(100.0 * c.momentum[1] / c.a),
                             static_cast<float>(100.0 * c.momentum[2] / c.a)};
  std::memcpy(out, &id, 8);
  std::memcpy(out + 8, replica, 12);
  std::memcpy(out + 20, &a, 8);
  std::memcpy(out + 28, position, 12);
  std::memcpy(out + 40, velocity, 12);
}

/// Reads the scalar attribute `name` of the file root `g` as T.
template <class T>
T read_scalar(hid_t g, const std::filesystem::path& path, const char* name) {
  return read_attribute<T>(g, path, "/", name, 1)[0];
}

/// What a pending file records.
struct pending_state {
  std::size_t shell = 0;
  double chi_min = 0, chi_max = 0, a_front = 0;
  std::uint64_t rows = 0;
  std::vector<std::uint32_t> healpix_counts;
};

inline pending_state read_pending(const std::filesystem::path& path) {
  hdf5_quiet quiet;
  h5_file file(h5_check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, path.string(), "file open"));
  const hid_t g = file.get();
  pending_state p;
  p.shell = static_cast<std::size_t>(read_scalar<std::uint64_t>(g, path, "shell"));
  p.chi_min = read_scalar<double>(g, path, "chi_min");
  p.chi_max = read_scalar<double>(g, path, "chi_max");
  p.a_front = read_scalar<double>(g, path, "a_front");
  p.rows = read_scalar<std::uint64_t>(g, path, "rows");
  std::size_t n = 0;
  if (H5Lexists(g, "healpix_counts", H5P_DEFAULT) > 0)
    p.healpix_counts = read_lightcone_dataset<std::uint32_t>(g, path, "healpix_counts", 1, &n);
  return p;
}

inline void write_pending(const std::filesystem::path& path, const pending_state& p) {
  write_atomically(path, [&](const std::filesystem::path& tmp) {
    hdf5_quiet quiet;
    h5_file file(h5_check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), path, tmp.string(),
                          "file creation"));
    const hid_t g = file.get();
    write_scalar_attribute<std::uint64_t>(g, path, "/", "shell", p.shell);
    write_scalar_attribute<double>(g, path, "/", "chi_min", p.chi_min);
    write_scalar_attribute<double>(g, path, "/", "chi_max", p.chi_max);
    write_scalar_attribute<double>(g, path, "/", "a_front", p.a_front);
    write_scalar_attribute<std::uint64_t>(g, path, "/", "rows", p.rows);
    if (!p.healpix_counts.empty()) write_lightcone_dataset(g, path, "healpix_counts", H5T_STD_U32LE, p.healpix_counts, 1);
    if (!file.close()) hdf5_fail(path, tmp.string(), "file close");
  });
}

/// Whether the shell file at `path` is complete (its `complete` attribute), and its a_front.
inline std::pair<bool, double> shell_file_state(const std::filesystem::path& path) {
  hdf5_quiet quiet;
  h5_file file(h5_check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, path.string(), "file open"));
  return {read_scalar<std::int32_t>(file.get(), path, "complete") != 0, read_scalar<double>(file.get(), path, "a_front")};
}

/// Writes `count` rows from row `first` of one dataset (hyperslab of a [rows] or [rows, 3] set).
template <class T>
void write_rows(hid_t dset, const std::filesystem::path& f, const char* name, std::size_t first, std::size_t count,
                std::size_t width, const std::vector<T>& values) {
  h5_space file_space(h5_check(H5Dget_space(dset), f, name, "dataset dataspace"));
  const hsize_t start[2] = {static_cast<hsize_t>(first), 0};
  const hsize_t dims[2] = {static_cast<hsize_t>(count), static_cast<hsize_t>(width)};
  h5_check_status(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, dims, nullptr), f, name,
                  "hyperslab selection");
  h5_space memory(h5_check(H5Screate_simple(width == 1 ? 1 : 2, dims, nullptr), f, name, "dataspace creation"));
  h5_check_status(H5Dwrite(dset, h5_native_type<T>(), memory.get(), file_space.get(), H5P_DEFAULT, values.data()), f,
                  name, "dataset write");
}

}  // namespace detail

/// The shells of one lightcone streamed to `directory` (see the file comment).
class lightcone_stream {
 public:
  lightcone_stream(const lightcone::lightcone& lc, std::filesystem::path directory, std::string base,
                   lightcone_file_info info)
      : directory_(std::move(directory)), base_(std::move(base)), info_(info), files_(lc.shell_count()) {}
  ~lightcone_stream() {
    for (auto& f : files_)
      if (f.file != nullptr) std::fclose(f.file);
  }
  lightcone_stream(const lightcone_stream&) = delete;
  lightcone_stream& operator=(const lightcone_stream&) = delete;

  /// Appends one drift's crossings of shell s (the lightcone's stream callback).
  void append(std::size_t s, std::span<const lightcone::crossing> crossings) {
    auto& f = open(s);
    buffer_.resize(crossings.size() * detail::crossing_record_bytes);
    for (std::size_t i = 0; i < crossings.size(); ++i)
      detail::encode_crossing(crossings[i], buffer_.data() + i * detail::crossing_record_bytes);
    if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), f.file) != buffer_.size())
      throw io_error(lagframe::detail::concat("lagframe: cannot append to ", records_path(s).string()));
    f.rows += crossings.size();
  }

  /// A restart point at lc.a_front(): the records of every shell in progress are flushed to disk
  /// and its pending file (rows, a_front, map so far) replaces the previous one.
  void save_point(const lightcone::lightcone& lc) {
    for (auto& s : lc.pending()) {
      flush_to_disk(s.index);
      auto& f = files_[s.index];
      detail::write_pending(pending_path(s.index), {.shell = s.index, .chi_min = s.chi_min, .chi_max = s.chi_max,
                                                    .a_front = lc.a_front(), .rows = f.rows,
                                                    .healpix_counts = std::move(s.healpix_counts)});
    }
  }

  /// Shell `s` (its map; its crossings are on disk) is complete: writes its shell file and
  /// removes the working files. Returns the number of crossings.
  std::size_t complete(const lightcone::shell& s) {
    using namespace io::detail;
    auto& f = files_.at(s.index);
    const std::size_t rows = f.rows;
    if (f.file != nullptr) {
      const bool ok = std::fclose(f.file) == 0;
      f.file = nullptr;
      if (!ok) throw io_error(lagframe::detail::concat("lagframe: cannot close ", records_path(s.index).string()));
    }
    const auto records = records_path(s.index);
    const auto path = lightcone_shell_path(directory_, base_, s.index);
    write_atomically(path, [&](const std::filesystem::path& tmp) {
      hdf5_quiet quiet;
      h5_file file(h5_check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), path, tmp.string(),
                            "file creation"));
      const hid_t g = file.get();
      // The five datasets at their full size, filled block by block from the records.
      const auto create = [&](const char* name, hid_t type, std::size_t width) {
        const hsize_t dims[2] = {static_cast<hsize_t>(rows), static_cast<hsize_t>(width)};
        h5_space space(h5_check(H5Screate_simple(width == 1 ? 1 : 2, dims, nullptr), path, name, "dataspace creation"));
        return h5_dataset(h5_check(H5Dcreate2(g, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path,
                                   name, "dataset creation"));
      };
      h5_dataset id = create("id", H5T_STD_U64LE, 1), replica = create("replica", H5T_STD_I32LE, 3),
                 a = create("a", H5T_IEEE_F64LE, 1), position = create("position", H5T_IEEE_F32LE, 3),
                 velocity = create("velocity", H5T_IEEE_F32LE, 3);
      if (rows > 0) {
        std::FILE* in = std::fopen(records.c_str(), "rb");
        if (in == nullptr) throw io_error(lagframe::detail::concat("lagframe: cannot read ", records.string()));
        struct closer {
          std::FILE* f;
          ~closer() { std::fclose(f); }
        } close_in{in};
        constexpr std::size_t block = std::size_t{1} << 18;
        std::vector<unsigned char> raw;
        std::vector<std::uint64_t> ids;
        std::vector<std::int32_t> reps;
        std::vector<double> as;
        std::vector<float> xs, vs;
        for (std::size_t first = 0; first < rows; first += block) {
          const std::size_t n = std::min(block, rows - first);
          raw.resize(n * crossing_record_bytes);
          if (std::fread(raw.data(), 1, raw.size(), in) != raw.size())
            throw io_error(lagframe::detail::concat("lagframe: ", records.string(), " ends before its ", rows, " records"));
          ids.resize(n), reps.resize(3 * n), as.resize(n), xs.resize(3 * n), vs.resize(3 * n);
          for (std::size_t i = 0; i < n; ++i) {
            const unsigned char* r = raw.data() + i * crossing_record_bytes;
            std::memcpy(&ids[i], r, 8);
            std::memcpy(&reps[3 * i], r + 8, 12);
            std::memcpy(&as[i], r + 20, 8);
            std::memcpy(&xs[3 * i], r + 28, 12);
            std::memcpy(&vs[3 * i], r + 40, 12);
          }
          write_rows(id.get(), path, "id", first, n, 1, ids);
          write_rows(replica.get(), path, "replica", first, n, 3, reps);
          write_rows(a.get(), path, "a", first, n, 1, as);
          write_rows(position.get(), path, "position", first, n, 3, xs);
          write_rows(velocity.get(), path, "velocity", first, n, 3, vs);
        }
      }
      for (auto* d : {&id, &replica, &a, &position, &velocity})
        if (!d->close()) hdf5_fail(path, "datasets", "dataset close");
      if (!s.healpix_counts.empty()) write_lightcone_dataset(g, path, "healpix_counts", H5T_STD_U32LE, s.healpix_counts, 1);
      write_lightcone_attributes(g, path, s.index, s.chi_min, s.chi_max, info_, true, 0.0);
      if (!file.close()) hdf5_fail(path, tmp.string(), "file close");
    });
    std::error_code ignored;
    std::filesystem::remove(records, ignored);
    std::filesystem::remove(pending_path(s.index), ignored);
    f.rows = 0;
    return rows;
  }

  /// Prepares `lc` and this stream to continue a run restarted at a_restart from the files of
  /// the earlier run in `earlier` (see the file comment; its shells in progress are continued
  /// in this stream's folder, copied there when it is another). Returns the number of complete
  /// shells.
  std::size_t resume(lightcone::lightcone& lc, const std::filesystem::path& earlier, double a_restart) {
    return visit(lc, earlier, a_restart, true);
  }

  /// The checks of resume on the files of `directory`, changing no file (`scratch`, a lightcone
  /// of the same configuration, has its shells marked as resume would): throws config_error
  /// when a shell in progress was saved at another time than a_restart.
  static std::size_t check_resume(lightcone::lightcone& scratch, const std::filesystem::path& directory,
                                  const std::string& base, double a_restart) {
    lightcone_stream probe(scratch, directory, base, {});
    return probe.visit(scratch, directory, a_restart, false);
  }

 private:
  struct shell_file {
    std::FILE* file = nullptr;
    std::size_t rows = 0;
    bool continued = false;  ///< resume() kept the earlier records (else a first open clears them)
  };

  [[nodiscard]] std::filesystem::path records_path(std::size_t s) const {
    return lightcone_stream_path(directory_, base_, s, ".crossings.bin");
  }
  [[nodiscard]] std::filesystem::path pending_path(std::size_t s) const {
    return lightcone_stream_path(directory_, base_, s, ".pending.hdf5");
  }

  /// The records file of shell s, opened for appending. The first time, unless resume() kept
  /// them, the working files a killed earlier run may have left are removed: records are only
  /// ever appended to this run's own.
  shell_file& open(std::size_t s) {
    auto& f = files_.at(s);
    if (f.file == nullptr) {
      if (!f.continued) {
        std::error_code ignored;
        std::filesystem::remove(records_path(s), ignored);
        std::filesystem::remove(pending_path(s), ignored);
        f.continued = true;
      }
      f.file = std::fopen(records_path(s).c_str(), "ab");
      if (f.file == nullptr) throw io_error(lagframe::detail::concat("lagframe: cannot open ", records_path(s).string()));
    }
    return f;
  }

  static void require_time(double saved, double a_restart, const std::filesystem::path& path) {
    require(std::abs(saved - a_restart) <= 1e-9 * a_restart, "lightcone partial shell a_front", saved,
            lagframe::detail::concat("the restart time a = ", a_restart, " (", path.string(),
                                     " was saved at another time; restart from the snapshot written with it)"));
  }

  std::size_t visit(lightcone::lightcone& lc, const std::filesystem::path& earlier, double a_restart, bool modify) {
    namespace fs = std::filesystem;
    std::size_t complete_shells = 0;
    std::error_code ignored;
    const bool here = fs::exists(earlier) && fs::exists(directory_) && fs::equivalent(earlier, directory_);
    for (std::size_t s = 0; s < lc.shell_count(); ++s) {
      const auto path = lightcone_shell_path(earlier, base_, s);
      const auto records = lightcone_stream_path(earlier, base_, s, ".crossings.bin");
      const auto pending = lightcone_stream_path(earlier, base_, s, ".pending.hdf5");
      if (fs::exists(path)) {
        const auto [complete, a_front] = detail::shell_file_state(path);
        if (complete) {
          lc.mark_done(s);
          ++complete_shells;
          if (modify && here) fs::remove(records, ignored), fs::remove(pending, ignored);
          continue;
        }
        // A partial shell file (save_lightcone_pending): its crossings become the records.
        require_time(a_front, a_restart, path);
        if (!modify) continue;
        auto saved = read_lightcone_shell(path);
        append(s, saved.shell.particles);  // into fresh records (open() clears old ones)
        flush_to_disk(s);
        detail::write_pending(pending_path(s), {.shell = s, .chi_min = saved.shell.chi_min,
                                                .chi_max = saved.shell.chi_max, .a_front = a_front,
                                                .rows = files_[s].rows, .healpix_counts = saved.shell.healpix_counts});
        saved.shell.particles.clear();
        lc.restore(std::move(saved.shell));
        if (here) fs::remove(path);
        continue;
      }
      if (fs::exists(pending)) {
        auto p = detail::read_pending(pending);
        require(p.shell == s, "lightcone pending file", pending.string(), lagframe::detail::concat("shell ", s));
        require_time(p.a_front, a_restart, pending);
        const std::uintmax_t bytes = fs::exists(records) ? fs::file_size(records) : 0;
        const std::uintmax_t keep = p.rows * detail::crossing_record_bytes;
        if (bytes < keep)
          throw io_error(lagframe::detail::concat("lagframe: ", records.string(), " holds ",
                                                  bytes / detail::crossing_record_bytes, " records, fewer than the ",
                                                  p.rows, " its pending file saved"));
        if (!modify) continue;
        if (here) {
          fs::resize_file(records, keep);  // drop what came after the snapshot
        } else {
          copy_prefix(records, records_path(s), keep);
          detail::write_pending(pending_path(s), p);
        }
        files_[s].rows = p.rows;
        files_[s].continued = true;
        lc.restore({.index = s, .chi_min = p.chi_min, .chi_max = p.chi_max, .particles = {},
                    .healpix_counts = std::move(p.healpix_counts)});
        continue;
      }
      // Records without a pending file: the shell was entered after the last snapshot.
      if (modify && here) fs::remove(records, ignored);
    }
    return complete_shells;
  }

  void flush_to_disk(std::size_t s) {
    auto& f = open(s);
    if (std::fflush(f.file) != 0 || ::fsync(fileno(f.file)) != 0)
      throw io_error(lagframe::detail::concat("lagframe: cannot flush ", records_path(s).string()));
  }

  /// The first `bytes` of `from` as `to` (a restart into another folder).
  static void copy_prefix(const std::filesystem::path& from, const std::filesystem::path& to, std::uintmax_t bytes) {
    std::FILE* in = std::fopen(from.c_str(), "rb");
    std::FILE* out = std::fopen(to.c_str(), "wb");
    bool ok = in != nullptr && out != nullptr;
    std::vector<unsigned char> block(std::size_t{1} << 22);
    for (std::uintmax_t left = bytes; ok && left > 0;) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uintmax_t>(left, block.size()));
      ok = std::fread(block.data(), 1, n, in) == n && std::fwrite(block.data(), 1, n, out) == n;
      left -= n;
    }
    if (in != nullptr) std::fclose(in);
    if (out != nullptr) ok = std::fclose(out) == 0 && ok;
    if (!ok) throw io_error(lagframe::detail::concat("lagframe: cannot copy ", from.string(), " to ", to.string()));
  }

  std::filesystem::path directory_;
  std::string base_;
  lightcone_file_info info_;
  std::vector<shell_file> files_;
  std::vector<unsigned char> buffer_;
};

}  // namespace lagframe::io
