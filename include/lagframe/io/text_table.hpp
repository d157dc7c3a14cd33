// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file text_table.hpp
/// Plain-text tables: a '#' header naming columns (with units), then whitespace-separated
/// numbers. Written atomically.

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/io/atomic_file.hpp"

namespace lagframe::io {

/// Write columns of equal length under a header line "# name1 name2 ..." preceded by
/// optional comment lines.
inline void write_text_table(const std::filesystem::path& path,
                             const std::vector<std::string>& column_names,
                             const std::vector<std::vector<double>>& columns,
                             const std::vector<std::string>& comments = {}) {
  require(!columns.empty() && columns.size() == column_names.size(), "table column count",
          columns.size(), lagframe::detail::concat(column_names.size(), " columns (one per name)"));
  for (const auto& c : columns)
    require(c.size() == columns.front().size(), "table column length", c.size(),
            lagframe::detail::concat(columns.front().size(), " rows like the first column"));
  write_atomically(path, [&](const std::filesystem::path& tmp) {
    std::FILE* f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr) throw io_error(lagframe::detail::concat("lagframe: cannot open ", tmp.string()));
    for (const auto& line : comments) std::fprintf(f, "# %s\n", line.c_str());
    std::fprintf(f, "#");
    for (const auto& name : column_names) std::fprintf(f, " %s", name.c_str());
    std::fprintf(f, "\n");
    for (std::size_t r = 0; r < columns.front().size(); ++r) {
      for (std::size_t c = 0; c < columns.size(); ++c)
        std::fprintf(f, c == 0 ? "%.8e" : " %.8e", columns[c][r]);
      std::fprintf(f, "\n");
    }
    const bool ok = std::ferror(f) == 0;
    if (std::fclose(f) != 0 || !ok) throw io_error(lagframe::detail::concat("lagframe: write failed on ", tmp.string()));
  });
}

}  // namespace lagframe::io
