// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file atomic_file.hpp
/// Write files under temporary names and rename them into place only when complete, so no
/// output is ever left half-written under its final name. A set of files that belong together
/// (the parts of a multi-file snapshot, positions and momenta) is renamed only when every part
/// is complete: it appears whole or not at all. Interrupt requests (interrupt.hpp) are honoured
/// before each file starts; renaming is never interrupted.

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/io/interrupt.hpp"

namespace lagframe::io {

/// Files written under `<name>.tmp` and renamed together by commit(); temporaries that were
/// not committed are removed by the destructor (also when an exception unwinds).
class atomic_file_set {
 public:
  atomic_file_set() = default;
  atomic_file_set(const atomic_file_set&) = delete;
  atomic_file_set& operator=(const atomic_file_set&) = delete;
  ~atomic_file_set() { discard(); }

  /// The temporary name under which to write `path`. Throws io::interrupted if a stop was
  /// requested (nothing of this set is then kept).
  std::filesystem::path temporary(const std::filesystem::path& path) {
    throw_if_interrupted();
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    files_.emplace_back(tmp, path);
    return tmp;
  }

  /// Rename every temporary onto its final name. Throws io_error (removing what is left) if a
  /// rename fails.
  void commit() {
    for (std::size_t k = 0; k < files_.size(); ++k) {
      std::error_code ec;
      std::filesystem::rename(files_[k].first, files_[k].second, ec);
      if (ec) {
        const auto failed = files_[k];
        files_.erase(files_.begin(), files_.begin() + static_cast<std::ptrdiff_t>(k));
        discard();
        throw io_error(lagframe::detail::concat("lagframe: cannot move ", failed.first.string(), " to ",
                                                failed.second.string(), ": ", ec.message()));
      }
    }
    files_.clear();
  }

  /// Remove the temporaries not committed.
  void discard() noexcept {
    for (const auto& f : files_) {
      std::error_code ignored;
      std::filesystem::remove(f.first, ignored);
    }
    files_.clear();
  }

 private:
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> files_;  ///< (temporary, final)
};

/// Calls `write(temporary_path)`; on success renames the temporary onto `path`, on any
/// exception removes the temporary and rethrows. `write` must throw io_error on failure.
template <class Writer>
void write_atomically(const std::filesystem::path& path, Writer&& write) {
  atomic_file_set set;
  write(set.temporary(path));
  set.commit();
}

}  // namespace lagframe::io
