// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file interrupt.hpp
/// A request to stop, set from a signal handler and honoured at safe points: long writes check
/// it between files and chunks and throw io::interrupted, so their temporaries are removed and
/// no output appears half-written (atomic_file.hpp). Programs install the handler themselves
/// (lagframe-run does for SIGINT and SIGTERM) and decide what to do with the exception.

#include <atomic>

#include "lagframe/core/error.hpp"

namespace lagframe::io {

/// The signal number that asked the program to stop, 0 while none did. Constant-initialised
/// and lock-free, so a signal handler may store to it.
inline std::atomic<int> interrupt_signal{0};

/// For a signal handler: record the request (one atomic store; async-signal-safe).
inline void request_interrupt(int signal) noexcept { interrupt_signal.store(signal, std::memory_order_relaxed); }

/// Thrown at a safe point after an interrupt request; carries the signal number.
struct interrupted : error {
  int signal;
  explicit interrupted(int s)
      : error(lagframe::detail::concat("lagframe: interrupted by signal ", s)), signal(s) {}
};

/// Throws io::interrupted if a stop was requested.
inline void throw_if_interrupted() {
  if (const int s = interrupt_signal.load(std::memory_order_relaxed); s != 0) throw interrupted(s);
}

}  // namespace lagframe::io
