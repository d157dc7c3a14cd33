// SPDX-License-Identifier: BSD-3-Clause
// The TorchScript emulator (frame/emulators/torchscript.hpp): modules written here in
// TorchScript check the field layout in and out, the round trip through a file, the contract
// and mismatch errors, and that a network returning NaN stops a run at its first step; the
// shipped model loads, matches the example configuration and predicts finite momenta.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "lagframe/frame/emulated.hpp"
#include "lagframe/frame/emulators/fourier_linear.hpp"
#include "lagframe/frame/emulators/torchscript.hpp"
#include "lagframe/lagframe.hpp"

// libtorch's headers bring glog, whose CHECK (abort on failure) replaces doctest's.
#undef CHECK
#define CHECK(...) DOCTEST_CHECK(__VA_ARGS__)

using namespace lagframe;
namespace emu = lagframe::frame::emulators;

namespace {
const cosmology::parameters cosmo{};
const box grid{.side_mpc_h = 32.0, .particles_1d = 8};

ic::lpt_fields<float> fields_of(std::uint64_t seed, const box& g = grid) {
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  return ic::lpt_displacements(g, ic::linear_density_modes<float>(g, power, {.seed = seed}), 2);
}

/// A module meeting the contract: p_ML = a·Ψ1 + a²·Ψ2 (or `body` for momenta).
torch::jit::Module module_with(const std::string& momenta_body, std::int64_t n = 8, double side = 32.0,
                               double a_min = 0.05, double a_max = 1.0, bool with_momenta = true) {
  torch::jit::Module m("test_emulator");
  m.register_attribute("particles_1d", c10::IntType::get(), n);
  m.register_attribute("side_mpc_h", c10::FloatType::get(), side);
  m.register_attribute("a_min", c10::FloatType::get(), a_min);
  m.register_attribute("a_max", c10::FloatType::get(), a_max);
  m.register_attribute("base_frame", c10::StringType::get(), std::string("lpt<2>"));
  std::string source =
      "def prepare(self, fields: Tensor) -> List[Tensor]:\n"
      "    return [fields]\n";
  if (with_momenta)
    source += "def momenta(self, prepared: List[Tensor], a: float) -> Tensor:\n    return " + momenta_body + "\n";
  m.define(source);
  return m;
}
const std::string linear_body = "prepared[0][0:3] * a + prepared[0][3:6] * a * a";

using pm = force::particle_mesh<mesh::cic, float>;
using kdk = stepper::kick_drift_kick<stepper::factors::cola>;
}  // namespace

static_assert(frame::frame_emulator<emu::torchscript<float>>);

TEST_CASE("torchscript emulator: Lagrangian layout in and out, a passed through") {
  emu::torchscript<float> e(module_with(linear_body));
  const auto f = fields_of(3);
  e.bind(f);
  std::vector<vec3<float>> out(grid.particle_count());
  for (const double a : {0.05, 0.5, 1.0}) {
    e.momenta(out, a);
    double worst = 0;
    for (std::size_t i = 0; i < out.size(); ++i)
      for (int d = 0; d < 3; ++d)
        worst = std::max(worst, std::abs(out[i][d] - (a * f.psi1[i][d] + a * a * f.psi2[i][d])));
    CHECK(worst < 1e-5);
  }
  CHECK(e.time_range()[0] == 0.05);
  CHECK(e.base_frame() == "lpt<2>");
  CHECK_THROWS_WITH_AS(e.momenta(out, 1.5), doctest::Contains("outside its time range"), config_error);
}

TEST_CASE("torchscript emulator: a saved module loads from its file and predicts the same") {
  const auto path = std::filesystem::temp_directory_path() / "lagframe_torchscript_test.pt";
  module_with(linear_body).save(path.string());
  emu::torchscript<float> from_file(path);
  emu::torchscript<float> in_memory(module_with(linear_body));
  const auto f = fields_of(4);
  from_file.bind(f);
  in_memory.bind(f);
  std::vector<vec3<float>> a(grid.particle_count()), b(grid.particle_count());
  from_file.momenta(a, 0.3);
  in_memory.momenta(b, 0.3);
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(a[0])) == 0);
  std::filesystem::remove(path);
}

TEST_CASE("torchscript emulator: bad files and mismatches are named") {
  const auto dir = std::filesystem::temp_directory_path();
  const auto missing = dir / "lagframe_no_such_model.pt";
  CHECK_THROWS_WITH_AS(emu::torchscript<float>{missing}, doctest::Contains(missing.string().c_str()), io_error);
  const auto garbage = dir / "lagframe_not_a_model.pt";
  std::ofstream(garbage) << "not a TorchScript archive";
  CHECK_THROWS_WITH_AS(emu::torchscript<float>{garbage}, doctest::Contains("not a TorchScript model"), io_error);
  std::filesystem::remove(garbage);
  CHECK_THROWS_WITH_AS(emu::torchscript<float>(module_with(linear_body, 8, 32.0, 0.05, 1.0, false)),
                       doctest::Contains("method momenta"), io_error);

  const emu::torchscript<float> e(module_with(linear_body));
  CHECK_THROWS_WITH_AS(e.validate(box{.side_mpc_h = 32.0, .particles_1d = 16}, 0.1, 1.0),
                       doctest::Contains("particles_1d = 8 does not match the run's particles_1d = 16"), config_error);
  CHECK_THROWS_WITH_AS(e.validate(box{.side_mpc_h = 64.0, .particles_1d = 8}, 0.1, 1.0),
                       doctest::Contains("box side = 32"), config_error);
  CHECK_THROWS_WITH_AS(e.validate(grid, 0.02, 1.0), doctest::Contains("does not cover the run's a = [0.02"), config_error);
  CHECK_NOTHROW(e.validate(grid, 0.05, 1.0));

  emu::torchscript<float> wrong_shape(module_with("prepared[0][0:2] * a"));
  wrong_shape.bind(fields_of(3));
  std::vector<vec3<float>> out(grid.particle_count());
  CHECK_THROWS_WITH_AS(wrong_shape.momenta(out, 0.5), doctest::Contains("shape (2, 8, 8, 8)"), numerical_error);
}

TEST_CASE("torchscript emulator: a times attribute becomes its knots; bad times are named") {
  CHECK(emu::torchscript<float>(module_with(linear_body)).knots().empty());
  auto with_times = [](std::vector<double> t) {
    auto m = module_with(linear_body);
    m.register_attribute("times", c10::TensorType::get(), torch::tensor(t, torch::kFloat64));
    return m;
  };
  const emu::torchscript<float> e(with_times({0.05, 0.3, 0.6, 1.0}));
  REQUIRE(e.knots().size() == 4);
  CHECK(e.knots()[1] == 0.3);
  CHECK(e.knots()[3] == 1.0);
  CHECK_THROWS_WITH_AS(emu::torchscript<float>(with_times({0.05, 0.6, 0.3, 1.0})), doctest::Contains("times[2] = 0.3"),
                       io_error);
  CHECK_THROWS_WITH_AS(emu::torchscript<float>(with_times({0.05, 0.6, 1.5})), doctest::Contains("times[2] = 1.5"),
                       io_error);
}

TEST_CASE("torchscript emulator: weighted sums of predictions, with and without the model's method") {
  // Without the method: one momenta call per time. With it (here a deliberately different
  // body, 2 × the sum, to show which path ran): one call.
  emu::torchscript<float> plain(module_with(linear_body));
  auto m = module_with(linear_body);
  m.define(
      "def weighted_momenta(self, prepared: List[Tensor], times: List[float], weights: List[float]) -> Tensor:\n"
      "    out = prepared[0][0:3] * 0.0\n"
      "    for i in range(len(times)):\n"
      "        out = out + 2.0 * weights[i] * self.momenta(prepared, times[i])\n"
      "    return out\n");
  emu::torchscript<float> with_method(m);
  const auto f = fields_of(5);
  plain.bind(f);
  with_method.bind(f);
  const std::vector<double> at{0.1, 0.4, 0.9}, weights{0.5, -2.0, 1.5};
  std::vector<vec3<float>> a(grid.particle_count()), b(grid.particle_count());
  plain.weighted_momenta(a, at, weights);
  with_method.weighted_momenta(b, at, weights);
  double worst = 0, scale = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (int d = 0; d < 3; ++d) {
      double expected = 0;
      for (std::size_t t = 0; t < at.size(); ++t) expected += weights[t] * (at[t] * f.psi1[i][d] + at[t] * at[t] * f.psi2[i][d]);
      worst = std::max({worst, std::abs(a[i][d] - expected), std::abs(b[i][d] - 2.0 * expected)});
      scale = std::max(scale, std::abs(expected));
    }
  CHECK(scale > 0.1);
  CHECK(worst < 1e-5 * scale);
  CHECK_THROWS_WITH_AS(plain.weighted_momenta(a, at, std::vector<double>{1.0}), doctest::Contains("weight count"), config_error);
  CHECK_THROWS_WITH_AS(plain.weighted_momenta(a, std::vector<double>{0.5, 2.0}, std::vector<double>{1.0, 1.0}),
                       doctest::Contains("a = 2 is outside"), config_error);
}

TEST_CASE("a network returning NaN is caught at the first step of a run") {
  // Finite at the start (so entering the frame works), NaN at every later time.
  emu::torchscript<float> nan_later(
      module_with("prepared[0][0:3] * 0.0 if a <= 0.05 + 1e-9 else prepared[0][0:3] * float('nan')"));
  simulation<frame::emulated<frame::lpt<2>, emu::torchscript<float>>, pm, kdk> sim{
      cosmo, grid, force::pm_options{.grid_1d = 16},
      stepper::kdk_options{.grid = stepper::time_grid::linear(0.05, 1.0, 10), .schedule = stepper::force_schedule::never()}};
  sim.set_frame_options(nan_later);
  sim.set_initial_conditions(fields_of(3));
  CHECK_THROWS_WITH_AS(sim.run_until(stepper::time_grid::linear(0.05, 1.0, 10).node(1)), doctest::Contains("non-finite momentum"),
                       numerical_error);
}

TEST_CASE("the shipped network loads and fits the example configuration (64³, 128 Mpc/h)") {
  const char* source = std::getenv("LAGFRAME_SOURCE_DIR");
  REQUIRE(source != nullptr);
  const auto path = std::filesystem::path(source) / "models" / "coca_net_64_128.pt";
  emu::torchscript<float> net(path);
  const box example{.side_mpc_h = 128.0, .particles_1d = 64};
  CHECK_NOTHROW(net.validate(example, 1.0 / 50.0, 1.0));
  CHECK(net.base_frame() == "lpt<2>");
  // Its knots: the stored times of the fourier_linear model it builds on (49 of them).
  const auto linear = emu::fourier_linear_model::load(path.parent_path() / "fourier_linear_64_128.bin");
  REQUIRE(net.knots().size() == linear.times.size());
  for (std::size_t t = 0; t < linear.times.size(); ++t) CHECK(net.knots()[t] == doctest::Approx(linear.times[t]).epsilon(1e-12));
  net.bind(fields_of(7, example));
  std::vector<vec3<float>> out(example.particle_count());
  // Its weighted sum in one call (a method of the shipped model) against separate evaluations.
  {
    const std::vector<double> at{0.3, 0.5, 0.77}, weights{0.5, -1.0, 2.0};
    std::vector<vec3<float>> summed(out.size()), one(out.size());
    std::vector<double> separate(3 * out.size(), 0.0);
    for (std::size_t t = 0; t < at.size(); ++t) {
      net.momenta(one, at[t]);
      for (std::size_t i = 0; i < out.size(); ++i)
        for (int d = 0; d < 3; ++d) separate[3 * i + static_cast<std::size_t>(d)] += weights[t] * one[i][d];
    }
    net.weighted_momenta(summed, at, weights);
    double worst = 0, scale = 0;
    for (std::size_t i = 0; i < out.size(); ++i)
      for (int d = 0; d < 3; ++d) {
        worst = std::max(worst, std::abs(summed[i][d] - separate[3 * i + static_cast<std::size_t>(d)]));
        scale = std::max(scale, std::abs(separate[3 * i + static_cast<std::size_t>(d)]));
      }
    CHECK(scale > 0);
    CHECK(worst < 1e-5 * scale);
  }
  net.momenta(out, 0.5);
  double sum2 = 0;
  std::size_t non_finite = 0;
  for (const auto& v : out)
    for (int d = 0; d < 3; ++d) {
      non_finite += std::isfinite(v[d]) ? 0 : 1;
      sum2 += static_cast<double>(v[d]) * v[d];
    }
  CHECK(non_finite == 0);
  CHECK(std::sqrt(sum2 / (3.0 * static_cast<double>(out.size()))) > 0.01);  // it predicts something
}
