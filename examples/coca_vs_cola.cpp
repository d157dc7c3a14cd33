// SPDX-License-Identifier: BSD-3-Clause
// coca_vs_cola: tCOLA against tCOCA at equal numbers of force evaluations (Bartlett et al. 2024).
//
//   coca_vs_cola [--quick] [OUTPUT_DIR [NETWORK.pt]]
//
// 1. Training data: reference tCOLA runs with 160 steps (every step evaluates the force, close
//    to the true trajectory) on four training seeds, the recording frame keeping the residual
//    momenta at the nodes and midpoints of the 10- and 16-step grids (54 times from z = 49 to
//    0, at most Δa = 0.049 apart, all of them nodes of the 160-step grid; emulators interpolate
//    linearly in a between them); each is saved to OUTPUT_DIR/training_seed<N>.bin
//    (frame/emulators/recorded.hpp format) and its LPT fields Ψ1, Ψ2 to
//    OUTPUT_DIR/training_seed<N>_psi1.npy, _psi2.npy (N³ × 3 float32, Lagrangian order): the
//    input of scripts/train_coca_network.py.
// 2. Training: the fourier_linear emulator (per time and k-shell least squares on Ψ1, Ψ2) is
//    fitted to them and saved to OUTPUT_DIR/fourier_linear.bin.
// 3. Evaluation on a held-out seed: a PM reference with 100 steps, then tCOLA and tCOCA with
//    n_f = 0, 2, 4, 8, 16 force evaluations: tCOLA with force_schedule::spread_late on
//    max(10, n_f) steps (its best placement at n_f = 8) and with the interior placement,
//    tCOCA with the interior placement (n_f + 1 steps, force_schedule::interior), with the
//    fourier_linear emulator and, when built with libtorch, the shipped network
//    (models/coca_net_64_128.pt, or NETWORK.pt); the held-out seed's own reference replayed
//    (the perfect emulator: 180 steps recorded every 0.0054 in a), with no force and with
//    n_f = 8 (rate_step 0.01), shows the limit. P(k)/P_ref and 1 − r(k) are printed at k = 0.1,
//    0.5 and 1 h/Mpc with their worst values for k ≤ 1 h/Mpc, written to
//    OUTPUT_DIR/coca_vs_cola.txt and plotted (with /usr/bin/python3 and matplotlib) to
//    OUTPUT_DIR/coca_vs_cola.png. Last, the time each method takes to reach 1 % in P(k) and
//    r(k) for all k ≤ 1 h/Mpc (the fewest force evaluations that do).
// 64³ particles in 128 Mpc/h, 128³ CIC mesh, COLA steps linear in a from z = 49 (the
// quickstart box). --quick takes every step above with a third of the work: one training seed
// (101), n_f = 0 and 8 only, and one count each in the time-to-1 % search; its figures are not
// the shipped ones (the emulator is fitted to one run).

#include <lagframe/analysis/cross_power.hpp>
#include <lagframe/lagframe.hpp>
#ifdef LAGFRAME_COCA_NETWORK
#include <lagframe/frame/emulators/torchscript.hpp>
#endif

#include <algorithm>
#include <array>
#include <utility>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <type_traits>
#include <span>
#include <string>
#include <vector>

namespace lf = lagframe;
namespace emu = lagframe::frame::emulators;

namespace {

const lf::cosmology::parameters cosmo{};
const lf::box box{.side_mpc_h = 128.0, .particles_1d = 64};
constexpr std::size_t mesh_1d = 128, training_steps = 160;
constexpr std::uint64_t training_seeds[] = {101, 102, 103, 104};
constexpr double a_start = 1.0 / 50.0;
using pm = lf::force::particle_mesh<lf::mesh::cic>;
using kdk = lf::stepper::kick_drift_kick<lf::stepper::factors::cola>;

lf::ic::lpt_fields<float> fields_of(std::uint64_t seed) {
  static const auto power = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  return lf::ic::lpt_displacements(box, lf::ic::linear_density_modes<float>(box, power, {.seed = seed}), 2);
}
/// The two placements of n_f force evaluations (stepper/force_schedule.hpp):
///   tCOLA's: max(10, n_f) steps, force_schedule::spread_late(n_f);
///   tCOCA's: n_f + 1 steps, force_schedule::interior() (10 steps and no force for n_f = 0).
lf::stepper::kdk_options spread_late_grid(std::size_t n_f) {
  return {.grid = lf::stepper::time_grid::linear(a_start, 1.0, std::max<std::size_t>(10, n_f)),
          .schedule = lf::stepper::force_schedule::spread_late(n_f)};
}
lf::stepper::kdk_options interior_grid(std::size_t n_f) {
  if (n_f == 0) return {.grid = lf::stepper::time_grid::linear(a_start, 1.0, 10), .schedule = lf::stepper::force_schedule::never()};
  return {.grid = lf::stepper::time_grid::linear(a_start, 1.0, n_f + 1), .schedule = lf::stepper::force_schedule::interior()};
}
lf::stepper::kdk_options every_step_grid(std::size_t steps) {
  return {.grid = lf::stepper::time_grid::linear(a_start, 1.0, steps)};
}
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// A 160-step tCOLA run of `seed` keeping its residual momenta at the nodes and midpoints of the
/// 10- and 16-step grids (all of them nodes of the 160-step grid).
std::shared_ptr<const emu::recorded_data<float>> record_reference(const lf::ic::lpt_fields<float>& fields) {
  lf::simulation<lf::frame::recording<lf::frame::lpt<2>>, pm, kdk> ref{
      cosmo, box, lf::force::pm_options{.grid_1d = mesh_1d},
      lf::stepper::kdk_options{.grid = lf::stepper::time_grid::linear(a_start, 1.0, training_steps)}};
  auto keep = lf::frame::recording_options::for_grid(lf::stepper::time_grid::linear(a_start, 1.0, 10));
  for (double a : lf::frame::recording_options::for_grid(lf::stepper::time_grid::linear(a_start, 1.0, 16)).times)
    keep.times.push_back(a);
  ref.set_frame_options(std::move(keep));
  ref.set_initial_conditions(fields);
  ref.run_until(1.0);
  return ref.frame().recorded();
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  if (quick) {
    --argc;
    ++argv;
  }
  const std::filesystem::path out = argc > 1 ? argv[1] : "coca_vs_cola_out";
  std::filesystem::create_directories(out);

  // 1. Training data from reference runs.
  std::vector<lf::ic::lpt_fields<float>> train_fields;
  std::vector<emu::recorded_data<float>> train_records;
  for (std::uint64_t seed : std::span(training_seeds).first(quick ? 1 : std::size(training_seeds))) {
    train_fields.push_back(fields_of(seed));
    const std::string stem = "training_seed" + std::to_string(seed);
    lf::io::write_npy(out / (stem + "_psi1.npy"), std::span<const lf::vec3<float>>(train_fields.back().psi1));
    lf::io::write_npy(out / (stem + "_psi2.npy"), std::span<const lf::vec3<float>>(train_fields.back().psi2));
    const auto path = out / (stem + ".bin");
    record_reference(train_fields.back())->save(path);
    train_records.push_back(emu::recorded_data<float>::load(path));
    std::printf("training run seed %llu: residual momenta at %zu times written to %s\n",
                static_cast<unsigned long long>(seed), train_records.back().times().size(), path.c_str());
  }
  // 2. The emulator.
  std::vector<emu::fourier_linear_training_run<float>> runs;
  for (std::size_t i = 0; i < train_fields.size(); ++i) runs.push_back({train_fields[i], train_records[i]});
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
  std::printf("\n%-10s %4s %8s | %9s %9s %9s | %9s %9s %9s | %7s %8s\n", "frame", "n_f", "time[s]", "dP(0.1)",
              "dP(0.5)", "dP(1.0)", "1-r(0.1)", "1-r(0.5)", "1-r(1.0)", "max|dP|", "max(1-r)");
  // Largest |P/P_ref − 1| and 1 − r for k ≤ 1 h/Mpc.
  const auto worst_errors = [&](std::span<const lf::vec3<float>> x) {
    const auto cp = lf::analysis::cross_power<lf::mesh::cic>(x, reference.positions(), box.side_mpc_h, opt);
    std::array<double, 2> worst{0, 0};
    for (std::size_t i = 0; i < cp.k.size(); ++i)
      if (cp.k[i] <= 1.0) {
        worst[0] = std::max(worst[0], std::abs(cp.p_a[i] / cp.p_b[i] - 1));
        worst[1] = std::max(worst[1], 1 - cp.r[i]);
      }
    return worst;
  };
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
    const auto worst = worst_errors(x);
    std::printf("%-10s %4zu %8.2f | %+9.4f %+9.4f %+9.4f | %9.5f %9.5f %9.5f | %7.4f %8.5f\n", label, n_f, secs,
                at(ratio, 0.1) - 1, at(ratio, 0.5) - 1, at(ratio, 1.0) - 1, at(decorrelation, 0.1),
                at(decorrelation, 0.5), at(decorrelation, 1.0), worst[0], worst[1]);
    columns.push_back(ratio);
    columns.push_back(decorrelation);
    names.push_back(std::string("P/P_ref_") + label + "_nf" + std::to_string(n_f));
    names.push_back(std::string("1-r_") + label + "_nf" + std::to_string(n_f));
  };
  // tCOCA with emulator e and n_f force evaluations (the emulator's time is part of the total).
  // Positions at z = 0 and seconds taken (the emulator's time included).
  const auto run_cola = [&](lf::stepper::kdk_options options) {
    const auto t = std::chrono::steady_clock::now();
    lf::simulation<lf::frame::lpt<2>, pm, kdk> cola{cosmo, box, lf::force::pm_options{.grid_1d = mesh_1d}, std::move(options)};
    cola.set_initial_conditions(fields_of(seed));
    cola.run_until(1.0);
    return std::pair{std::vector<lf::vec3<float>>(cola.positions().begin(), cola.positions().end()), seconds_since(t)};
  };
  // rate_step: emulated_options::rate_step (frame/emulated.hpp).
  const auto run_coca = [&](const auto& e, lf::stepper::kdk_options options, double rate_step = 1.0) {
    using E = std::decay_t<decltype(e)>;
    const auto t = std::chrono::steady_clock::now();
    lf::simulation<lf::frame::emulated<lf::frame::lpt<2>, E>, pm, kdk> coca{
        cosmo, box, lf::force::pm_options{.grid_1d = mesh_1d}, std::move(options)};
    coca.set_frame_options(lf::frame::emulated_options<E>(e, lf::frame::ml_integration::as_lpt, rate_step));
    coca.set_initial_conditions(fields_of(seed));
    coca.run_until(1.0);
    return std::pair{std::vector<lf::vec3<float>>(coca.positions().begin(), coca.positions().end()), seconds_since(t)};
  };
  const auto row = [&](const char* label, std::size_t n_f, const std::pair<std::vector<lf::vec3<float>>, double>& r) {
    report(label, n_f, r.second, r.first);
  };
#ifdef LAGFRAME_COCA_NETWORK
  std::optional<emu::torchscript<float>> network;
  const std::filesystem::path network_path = argc > 2 ? argv[2] : LAGFRAME_MODELS_DIR "/coca_net_64_128.pt";
  if (std::filesystem::exists(network_path)) {
    network.emplace(network_path);
  } else {
    std::printf("network row skipped: %s not found\n", network_path.c_str());
  }
#endif
  const std::vector<std::size_t> force_counts = quick ? std::vector<std::size_t>{0, 8} : std::vector<std::size_t>{0, 2, 4, 8, 16};
  for (std::size_t n_f : force_counts) {
    row("tCOLA", n_f, run_cola(spread_late_grid(n_f)));
    if (n_f > 0) row("tCOLA-int", n_f, run_cola(interior_grid(n_f)));
    row("tCOCA", n_f, run_coca(emulator, interior_grid(n_f)));
#ifdef LAGFRAME_COCA_NETWORK
    if (network) row("tCOCA-net", n_f, run_coca(*network, interior_grid(n_f)));
#endif
  }
  // The limit of the method with this training target: the held-out seed's own 180-step run,
  // recorded at 181 times (every 0.0054 in a), replayed (the perfect emulator,
  // frame/emulators/recorded.hpp), with no force and with n_f = 8: with the recording's knots
  // and rate_step 0.01 the forces find the frame right and leave it alone.
  {
    lf::simulation<lf::frame::recording<lf::frame::lpt<2>>, pm, kdk> own{
        cosmo, box, lf::force::pm_options{.grid_1d = mesh_1d},
        lf::stepper::kdk_options{.grid = lf::stepper::time_grid::linear(a_start, 1.0, 180)}};
    own.set_frame_options(lf::frame::recording_options::for_grid(lf::stepper::time_grid::linear(a_start, 1.0, 90)));
    own.set_initial_conditions(fields_of(seed));
    own.run_until(1.0);
    const emu::recorded<float> perfect(own.frame().recorded());
    row("perfect", 0, run_coca(perfect, interior_grid(0)));
    row("perfect", 8, run_coca(perfect, interior_grid(8), 0.01));
  }

  // Total time to 1 % at k ≤ 1 h/Mpc (|P/P_ref − 1| and 1 − r): the fewest force evaluations
  // that reach it, tCOLA with every step evaluated, tCOCA with the interior placement.
  std::printf("\ntime to reach 1 %% in P(k) and r(k) for all k <= 1 h/Mpc:\n");
  const auto first_within = [&](const char* label, const auto& counts, const auto& run) {
    for (std::size_t c : counts) {
      const auto [x, secs] = run(c);
      const auto w = worst_errors(x);
      if (w[0] < 0.01 && w[1] < 0.01) {
        std::printf("  %-10s %3zu force evaluations, %6.2f s (max |dP| %.4f, max 1-r %.5f)\n", label, c, secs, w[0], w[1]);
        return;
      }
    }
    std::printf("  %-10s not within the counts tried\n", label);
  };
  const std::vector<std::size_t> cola_steps =
      quick ? std::vector<std::size_t>{10} : std::vector<std::size_t>{10, 15, 20, 25, 30, 35, 40, 50, 60};
  first_within("tCOLA", cola_steps, [&](std::size_t n) {
    auto r = run_cola(every_step_grid(n - 1));  // n force evaluations: n − 1 steps, every kick point
    return r;
  });
  const std::vector<std::size_t> coca_counts =
      quick ? std::vector<std::size_t>{8} : std::vector<std::size_t>{4, 6, 8, 10, 12, 16, 20, 24, 32};
  first_within("tCOCA", coca_counts, [&](std::size_t n_f) { return run_coca(emulator, interior_grid(n_f)); });
#ifdef LAGFRAME_COCA_NETWORK
  if (network) first_within("tCOCA-net", coca_counts, [&](std::size_t n_f) { return run_coca(*network, interior_grid(n_f)); });
#endif
  const auto table = out / "coca_vs_cola.txt";
  lf::io::write_text_table(table, names, columns,
                           {"lagframe coca_vs_cola: held-out seed 7 against PM with 100 steps, z = 0",
                            "n_f force evaluations: tCOLA spread_late on max(10, n_f) steps; tCOLA-int and tCOCA interior on n_f + 1 steps",
                            "tCOCA: fourier_linear emulator; tCOCA-net: the TorchScript network; perfect: the held-out seed's "
                            "own 180-step run replayed (n_f = 8: rate_step 0.01)"});
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
