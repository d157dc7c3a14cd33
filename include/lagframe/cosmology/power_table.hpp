// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file power_table.hpp
/// Reading tabulated linear spectra written by Boltzmann codes.
///
/// Layouts (lines starting with '#' are comments; columns separated by whitespace):
///  - class_pk: CLASS `*_pk.dat`:      k [h/Mpc], P(k) [(Mpc/h)³]
///  - camb_pk:  CAMB `*_matterpower.dat`: k/h [h/Mpc], P(k) [(Mpc/h)³]
///  - class_tk: CLASS `*_tk.dat` (format=class): the column whose header name contains "d_tot"
///              (found in the last '#' line naming columns as "N:name"); k in column 1 [h/Mpc].
///              CLASS's synchronous-gauge δ_tot grows as k² on large scales, so P ∝ k^(n_s−4) δ_tot².
///  - camb_tk:  CAMB `*_transfer_out.dat`: k/h in column 1 and the total-matter transfer
///              T(k)/k² in column 7 (constant on large scales), so P ∝ k^n_s T².
/// A column-title line without a leading '#' (as some CAMB versions write) is not a comment and
/// is refused as non-numeric. The reader checks that every token parses, that k is positive and
/// increases strictly, that values are positive (P) or finite (T), and that there are at least
/// 4 data rows; it throws io_error naming the path, the line and the offending token or value.

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lagframe/core/error.hpp"

namespace lagframe::cosmology {

enum class table_layout { class_pk, camb_pk, class_tk, camb_tk };

/// A table of k [h/Mpc] and one value column (P or T, depending on the layout).
struct power_table {
  table_layout layout = table_layout::class_pk;
  std::vector<double> k;
  std::vector<double> value;
  [[nodiscard]] bool is_transfer() const {
    return layout == table_layout::class_tk || layout == table_layout::camb_tk;
  }
};

namespace detail {
inline std::vector<std::string> split_ws(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> tokens;
  for (std::string t; in >> t;) tokens.push_back(t);
  return tokens;
}
inline double parse_number(const std::string& token, const std::string& path, std::size_t line) {
  try {
    std::size_t used = 0;
    const double v = std::stod(token, &used);
    if (used == token.size()) return v;
  } catch (const std::exception&) {
  }
  throw io_error(lagframe::detail::concat("lagframe: ", path, " line ", line, ": '", token,
                                          "' is not a number"));
}
}  // namespace detail

inline power_table read_power_table(const std::string& path, table_layout layout) {
  std::ifstream in(path);
  if (!in) throw io_error(lagframe::detail::concat("lagframe: cannot open power spectrum file '", path, "'"));
  power_table table;
  table.layout = layout;
  std::size_t value_column = 1;
  if (layout == table_layout::camb_tk) value_column = 6;
  bool column_found = layout != table_layout::class_tk;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    if (line[first] == '#') {
      if (layout == table_layout::class_tk) {
        // Column names like "1:k (h/Mpc)  2:d_g ... 6:d_tot": find "N:d_tot".
        const auto pos = line.find(":d_tot");
        if (pos != std::string::npos) {
          auto start = line.find_last_of(" \t#", pos);
          start = (start == std::string::npos) ? 0 : start + 1;
          const std::string number = line.substr(start, pos - start);
          const bool digits = !number.empty() && number.size() < 4 &&
                              number.find_first_not_of("0123456789") == std::string::npos;
          if (!digits || std::stoul(number) == 0) {
            throw io_error(lagframe::detail::concat("lagframe: ", path, " line ", line_no, ": column label '", number,
                                                    ":d_tot' does not start with a column number"));
          }
          value_column = std::stoul(number) - 1;
          column_found = true;
        }
      }
      continue;
    }
    if (!column_found) {
      throw io_error(lagframe::detail::concat("lagframe: ", path, ": no 'd_tot' column named in the header before line ",
                                              line_no, " (CLASS transfer layout)"));
    }
    const auto tokens = detail::split_ws(line);
    if (tokens.size() <= value_column) {
      throw io_error(lagframe::detail::concat("lagframe: ", path, " line ", line_no, ": ", tokens.size(),
                                              " columns, expected at least ", value_column + 1));
    }
    for (const auto& t : tokens) (void)detail::parse_number(t, path, line_no);
    const double k = detail::parse_number(tokens[0], path, line_no);
    const double v = detail::parse_number(tokens[value_column], path, line_no);
    if (!(k > 0.0) || !std::isfinite(k)) {
      throw io_error(lagframe::detail::concat("lagframe: ", path, " line ", line_no, ": k = ", k, " is not positive"));
    }
    if (!table.k.empty() && !(k > table.k.back())) {
      throw io_error(lagframe::detail::concat("lagframe: ", path, " line ", line_no, ": k = ", k,
                                              " does not increase (previous k = ", table.k.back(), ")"));
    }
    if (!table.is_transfer() && !(v > 0.0 && std::isfinite(v))) {
      throw io_error(lagframe::detail::concat("lagframe: ", path, " line ", line_no, ": P = ", v, " is not positive"));
    }
    if (table.is_transfer() && !std::isfinite(v)) {
      throw io_error(lagframe::detail::concat("lagframe: ", path, " line ", line_no, ": T = ", v, " is not finite"));
    }
    table.k.push_back(k);
    table.value.push_back(v);
  }
  if (table.k.size() < 4) {
    throw io_error(lagframe::detail::concat("lagframe: ", path, " has ", table.k.size(),
                                            " data rows, expected at least 4"));
  }
  return table;
}

}  // namespace lagframe::cosmology
