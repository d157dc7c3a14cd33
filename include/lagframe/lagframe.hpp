// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file lagframe.hpp
/// Umbrella header: everything a user program needs except optional outputs with extra
/// dependencies (io/png.hpp needs libstb).

#include "lagframe/version.hpp"

#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/core/vec3.hpp"
#include "lagframe/fft/plan.hpp"

#include "lagframe/cosmology/background.hpp"
#include "lagframe/cosmology/eisenstein_hu.hpp"
#include "lagframe/cosmology/growth.hpp"
#include "lagframe/cosmology/linear_power.hpp"
#include "lagframe/cosmology/parameters.hpp"
#include "lagframe/cosmology/power_table.hpp"

#include "lagframe/ic/gaussian_field.hpp"
#include "lagframe/ic/lpt.hpp"
#include "lagframe/ic/white_noise.hpp"

#include "lagframe/mesh/cic.hpp"
#include "lagframe/mesh/deposit.hpp"
#include "lagframe/mesh/interpolate.hpp"
#include "lagframe/mesh/ngp.hpp"
#include "lagframe/mesh/tsc.hpp"

#include "lagframe/force/concepts.hpp"
#include "lagframe/force/p3m.hpp"
#include "lagframe/force/particle_mesh.hpp"
#include "lagframe/source/sheet_samples.hpp"

#include "lagframe/frame/concepts.hpp"
#include "lagframe/frame/inertial.hpp"
#include "lagframe/frame/lpt.hpp"
#include "lagframe/frame/emulated.hpp"
#include "lagframe/frame/recording.hpp"
#include "lagframe/frame/emulators/concepts.hpp"
#include "lagframe/frame/emulators/none.hpp"
#include "lagframe/frame/emulators/recorded.hpp"
#include "lagframe/frame/emulators/fourier_linear.hpp"

#include "lagframe/stepper/concepts.hpp"
#include "lagframe/stepper/factors.hpp"
#include "lagframe/stepper/force_schedule.hpp"
#include "lagframe/stepper/kick_drift_kick.hpp"
#include "lagframe/stepper/time_grid.hpp"

#include "lagframe/analysis/power_spectrum.hpp"
#include "lagframe/analysis/projected_density.hpp"

#include "lagframe/io/atomic_file.hpp"
#include "lagframe/io/healpix_map.hpp"
#include "lagframe/io/npy.hpp"
#include "lagframe/io/text_table.hpp"

#include "lagframe/simulation.hpp"

#include "lagframe/lightcone/distance.hpp"
#include "lagframe/lightcone/healpix.hpp"
#include "lagframe/lightcone/lightcone.hpp"
