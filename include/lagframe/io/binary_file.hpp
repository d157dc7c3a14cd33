// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file binary_file.hpp
/// Sequential little-endian binary files: a writer (used inside io::write_atomically, so a
/// file appears under its name only when complete) and a reader whose every failure is an
/// io_error naming the file, its kind and what was being read. Big-endian hosts are refused.

#include <bit>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "lagframe/core/error.hpp"

namespace lagframe::io {

/// Writes raw bytes in sequence; finish() closes the file and throws io_error if any write failed.
class binary_writer {
 public:
  explicit binary_writer(const std::filesystem::path& path) : path_(path), file_(std::fopen(path.c_str(), "wb"), &std::fclose) {
    if constexpr (std::endian::native != std::endian::little) {
      throw io_error("lagframe: binary files are little-endian; big-endian hosts are not supported");
    }
    if (!file_) throw io_error(lagframe::detail::concat("lagframe: cannot open ", path.string(), " for writing"));
  }
  void put(const void* data, std::size_t bytes) {
    if (bytes > 0 && ok_) ok_ = std::fwrite(data, 1, bytes, file_.get()) == bytes;
  }
  void finish() {
    if (std::fclose(file_.release()) != 0) ok_ = false;
    if (!ok_) throw io_error(lagframe::detail::concat("lagframe: write failed on ", path_.string()));
  }

 private:
  std::filesystem::path path_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  bool ok_ = true;
};

/// Reads raw bytes in sequence; `kind` names the file's kind in messages ("recorded momenta file").
class binary_reader {
 public:
  binary_reader(const std::filesystem::path& path, std::string kind)
      : path_(path), kind_(std::move(kind)), file_(std::fopen(path.c_str(), "rb"), &std::fclose) {
    if constexpr (std::endian::native != std::endian::little) {
      throw io_error("lagframe: binary files are little-endian; big-endian hosts are not supported");
    }
    if (!file_) fail("cannot open for reading");
  }
  /// Throws io_error "lagframe: <kind> <path>: <problem>".
  [[noreturn]] void fail(const std::string& problem) const {
    throw io_error(lagframe::detail::concat("lagframe: ", kind_, " ", path_.string(), ": ", problem));
  }
  void get(void* data, std::size_t bytes, const char* what) {
    if (bytes > 0 && std::fread(data, 1, bytes, file_.get()) != bytes)
      fail(lagframe::detail::concat("truncated while reading ", what));
  }
  /// Throws if bytes remain after what the header announced.
  void expect_end() {
    char extra = 0;
    if (std::fread(&extra, 1, 1, file_.get()) != 0) fail("longer than its header says");
  }

 private:
  std::filesystem::path path_;
  std::string kind_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
};

}  // namespace lagframe::io
