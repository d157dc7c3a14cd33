// SPDX-License-Identifier: BSD-3-Clause
// frame::lpt<2, float, fixed16> in a cosmological run (frame/lpt_storage.hpp): the same Gaussian
// field (64³ particles in 128 Mpc/h, Planck-like, 2LPT from z = 49, tCOLA with 10 steps, PM on a
// 128³ mesh) run with the fields in float and in int16 with one scale per field. The stored
// fields differ by at most s/2 = (largest |Ψ|)/65534; the runs must agree far below the PM
// force's own error (which is ~10 % at k = 1 h/Mpc): the positions to 1e-2 particle spacing rms
// and P(k) to 1e-3 for k ≤ 1 h/Mpc.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "lagframe/lagframe.hpp"

using namespace lagframe;

namespace {
const cosmology::parameters cosmo{};
const box grid{.side_mpc_h = 128.0, .particles_1d = 64};

template <class Frame>
std::vector<vec3<float>> run(const ic::lpt_fields<float>& fields, std::size_t* bytes) {
  simulation<Frame, force::particle_mesh<mesh::cic, float>, stepper::kick_drift_kick<>> sim{
      cosmo, grid, force::pm_options{.grid_1d = 128}, stepper::kdk_options{.grid = stepper::time_grid::linear(0.02, 1.0, 10)}};
  sim.set_initial_conditions(fields);
  *bytes = sim.frame().field_bytes();
  sim.run_until(1.0);
  return {sim.positions().begin(), sim.positions().end()};
}
}  // namespace

TEST_CASE("fixed16 LPT fields: a tCOLA run agrees with the float fields far below the force error") {
  const auto power = cosmology::linear_power::from_eisenstein_hu(cosmo);
  const auto fields = ic::lpt_displacements(grid, ic::linear_density_modes<float>(grid, power, {.seed = 21}), 2);
  std::size_t plain_bytes = 0, packed_bytes = 0;
  const auto plain = run<frame::lpt<2, float>>(fields, &plain_bytes);
  const auto packed = run<frame::lpt<2, float, frame::fixed16>>(fields, &packed_bytes);
  CHECK(packed_bytes * 2 == plain_bytes);
  double sum2 = 0, worst = 0;
  for (std::size_t i = 0; i < plain.size(); ++i)
    for (int d = 0; d < 3; ++d) {
      double diff = static_cast<double>(plain[i][d]) - static_cast<double>(packed[i][d]);
      diff -= grid.side_mpc_h * std::round(diff / grid.side_mpc_h);
      sum2 += diff * diff;
      worst = std::max(worst, std::abs(diff));
    }
  const double spacing = grid.lagrangian_spacing();
  const double rms = std::sqrt(sum2 / (3.0 * static_cast<double>(plain.size()))) / spacing;
  const analysis::spectrum_options opt{.grid_1d = 128, .interlacing = true};
  const auto p = analysis::power_spectrum<mesh::cic>(std::span<const vec3<float>>(packed), grid.side_mpc_h, opt);
  const auto r = analysis::power_spectrum<mesh::cic>(std::span<const vec3<float>>(plain), grid.side_mpc_h, opt);
  double worst_pk = 0;
  for (std::size_t i = 0; i < p.k.size(); ++i)
    if (p.k[i] <= 1.0) worst_pk = std::max(worst_pk, std::abs(p.power[i] / r.power[i] - 1.0));
  std::printf("fixed16 against float fields: %zu against %zu bytes, positions rms %.2e and largest %.2e spacings, "
              "max |P/P_float - 1| = %.2e for k <= 1 h/Mpc\n",
              packed_bytes, plain_bytes, rms, worst / spacing, worst_pk);
  CHECK(rms < 1e-2);
  CHECK(worst_pk < 1e-3);
}
