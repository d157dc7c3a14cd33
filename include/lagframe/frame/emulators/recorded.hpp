// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file recorded.hpp
/// The perfect emulator, for tests of the COCA frame (docs/physics.md §10.5;
/// docs/design.md §3.2): it replays the residual momenta π = p − p_LPT that a reference run on the
/// same initial conditions stored at a list of times (frame::recording, frame/recording.hpp).
///
/// Between two stored times p_ML is linear in a; at a stored time (to 1e-12 relative) it is the
/// stored field bit for bit; outside [first, last] stored time it is an error (config_error).
/// With the KDK stepper a reference run stores π at every half-step midpoint (the drift
/// momentum) and at every node where it kicks, so replaying it in emulated<lpt<2>, recorded> with
/// no force evaluation reproduces the reference positions to rounding (emulated.hpp).
///
/// File format (save/load; little-endian hosts only, all numbers little-endian):
///   bytes 0–7   magic "LFRECPI1"
///   uint32      element size in bytes (4: float, 8: double)
///   uint32      length B of the base frame's name
///   uint64      particles_1d N
///   float64     box side (Mpc/h)
///   uint64      number of stored times T
///   B bytes     base frame name (e.g. "lpt<2>")
///   T float64   times (strictly increasing scale factors)
///   T·N³·3      momenta, time-major, then particle id, then component
/// load converts float ↔ double. A file that does not match this layout throws io_error naming
/// the path and the problem; a run that does not match the data throws config_error from
/// validate (particle grid, box side, time range) naming the mismatch.

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
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
#include "lagframe/io/atomic_file.hpp"
#include "lagframe/io/binary_file.hpp"

namespace lagframe::frame::emulators {

namespace detail {
/// Two scale factors are the same stored time if they agree to 1e-12 relative.
inline bool same_time(double a, double b) { return std::abs(a - b) <= 1e-12 * std::max(std::abs(a), std::abs(b)); }
inline constexpr char recorded_magic[8] = {'L', 'F', 'R', 'E', 'C', 'P', 'I', '1'};

/// Where a lies among increasing stored times that cover it: a field linear in a between them is
/// (1 − w)·f[lo] + w·f[hi]; at a stored time (same_time) lo = hi and w = 0.
struct time_bracket {
  std::size_t lo, hi;
  double w;
};
inline time_bracket bracket(std::span<const double> times, double a) {
  const auto hi = static_cast<std::size_t>(std::lower_bound(times.begin(), times.end(), a) - times.begin());
  if (hi < times.size() && same_time(times[hi], a)) return {hi, hi, 0.0};
  if (hi > 0 && same_time(times[hi - 1], a)) return {hi - 1, hi - 1, 0.0};
  return {hi - 1, hi, (a - times[hi - 1]) / (times[hi] - times[hi - 1])};
}
}  // namespace detail

/// Residual momenta of one run on `grid` at increasing times `times()`.
template <class Real = float>
class recorded_data {
 public:
  recorded_data(const box& grid, std::string base_frame)
      : grid_(grid), base_frame_(std::move(base_frame)) {
    grid_.validate();
  }

  [[nodiscard]] const box& grid() const { return grid_; }
  [[nodiscard]] const std::string& base_frame() const { return base_frame_; }
  [[nodiscard]] std::span<const double> times() const { return times_; }
  [[nodiscard]] std::size_t particle_count() const { return grid_.particle_count(); }
  /// The field stored at times()[t].
  [[nodiscard]] std::span<const vec3<Real>> at(std::size_t t) const {
    require(t < times_.size(), "recorded time index", t,
            lagframe::detail::concat("an index below the ", times_.size(), " stored times"));
    const std::size_t n = particle_count();
    return std::span<const vec3<Real>>(momenta_).subspan(t * n, n);
  }

  /// Store `pi` at time a, replacing what was stored at the same time (to 1e-12 relative).
  void insert(double a, std::span<const vec3<Real>> pi) {
    const std::size_t n = particle_count();
    require(std::isfinite(a) && a > 0.0, "recorded time a", a, "a positive, finite scale factor");
    require(pi.size() == n, "recorded particle count", pi.size(),
            lagframe::detail::concat(n, " momenta (particles_1d = ", grid_.particles_1d, ")"));
    const auto it = std::lower_bound(times_.begin(), times_.end(), a);
    std::size_t t = static_cast<std::size_t>(it - times_.begin());
    if (t < times_.size() && detail::same_time(times_[t], a)) {
      std::copy(pi.begin(), pi.end(), momenta_.begin() + static_cast<std::ptrdiff_t>(t * n));
      return;
    }
    if (t > 0 && detail::same_time(times_[t - 1], a)) {
      std::copy(pi.begin(), pi.end(), momenta_.begin() + static_cast<std::ptrdiff_t>((t - 1) * n));
      return;
    }
    times_.insert(times_.begin() + static_cast<std::ptrdiff_t>(t), a);
    momenta_.insert(momenta_.begin() + static_cast<std::ptrdiff_t>(t * n), pi.begin(), pi.end());
  }

  /// Write to `path` in the format of the file comment (atomically: no partial file).
  void save(const std::filesystem::path& path) const {
    io::write_atomically(path, [&](const std::filesystem::path& tmp) {
      io::binary_writer out(tmp);
      const std::uint32_t element = sizeof(Real);
      const auto name_length = static_cast<std::uint32_t>(base_frame_.size());
      const auto n1 = static_cast<std::uint64_t>(grid_.particles_1d);
      const double side = grid_.side_mpc_h;
      const auto count = static_cast<std::uint64_t>(times_.size());
      out.put(detail::recorded_magic, 8);
      out.put(&element, 4);
      out.put(&name_length, 4);
      out.put(&n1, 8);
      out.put(&side, 8);
      out.put(&count, 8);
      out.put(base_frame_.data(), base_frame_.size());
      out.put(times_.data(), times_.size() * sizeof(double));
      out.put(momenta_.data(), momenta_.size() * sizeof(vec3<Real>));
      out.finish();
    });
  }

  /// Read a file written by save (with float or double elements). Throws io_error naming the
  /// path and what is wrong with it.
  [[nodiscard]] static recorded_data load(const std::filesystem::path& path) {
    io::binary_reader in(path, "recorded momenta file");
    const auto fail = [&](const std::string& problem) { in.fail(problem); };
    const auto get = [&](void* data, std::size_t bytes, const char* what) { in.get(data, bytes, what); };
    char magic[8];
    get(magic, 8, "the magic string");
    if (std::memcmp(magic, detail::recorded_magic, 8) != 0) fail("not a lagframe recorded-momenta file (bad magic)");
    std::uint32_t element = 0, name_length = 0;
    std::uint64_t n1 = 0, count = 0;
    double side = 0;
    get(&element, 4, "the element size");
    get(&name_length, 4, "the base frame name length");
    get(&n1, 8, "particles_1d");
    get(&side, 8, "the box side");
    get(&count, 8, "the number of times");
    if (element != 4 && element != 8) fail(lagframe::detail::concat("element size ", element, " (expected 4 or 8)"));
    if (name_length > 256) fail(lagframe::detail::concat("base frame name length ", name_length, " (expected at most 256)"));
    if (n1 < 2 || n1 > 4096) fail(lagframe::detail::concat("particles_1d ", n1, " (expected 2 … 4096)"));
    if (!(std::isfinite(side) && side > 0)) fail(lagframe::detail::concat("box side ", side, " (expected positive)"));
    if (count > (std::uint64_t{1} << 24)) fail(lagframe::detail::concat("number of times ", count, " (implausible)"));
    std::string name(name_length, '\0');
    get(name.data(), name_length, "the base frame name");
    recorded_data out(box{.side_mpc_h = side, .particles_1d = static_cast<std::size_t>(n1)}, std::move(name));
    out.times_.resize(count);
    get(out.times_.data(), count * sizeof(double), "the times");
    for (std::size_t t = 0; t < out.times_.size(); ++t) {
      if (!(std::isfinite(out.times_[t]) && out.times_[t] > 0) || (t > 0 && !(out.times_[t] > out.times_[t - 1])))
        fail(lagframe::detail::concat("time ", t, " = ", out.times_[t], " (expected positive and increasing)"));
    }
    const std::size_t values = static_cast<std::size_t>(count) * out.particle_count() * 3;
    out.momenta_.resize(values / 3);
    if (element == sizeof(Real)) {
      get(out.momenta_.data(), values * sizeof(Real), "the momenta");
    } else if (element == 4) {
      std::vector<float> buffer(values);
      get(buffer.data(), values * 4, "the momenta");
      for (std::size_t v = 0; v < values; ++v) out.momenta_[v / 3][v % 3] = static_cast<Real>(buffer[v]);
    } else {
      std::vector<double> buffer(values);
      get(buffer.data(), values * 8, "the momenta");
      for (std::size_t v = 0; v < values; ++v) out.momenta_[v / 3][v % 3] = static_cast<Real>(buffer[v]);
    }
    in.expect_end();
    return out;
  }

 private:
  box grid_;
  std::string base_frame_;
  std::vector<double> times_;
  std::vector<vec3<Real>> momenta_;  // times_.size() × N³
};

/// Replays recorded_data (shared, immutable). Not default-constructible: it needs its data.
template <class Real = float>
class recorded {
 public:
  using real_type = Real;
  static constexpr std::string_view name = "recorded";

  explicit recorded(std::shared_ptr<const recorded_data<Real>> data) : data_(std::move(data)) {
    if (!data_) throw config_error("lagframe: frame::emulators::recorded: no recorded data (null pointer)");
    if (data_->times().empty()) throw config_error("lagframe: frame::emulators::recorded: the recorded data hold no times");
  }

  [[nodiscard]] const recorded_data<Real>& data() const { return *data_; }
  [[nodiscard]] const std::string& base_frame() const { return data_->base_frame(); }
  [[nodiscard]] std::array<double, 2> time_range() const {
    return {data_->times().front(), data_->times().back()};
  }
  /// The recorded times: p_ML is linear in a between them (frame_emulator's optional knots).
  [[nodiscard]] std::span<const double> knots() const { return data_->times(); }

  void validate(const box& grid, double a_start, double a_end) const {
    const box& g = data_->grid();
    if (grid.particles_1d != g.particles_1d) {
      throw config_error(lagframe::detail::concat(
          "lagframe: recorded emulator: particle grid particles_1d = ", g.particles_1d,
          " does not match the run's particles_1d = ", grid.particles_1d));
    }
    if (!detail::same_time(grid.side_mpc_h, g.side_mpc_h)) {
      throw config_error(lagframe::detail::concat(
          "lagframe: recorded emulator: box side = ", g.side_mpc_h,
          " Mpc/h does not match the run's box side = ", grid.side_mpc_h, " Mpc/h"));
    }
    const auto [lo, hi] = time_range();
    if (!covers(a_start) || !covers(a_end)) {
      throw config_error(lagframe::detail::concat(
          "lagframe: recorded emulator: time range a = [", lo, ", ", hi,
          "] does not cover the run's a = [", a_start, ", ", a_end, "]"));
    }
  }

  /// out = p_ML(a): the stored field at a stored time, else linear in a between the two
  /// stored times around a.
  void momenta(std::span<vec3<Real>> out, double a) const {
    const std::size_t n = data_->particle_count();
    require(out.size() == n, "recorded emulator particle count", out.size(),
            lagframe::detail::concat(n, " (particles_1d = ", data_->grid().particles_1d, ")"));
    if (!covers(a)) {
      const auto [lo, hi] = time_range();
      throw config_error(lagframe::detail::concat("lagframe: recorded emulator: a = ", a,
                                                  " is outside its time range a = [", lo, ", ", hi, "]"));
    }
    const auto [lo, hi, w] = detail::bracket(data_->times(), a);
    if (lo == hi) {
      const auto src = data_->at(lo);
      std::copy(src.begin(), src.end(), out.begin());
      return;
    }
    const auto lo_field = data_->at(lo);
    const auto hi_field = data_->at(hi);
    const Real w1 = static_cast<Real>(w), w0 = static_cast<Real>(1.0 - w);
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i)
      for (int d = 0; d < 3; ++d) out[i][d] = w0 * lo_field[i][d] + w1 * hi_field[i][d];
  }

 private:
  [[nodiscard]] bool covers(double a) const {
    const auto times = data_->times();
    return std::isfinite(a) && (a >= times.front() || detail::same_time(a, times.front())) &&
           (a <= times.back() || detail::same_time(a, times.back()));
  }

  std::shared_ptr<const recorded_data<Real>> data_;
};

}  // namespace lagframe::frame::emulators
