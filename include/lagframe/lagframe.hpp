// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file lagframe.hpp
/// Umbrella header: everything a user program needs.

#include "lagframe/version.hpp"
#include "lagframe/core/box.hpp"
#include "lagframe/core/error.hpp"
#include "lagframe/core/field.hpp"
#include "lagframe/fft/plan.hpp"
#include "lagframe/mesh/cic.hpp"
#include "lagframe/mesh/ngp.hpp"
#include "lagframe/mesh/tsc.hpp"
#include "lagframe/mesh/deposit.hpp"
#include "lagframe/mesh/interpolate.hpp"
