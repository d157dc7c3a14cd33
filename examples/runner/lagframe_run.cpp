// SPDX-License-Identifier: BSD-3-Clause
// lagframe-run: run a simulation described by a TOML file.
//
//   lagframe-run CONFIG.toml [--set section.key=value]... [--check] [--force]
//   lagframe-run --print-config
//
// Every key is checked, and every file a key names is read, before anything is written: an
// unknown key, a wrong type, an impossible value or an unusable file prints one line naming
// the key, its line (or "(--set)"), the value and the fix, and exits with status 2 leaving no
// file behind. The memory the run will need is estimated by phase and component
// (memory_budget.hpp; printed by --check): a run that would not fit in the memory available is
// refused the same way unless --force is given. Outputs per output redshift: P(k) table and
// plot, projected density slice (.npy and picture), optionally a snapshot and lightcone shells;
// and run_summary.txt (status, timings, measured and estimated peak memory, the effective
// configuration a restart compares with). SIGINT and SIGTERM stop the
// run at the next step or file: complete outputs stay, no partial file is left, the exit
// status is 128 + the signal.

#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <lagframe/io/interrupt.hpp>
#include <lagframe/version.hpp>

#include "config.hpp"
#include "memory_budget.hpp"
#include "memory_usage.hpp"
#include "outputs.hpp"
#include "run.hpp"
#if defined(LAGFRAME_RUN_HAS_HDF5)
#include "halo_outputs.hpp"
#endif

namespace {

namespace lf = lagframe;
namespace fs = std::filesystem;
using namespace lagframe_run;

extern "C" void on_signal(int sig) { lf::io::request_interrupt(sig); }

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

/// The memory lines of run_summary.txt: the measured peak beside the estimate, overall and per
/// phase (a phase during which the measured peak did not rise shows "-").
std::string memory_summary(const run_context& ctx) {
  char line[256];
  const auto& m = ctx.memory;
  const auto& b = ctx.budget;
  const std::string when = m.peak_before_run() ? std::string("reached while the configuration's files were read")
                                                : std::string("reached during ") +
                                                      run_phase_names[static_cast<std::size_t>(m.peak_phase())];
  std::snprintf(line, sizeof line,
                "# peak memory: %.0f MiB measured (VmHWM, %s), %.0f MiB estimated (during %s), "
                "%.0f B per particle measured\n",
                static_cast<double>(m.peak()) / mib, when.c_str(), b.peak() / mib,
                run_phase_names[static_cast<std::size_t>(b.peak_phase())],
                b.particles > 0 ? static_cast<double>(m.peak()) / static_cast<double>(b.particles) : 0.0);
  std::string out = line;
  std::snprintf(line, sizeof line, "# memory before the run (the program, reading the configuration's files): %.0f MiB\n",
                static_cast<double>(m.start_peak()) / mib);
  out += line;
  out += "# memory by phase [MiB], estimated / measured peak while it ran (-: no rise):";
  for (std::size_t p = 0; p < run_phase_count; ++p) {
    const std::size_t measured = m.phase_peak(static_cast<run_phase>(p));
    char part[96];
    if (measured > 0)
      std::snprintf(part, sizeof part, "%s %s %.0f / %.0f", p == 0 ? "" : ",", run_phase_names[p],
                    b.total(static_cast<run_phase>(p)) / mib, static_cast<double>(measured) / mib);
    else
      std::snprintf(part, sizeof part, "%s %s %.0f / -", p == 0 ? "" : ",", run_phase_names[p],
                    b.total(static_cast<run_phase>(p)) / mib);
    out += part;
  }
  return out + "\n";
}

/// The folder of the plot scripts: installed beside the executable (<prefix>/bin/lagframe-run
/// finds <prefix>/share/lagframe/scripts; cmake --install puts them there), otherwise the
/// scripts/ folder of the source tree it was built from.
fs::path default_scripts_folder() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = (exe.parent_path() / LAGFRAME_RUN_INSTALLED_SCRIPTS).lexically_normal();
    if (fs::is_regular_file(installed / "plot_power_spectrum.py", ec)) return installed;
  }
  return LAGFRAME_SCRIPTS_DIR;
}

/// An error as one line on stderr.
void report_error(const std::string& what) {
  std::string line = what;
  for (char& ch : line)
    if (ch == '\n' || ch == '\r') ch = ' ';
  std::fprintf(stderr, "lagframe-run: %s\n", line.c_str());
}

std::string completed_text(const run_context& ctx) {
  if (ctx.completed.empty()) return "none";
  std::string out;
  for (double z : ctx.completed) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", z);
    out += (out.empty() ? "z = " : ", ") + std::string(buf);
  }
  return out;
}

std::string progress_text(const run_context& ctx) {
  if (ctx.config.scola)
    return "while running tiles (finished tile files stay in " + ctx.config.scola_tile_directory.string() +
           "; running the same configuration again skips them)";
  return "after step " + std::to_string(ctx.step) + "/" + std::to_string(ctx.steps);
}

/// run_summary.txt: status, timings and the effective configuration (TOML; a restart reads it).
/// Written under a temporary name and renamed, even after an interrupt request.
void write_summary(const run_context& ctx, const std::string& status, const std::vector<std::string>& overrides,
                   double total) {
  const run_config& c = ctx.config;
  std::ostringstream s;
  s << "# lagframe-run summary\n# lagframe " << lf::version_string << "\n"
    << "# configuration file: " << c.config_file.string() << "\n";
  for (const auto& o : overrides) s << "# --set " << o << "\n";
  s << "# status: " << status << "\n"
    << "# complete outputs: " << completed_text(ctx) << "\n"
    << "# timings [s]: setup " << ctx.times.setup << ", initial conditions " << ctx.times.initial_conditions
    << ", evolution " << ctx.times.evolution << ", outputs " << ctx.times.outputs << ", total " << total << "\n"
    << "# force evaluations: " << ctx.force_evaluations << "\n"
    << (ctx.force_times ? "# force time: " + force_time_text(*ctx.force_times) + "\n" : std::string())
    << (ctx.sheet_switch.empty() ? std::string() : "# density source: " + ctx.sheet_switch + "\n")
    << memory_summary(ctx)
    << "# effective configuration (every key in use, defaults filled in, paths absolute; a restart\n"
    << "# from this folder must agree with it):\n"
    << c.effective_toml;
  const fs::path path = c.directory / "run_summary.txt";
  const fs::path tmp = c.directory / "run_summary.txt.tmp";
  {
    std::ofstream out(tmp);
    out << s.str();
    if (!out) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw lf::io_error("lagframe-run: cannot write " + tmp.string());
    }
  }
  fs::rename(tmp, path);
}

}  // namespace

int main(int argc, char** argv) {
#if defined(__GLIBC__)
  // Every array of 1 MiB or more is mapped on its own and returned to the system when freed
  // (glibc otherwise raises this threshold after the first such free and keeps freed arrays in
  // its heap): the initial conditions' work arrays and the analysis meshes really go, and the
  // memory budget (memory_budget.hpp) holds.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
  CLI::App app{"lagframe-run: run a lagframe simulation described by a TOML file"};
  std::string config_path;
  std::vector<std::string> overrides;
  bool check_only = false;
  bool print_config = false;
  bool force = false;
  std::string scripts = default_scripts_folder().string();
  app.add_option("config", config_path, "TOML configuration (lagframe-run --print-config prints every key)");
  app.add_option("--set", overrides, "override a value: section.key=value (TOML syntax; repeatable)");
  app.add_flag("--check", check_only, "check the configuration and the files it names, write nothing, and exit");
  app.add_flag("--print-config", print_config, "print the documented reference configuration and exit");
  app.add_flag("--force", force,
               "run even when the estimated peak memory exceeds the memory available (MemAvailable in "
               "/proc/meminfo; LAGFRAME_RUN_AVAILABLE_MIB stands in for it)");
  app.add_option("--scripts", scripts,
                 "folder of plot_power_spectrum.py and plot_slice.py (default: share/lagframe/scripts beside the "
                 "installed program, or the source tree's scripts/)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (print_config) {
    std::fputs(reference_config().c_str(), stdout);
    return 0;
  }
  if (config_path.empty()) {
    report_error("a configuration file is required: lagframe-run CONFIG.toml (lagframe-run --print-config prints one)");
    return 2;
  }
  run_inputs inputs;
  run_config config;
  try {
    config = load_config(config_path, overrides, inputs);
  } catch (const lf::config_error& e) {
    report_error(e.what());
    return 2;
  } catch (const std::exception& e) {
    report_error(std::string("config: ") + e.what());
    return 2;
  }
  // The memory the run will need, against what the machine has (exit status 2 when it does not
  // fit, unless --force).
  const std::size_t resident = read_process_memory().resident;
  const memory_budget budget = estimate_memory(config, inputs, resident);
  std::string fits;
  try {
    fits = check_memory(budget, read_available_memory(), resident, force);
  } catch (const lf::config_error& e) {
    std::fputs(format_budget(budget).c_str(), stdout);
    std::fflush(stdout);
    report_error(e.what());
    return 2;
  }
  std::fputs((format_budget(budget) + fits + "\n").c_str(), stdout);
  if (config.plots) std::printf("plot scripts: %s\n", scripts.c_str());
  if (check_only) {
    std::printf("lagframe-run: %s is valid\n", config_path.c_str());
    return 0;
  }
  // From here on SIGINT and SIGTERM stop the run at the next step or file (before, while
  // nothing is written, they end the program at once).
  install_signal_handlers();

  run_context ctx{config, inputs, scripts};
  ctx.budget = budget;
  const auto t0 = clock_type::now();
  try {
    fs::create_directories(config.directory);
    ctx.python = config.plots && python_plots_available();
    if (config.plots && !ctx.python)
      std::printf("note: /usr/bin/python3 with numpy and matplotlib is not available: no P(k) plots, plain slice "
                  "pictures (apt-get install python3-matplotlib)\n");
    std::error_code missing;
    if (ctx.python && !fs::is_regular_file(ctx.scripts / "plot_power_spectrum.py", missing)) {
      ctx.python = false;
      std::printf("note: the plot scripts are not in %s: no P(k) plots, plain slice pictures (--scripts names their "
                  "folder)\n", ctx.scripts.c_str());
    }
    write_summary(ctx, "running", overrides, 0);
    // The P(k) plan, made once (FFTW_ESTIMATE, as analysis::density_modes makes it).
    if (config.write_power_spectrum)
      ctx.analysis.power_plan = std::make_unique<lf::fft::r2c_plan<float>>(config.power_grid_1d, lf::fft::planning::estimate);
    const bool sheet = config.source == source_kind::sheet;
    if (config.scola) {
      run_scola(ctx);
    } else if (config.force == force_kind::p3m) {
      sheet ? run_p3m_sheet(ctx) : run_p3m(ctx);
    } else {
      sheet ? run_pm_sheet(ctx) : run_pm(ctx);
    }
#if defined(LAGFRAME_RUN_HAS_HDF5)
    if (config.halos && config.lightcone) {
      ctx.memory.enter(run_phase::outputs);
      write_lightcone_halos(ctx);
    }
#endif
    const double total = seconds_since(t0);
    ctx.memory.finish();
    write_summary(ctx, "complete", overrides, total);
    std::printf("done in %.1f s (peak memory %.0f MiB measured %s %s, %.0f MiB estimated); summary in %s\n", total,
                static_cast<double>(ctx.memory.peak()) / mib, ctx.memory.peak_before_run() ? "before" : "during",
                ctx.memory.peak_before_run() ? "the run"
                                             : run_phase_names[static_cast<std::size_t>(ctx.memory.peak_phase())],
                budget.peak() / mib, (config.directory / "run_summary.txt").c_str());
  } catch (const lf::io::interrupted& e) {
    const std::string what = "interrupted by signal " + std::to_string(e.signal) + " " + progress_text(ctx) +
                             "; complete outputs: " + completed_text(ctx);
    try {
      ctx.memory.finish();
      write_summary(ctx, what, overrides, seconds_since(t0));
    } catch (const std::exception&) {
    }
    report_error(what);
    return 128 + e.signal;
  } catch (const std::exception& e) {
    try {
      ctx.memory.finish();
      write_summary(ctx, std::string("failed: ") + e.what(), overrides, seconds_since(t0));
    } catch (const std::exception&) {
    }
    report_error(e.what());
    return dynamic_cast<const lf::config_error*>(&e) != nullptr ? 2 : 1;
  }
  return 0;
}
