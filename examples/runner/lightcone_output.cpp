// SPDX-License-Identifier: BSD-3-Clause
// The lightcone shells of lagframe-run (lightcone_output.hpp).

#include "lightcone_output.hpp"

#include <cmath>
#include <cstdio>

#include <lagframe/io/healpix_map.hpp>

namespace lagframe_run {

namespace fs = std::filesystem;

lightcone_recorder::lightcone_recorder(const run_config& c)
    : config_(c),
      cone_(c.cosmology, c.box, c.lightcone_options),
      info_(lagframe::io::lightcone_info(cone_, c.cosmology)),
      stream_(cone_, c.directory, "lightcone", info_) {
  cone_.set_stream_callback([this](std::size_t s, std::vector<lagframe::lightcone::crossing>&& crossings) {
    stream_.append(s, crossings);
  });
  cone_.set_shell_callback([this](lagframe::lightcone::shell&& s) { write(std::move(s)); });
}

void lightcone_recorder::resume(const fs::path& earlier, double a_restart) {
  const std::size_t done = stream_.resume(cone_, earlier, a_restart);
  std::printf("lightcone: continued from %s (%zu of %zu shells complete there)\n", earlier.c_str(), done,
              cone_.shell_count());
}

void write_lightcone_shell_files(const run_config& c, const lagframe::lightcone::lightcone& cone,
                                 const lagframe::io::lightcone_file_info& info, lagframe::lightcone::shell&& s,
                                 lagframe::io::lightcone_stream* stream) {
  const fs::path file = lagframe::io::lightcone_shell_path(c.directory, "lightcone", s.index);
  std::size_t particles = s.particles.size();
  if (stream != nullptr)
    particles = stream->complete(s);
  else
    lagframe::io::write_lightcone_shell(file, s, info);
  const double z_near = 1.0 / cone.a_at(s.chi_min) - 1.0, z_far = 1.0 / cone.a_at(s.chi_max) - 1.0;
  std::printf("wrote %s (lightcone shell %zu of %zu: %.1f-%.1f Mpc/h, z = %.3f-%.3f, %zu particles)\n", file.c_str(),
              s.index + 1, cone.shell_count(), s.chi_min, s.chi_max, z_near, z_far, particles);
  if (!s.healpix_counts.empty()) {
    fs::path map = file;
    map.replace_extension();
    map += "_healpix.npy";
    bool empty = true;
    for (const auto count : s.healpix_counts) empty = empty && count == 0;
    if (empty) {
      std::printf("%s: no particles in the shell, no map\n", map.filename().c_str());
    } else {
      lagframe::io::write_healpix_map(map, s.healpix_counts, true);
      std::printf("wrote %s (HEALPix N_side = %lld, RING order, counts / mean - 1)\n", map.c_str(),
                  static_cast<long long>(c.lightcone_options.healpix_nside));
    }
  }
  std::fflush(stdout);
}

void lightcone_recorder::write(lagframe::lightcone::shell&& s) {
  write_lightcone_shell_files(config_, cone_, info_, std::move(s), &stream_);
  ++written_;
}

void lightcone_recorder::save_pending() {
  stream_.save_point(cone_);
  if (cone_.a_front() > 0.0)
    std::printf("saved the lightcone shells in progress with the snapshot (a = %.6f)\n", cone_.a_front());
}

void lightcone_recorder::finish() { cone_.finish(); }

}  // namespace lagframe_run
