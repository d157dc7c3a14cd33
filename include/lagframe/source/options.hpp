// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file options.hpp
/// Run-time options of the density sources (source/concepts.hpp); only source::sheet reads
/// them.

#include <cmath>
#include <cstddef>
#include <string_view>

#include "lagframe/core/error.hpp"

namespace lagframe::source {

/// What the sheet does where it is no longer single-stream (docs/physics.md §15.3).
enum class multistream_policy {
  /// Per particle: the particle's n³ sheet samples where its Lagrangian neighbourhood is single-
  /// stream, the particle itself (its whole mass) where it is not. Mass is conserved exactly.
  blend,
  /// The whole sheet while the multi-stream fraction is below switch_threshold, the particles
  /// alone (source::particles) from then on.
  global_switch,
  /// The sheet everywhere, crossed or not (for tests: the band-limited interpolant rings).
  sheet_everywhere,
};

/// How the sheet is interpolated between the particles (docs/physics.md §15.1, §15.6).
enum class sheet_interpolant {
  /// Band-limited: a Fourier shift of the displacement field on the Lagrangian grid. Exact for
  /// a band-limited sheet; rings where the sheet has folded (multi-stream).
  fourier,
  /// Trilinear in the Lagrangian cell around each sample: positive weights of the 8 particles
  /// at the cell's corners, so every sample lies inside the sheet's element between them, folded
  /// or not (the hexahedral analogue of Abel, Hahn & Kaehler's tetrahedra).
  trilinear,
};

struct source_options {
  /// Sheet resampling factor n: n³ samples per particle (n = 1 is the particles themselves).
  std::size_t resample = 2;
  /// global_switch by default: in examples/sheet_vs_particles it keeps the N³ run 1.8 % from
  /// the (2N)³ run at z = 1 where blend and sheet_everywhere stay 2.1 % away, is the same at z = 3
  /// and z = 0, and costs a particle deposit after the switch (docs/physics.md §15.5). Analyses
  /// of the density (analysis::power_spectrum, analysis::momentum_field) use blend.
  multistream_policy policy = multistream_policy::global_switch;
  /// global_switch: the multi-stream fraction above which the particles are deposited instead.
  double switch_threshold = 0.01;
  sheet_interpolant interpolant = sheet_interpolant::fourier;

  void validate() const {
    require(resample >= 1 && resample <= 8, "source_options.resample", resample,
            "a resampling factor n in [1, 8] (n³ sheet samples per particle)");
    require(std::isfinite(switch_threshold) && switch_threshold >= 0.0 && switch_threshold <= 1.0,
            "source_options.switch_threshold", switch_threshold, "a fraction of the particles in [0, 1]");
  }
};

}  // namespace lagframe::source
