// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file text_table.hpp
/// Plain-text tables: a '#' header naming columns (with units), then whitespace-separated
/// numbers. Written atomically; read back by read_text_table.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
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

/// A table as read back from text: comment lines (without the leading "# "), column names
/// (from the last '#' line before the first data row) and the numeric columns.
struct text_table {
  std::vector<std::string> comments;
  std::vector<std::string> names;
  std::vector<std::vector<double>> columns;
};

/// Read what write_text_table writes. Blank lines are skipped; '#' lines after the first data
/// row are kept as comments. Rows must all have as many numbers as there are names (or, with
/// no '#' line, as the first row). Throws io_error naming the path, line and token on a missing
/// file, a non-numeric token or a row with the wrong number of columns.
inline text_table read_text_table(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw io_error(lagframe::detail::concat("lagframe: cannot open table ", path.string()));
  text_table table;
  std::vector<std::string> header_lines;
  bool in_data = false;
  std::size_t width = 0;
  std::string line;
  for (std::size_t line_no = 1; std::getline(in, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    if (line[first] == '#') {
      std::string text = line.substr(first + 1);
      if (!text.empty() && text.front() == ' ') text.erase(0, 1);
      (in_data ? table.comments : header_lines).push_back(text);
      continue;
    }
    if (!in_data) {
      in_data = true;
      if (!header_lines.empty()) {
        std::istringstream names(header_lines.back());
        for (std::string name; names >> name;) table.names.push_back(name);
        header_lines.pop_back();
      }
      table.comments.insert(table.comments.begin(), header_lines.begin(), header_lines.end());
      header_lines.clear();
    }
    std::istringstream tokens(line);
    std::vector<double> row;
    for (std::string token; tokens >> token;) {
      char* end = nullptr;
      const double value = std::strtod(token.c_str(), &end);
      if (end == token.c_str() || *end != '\0')
        throw io_error(lagframe::detail::concat("lagframe: table ", path.string(), " line ", line_no,
                                                ": token '", token, "' is not a number"));
      row.push_back(value);
    }
    if (table.columns.empty()) {
      width = table.names.empty() ? row.size() : table.names.size();
      table.columns.resize(width);
    }
    if (row.size() != width)
      throw io_error(lagframe::detail::concat("lagframe: table ", path.string(), " line ", line_no,
                                              " has ", row.size(), " columns, expected ", width,
                                              " (line: '", line, "')"));
    for (std::size_t c = 0; c < width; ++c) table.columns[c].push_back(row[c]);
  }
  if (in.bad()) throw io_error(lagframe::detail::concat("lagframe: read failed on table ", path.string()));
  if (!in_data) {
    if (!header_lines.empty()) {
      std::istringstream names(header_lines.back());
      for (std::string name; names >> name;) table.names.push_back(name);
      header_lines.pop_back();
    }
    table.comments = header_lines;
    table.columns.resize(table.names.size());
  }
  return table;
}

}  // namespace lagframe::io
