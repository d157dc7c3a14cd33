// SPDX-License-Identifier: BSD-3-Clause
// coca_vs_cola: tCOLA against tCOCA at equal numbers of force evaluations (Bartlett et al. 2024).
//
//   coca_vs_cola [OUTPUT_DIR]
//
// 1. Training data: two reference tCOLA runs (every step evaluates the force) with the
//    recording frame, which stores the residual momenta at every node and midpoint; each is
//    saved to OUTPUT_DIR/training_seed<N>.bin (frame/emulators/recorded.hpp format).
// 2. Training: the fourier_linear emulator (per time and k-shell least squares on Ψ1, Ψ2) is
//    fitted to them and saved to OUTPUT_DIR/fourier_linear.bin.
// 3. Evaluation on a held-out seed: a PM reference with 100 steps, then tCOLA and tCOCA with
//    n_f = 0, 2, 4, 8 force evaluations among 10 steps (force_schedule::spread_late); P(k)/P_ref and 1 − r(k) are printed at
//    k = 0.1, 0.5 and 1 h/Mpc and written to OUTPUT_DIR/coca_vs_cola.txt, plotted (with
//    /usr/bin/python3 and matplotlib) to OUTPUT_DIR/coca_vs_cola.png.
// 64³ particles in 128 Mpc/h, 128³ CIC mesh, 10 COLA steps from z = 49 (the quickstart box).

#include <lagframe/analysis/cross_power.hpp>
#include <lagframe/lagframe.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace lf = lagframe;
namespace emu = lagframe::frame::emulators;

namespace {

const lf::cosmology::parameters cosmo{};
const lf::box box{.side_mpc_h = 128.0, .particles_1d = 64};
constexpr std::size_t mesh_1d = 128, steps = 10;
constexpr double a_start = 1.0 / 50.0;
using pm = lf::force::particle_mesh<lf::mesh::cic>;
using kdk = lf::stepper::kick_drift_kick<lf::stepper::factors::cola>;

lf::ic::lpt_fields<float> fields_of(std::uint64_t seed) {
  static const auto power = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  return lf::ic::lpt_displacements(box, lf::ic::linear_density_modes<float>(box, power, {.seed = seed}), 2);
}
/// n_f force evaluations at the default placement for few evaluations (force_schedule.hpp).
lf::stepper::force_schedule spread(std::size_t n_f) { return lf::stepper::force_schedule::spread_late(n_f); }
lf::stepper::kdk_options grid_with(lf::stepper::force_schedule s) {
  return {.grid = lf::stepper::time_grid::linear(a_start, 1.0, steps), .schedule = std::move(s)};
}
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path out = argc > 1 ? argv[1] : "coca_vs_cola_out";
  std::filesystem::create_directories(out);

  // 1. Training data from reference runs.
  std::vector<lf::ic::lpt_fields<float>> train_fields;
  std::vector<emu::recorded_data<float>> train_records;
  for (std::uint64_t seed : {101, 102}) {
    lf::simulation<lf::frame::recording<lf::frame::lpt<2>>, pm, kdk> ref{
        cosmo, box, lf::force::pm_options{.grid_1d = mesh_1d}, grid_with(lf::stepper::force_schedule::every_step())};
    train_fields.push_back(fields_of(seed));
    ref.set_initial_conditions(train_fields.back());
    ref.run_until(1.0);
    const auto path = out / ("training_seed" + std::to_string(seed) + ".bin");
    ref.frame().recorded()->save(path);
    train_records.push_back(emu::recorded_data<float>::load(path));
    std::printf("training run seed %llu: residual momenta at %zu times written to %s\n",
                static_cast<unsigned long long>(seed), train_records.back().times().size(), path.c_str());
  }
  // 2. The emulator.
  const std::vector<emu::fourier_linear_training_run<float>> runs{{train_fields[0], train_records[0]},
                                                                  {train_fields[1], train_records[1]}};
  const auto model = std::make_shared<const emu::fourier_linear_model>(emu::fourier_linear<float>::fit(runs));
  model->save(out / "fourier_linear.bin");
  const emu::fourier_linear<float> emulator(model);
  std::printf("fourier_linear emulator fitted and written to %s\n", (out / "fourier_linear.bin").c_str());

  // 3. A held-out seed: reference, then tCOLA and tCOCA at each n_f.
  constexpr std::uint64_t seed = 7;
  lf::simulation<lf::frame::inertial<float>, pm, lf::stepper::kick_drift_kick<lf::stepper::factors::fastpm>> reference{
      cosmo, box, lf::force::pm_options{.grid_1d = mesh_1d},
      lf::stepper::kdk_options{.grid = lf::stepper::time_grid::linear(a_start, 1.0, 100)}};
  reference.set_initial_conditions(fields_of(seed));
  reference.run_until(1.0);
  const lf::analysis::spectrum_options opt{.grid_1d = mesh_1d, .interlacing = true};

  std::vector<std::vector<double>> columns;
  std::vector<std::string> names{"k[h/Mpc]"};
  std::printf("\n%-6s %4s %8s | %9s %9s %9s | %9s %9s %9s\n", "frame", "n_f", "time[s]", "dP(0.1)", "dP(0.5)",
              "dP(1.0)", "1-r(0.1)", "1-r(0.5)", "1-r(1.0)");
  const auto report = [&](const char* label, std::size_t n_f, double secs, std::span<const lf::vec3<float>> x) {
    const auto cp = lf::analysis::cross_power<lf::mesh::cic>(x, reference.positions(), box.side_mpc_h, opt);
    if (columns.empty()) columns.push_back(cp.k);
    std::vector<double> ratio(cp.k.size()), decorrelation(cp.k.size());
    for (std::size_t i = 0; i < cp.k.size(); ++i) {
      ratio[i] = cp.p_a[i] / cp.p_b[i];
      decorrelation[i] = 1.0 - cp.r[i];
    }
    const auto at = [&](const std::vector<double>& v, double k) {
      std::size_t best = 0;
      for (std::size_t i = 0; i < cp.k.size(); ++i)
        if (std::abs(cp.k[i] - k) < std::abs(cp.k[best] - k)) best = i;
      return v[best];
    };
    std::printf("%-6s %4zu %8.2f | %+9.4f %+9.4f %+9.4f | %9.5f %9.5f %9.5f\n", label, n_f, secs, at(ratio, 0.1) - 1,
                at(ratio, 0.5) - 1, at(ratio, 1.0) - 1, at(decorrelation, 0.1), at(decorrelation, 0.5),
                at(decorrelation, 1.0));
    columns.push_back(ratio);
    columns.push_back(decorrelation);
    names.push_back(std::string("P/P_ref_") + label + "_nf" + std::to_string(n_f));
    names.push_back(std::string("1-r_") + label + "_nf" + std::to_string(n_f));
  };
  for (std::size_t n_f : {0, 2, 4, 8}) {
    auto t = std::chrono::steady_clock::now();
    lf::simulation<lf::frame::lpt<2>, pm, kdk> cola{cosmo, box, lf::force::pm_options{.grid_1d = mesh_1d}, grid_with(spread(n_f))};
    cola.set_initial_conditions(fields_of(seed));
    cola.run_until(1.0);
    report("tCOLA", n_f, seconds_since(t), cola.positions());
    t = std::chrono::steady_clock::now();
    lf::simulation<lf::frame::emulated<lf::frame::lpt<2>, emu::fourier_linear<float>>, pm, kdk> coca{
        cosmo, box, lf::force::pm_options{.grid_1d = mesh_1d}, grid_with(spread(n_f))};
    coca.set_frame_options(emulator);
    coca.set_initial_conditions(fields_of(seed));
    coca.run_until(1.0);
    report("tCOCA", n_f, seconds_since(t), coca.positions());
  }
  const auto table = out / "coca_vs_cola.txt";
  lf::io::write_text_table(table, names, columns,
                           {"lagframe coca_vs_cola: held-out seed 7 against PM with 100 steps, z = 0",
                            "tCOLA and tCOCA (fourier_linear emulator) with n_f force evaluations among 10 steps"});
  std::printf("\nwrote %s\n", table.c_str());
  const std::string plot = "/usr/bin/python3 '" LAGFRAME_SCRIPTS_DIR "/plot_coca_vs_cola.py' '" + table.string() + "' '" +
                           (out / "coca_vs_cola.png").string() + "' > /dev/null 2>&1";
  if (std::system(plot.c_str()) == 0) {
    std::printf("wrote %s\n", (out / "coca_vs_cola.png").c_str());
  } else {
    std::printf("plot skipped: /usr/bin/python3 with matplotlib is not available\n");
  }
  return 0;
}
