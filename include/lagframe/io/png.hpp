// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file png.hpp
/// Write an 8-bit image as PNG with Debian's stb_image_write (link lagframe::png, which is
/// libstb; optional: only programs that include this header need it). Written atomically.

#include <stb/stb_image_write.h>

#include <cstdint>
#include <filesystem>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/io/atomic_file.hpp"

namespace lagframe::io {

/// `pixels` holds height rows of width·channels bytes (channels 1 = grey, 3 = RGB).
inline void write_png(const std::filesystem::path& path, int width, int height, int channels,
                      const std::vector<std::uint8_t>& pixels) {
  require(width > 0 && height > 0, "PNG width", width, "positive width and height");
  require(channels == 1 || channels == 3, "PNG channels", channels, "1 (grey) or 3 (RGB)");
  require(pixels.size() == static_cast<std::size_t>(width) * height * channels, "PNG pixel count",
          pixels.size(), "width*height*channels");
  write_atomically(path, [&](const std::filesystem::path& tmp) {
    if (stbi_write_png(tmp.c_str(), width, height, channels, pixels.data(), width * channels) == 0)
      throw io_error(lagframe::detail::concat("lagframe: cannot write PNG ", tmp.string()));
  });
}

}  // namespace lagframe::io
