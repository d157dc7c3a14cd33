// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file vec3.hpp
/// A three-component vector stored contiguously (x, y, z), used for positions, displacements,
/// momenta and accelerations. Arrays of vec3 are plain arrays of 3·N Real.

#include <array>
#include <cstddef>

namespace lagframe {

template <class Real>
using vec3 = std::array<Real, 3>;

}  // namespace lagframe
