// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// A file written for one test and removed when it goes out of scope.

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace lagframe::test {

struct temp_file {
  std::filesystem::path path;
  /// Writes `text` verbatim (binary mode: line endings kept) to <tmp>/<folder>/<name>.
  temp_file(const std::string& folder, const std::string& name, const std::string& text) {
    const auto dir = std::filesystem::temp_directory_path() / folder;
    std::filesystem::create_directories(dir);
    path = dir / name;
    std::ofstream(path, std::ios::binary) << text;
  }
  ~temp_file() {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  [[nodiscard]] std::string str() const { return path.string(); }
};

}  // namespace lagframe::test
