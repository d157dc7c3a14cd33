// SPDX-License-Identifier: BSD-3-Clause
// frame/emulators/fourier_linear.hpp: a residual-momentum field made exactly as a linear k-shell
// filter of Ψ1, Ψ2 is recovered by the least-squares fit (coefficients and field to 1e-5), the
// model round-trips through its file, and mismatches are refused.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <filesystem>
#include <memory>
#include <vector>

#include "lagframe/frame/emulated.hpp"
#include "lagframe/frame/emulators/fourier_linear.hpp"
#include "lagframe/lagframe.hpp"

using namespace lagframe;
namespace emu = lagframe::frame::emulators;

namespace {
const cosmology::parameters cosmo{};
const box grid{.side_mpc_h = 64.0, .particles_1d = 16};
constexpr std::size_t n = 16;
const std::vector<double> times{0.2, 0.5, 1.0};

double alpha_of(double a, long shell) { return a * (1.0 + 0.05 * static_cast<double>(shell)); }
double beta_of(double a, long shell) { return a * a * (0.3 - 0.02 * static_cast<double>(shell)); }

/// p_c = IFFT[α(a, shell) Ψ̂1,c + β(a, shell) Ψ̂2,c] / N³, written out independently of the emulator.
std::vector<vec3<double>> filtered(const ic::lpt_fields<double>& f, double a) {
  const fft::r2c_plan<double> plan(n);
  std::vector<vec3<double>> out(n * n * n);
  for (int c = 0; c < 3; ++c) {
    real_field<double> g1(n, 64.0), g2(n, 64.0);
    for (std::size_t id = 0; id < out.size(); ++id) {
      g1(id / (n * n), (id / n) % n, id % n) = f.psi1[id][c];
      g2(id / (n * n), (id / n) % n, id % n) = f.psi2[id][c];
    }
    plan.forward(g1);
    plan.forward(g2);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = 0; k <= n / 2; ++k) {
          const double mx = wavenumber_index(i, n), my = wavenumber_index(j, n), mz = static_cast<double>(k);
          const long shell = std::lround(std::sqrt(mx * mx + my * my + mz * mz));
          g1.mode(i, j, k) = (alpha_of(a, shell) * g1.mode(i, j, k) + beta_of(a, shell) * g2.mode(i, j, k)) /
                             static_cast<double>(n * n * n);
        }
    plan.backward(g1);
    for (std::size_t id = 0; id < out.size(); ++id) out[id][c] = g1(id / (n * n), (id / n) % n, id % n);
  }
  return out;
}

double max_abs(std::span<const vec3<double>> v) {
  double m = 0;
  for (const auto& x : v) m = std::max({m, std::abs(x[0]), std::abs(x[1]), std::abs(x[2])});
  return m;
}
double max_difference(std::span<const vec3<double>> a, std::span<const vec3<double>> b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (int d = 0; d < 3; ++d) m = std::max(m, std::abs(a[i][d] - b[i][d]));
  return m;
}
}  // namespace

static_assert(frame::frame_emulator<emu::fourier_linear<float>>);
static_assert(frame::frame_policy<frame::emulated<frame::lpt<2, double>, emu::fourier_linear<double>>>);

TEST_CASE("fourier_linear recovers a linear k-shell filter of Psi1, Psi2 to 1e-5") {
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  const auto fields_a = ic::lpt_displacements(grid, ic::linear_density_modes<double>(grid, power, {.seed = 3}), 2);
  const auto fields_b = ic::lpt_displacements(grid, ic::linear_density_modes<double>(grid, power, {.seed = 4}), 2);
  emu::recorded_data<double> run_a(grid, "lpt<2>"), run_b(grid, "lpt<2>");
  for (double a : times) {
    run_a.insert(a, filtered(fields_a, a));
    run_b.insert(a, filtered(fields_b, a));
  }
  const std::vector<emu::fourier_linear_training_run<double>> runs{{fields_a, run_a}, {fields_b, run_b}};
  const auto model = std::make_shared<const emu::fourier_linear_model>(emu::fourier_linear<double>::fit(runs));
  REQUIRE(model->times == times);
  REQUIRE(model->shells == emu::fourier_linear_model::shell_count(n));

  // Coefficients of every shell but the empty k = 0 one and the corner shells beyond the
  // Nyquist sphere (populated only where Ψ is zeroed): shells 1 … N/2 are all well sampled.
  double worst = 0;
  for (std::size_t t = 0; t < times.size(); ++t)
    for (std::size_t b = 1; b <= n / 2; ++b) {
      const auto sb = static_cast<long>(b);
      worst = std::max(worst, std::abs(model->alpha[t * model->shells + b] - alpha_of(times[t], sb)) /
                                  std::abs(alpha_of(times[t], sb)));
      worst = std::max(worst, std::abs(model->beta[t * model->shells + b] - beta_of(times[t], sb)) /
                                  std::max(0.01, std::abs(beta_of(times[t], sb))));
    }
  INFO("worst relative coefficient error " << worst);
  CHECK(worst < 1e-5);

  // The field itself, at a stored time and between two (linear in a), through the COCA frame's bind.
  const cosmology::growth g(cosmo);
  const frame::emulated<frame::lpt<2, double>, emu::fourier_linear<double>> fr(g, fields_a,
                                                                             emu::fourier_linear<double>(model));
  const auto expected = filtered(fields_a, 0.5);
  const auto got = fr.emulated_momenta(0.5);
  INFO("field error at a = 0.5: " << max_difference(got, expected) << " of " << max_abs(expected));
  CHECK(max_difference(got, expected) < 1e-5 * max_abs(expected));
  const auto lo = filtered(fields_a, 0.2);
  std::vector<vec3<double>> mid(lo.size());
  for (std::size_t i = 0; i < lo.size(); ++i)
    for (int d = 0; d < 3; ++d) mid[i][d] = 0.5 * (lo[i][d] + expected[i][d]);
  CHECK(max_difference(fr.emulated_momenta(0.35), mid) < 1e-5 * max_abs(expected));

  // A weighted sum of predictions in one evaluation (the frame's exact drift integral): the
  // same as the sum of separate evaluations, to rounding.
  emu::fourier_linear<double> summed(model);
  summed.bind(fields_a);
  const std::vector<double> at{0.2, 0.35, 0.5, 0.8}, weights{0.3, -1.2, 0.7, 2.0};
  std::vector<vec3<double>> sum(lo.size()), one(lo.size()), separate(lo.size(), vec3<double>{0, 0, 0});
  for (std::size_t m = 0; m < at.size(); ++m) {
    summed.momenta(one, at[m]);
    for (std::size_t i = 0; i < one.size(); ++i)
      for (int d = 0; d < 3; ++d) separate[i][d] += weights[m] * one[i][d];
  }
  summed.weighted_momenta(sum, at, weights);
  CHECK(max_difference(sum, separate) < 1e-12 * max_abs(separate));
  CHECK(max_abs(separate) > 0.1 * max_abs(expected));  // not a cancellation to zero
  CHECK_THROWS_WITH_AS(summed.weighted_momenta(sum, at, std::vector<double>{1.0}), doctest::Contains("weight count"), config_error);
  CHECK_THROWS_WITH_AS(summed.weighted_momenta(sum, std::vector<double>{0.5, 1.5}, std::vector<double>{1.0, 1.0}),
                       doctest::Contains("a = 1.5 is outside"), config_error);

  // File round trip and mismatches.
  const auto path = std::filesystem::temp_directory_path() / "lagframe_fourier_linear_test.bin";
  model->save(path);
  const auto loaded = emu::fourier_linear_model::load(path);
  CHECK(loaded.times == model->times);
  CHECK(loaded.alpha == model->alpha);
  CHECK(loaded.beta == model->beta);
  CHECK(loaded.grid.particles_1d == 16);
  std::filesystem::resize_file(path, 20);
  CHECK_THROWS_WITH_AS((void)emu::fourier_linear_model::load(path), doctest::Contains("truncated"), io_error);
  std::filesystem::remove(path);

  emu::fourier_linear<double> e(model);
  std::vector<vec3<double>> out(n * n * n);
  CHECK_THROWS_WITH_AS(e.momenta(out, 0.5), doctest::Contains("not bound"), config_error);
  e.bind(fields_a);
  CHECK_THROWS_WITH_AS(e.momenta(out, 1.5), doctest::Contains("outside its time range"), config_error);
  CHECK_THROWS_WITH_AS(e.validate(box{.side_mpc_h = 64.0, .particles_1d = 32}, 0.2, 1.0),
                       doctest::Contains("particles_1d = 16 does not match"), config_error);
  CHECK_THROWS_WITH_AS(e.validate(box{.side_mpc_h = 50.0, .particles_1d = 16}, 0.2, 1.0), doctest::Contains("box side"),
                       config_error);
  CHECK_THROWS_WITH_AS(e.validate(grid, 0.1, 1.0), doctest::Contains("time range"), config_error);
}

TEST_CASE("the 2x2 minimum-norm least-squares solve of the fit") {
  using frame::emulators::detail::minimum_norm_solve;
  // Regular: the inverse.
  const auto x = minimum_norm_solve(4.0, 1.0, 3.0, 6.0, 5.0);  // [4 1; 1 3] x = (6, 5)
  CHECK(x[0] == doctest::Approx(13.0 / 11.0));
  CHECK(x[1] == doctest::Approx(14.0 / 11.0));
  // First-order fields (Ψ2 = 0): β = 0, α = ⟨Ψ1,p⟩/⟨Ψ1,Ψ1⟩.
  const auto first = minimum_norm_solve(2.0, 0.0, 0.0, 3.0, 0.0);
  CHECK(first[0] == doctest::Approx(1.5));
  CHECK(first[1] == 0.0);
  // Rank one, Ψ2 = 2 Ψ1: [1 2; 2 4] = 5 v vᵀ with v = (1, 2)/√5; x = v (v·r)/5 (the pseudo-inverse).
  const auto rank_one = minimum_norm_solve(1.0, 2.0, 4.0, 1.0, 2.0);
  CHECK(rank_one[0] == doctest::Approx(0.2));
  CHECK(rank_one[1] == doctest::Approx(0.4));
  // An empty shell.
  const auto empty = minimum_norm_solve(0.0, 0.0, 0.0, 0.0, 0.0);
  CHECK(empty[0] == 0.0);
  CHECK(empty[1] == 0.0);
}
