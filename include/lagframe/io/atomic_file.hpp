// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file atomic_file.hpp
/// Write a file under a temporary name and rename it into place only when complete, so no
/// output is ever left half-written under its final name.

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include "lagframe/core/error.hpp"

namespace lagframe::io {

/// Calls `write(temporary_path)`; on success renames the temporary onto `path`, on any
/// exception removes the temporary and rethrows. `write` must throw io_error on failure.
template <class Writer>
void write_atomically(const std::filesystem::path& path, Writer&& write) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  try {
    write(tmp);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw io_error(lagframe::detail::concat("lagframe: cannot move ", tmp.string(), " to ", path.string()));
  }
}

}  // namespace lagframe::io
