// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file aligned_vector.hpp
/// std::vector with 64-byte aligned storage (SIMD loads, FFTW plans made on one array and
/// executed on another require equal alignment).

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace lagframe {

template <class T, std::size_t Alignment = 64>
struct aligned_allocator {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = aligned_allocator<U, Alignment>;
  };
  aligned_allocator() noexcept = default;
  template <class U>
  aligned_allocator(const aligned_allocator<U, Alignment>&) noexcept {}

  T* allocate(std::size_t n) {
    if (n == 0) return nullptr;
    std::size_t bytes = n * sizeof(T);
    bytes = (bytes + Alignment - 1) / Alignment * Alignment;
    void* p = std::aligned_alloc(Alignment, bytes);
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) noexcept { std::free(p); }
  template <class U>
  bool operator==(const aligned_allocator<U, Alignment>&) const noexcept {
    return true;
  }
};

template <class T>
using aligned_vector = std::vector<T, aligned_allocator<T>>;

}  // namespace lagframe
