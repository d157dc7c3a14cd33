// SPDX-License-Identifier: BSD-3-Clause
// quickstart: a default tCOLA simulation.
//
// 64³ particles in a 128 Mpc/h box, Planck-like cosmology, 2LPT initial conditions at z = 49,
// tCOLA (frame::lpt<2>) with 10 kick-drift-kick steps to z = 0 and a 128³ CIC particle mesh.
// Prints P(k) against linear theory and writes, in the directory given as the first argument
// (default "."): quickstart_pk.txt (k, P, P_lin, modes, P/P_lin), quickstart_slice.npy (1 + δ of
// a 32 Mpc/h slab on 256² pixels) and the pictures quickstart_pk.png (P(k) with linear theory,
// the cosmic-variance band and the particle Nyquist wavenumber) and quickstart_slice.png (axes
// in Mpc/h, colour bar of log10(1 + δ)), drawn by scripts/plot_power_spectrum.py and
// scripts/plot_slice.py with Debian's python3-matplotlib; without it the slice PNG is drawn
// here, without axes.

#include <lagframe/lagframe.hpp>
#include <lagframe/io/png.hpp>

#include <lagframe/io/npy.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {
/// Runs /usr/bin/python3 SCRIPT ARGS... from the repository's scripts/ folder; true on success.
bool plot(const std::string& script, const std::string& args) {
  const std::string command = "/usr/bin/python3 '" + std::string(LAGFRAME_SCRIPTS_DIR) + "/" + script + "' " + args;
  return std::system(command.c_str()) == 0;
}
std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }
}  // namespace

int main(int argc, char** argv) {
  namespace lf = lagframe;
  const std::filesystem::path out_dir = argc > 1 ? argv[1] : ".";
  std::filesystem::create_directories(out_dir);
  const auto t_start = std::chrono::steady_clock::now();

  const lf::cosmology::parameters cosmo{};  // Planck 2018-like: Ωm 0.3111, h 0.6766, σ8 0.8102
  const lf::box box{.side_mpc_h = 128.0, .particles_1d = 64};
  const double a_start = 1.0 / 50.0;  // z = 49

  using sim_t = lf::simulation<lf::frame::lpt<2>,                          // tCOLA frame
                               lf::force::particle_mesh<lf::mesh::cic>,     // PM force, CIC
                               lf::stepper::kick_drift_kick<lf::stepper::factors::cola>>;
  sim_t sim{cosmo, box, lf::force::pm_options{.grid_1d = 128},
            lf::stepper::kdk_options{.grid = lf::stepper::time_grid::linear(a_start, 1.0, 10)}};

  const auto power = lf::cosmology::linear_power::from_eisenstein_hu(cosmo);
  const auto modes = lf::ic::linear_density_modes<float>(box, power, {.seed = 42});
  sim.set_initial_conditions(lf::ic::lpt_displacements(box, modes, 2));

  sim.set_progress_observer([](const lf::step_report& r) {
    std::printf("step %2zu/%zu  a = %.4f  z = %6.3f  force %s  %.2f s\n", r.step, r.steps, r.a,
                1.0 / r.a - 1.0, r.force_evaluated ? "on " : "off", r.seconds);
  });

  sim.run_until(1.0, [&](const lf::snapshot_view<float>& s) {
    const lf::analysis::spectrum_options opt{.grid_1d = 128, .interlacing = true,
                                             .subtract_shot_noise = true};
    const auto pk = lf::analysis::power_spectrum<lf::mesh::cic>(s.positions, box.side_mpc_h, opt);
    std::vector<double> p_lin(pk.k.size()), ratio(pk.k.size());
    const double d1 = sim.growth().d1(s.a);
    std::printf("\n%10s %14s %14s %10s %8s\n", "k [h/Mpc]", "P [(Mpc/h)^3]", "P_lin", "P/P_lin", "modes");
    for (std::size_t i = 0; i < pk.k.size(); ++i) {
      p_lin[i] = d1 * d1 * power(pk.k[i]);
      ratio[i] = pk.power[i] / p_lin[i];
      if (i < 4 || i % 4 == 0)  // the console shows a sample; the file has every shell
        std::printf("%10.4f %14.2f %14.2f %10.4f %8.0f\n", pk.k[i], pk.power[i], p_lin[i], ratio[i], pk.modes[i]);
    }
    // Column order and "name = value" header lines as scripts/plot_power_spectrum.py reads them.
    lf::io::write_text_table(out_dir / "quickstart_pk.txt",
                             {"k[h/Mpc]", "P[(Mpc/h)^3]", "P_lin[(Mpc/h)^3]", "modes", "P/P_lin"},
                             {pk.k, pk.power, p_lin, pk.modes, ratio},
                             {"lagframe quickstart: tCOLA, 64^3 particles, 128 Mpc/h, 10 steps",
                              "CIC, 128^3 mesh, interlaced, shot noise subtracted", "redshift = 0",
                              "particles_1d = 64", "box_side_mpc_h = 128"});
    const auto image = lf::analysis::projected_density(s.positions, box.side_mpc_h, 256, 0.0, 32.0);
    lf::io::write_npy(out_dir / "quickstart_slice.npy", std::span<const double>(image), {256, 256});
    if (!plot("plot_slice.py", quoted(out_dir / "quickstart_slice.npy") + " " + quoted(out_dir / "quickstart_slice.png") +
                                   " --side 128 --thickness 32 --redshift 0 --spacing 2")) {
      std::printf("(matplotlib not available: the slice is drawn without axes)\n");
      lf::io::write_png(out_dir / "quickstart_slice.png", 256, 256, 3, lf::analysis::render_log_density(image));
    }
    if (!plot("plot_power_spectrum.py", quoted(out_dir / "quickstart_pk.txt") + " " + quoted(out_dir / "quickstart_pk.png")))
      std::printf("(matplotlib not available: no P(k) plot)\n");
  });

  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  std::printf("\n%zu force evaluations, %.1f s in total\nwrote %s, %s and %s\n", sim.force_evaluations(), secs,
              (out_dir / "quickstart_pk.txt").c_str(), (out_dir / "quickstart_pk.png").c_str(),
              (out_dir / "quickstart_slice.png").c_str());
  return 0;
}
