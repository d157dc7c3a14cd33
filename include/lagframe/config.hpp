// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file config.hpp
/// The only macros lagframe defines.
///
/// LAGFRAME_ASSERT checks an internal invariant in hot code. It is active unless NDEBUG is
/// defined (Release builds), and is never used for validating user input: that always throws.

#include <cstdio>
#include <cstdlib>

#if defined(NDEBUG)
#define LAGFRAME_ASSERT(cond, msg) ((void)0)
#else
#define LAGFRAME_ASSERT(cond, msg)                                                          \
  ((cond) ? (void)0                                                                          \
          : (std::fprintf(stderr, "lagframe: assertion failed: %s (%s) at %s:%d\n", #cond, \
                          msg, __FILE__, __LINE__),                                          \
             std::abort()))
#endif

#if defined(__GNUC__)
#define LAGFRAME_INLINE inline __attribute__((always_inline))
/// A rarely taken path kept out of line, so that it does not bloat the hot loop that calls it.
#define LAGFRAME_COLD __attribute__((noinline, cold))
#else
#define LAGFRAME_INLINE inline
#define LAGFRAME_COLD
#endif
