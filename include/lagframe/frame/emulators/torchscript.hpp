// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file torchscript.hpp
/// A neural-network emulator of the COLA residual momentum, loaded from a TorchScript file
/// (docs/physics.md §10.5; docs/design.md §3.2). Optional: it needs libtorch (Debian's
/// libtorch-dev; CMake target lagframe::torch, present when CMake finds Torch) and is not
/// included by lagframe/lagframe.hpp.
///
/// The model contract (what scripts/train_coca_network.py writes; any TorchScript module that
/// meets it works):
///   attributes   particles_1d: int, side_mpc_h: float, a_min: float, a_max: float,
///                base_frame: str (e.g. "lpt<2>"; "" for any);
///                optional times: Tensor (1-D, increasing, within [a_min, a_max]): the stored
///                times between which momenta() is linear in a; they become the emulator's
///                knots (frame/emulators/concepts.hpp), so that the frame integrates its
///                displacement exactly (the shipped model has them);
///   prepare(fields: Tensor) -> List[Tensor]
///                fields: (6, N, N, N) float32, Ψ1 then Ψ2 (Mpc/h) on the Lagrangian grid
///                (index (i·N + j)·N + k, as core/box.hpp); called once per run (bind) so that
///                everything that does not depend on a is computed once;
///   momenta(prepared: List[Tensor], a: float) -> Tensor
///                p_ML(q, a): (3, N, N, N) float32 in the momentum units of docs/physics.md §1.2;
///                called at every time the COCA frame needs (frame/emulated.hpp);
///   optional weighted_momenta(prepared: List[Tensor], times: List[float], weights: List[float])
///                -> Tensor: Σ_m weights[m]·momenta(prepared, times[m]) in one call (the shipped
///                model: one inverse FFT, its prediction being linear in its per-time
///                coefficients); the frame's exact drift integral over the knots uses it.
/// The shipped model for the example configuration (64³ particles, 128 Mpc/h) is
/// models/coca_net_64_128.pt: fourier_linear's per-shell map plus K vector fields of a periodic
/// convolutional network of Ψ1 and Ψ2 with time-dependent amplitudes (the script's docstring).
///
/// load errors (missing file, not TorchScript, an attribute or method missing) throw io_error
/// naming the path; validate throws config_error naming a mismatched particle grid, box side or
/// time range; a wrong output shape throws numerical_error. NaN/inf in the output is caught by
/// frame::emulated at the first evaluation that produces it. Evaluation runs without autograd
/// on libtorch's own intra-op threads. Copies share the module and the prepared state (bind
/// each copy used on its own; frame::emulated does).

#include <torch/script.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/frame/emulators/concepts.hpp"
#include "lagframe/frame/emulators/recorded.hpp"
#include "lagframe/ic/lpt.hpp"

namespace lagframe::frame::emulators {

template <class Real = float>
class torchscript {
 public:
  using real_type = Real;
  static constexpr std::string_view name = "torchscript";

  /// Loads a TorchScript file that meets the contract of the file comment (io_error otherwise).
  explicit torchscript(const std::filesystem::path& path) : torchscript(load(path), path.string()) {}

  /// Wraps a module already in memory; `origin` names it in error messages.
  explicit torchscript(torch::jit::Module module, std::string origin = "TorchScript module")
      : state_(std::make_shared<state>()) {
    state_->origin = std::move(origin);
    state_->module = std::move(module);
    state_->module.eval();
    read_contract();
  }

  [[nodiscard]] std::array<double, 2> time_range() const { return {state_->a_min, state_->a_max}; }
  [[nodiscard]] std::string_view base_frame() const { return state_->base_frame; }
  /// The model's `times` attribute when it has one (momenta() is linear in a between them).
  [[nodiscard]] std::span<const double> knots() const { return state_->knots; }
  [[nodiscard]] const box& grid() const { return state_->grid; }

  void validate(const box& grid, double a_start, double a_end) const {
    const box& g = state_->grid;
    if (grid.particles_1d != g.particles_1d)
      throw config_error(lagframe::detail::concat("lagframe: torchscript emulator ", state_->origin, ": particles_1d = ",
                                                  g.particles_1d, " does not match the run's particles_1d = ", grid.particles_1d));
    if (!detail::same_time(grid.side_mpc_h, g.side_mpc_h))
      throw config_error(lagframe::detail::concat("lagframe: torchscript emulator ", state_->origin, ": box side = ",
                                                  g.side_mpc_h, " Mpc/h does not match the run's box side = ",
                                                  grid.side_mpc_h, " Mpc/h"));
    if (!covers(a_start) || !covers(a_end))
      throw config_error(lagframe::detail::concat("lagframe: torchscript emulator ", state_->origin, ": time range a = [",
                                                  state_->a_min, ", ", state_->a_max, "] does not cover the run's a = [",
                                                  a_start, ", ", a_end, "]"));
  }

  /// Runs the module's `prepare` on the run's LPT fields (called by frame::emulated).
  void bind(const ic::lpt_fields<Real>& fields) {
    validate(fields.grid, state_->a_min, state_->a_max);
    const std::size_t n = state_->grid.particles_1d, cells = n * n * n;
    require(fields.psi1.size() == cells, "torchscript emulator psi1 size", fields.psi1.size(),
            lagframe::detail::concat(cells, " displacements"));
    const bool second = fields.order == 2 && fields.psi2.size() == cells;
    const auto dim = static_cast<std::int64_t>(n);
    torch::Tensor input = torch::zeros({6, dim, dim, dim}, torch::kFloat32);
    float* data = input.data_ptr<float>();
    for (std::size_t i = 0; i < cells; ++i)
      for (std::size_t c = 0; c < 3; ++c) {
        data[c * cells + i] = static_cast<float>(fields.psi1[i][c]);
        if (second) data[(3 + c) * cells + i] = static_cast<float>(fields.psi2[i][c]);
      }
    auto s = std::make_shared<state>(*state_);
    try {
      c10::InferenceMode guard;
      s->prepared = s->module.get_method("prepare")({input});
    } catch (const c10::Error& e) {
      throw numerical_error(lagframe::detail::concat("lagframe: torchscript emulator ", s->origin,
                                                     ": prepare failed: ", e.what_without_backtrace()));
    }
    s->bound = true;
    state_ = std::move(s);
  }

  void momenta(std::span<vec3<Real>> out, double a) const {
    check_call(out.size(), std::span<const double>(&a, 1));
    copy_out(call("momenta", {state_->prepared, a}, lagframe::detail::concat("a = ", a)), out, "momenta");
  }

  /// out = Σ_m weights[m] · p_ML(times[m]) (frame_emulator's optional weighted_momenta): one
  /// call of the model's weighted_momenta method when it has one, else one momenta call per time.
  void weighted_momenta(std::span<vec3<Real>> out, std::span<const double> at, std::span<const double> weights) const {
    require(at.size() == weights.size(), "torchscript weighted_momenta weight count", weights.size(),
            lagframe::detail::concat("one per time (", at.size(), ")"));
    check_call(out.size(), at);
    if (state_->module.find_method("weighted_momenta")) {
      const std::vector<double> t(at.begin(), at.end()), w(weights.begin(), weights.end());
      copy_out(call("weighted_momenta", {state_->prepared, t, w},
                    lagframe::detail::concat("a = ", at.empty() ? 0.0 : at.front(), " … ", at.empty() ? 0.0 : at.back())),
               out, "weighted_momenta");
      return;
    }
    std::vector<vec3<Real>> one(out.size());
    std::fill(out.begin(), out.end(), vec3<Real>{});
    for (std::size_t m = 0; m < at.size(); ++m) {
      momenta(one, at[m]);
      const auto w = static_cast<Real>(weights[m]);
      for (std::size_t i = 0; i < out.size(); ++i)
        for (int d = 0; d < 3; ++d) out[i][d] += w * one[i][d];
    }
  }

 private:
  struct state {
    std::string origin;
    torch::jit::Module module;
    c10::IValue prepared;
    bool bound = false;
    box grid{};
    double a_min = 0, a_max = 0;
    std::string base_frame;
    std::vector<double> knots;
  };

  static torch::jit::Module load(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      throw io_error(lagframe::detail::concat("lagframe: torchscript emulator: cannot read ", path.string(), " (no such file)"));
    try {
      return torch::jit::load(path.string(), torch::kCPU);
    } catch (const c10::Error& e) {
      throw io_error(lagframe::detail::concat("lagframe: torchscript emulator: ", path.string(),
                                              " is not a TorchScript model this libtorch can load: ",
                                              e.what_without_backtrace()));
    }
  }

  void read_contract() {
    auto& s = *state_;
    const auto missing = [&](const std::string& what) {
      throw io_error(lagframe::detail::concat("lagframe: torchscript emulator ", s.origin, ": the model has no ", what,
                                              " (see frame/emulators/torchscript.hpp for the contract)"));
    };
    for (const char* attribute : {"particles_1d", "side_mpc_h", "a_min", "a_max", "base_frame"})
      if (!s.module.hasattr(attribute)) missing(lagframe::detail::concat("attribute ", attribute));
    for (const char* method : {"prepare", "momenta"})
      if (!s.module.find_method(method)) missing(lagframe::detail::concat("method ", method));
    try {
      const std::int64_t n = s.module.attr("particles_1d").toInt();
      if (n < 2 || n > 4096) missing(lagframe::detail::concat("valid particles_1d (", n, ")"));
      s.grid.particles_1d = static_cast<std::size_t>(n);
      s.grid.side_mpc_h = s.module.attr("side_mpc_h").toDouble();
      s.a_min = s.module.attr("a_min").toDouble();
      s.a_max = s.module.attr("a_max").toDouble();
      s.base_frame = s.module.attr("base_frame").toStringRef();
      if (s.module.hasattr("times")) {
        const torch::Tensor t = s.module.attr("times").toTensor().to(torch::kFloat64).contiguous();
        if (t.dim() != 1) missing(lagframe::detail::concat("1-D times attribute (shape ", shape_of(t), ")"));
        s.knots.assign(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
      }
    } catch (const c10::Error& e) {
      throw io_error(lagframe::detail::concat("lagframe: torchscript emulator ", s.origin,
                                              ": an attribute has the wrong type: ", e.what_without_backtrace()));
    }
    if (!(std::isfinite(s.grid.side_mpc_h) && s.grid.side_mpc_h > 0)) missing("positive side_mpc_h");
    if (!(std::isfinite(s.a_min) && std::isfinite(s.a_max) && s.a_min > 0 && s.a_max > s.a_min))
      missing(lagframe::detail::concat("valid time range (a_min = ", s.a_min, ", a_max = ", s.a_max, ")"));
    for (std::size_t k = 0; k < s.knots.size(); ++k) {
      const double t = s.knots[k];
      const bool inside = std::isfinite(t) && (t >= s.a_min || detail::same_time(t, s.a_min)) &&
                          (t <= s.a_max || detail::same_time(t, s.a_max));
      if (!inside || (k > 0 && !(t > s.knots[k - 1])))
        missing(lagframe::detail::concat("valid times attribute (times[", k, "] = ", t,
                                         "; expected increasing times within [a_min, a_max])"));
    }
  }

  /// Throws unless the emulator is bound, `count` is its particle count and every time is in range.
  void check_call(std::size_t count, std::span<const double> at) const {
    if (!state_->bound) throw config_error("lagframe: torchscript emulator: not bound to LPT fields (call bind)");
    const std::size_t n = state_->grid.particles_1d, cells = n * n * n;
    require(count == cells, "torchscript emulator particle count", count,
            lagframe::detail::concat(cells, " (particles_1d = ", n, ")"));
    for (double a : at)
      if (!covers(a))
        throw config_error(lagframe::detail::concat("lagframe: torchscript emulator ", state_->origin, ": a = ", a,
                                                    " is outside its time range a = [", state_->a_min, ", ",
                                                    state_->a_max, "]"));
  }

  /// The model's `method` on `inputs`, as a contiguous float32 tensor (numerical_error naming
  /// `when` if it throws).
  torch::Tensor call(const char* method, std::vector<c10::IValue> inputs, const std::string& when) const {
    try {
      c10::InferenceMode guard;
      return state_->module.get_method(method)(std::move(inputs)).toTensor().to(torch::kFloat32).contiguous();
    } catch (const c10::Error& e) {
      throw numerical_error(lagframe::detail::concat("lagframe: torchscript emulator ", state_->origin, ": ", method,
                                                     " failed at ", when, ": ", e.what_without_backtrace()));
    }
  }

  /// Copies a (3, N, N, N) tensor to Lagrangian order (numerical_error on another shape).
  void copy_out(const torch::Tensor& p, std::span<vec3<Real>> out, const char* method) const {
    const std::size_t n = state_->grid.particles_1d, cells = n * n * n;
    const auto dim = static_cast<std::int64_t>(n);
    if (p.dim() != 4 || p.size(0) != 3 || p.size(1) != dim || p.size(2) != dim || p.size(3) != dim)
      throw numerical_error(lagframe::detail::concat("lagframe: torchscript emulator ", state_->origin, ": ", method,
                                                     " returned a tensor of shape ", shape_of(p), ", expected (3, ", n,
                                                     ", ", n, ", ", n, ")"));
    const float* data = p.data_ptr<float>();
    for (std::size_t i = 0; i < cells; ++i)
      for (std::size_t c = 0; c < 3; ++c) out[i][c] = static_cast<Real>(data[c * cells + i]);
  }

  static std::string shape_of(const torch::Tensor& t) {
    std::string out = "(";
    for (std::int64_t d = 0; d < t.dim(); ++d) out += (d ? ", " : "") + std::to_string(t.size(d));
    return out + ")";
  }

  [[nodiscard]] bool covers(double a) const {
    return std::isfinite(a) && (a >= state_->a_min || detail::same_time(a, state_->a_min)) &&
           (a <= state_->a_max || detail::same_time(a, state_->a_max));
  }

  std::shared_ptr<state> state_;
};

}  // namespace lagframe::frame::emulators
