// SPDX-License-Identifier: BSD-3-Clause
// The files of one output time (outputs.hpp): the P(k) table, the projected density slice and
// the snapshot, committed together; then the pictures, drawn by scripts/plot_power_spectrum.py
// and scripts/plot_slice.py (Debian's python3-matplotlib) or, for the slice, by the PNG
// fallback when matplotlib is missing.

#include "outputs.hpp"

#if defined(LAGFRAME_RUN_HAS_HDF5)
#include "halo_outputs.hpp"
#endif

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <span>

#include <lagframe/analysis/power_spectrum.hpp>
#include <lagframe/analysis/projected_density.hpp>
#include <lagframe/io/atomic_file.hpp>
#include <lagframe/io/interrupt.hpp>
#include <lagframe/io/npy.hpp>
#include <lagframe/io/png.hpp>
#include <lagframe/io/text_table.hpp>
#include <lagframe/mesh/cic.hpp>
#include <lagframe/mesh/tsc.hpp>
#if defined(LAGFRAME_RUN_HAS_HDF5)
#include <lagframe/io/gadget_hdf5.hpp>
#endif

extern char** environ;

namespace lagframe_run {

namespace fs = std::filesystem;

std::string redshift_tag(double z) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "z%.3f", z);
  return buf;
}

std::string force_time_text(const lf::force::phase_times& t) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "deposit %.2f s, FFTs %.2f s, Fourier space %.2f s, gather %.2f s", t.deposit, t.fft,
                t.k_space, t.gather);
  std::string out = buf;
  if (t.pairs > 0) {
    std::snprintf(buf, sizeof buf, ", pairs %.2f s", t.pairs);
    out += buf;
  }
  const double each = t.evaluations > 0 ? 1e3 * t.total() / static_cast<double>(t.evaluations) : 0.0;
  std::snprintf(buf, sizeof buf, " over %zu Poisson solves (%.1f ms each)", t.evaluations, each);
  return out + buf;
}

namespace {

/// "0", "1", "0.5": a redshift for titles and headers.
std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// Run a program with `args` (no shell), its output discarded; returns its exit status, or
/// 128 + signal when a signal ended it. A SIGINT or SIGTERM that ended it is passed on as an
/// interrupt request of ours (a Ctrl-C reaches the whole process group).
int run_program(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return 127;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 127;
  }
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    if (sig == SIGINT || sig == SIGTERM) lf::io::request_interrupt(sig);
    return 128 + sig;
  }
  const int code = WEXITSTATUS(status);
  if (code == 128 + SIGINT || code == 128 + SIGTERM) lf::io::request_interrupt(code - 128);
  return code;
}

}  // namespace

bool plot(const run_context& ctx, const std::string& script, std::vector<std::string> args, const fs::path& png) {
  std::vector<std::string> argv{"/usr/bin/python3", (ctx.scripts / script).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const int rc = run_program(argv);
  std::error_code ignored;
  fs::remove(fs::path(png.string() + ".tmp"), ignored);
  if (rc == 0) {
    std::printf("wrote %s\n", png.c_str());
    return true;
  }
  std::printf("%s: %s failed (exit status %d)\n", png.filename().c_str(), script.c_str(), rc);
  return false;
}

namespace {

struct spectrum_table {
  lf::analysis::power_spectrum_result measured;  ///< shot noise as the configuration asks
  std::vector<double> shot;                      ///< the estimator's shot noise per bin
};

/// P(k) of the positions, in the borrowed force meshes when there are some (analysis_storage),
/// otherwise in meshes allocated here and released on return.
template <class Assignment>
spectrum_table measure(run_context& ctx, std::span<const lf::vec3<float>> x) {
  const run_config& c = ctx.config;
  const lf::analysis::spectrum_options opt{.grid_1d = c.power_grid_1d,
                                           .interlacing = c.power_interlacing,
                                           .deconvolve = true,
                                           .sheet_resample = c.power_sheet_resample};
  const double nbar = static_cast<double>(x.size()) / std::pow(c.box.side_mpc_h, 3);
  auto& lent = ctx.analysis;
  lf::real_field<float> own_first, own_second;
  lf::mesh::deposit_workspace own_workspace;
  lf::real_field<float>* first = lent.meshes[0];
  lf::real_field<float>* second = lent.meshes[1];
  lf::mesh::deposit_workspace* workspace = lent.workspace != nullptr ? lent.workspace : &own_workspace;
  if (first == nullptr) {
    own_first = lf::real_field<float>(c.power_grid_1d, c.box.side_mpc_h);
    if (c.power_interlacing) own_second = lf::real_field<float>(c.power_grid_1d, c.box.side_mpc_h);
    first = &own_first;
    second = c.power_interlacing ? &own_second : nullptr;
  }
  lf::analysis::density_modes_into<Assignment>(x, opt, *first, second, *workspace, *lent.power_plan);
  const auto& modes = *first;
  spectrum_table t;
  auto raw = lf::analysis::power_spectrum_of_modes<Assignment>(modes, opt);
  if (c.power_sheet_resample > 1) {  // the sheet has no Poisson shot noise
    t.measured = std::move(raw);
    return t;
  }
  auto sub_opt = opt;
  sub_opt.subtract_shot_noise = true;
  auto subtracted = lf::analysis::power_spectrum_of_modes<Assignment>(modes, sub_opt, nbar);
  t.shot.resize(raw.power.size());
  for (std::size_t b = 0; b < t.shot.size(); ++b) t.shot[b] = raw.power[b] - subtracted.power[b];
  t.measured = c.power_shot_noise == shot_noise_kind::subtract ? std::move(subtracted) : std::move(raw);
  return t;
}

}  // namespace

bool python_plots_available() { return run_program({"/usr/bin/python3", "-c", "import numpy, matplotlib"}) == 0; }

void write_outputs(run_context& ctx, const lf::snapshot_view<float>& s, double d1, double z) {
  const run_config& c = ctx.config;
  const std::string tag = redshift_tag(z);
  const fs::path dir = c.directory;
  lf::io::throw_if_interrupted();
  lf::io::atomic_file_set set;
  std::vector<std::string> written;
  const auto n = static_cast<double>(s.positions.size());

  const fs::path pk = dir / ("pk_" + tag + ".txt");
  if (c.write_power_spectrum) {
    const auto t = c.assignment == assignment_kind::tsc ? measure<lf::mesh::tsc>(ctx, s.positions)
                                                        : measure<lf::mesh::cic>(ctx, s.positions);
    const auto& r = t.measured;
    std::vector<double> lin(r.k.size());
    for (std::size_t i = 0; i < lin.size(); ++i) lin[i] = d1 * d1 * (*ctx.inputs.power)(r.k[i]);
    const double shot_level = std::pow(c.box.side_mpc_h, 3) / n;
    const bool sheet = c.power_sheet_resample > 1;
    const bool kept = c.power_shot_noise == shot_noise_kind::keep && !sheet;
    std::vector<std::string> names{"k[h/Mpc]", "P[(Mpc/h)^3]", "P_lin[(Mpc/h)^3]", "modes"};
    std::vector<std::vector<double>> columns{r.k, r.power, lin, r.modes};
    if (kept) {
      names.emplace_back("P_shot[(Mpc/h)^3]");
      columns.push_back(t.shot);
    }
    char level[64];
    std::snprintf(level, sizeof level, "%.6g", shot_level);
    const std::vector<std::string> header{
        "lagframe-run power spectrum at z = " + short_number(z),
        "redshift = " + short_number(z),
        "particles_1d = " + std::to_string(c.box.particles_1d),
        "box_side_mpc_h = " + short_number(c.box.side_mpc_h),
        "grid_1d = " + std::to_string(c.power_grid_1d) + ", assignment = " + std::string(name_of(assignment_kinds, c.assignment)) +
            ", interlaced = " + (c.power_interlacing ? "yes" : "no") + ", window deconvolved" +
            (sheet ? ", density of the sheet resampled " + std::to_string(c.power_sheet_resample) + "^3 times per particle"
                   : std::string()),
        std::string("shot_noise = ") + (sheet ? "none" : kept ? "kept" : "subtracted"),
        std::string("shot_noise_level = ") + level + " (Mpc/h)^3: 1/n_bar, n_bar = N_p^3/L^3",
        sheet  ? "the sheet's density has no Poisson shot noise (docs/physics.md §15.4): nothing is subtracted"
        : kept ? "P includes the Poisson shot noise; P_shot is this estimator's shot noise per bin (1/n_bar at low k, "
                 "raised towards the mesh Nyquist by aliasing and the window): P - P_shot is what "
                 "output.power_shot_noise = \"subtract\" writes"
               : "the estimator's Poisson shot noise (1/n_bar at low k) is subtracted from P",
        "modes: independent modes in the bin (k and -k counted once): sigma_P/P = 1/sqrt(modes) for a Gaussian field"};
    lf::io::write_text_table(set.temporary(pk), names, columns, header);
    written.push_back(pk.string());
  }

  std::vector<double> image;
  const fs::path slice = dir / ("slice_" + tag + ".npy");
  if (c.write_slice) {
    lf::io::throw_if_interrupted();
    image = lf::analysis::projected_density(s.positions, c.box.side_mpc_h, c.slice_pixels, 0.0, c.slice_thickness_mpc_h);
    const std::vector<float> values(image.begin(), image.end());
    lf::io::write_npy(set.temporary(slice), std::span<const float>(values), {c.slice_pixels, c.slice_pixels});
    written.push_back(slice.string());
  }

  if (c.snapshot == snapshot_format::npy) {
    const fs::path pos = dir / ("positions_" + tag + ".npy");
    const fs::path mom = dir / ("momenta_" + tag + ".npy");
    lf::io::write_npy(set, pos, s.positions);
    lf::io::write_npy(set, mom, s.momenta);
    written.push_back(pos.string() + " and " + mom.string() + " (Mpc/h; momentum p = a^3 E dx/da in Mpc/h)");
  }
#if defined(LAGFRAME_RUN_HAS_HDF5)
  if (c.snapshot == snapshot_format::gadget_hdf5) {
    const fs::path base = dir / ("snapshot_" + tag);
    lf::io::write_gadget_snapshot(base, s, {.files = c.snapshot_files, .double_precision = c.snapshot_double});
    const std::string first = base.string() + (c.snapshot_files > 1 ? ".0.hdf5" : ".hdf5");
    written.push_back(c.snapshot_files > 1 ? first + " ... " + base.filename().string() + "." +
                                                 std::to_string(c.snapshot_files - 1) + ".hdf5 (Gadget-4 HDF5 layout, " +
                                                 std::to_string(c.snapshot_files) + " files)"
                                           : first + " (Gadget-4 HDF5 layout, 1 file)");
  }
  if (c.halos) write_halo_outputs(ctx, s, z, set, written);
#endif
  set.commit();
  ctx.completed.push_back(z);
  if (ctx.after_commit) ctx.after_commit();
  for (const auto& w : written) std::printf("wrote %s\n", w.c_str());

  // Pictures of the committed files.
  if (!c.plots) return;
#if defined(LAGFRAME_RUN_HAS_HDF5)
  if (c.halos) plot_halo_outputs(ctx, z);
#endif
  if (c.write_power_spectrum && ctx.python) {
    lf::io::throw_if_interrupted();
    plot(ctx, "plot_power_spectrum.py", {pk.string(), (dir / ("pk_" + tag + ".png")).string()}, dir / ("pk_" + tag + ".png"));
  }
  if (c.write_slice) {
    lf::io::throw_if_interrupted();
    const fs::path png = dir / ("slice_" + tag + ".png");
    const bool drawn = ctx.python && plot(ctx, "plot_slice.py",
                                          {slice.string(), png.string(), "--side", short_number(c.box.side_mpc_h),
                                           "--thickness", short_number(c.slice_thickness_mpc_h), "--redshift", short_number(z),
                                           "--spacing", short_number(c.box.lagrangian_spacing())},
                                          png);
    if (!drawn) {
      // Without matplotlib: the plain picture, x to the right and y up.
      const std::size_t px = c.slice_pixels;
      std::vector<double> oriented(px * px);
      for (std::size_t i = 0; i < px; ++i)
        for (std::size_t j = 0; j < px; ++j) oriented[(px - 1 - j) * px + i] = image[i * px + j];
      lf::io::write_png(png, static_cast<int>(px), static_cast<int>(px), 3, lf::analysis::render_log_density(oriented));
      std::printf("wrote %s (plain picture: /usr/bin/python3 with matplotlib draws it with axes)\n", png.c_str());
    }
  }
  lf::io::throw_if_interrupted();
}

}  // namespace lagframe_run
