// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file fourier_linear.hpp
/// A linear Fourier-space emulator of the COLA residual momentum (docs/physics.md §10.5;
/// docs/design.md §3.2): at each stored time a_t and in each k-shell b,
///     p̂_ML,c(k, a_t) = α_tb Ψ̂1,c(k) + β_tb Ψ̂2,c(k)     (c = x, y, z; |k| in shell b),
/// with real, isotropic coefficients (the map of a real field to a real field), linear in a
/// between stored times and an error (config_error) outside them. Shell b holds the modes whose
/// integer wavevector m (k = 2π m / L) has round(|m|) = b, b = 0 … floor(√3·N/2) + 1.
///
/// Training (fit): least squares over all modes of a shell, all three components and all
/// reference runs, the residual momenta of each run recorded at the same times (frame::recording,
/// frame/recording.hpp) on its own LPT fields: per (t, b) the 2 × 2 normal equations
///     [⟨Ψ1,Ψ1⟩ ⟨Ψ1,Ψ2⟩; ⟨Ψ2,Ψ1⟩ ⟨Ψ2,Ψ2⟩] (α, β)ᵀ = (⟨Ψ1,p⟩, ⟨Ψ2,p⟩)ᵀ,  ⟨f,g⟩ = Σ Re f̂ ĝ*,
/// solved for the minimum-norm least-squares solution (detail::minimum_norm_solve: β = 0 for
/// first-order fields, 0 for an empty shell). Inner products count each r2c element with its conjugate.
///
/// Use: the emulated frame binds the emulator to the run's LPT fields (bind, called by
/// frame::emulated's constructor; 6 forward FFTs, 6 N²(N/2+1) complex values kept), and every
/// evaluation costs 3 inverse FFTs. Copies of a bound emulator share its transforms and work
/// grid: bind each copy that is used on its own (frame::emulated does).
///
/// Model file (save/load; little-endian): magic "LFFLIN01", uint64 N, float64 side, uint64 T,
/// uint64 B, T float64 times, T·B float64 α, T·B float64 β. load throws io_error naming the path
/// and the problem; validate throws config_error naming a mismatched particle grid, box side or
/// time range.


#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <complex>
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
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/frame/emulators/concepts.hpp"
#include "lagframe/frame/emulators/recorded.hpp"
#include "lagframe/ic/lpt.hpp"
#include "lagframe/io/atomic_file.hpp"
#include "lagframe/io/binary_file.hpp"

namespace lagframe::frame::emulators {

namespace detail {

/// The minimum-norm least-squares solution x of [a b; b c] x = (r0, r1) for a symmetric
/// positive semi-definite matrix (normal equations): the inverse when the matrix is regular
/// (det > 1e-12 trace²), else the pseudo-inverse of its rank-one part λ v vᵀ (λ = trace,
/// v the unit vector along its larger row): x = v (v·r)/λ; x = 0 for the zero matrix.
inline std::array<double, 2> minimum_norm_solve(double a, double b, double c, double r0, double r1) {
  const double trace = a + c;
  if (!(trace > 0.0)) return {0.0, 0.0};
  const double det = a * c - b * b;
  if (det > 1e-12 * trace * trace) return {(c * r0 - b * r1) / det, (a * r1 - b * r0) / det};
  double v0 = a, v1 = b;
  if (a * a + b * b < b * b + c * c) v0 = b, v1 = c;
  const double norm = std::sqrt(v0 * v0 + v1 * v1);
  v0 /= norm;
  v1 /= norm;
  const double along = (v0 * r0 + v1 * r1) / trace;
  return {v0 * along, v1 * along};
}

}  // namespace detail

/// The trained coefficients α_tb, β_tb (index t·shells + b) on a particle grid.
struct fourier_linear_model {
  box grid;
  std::vector<double> times;
  std::size_t shells = 0;
  std::vector<double> alpha, beta;

  [[nodiscard]] static std::size_t shell_count(std::size_t n) {
    return static_cast<std::size_t>(std::floor(std::sqrt(3.0) * static_cast<double>(n / 2))) + 2;
  }
  /// Shell of the r2c element (i, j, k) on an n³ grid.
  [[nodiscard]] static std::size_t shell_of(std::size_t i, std::size_t j, std::size_t k, std::size_t n) {
    const double mx = static_cast<double>(wavenumber_index(i, n)), my = static_cast<double>(wavenumber_index(j, n)),
                 mz = static_cast<double>(wavenumber_index(k, n));
    return static_cast<std::size_t>(std::lround(std::sqrt(mx * mx + my * my + mz * mz)));
  }

  void save(const std::filesystem::path& path) const {
    io::write_atomically(path, [&](const std::filesystem::path& tmp) {
      io::binary_writer out(tmp);
      const std::uint64_t n = grid.particles_1d;
      const std::uint64_t counts[2] = {times.size(), shells};
      out.put("LFFLIN01", 8);
      out.put(&n, 8);
      out.put(&grid.side_mpc_h, 8);
      out.put(counts, 16);
      out.put(times.data(), 8 * times.size());
      out.put(alpha.data(), 8 * alpha.size());
      out.put(beta.data(), 8 * beta.size());
      out.finish();
    });
  }

  [[nodiscard]] static fourier_linear_model load(const std::filesystem::path& path) {
    io::binary_reader in(path, "fourier_linear model file");
    const auto fail = [&](const std::string& problem) { in.fail(problem); };
    const auto get = [&](void* data, std::size_t bytes, const char* what) { in.get(data, bytes, what); };
    char magic[8];
    get(magic, 8, "the magic string");
    if (std::memcmp(magic, "LFFLIN01", 8) != 0) fail("not a lagframe fourier_linear model (bad magic)");
    std::uint64_t n = 0, counts[2] = {0, 0};
    fourier_linear_model m;
    get(&n, 8, "particles_1d");
    get(&m.grid.side_mpc_h, 8, "the box side");
    get(counts, 16, "the numbers of times and shells");
    if (n < 2 || n > 4096) fail(lagframe::detail::concat("particles_1d ", n, " (expected 2 … 4096)"));
    if (!(std::isfinite(m.grid.side_mpc_h) && m.grid.side_mpc_h > 0)) fail("box side (expected positive)");
    m.grid.particles_1d = static_cast<std::size_t>(n);
    if (counts[0] == 0 || counts[0] > 100000) fail(lagframe::detail::concat("number of times ", counts[0]));
    if (counts[1] != shell_count(m.grid.particles_1d))
      fail(lagframe::detail::concat("number of shells ", counts[1], " (expected ", shell_count(m.grid.particles_1d), ")"));
    m.shells = static_cast<std::size_t>(counts[1]);
    m.times.resize(counts[0]);
    m.alpha.resize(counts[0] * counts[1]);
    m.beta.resize(counts[0] * counts[1]);
    get(m.times.data(), 8 * m.times.size(), "the times");
    get(m.alpha.data(), 8 * m.alpha.size(), "alpha");
    get(m.beta.data(), 8 * m.beta.size(), "beta");
    in.expect_end();
    for (std::size_t t = 1; t < m.times.size(); ++t)
      if (!(m.times[t] > m.times[t - 1])) fail("times are not increasing");
    return m;
  }
};

/// One reference run for fit: its LPT fields and its recorded residual momenta.
template <class Real>
struct fourier_linear_training_run {
  const ic::lpt_fields<Real>& fields;
  const recorded_data<Real>& momenta;
};

template <class Real = float>
class fourier_linear {
 public:
  using real_type = Real;
  static constexpr std::string_view name = "fourier_linear";

  explicit fourier_linear(std::shared_ptr<const fourier_linear_model> model) : model_(std::move(model)) {
    if (!model_) throw config_error("lagframe: frame::emulators::fourier_linear: no model (null pointer)");
    require(!model_->times.empty() && model_->alpha.size() == model_->times.size() * model_->shells &&
                model_->beta.size() == model_->alpha.size() &&
                model_->shells == fourier_linear_model::shell_count(model_->grid.particles_1d),
            "fourier_linear model size", model_->alpha.size(), "T · shells coefficients");
  }

  [[nodiscard]] const fourier_linear_model& model() const { return *model_; }
  [[nodiscard]] std::array<double, 2> time_range() const { return {model_->times.front(), model_->times.back()}; }
  /// The stored times: p_ML is linear in a between them (frame_emulator's optional knots).
  [[nodiscard]] std::span<const double> knots() const { return model_->times; }

  void validate(const box& grid, double a_start, double a_end) const {
    const box& g = model_->grid;
    if (grid.particles_1d != g.particles_1d)
      throw config_error(lagframe::detail::concat("lagframe: fourier_linear emulator: particle grid particles_1d = ",
                                                  g.particles_1d, " does not match the run's particles_1d = ", grid.particles_1d));
    if (!detail::same_time(grid.side_mpc_h, g.side_mpc_h))
      throw config_error(lagframe::detail::concat("lagframe: fourier_linear emulator: box side = ", g.side_mpc_h,
                                                  " Mpc/h does not match the run's box side = ", grid.side_mpc_h, " Mpc/h"));
    if (!covers(a_start) || !covers(a_end))
      throw config_error(lagframe::detail::concat("lagframe: fourier_linear emulator: time range a = [", model_->times.front(),
                                                  ", ", model_->times.back(), "] does not cover the run's a = [", a_start,
                                                  ", ", a_end, "]"));
  }

  /// Keep the Fourier transforms of `fields` (the run's own LPT fields, called by frame::emulated).
  void bind(const ic::lpt_fields<Real>& fields) {
    validate(fields.grid, model_->times.front(), model_->times.back());
    auto s = std::make_shared<state>(model_->grid.particles_1d, model_->grid.side_mpc_h);
    for (int c = 0; c < 3; ++c) {
      s->psi1[c] = transform(fields.psi1, c, *s);
      if (fields.order == 2 && fields.psi2.size() == fields.psi1.size()) s->psi2[c] = transform(fields.psi2, c, *s);
    }
    state_ = std::move(s);
  }

  void momenta(std::span<vec3<Real>> out, double a) const {
    const double one = 1.0;
    weighted_momenta(out, std::span<const double>(&a, 1), std::span<const double>(&one, 1));
  }

  /// out = Σ_m weights[m] · p_ML(times[m]) at the cost of one evaluation (three inverse FFTs):
  /// the prediction is linear in its coefficients (frame_emulator's optional weighted_momenta).
  void weighted_momenta(std::span<vec3<Real>> out, std::span<const double> at, std::span<const double> weights) const {
    if (!state_) throw config_error("lagframe: fourier_linear emulator: not bound to LPT fields (call bind)");
    const std::size_t n = model_->grid.particles_1d;
    require(out.size() == n * n * n, "fourier_linear emulator particle count", out.size(),
            lagframe::detail::concat(n * n * n, " (particles_1d = ", n, ")"));
    require(at.size() == weights.size(), "fourier_linear weighted_momenta weight count", weights.size(),
            lagframe::detail::concat("one per time (", at.size(), ")"));
    const auto& times = model_->times;
    const std::size_t B = model_->shells;
    std::vector<double>& al = state_->alpha_a;
    std::vector<double>& be = state_->beta_a;
    std::fill(al.begin(), al.end(), 0.0);
    std::fill(be.begin(), be.end(), 0.0);
    for (std::size_t m = 0; m < at.size(); ++m) {
      const double a = at[m];
      if (!covers(a))
        throw config_error(lagframe::detail::concat("lagframe: fourier_linear emulator: a = ", a, " is outside its time range a = [",
                                                    times.front(), ", ", times.back(), "]"));
      // Coefficients at a: linear between the stored times around it (exact at a stored time).
      const auto [lo, hi, w] = detail::bracket(times, a);
      for (std::size_t b = 0; b < B; ++b) {
        al[b] += weights[m] * ((1 - w) * model_->alpha[lo * B + b] + w * model_->alpha[hi * B + b]);
        be[b] += weights[m] * ((1 - w) * model_->beta[lo * B + b] + w * model_->beta[hi * B + b]);
      }
    }
    const double inv_cells = 1.0 / static_cast<double>(n * n * n);
    auto& work = state_->work;
    const std::size_t nk = work.complex_last();
    for (int c = 0; c < 3; ++c) {
      const auto& p1 = state_->psi1[c];
      const auto& p2 = state_->psi2[c];
#pragma omp parallel for collapse(2) schedule(static)
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
          for (std::size_t k = 0; k < nk; ++k) {
            const std::size_t idx = (i * n + j) * nk + k;
            const std::size_t b = fourier_linear_model::shell_of(i, j, k, n);
            std::complex<double> v = al[b] * std::complex<double>(p1[idx]);
            if (!p2.empty()) v += be[b] * std::complex<double>(p2[idx]);
            v *= inv_cells;
            work.mode(i, j, k) = std::complex<Real>(static_cast<Real>(v.real()), static_cast<Real>(v.imag()));
          }
      state_->plan.backward(work);
#pragma omp parallel for collapse(2) schedule(static)
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
          for (std::size_t k = 0; k < n; ++k) out[(i * n + j) * n + k][c] = work(i, j, k);
    }
  }

  /// Least-squares coefficients from reference runs recorded at the same times (file comment).
  /// Throws config_error if the runs differ in grid, box side or times.
  [[nodiscard]] static fourier_linear_model fit(std::span<const fourier_linear_training_run<Real>> runs) {
    require(!runs.empty(), "fourier_linear training runs", runs.size(), "at least one");
    fourier_linear_model m;
    m.grid = runs[0].momenta.grid();
    m.times.assign(runs[0].momenta.times().begin(), runs[0].momenta.times().end());
    const std::size_t n = m.grid.particles_1d, T = m.times.size();
    m.shells = fourier_linear_model::shell_count(n);
    const std::size_t B = m.shells;
    std::vector<std::array<double, 5>> sums(T * B, std::array<double, 5>{});  // S11, S12, S22, b1, b2
    state s(n, m.grid.side_mpc_h);
    const std::size_t nk = n / 2 + 1;
    for (const auto& run : runs) {
      const auto& g = run.momenta.grid();
      require(g.particles_1d == n && detail::same_time(g.side_mpc_h, m.grid.side_mpc_h) &&
                  run.fields.grid.particles_1d == n && detail::same_time(run.fields.grid.side_mpc_h, m.grid.side_mpc_h),
              "fourier_linear training run grid", g.particles_1d,
              lagframe::detail::concat("the first run's particles_1d = ", n, " over ", m.grid.side_mpc_h, " Mpc/h"));
      require(run.momenta.times().size() == T &&
                  std::equal(m.times.begin(), m.times.end(), run.momenta.times().begin(), detail::same_time),
              "fourier_linear training run times", run.momenta.times().size(), "the first run's recorded times");
      const bool second = run.fields.order == 2 && run.fields.psi2.size() == run.fields.psi1.size();
      std::array<std::vector<std::complex<Real>>, 3> f1, f2;
      for (int c = 0; c < 3; ++c) {
        f1[c] = transform(run.fields.psi1, c, s);
        if (second) f2[c] = transform(run.fields.psi2, c, s);
      }
      for (std::size_t t = 0; t < T; ++t) {
        const auto target = run.momenta.at(t);
        for (int c = 0; c < 3; ++c) {
          const auto fp = transform(target, c, s);
          for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j)
              for (std::size_t k = 0; k < nk; ++k) {
                const std::size_t idx = (i * n + j) * nk + k;
                const double weight = (k == 0 || (n % 2 == 0 && k == n / 2)) ? 1.0 : 2.0;
                const std::complex<double> p(fp[idx]), a1(f1[c][idx]);
                const std::complex<double> a2 = second ? std::complex<double>(f2[c][idx]) : 0.0;
                auto& acc = sums[t * B + fourier_linear_model::shell_of(i, j, k, n)];
                acc[0] += weight * std::norm(a1);
                acc[1] += weight * (a1 * std::conj(a2)).real();
                acc[2] += weight * std::norm(a2);
                acc[3] += weight * (p * std::conj(a1)).real();
                acc[4] += weight * (p * std::conj(a2)).real();
              }
        }
      }
    }
    m.alpha.assign(T * B, 0.0);
    m.beta.assign(T * B, 0.0);
    for (std::size_t tb = 0; tb < T * B; ++tb) {
      const auto& acc = sums[tb];
      const auto x = detail::minimum_norm_solve(acc[0], acc[1], acc[2], acc[3], acc[4]);
      m.alpha[tb] = x[0];
      m.beta[tb] = x[1];
    }
    return m;
  }

 private:
  struct state {
    state(std::size_t n, double side) : plan(n, fft::planning::estimate), work(n, side),
        alpha_a(fourier_linear_model::shell_count(n)), beta_a(fourier_linear_model::shell_count(n)) {}
    fft::r2c_plan<Real> plan;
    real_field<Real> work;
    std::array<std::vector<std::complex<Real>>, 3> psi1, psi2;
    std::vector<double> alpha_a, beta_a;
  };

  /// Forward FFT (unnormalised) of component c of a per-particle field, as a flat r2c array.
  static std::vector<std::complex<Real>> transform(std::span<const vec3<Real>> v, int c, state& s) {
    const std::size_t n = s.work.size_1d();
    require(v.size() == n * n * n, "fourier_linear field size", v.size(), lagframe::detail::concat(n * n * n, " values"));
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = 0; k < n; ++k) s.work(i, j, k) = v[(i * n + j) * n + k][c];
    s.plan.forward(s.work);
    const std::size_t nk = s.work.complex_last();
    std::vector<std::complex<Real>> out(n * n * nk);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = 0; k < nk; ++k) out[(i * n + j) * nk + k] = s.work.mode(i, j, k);
    return out;
  }
  static std::vector<std::complex<Real>> transform(const std::vector<vec3<Real>>& v, int c, state& s) {
    return transform(std::span<const vec3<Real>>(v), c, s);
  }

  [[nodiscard]] bool covers(double a) const {
    const auto& times = model_->times;
    return std::isfinite(a) && (a >= times.front() || detail::same_time(a, times.front())) &&
           (a <= times.back() || detail::same_time(a, times.back()));
  }

  std::shared_ptr<const fourier_linear_model> model_;
  std::shared_ptr<state> state_;  // copies share it until one is bound again (not concurrently usable)
};

}  // namespace lagframe::frame::emulators
