// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file version.hpp
/// lagframe's version; CMake parses these three lines.
#define LAGFRAME_VERSION_MAJOR 0
#define LAGFRAME_VERSION_MINOR 1
#define LAGFRAME_VERSION_PATCH 0

namespace lagframe {
inline constexpr const char* version_string = "0.1.0";
}  // namespace lagframe
