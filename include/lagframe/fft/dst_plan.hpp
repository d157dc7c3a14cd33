// SPDX-License-Identifier: BSD-3-Clause
#pragma once

/// \file dst_plan.hpp
/// RAII FFTW plan for the in-place 3D type-I discrete sine transform (FFTW RODFT00) of an
/// n³ array, float or double: Y_l = 2 Σ_{i=0}^{n−1} X_i sin(π (i+1)(l+1)/(n+1)) per axis.
/// The transform is its own inverse up to the factor (2(n+1))³ per 3D round trip.
/// Used by the Dirichlet Poisson solver of sCOLA tiles (docs/physics.md §11.3).
///
/// Threading: a plan is made for one thread (tiles are the unit of parallelism) and may be
/// executed concurrently from several threads on different arrays (fftw_execute_r2r with new
/// arrays is thread-safe); planning is serialised by the process-wide FFTW planner mutex.

#include <fftw3.h>

#include <cstddef>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

#include "lagframe/core/error.hpp"
#include "lagframe/fft/plan.hpp"

namespace lagframe::fft {

namespace detail {

template <class Real>
struct fftw_r2r_api;

template <>
struct fftw_r2r_api<double> {
  using plan = fftw_plan;
  static plan dst1(int n, double* data, unsigned flags) {
    return fftw_plan_r2r_3d(n, n, n, data, data, FFTW_RODFT00, FFTW_RODFT00, FFTW_RODFT00, flags);
  }
  static plan dst1_2d(int n, double* data, unsigned flags) {
    return fftw_plan_r2r_2d(n, n, data, data, FFTW_RODFT00, FFTW_RODFT00, flags);
  }
  static void exec(plan p, double* data) { fftw_execute_r2r(p, data, data); }
  static void destroy(plan p) { fftw_destroy_plan(p); }
  static void nthreads(int n) { fftw_plan_with_nthreads(n); }
};

template <>
struct fftw_r2r_api<float> {
  using plan = fftwf_plan;
  static plan dst1(int n, float* data, unsigned flags) {
    return fftwf_plan_r2r_3d(n, n, n, data, data, FFTW_RODFT00, FFTW_RODFT00, FFTW_RODFT00, flags);
  }
  static plan dst1_2d(int n, float* data, unsigned flags) {
    return fftwf_plan_r2r_2d(n, n, data, data, FFTW_RODFT00, FFTW_RODFT00, flags);
  }
  static void exec(plan p, float* data) { fftwf_execute_r2r(p, data, data); }
  static void destroy(plan p) { fftwf_destroy_plan(p); }
  static void nthreads(int n) { fftwf_plan_with_nthreads(n); }
};

}  // namespace detail

/// In-place DST-I of an n³ (or, with dims = 2, n²) contiguous array (row-major, last index
/// fastest).
template <class Real>
class dst1_plan {
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "lagframe::fft::dst1_plan: Real must be float or double");
  using api = detail::fftw_r2r_api<Real>;

 public:
  dst1_plan() = default;
  explicit dst1_plan(std::size_t n, planning how = planning::estimate, int dims = 3) : n_(n), dims_(dims) {
    require(n >= 1, "DST size", n, "at least 1");
    require(dims == 2 || dims == 3, "DST dimensions", dims, "2 or 3");
    detail::init_threads_once();
    std::lock_guard lock(detail::planner_mutex());
    std::vector<Real> scratch(elements());
    api::nthreads(1);
    const unsigned flags = how == planning::measure ? FFTW_MEASURE : FFTW_ESTIMATE;
    plan_ = dims == 3 ? api::dst1(static_cast<int>(n), scratch.data(), flags)
                      : api::dst1_2d(static_cast<int>(n), scratch.data(), flags);
    if (plan_ == nullptr) {
      throw error(lagframe::detail::concat("lagframe: FFTW could not plan a ", n, "^3 sine transform"));
    }
  }
  dst1_plan(const dst1_plan&) = delete;
  dst1_plan& operator=(const dst1_plan&) = delete;
  dst1_plan(dst1_plan&& o) noexcept { swap(o); }
  dst1_plan& operator=(dst1_plan&& o) noexcept {
    swap(o);
    return *this;
  }
  ~dst1_plan() {
    if (plan_ != nullptr) {
      std::lock_guard lock(detail::planner_mutex());
      api::destroy(plan_);
    }
  }

  [[nodiscard]] std::size_t size_1d() const { return n_; }
  [[nodiscard]] std::size_t elements() const { return dims_ == 3 ? n_ * n_ * n_ : n_ * n_; }
  /// Round-trip normalisation: transform(transform(x)) = (2(n+1))^dims x.
  [[nodiscard]] double round_trip_factor() const {
    const double m = 2.0 * static_cast<double>(n_ + 1);
    return dims_ == 3 ? m * m * m : m * m;
  }

  /// In place on data[0 .. n³). The array must be at least 16-byte aligned like the planning
  /// scratch (std::vector storage is), or FFTW may use unaligned SIMD.
  void transform(std::vector<Real>& data) const {
    require(data.size() == elements(), "DST array size", data.size(),
            lagframe::detail::concat(n_, "^", dims_, " elements"));
    api::exec(plan_, data.data());
  }

 private:
  void swap(dst1_plan& o) noexcept {
    std::swap(n_, o.n_);
    std::swap(dims_, o.dims_);
    std::swap(plan_, o.plan_);
  }
  std::size_t n_ = 0;
  int dims_ = 3;
  typename api::plan plan_ = nullptr;
};

}  // namespace lagframe::fft
