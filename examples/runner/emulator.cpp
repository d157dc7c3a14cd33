// SPDX-License-Identifier: BSD-3-Clause
// The emulators lagframe-run can load. The TorchScript one needs libtorch: CMake links
// lagframe::torch and defines LAGFRAME_RUN_HAS_TORCH when it finds it. This is the only
// translation unit that includes the libtorch headers.

#include "emulator.hpp"

#include <lagframe/core/error.hpp>
#include <lagframe/frame/emulators/fourier_linear.hpp>
#if defined(LAGFRAME_RUN_HAS_TORCH)
#include <lagframe/frame/emulators/torchscript.hpp>
#endif

namespace lagframe_run {

any_emulator load_fourier_linear(const std::filesystem::path& file) {
  using lf::frame::emulators::fourier_linear;
  using lf::frame::emulators::fourier_linear_model;
  fourier_linear<float> e(std::make_shared<const fourier_linear_model>(fourier_linear_model::load(file)));
  return any_emulator(std::move(e), "fourier_linear emulator " + file.string());
}

#if defined(LAGFRAME_RUN_HAS_TORCH)
bool have_torchscript() { return true; }
any_emulator load_torchscript(const std::filesystem::path& file) {
  return any_emulator(lf::frame::emulators::torchscript<float>(file), "torchscript emulator " + file.string());
}
#else
bool have_torchscript() { return false; }
any_emulator load_torchscript(const std::filesystem::path& /*file*/) {
  throw lf::config_error("lagframe-run was built without libtorch (no TorchScript emulator)");
}
#endif

}  // namespace lagframe_run
