// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// A fresh, empty directory under the system temporary folder for one test, removed (with its
// contents) when it goes out of scope. Names carry the tag, the process id and a counter, so
// tests running concurrently never share one.

#include <unistd.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace lagframe::test {

struct scratch_dir {
  std::filesystem::path path;

  explicit scratch_dir(std::string_view tag = "test") {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           ("lagframe_" + std::string(tag) + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~scratch_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  std::filesystem::path operator/(const std::string& name) const { return path / name; }

  /// Names of the files now in the directory (any order).
  [[nodiscard]] std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path)) names.push_back(e.path().filename().string());
    return names;
  }
};

}  // namespace lagframe::test
