// SPDX-License-Identifier: BSD-3-Clause
#pragma once

// [lightcone]: the past lightcone recorded while the run evolves (lightcone/lightcone.hpp as the
// simulation's drift observer; docs/physics.md §16). The crossings of the open shells are
// streamed to disk drift by drift (io/lightcone_stream.hpp: lightcone_<shell>.crossings.bin), so
// memory holds one drift's crossings; each shell is written when the front has passed it:
// output.directory/lightcone_<shell>.hdf5 (io/lightcone_hdf5.hpp, atomically) and, with
// healpix_nside > 0, its density-contrast map lightcone_<shell>_healpix.npy (io/healpix_map.hpp).
// Every snapshot records a restart point of the open shells (lightcone_<shell>.pending.hdf5),
// so that a restart from that snapshot continues them; a restart resumes from the earlier run's
// folder (complete shells there are not recorded again; shells in progress saved at another
// time are refused when the configuration is checked). Needs HDF5.

#include <cstddef>
#include <filesystem>

#include <lagframe/io/lightcone_hdf5.hpp>
#include <lagframe/io/lightcone_stream.hpp>
#include <lagframe/lightcone/lightcone.hpp>

#include "run_config.hpp"

namespace lagframe_run {

/// Writes shell `s` of `cone` into the run's output folder: lightcone_<NNN>.hdf5 (from its
/// crossings, or from those `stream` holds on disk when given) and, with maps,
/// lightcone_<NNN>_healpix.npy; prints what was written.
void write_lightcone_shell_files(const run_config& c, const lagframe::lightcone::lightcone& cone,
                                 const lagframe::io::lightcone_file_info& info, lagframe::lightcone::shell&& s,
                                 lagframe::io::lightcone_stream* stream = nullptr);

class lightcone_recorder {
 public:
  explicit lightcone_recorder(const run_config& c);

  /// Continue the lightcone of the run in `earlier` (its output folder) from a_restart.
  void resume(const std::filesystem::path& earlier, double a_restart);

  /// The drift observer (simulation::set_drift_observer).
  template <class Real>
  void operator()(const lagframe::drift_view<Real>& v) {
    cone_(v);
  }

  /// A restart point of the shells in progress, with the snapshot of the current time.
  void save_pending();
  /// End of the run: the shells still open are complete.
  void finish();

  [[nodiscard]] std::size_t shells() const { return cone_.shell_count(); }
  [[nodiscard]] std::size_t written() const { return written_; }

 private:
  void write(lagframe::lightcone::shell&& s);

  const run_config& config_;
  lagframe::lightcone::lightcone cone_;
  lagframe::io::lightcone_file_info info_;
  lagframe::io::lightcone_stream stream_;
  std::size_t written_ = 0;
};

}  // namespace lagframe_run
