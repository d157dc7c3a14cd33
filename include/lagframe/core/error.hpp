// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file error.hpp
/// lagframe's exception hierarchy. Every error names the offending value.
///
///   lagframe::error            (std::runtime_error)  root of everything lagframe throws
///   ├── lagframe::config_error  an option, parameter or argument has an impossible value
///   ├── lagframe::io_error      a file is missing, unreadable or malformed
///   └── lagframe::numerical_error  a field contains NaN/inf, an integration failed

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lagframe {

struct error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct config_error : error {
  using error::error;
};
struct io_error : error {
  using error::error;
};
struct numerical_error : error {
  using error::error;
};

namespace detail {

/// Concatenate any streamable values into one message.
template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  out.precision(10);
  (out << ... << parts);
  return out.str();
}

}  // namespace detail

/// Throw config_error unless `ok`; the message names `what` and its offending `value`.
template <class Value>
void require(bool ok, std::string_view what, const Value& value, std::string_view expected) {
  if (!ok) {
    throw config_error(
        lagframe::detail::concat("lagframe: ", what, " = ", value, " is invalid: expected ", expected));
  }
}

/// Throw numerical_error if `value` is not finite.
inline void require_finite(double value, std::string_view what) {
  if (!std::isfinite(value)) {
    throw numerical_error(lagframe::detail::concat("lagframe: ", what, " is not finite (", value, ")"));
  }
}

}  // namespace lagframe
