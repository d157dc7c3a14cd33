// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// The runner's emulator: any frame emulator behind one type, so that the tCOCA frame
// frame::emulated<lpt<2>, any_emulator> is compiled once whichever emulator a configuration
// names (fourier_linear, or torchscript when lagframe-run is built with libtorch). It forwards
// every capability the emulated frame looks for (knots, weighted_momenta, base_frame, bind);
// copies are deep, as the wrapped emulators' own copies are.

#include <array>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <lagframe/core/box.hpp>
#include <lagframe/core/vec3.hpp>
#include <lagframe/frame/emulated.hpp>
#include <lagframe/frame/emulators/concepts.hpp>
#include <lagframe/frame/lpt.hpp>
#include <lagframe/ic/lpt.hpp>

namespace lagframe_run {

namespace lf = lagframe;

class any_emulator {
 public:
  using real_type = float;
  static constexpr std::string_view name = "emulator";

  template <class E>
    requires lf::frame::frame_emulator<E> && std::same_as<typename E::real_type, float>
  any_emulator(E emulator, std::string description)
      : impl_(std::make_unique<model<E>>(std::move(emulator))), description_(std::move(description)) {}

  any_emulator(const any_emulator& other) : impl_(other.impl_->clone()), description_(other.description_) {}
  any_emulator& operator=(const any_emulator& other) {
    any_emulator copy(other);
    std::swap(impl_, copy.impl_);
    std::swap(description_, copy.description_);
    return *this;
  }
  any_emulator(any_emulator&&) noexcept = default;
  any_emulator& operator=(any_emulator&&) noexcept = default;
  ~any_emulator() = default;

  /// "fourier_linear emulator <file>" and the like, for messages.
  [[nodiscard]] const std::string& description() const { return description_; }

  void momenta(std::span<lf::vec3<float>> out, double a) const { impl_->momenta(out, a); }
  void validate(const lf::box& grid, double a_start, double a_end) const { impl_->validate(grid, a_start, a_end); }
  [[nodiscard]] std::array<double, 2> time_range() const { return impl_->time_range(); }
  [[nodiscard]] std::span<const double> knots() const { return impl_->knots(); }
  void weighted_momenta(std::span<lf::vec3<float>> out, std::span<const double> at,
                        std::span<const double> weights) const {
    impl_->weighted_momenta(out, at, weights);
  }
  [[nodiscard]] std::string_view base_frame() const { return impl_->base_frame(); }
  void bind(const lf::ic::lpt_fields<float>& fields) { impl_->bind(fields); }

 private:
  struct interface {
    virtual ~interface() = default;
    [[nodiscard]] virtual std::unique_ptr<interface> clone() const = 0;
    virtual void momenta(std::span<lf::vec3<float>> out, double a) const = 0;
    virtual void validate(const lf::box& grid, double a_start, double a_end) const = 0;
    [[nodiscard]] virtual std::array<double, 2> time_range() const = 0;
    [[nodiscard]] virtual std::span<const double> knots() const = 0;
    virtual void weighted_momenta(std::span<lf::vec3<float>> out, std::span<const double> at,
                                  std::span<const double> weights) const = 0;
    [[nodiscard]] virtual std::string_view base_frame() const = 0;
    virtual void bind(const lf::ic::lpt_fields<float>& fields) = 0;
  };

  template <class E>
  struct model final : interface {
    E e;
    explicit model(E emulator) : e(std::move(emulator)) {}
    [[nodiscard]] std::unique_ptr<interface> clone() const override { return std::make_unique<model>(e); }
    void momenta(std::span<lf::vec3<float>> out, double a) const override { e.momenta(out, a); }
    void validate(const lf::box& grid, double a_start, double a_end) const override { e.validate(grid, a_start, a_end); }
    [[nodiscard]] std::array<double, 2> time_range() const override { return e.time_range(); }
    [[nodiscard]] std::span<const double> knots() const override {
      if constexpr (requires { { e.knots() } -> std::convertible_to<std::span<const double>>; }) {
        return e.knots();
      } else {
        return {};
      }
    }
    void weighted_momenta(std::span<lf::vec3<float>> out, std::span<const double> at,
                          std::span<const double> weights) const override {
      if constexpr (requires { e.weighted_momenta(out, at, weights); }) {
        e.weighted_momenta(out, at, weights);
      } else {
        std::vector<lf::vec3<float>> one(out.size());
        for (auto& v : out) v = {};
        for (std::size_t m = 0; m < at.size(); ++m) {
          e.momenta(std::span<lf::vec3<float>>(one), at[m]);
          const auto w = static_cast<float>(weights[m]);
          for (std::size_t i = 0; i < out.size(); ++i)
            for (int d = 0; d < 3; ++d) out[i][d] += w * one[i][d];
        }
      }
    }
    [[nodiscard]] std::string_view base_frame() const override {
      if constexpr (requires { e.base_frame(); }) {
        return e.base_frame();
      } else {
        return {};
      }
    }
    void bind(const lf::ic::lpt_fields<float>& fields) override {
      if constexpr (requires { e.bind(fields); }) e.bind(fields);
    }
  };

  std::unique_ptr<interface> impl_;
  std::string description_;
};

static_assert(lf::frame::frame_emulator<any_emulator>);

/// tCOCA: the second-order LPT frame plus the configured emulator ([frame] type = "coca").
using coca_frame = lf::frame::emulated<lf::frame::lpt<2, float>, any_emulator>;

/// A fourier_linear model file (io_error naming the file when it cannot be read).
any_emulator load_fourier_linear(const std::filesystem::path& file);

/// Whether this lagframe-run can load TorchScript emulators (built with libtorch).
bool have_torchscript();

/// A TorchScript emulator file (io_error naming the file; config_error without libtorch).
any_emulator load_torchscript(const std::filesystem::path& file);

}  // namespace lagframe_run
