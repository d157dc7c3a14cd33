# Dependency discovery shared by the build tree and the installed lagframeConfig.cmake.
# Debian ships FFTW without a CMake config and an xsimd target that links a missing "xtl",
# so both are wrapped in lagframe's own imported targets found through pkg-config.
include_guard(GLOBAL)
include(CMakeFindDependencyMacro)

find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(PkgConfig REQUIRED)

if(NOT TARGET lagframe::fftw3)
  pkg_check_modules(LAGFRAME_FFTW3 REQUIRED IMPORTED_TARGET GLOBAL fftw3 fftw3f)
  find_library(LAGFRAME_FFTW3_OMP fftw3_omp HINTS ${LAGFRAME_FFTW3_LIBRARY_DIRS} REQUIRED)
  find_library(LAGFRAME_FFTW3F_OMP fftw3f_omp HINTS ${LAGFRAME_FFTW3_LIBRARY_DIRS} REQUIRED)
  add_library(lagframe::fftw3 INTERFACE IMPORTED GLOBAL)
  # The OpenMP FFTW libraries must come before libfftw3 on the link line.
  target_link_libraries(lagframe::fftw3 INTERFACE
    ${LAGFRAME_FFTW3_OMP} ${LAGFRAME_FFTW3F_OMP} PkgConfig::LAGFRAME_FFTW3)
endif()

if(NOT TARGET lagframe::xsimd)
  pkg_check_modules(LAGFRAME_XSIMD REQUIRED IMPORTED_TARGET GLOBAL xsimd>=8)
  add_library(lagframe::xsimd INTERFACE IMPORTED GLOBAL)
  target_include_directories(lagframe::xsimd INTERFACE ${LAGFRAME_XSIMD_INCLUDE_DIRS})
endif()

# Optional: PNG output (io/png.hpp) through Debian's libstb.
if(NOT TARGET lagframe::png)
  pkg_check_modules(LAGFRAME_STB QUIET IMPORTED_TARGET GLOBAL stb)
  if(LAGFRAME_STB_FOUND)
    add_library(lagframe::png INTERFACE IMPORTED GLOBAL)
    target_link_libraries(lagframe::png INTERFACE PkgConfig::LAGFRAME_STB)
  endif()
endif()

# Optional: Gadget-4 HDF5 snapshots (io/gadget_hdf5.hpp). Not linked into lagframe::lagframe:
# users who include that header link lagframe::hdf5 themselves.
if(NOT TARGET lagframe::hdf5)
  # FindHDF5 test-compiles a C program, so the C language must be enabled.
  get_property(_lagframe_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if(NOT "C" IN_LIST _lagframe_languages)
    include(CheckLanguage)
    check_language(C)
    if(CMAKE_C_COMPILER)
      enable_language(C)
    endif()
  endif()
  if("C" IN_LIST _lagframe_languages OR CMAKE_C_COMPILER)
    find_package(HDF5 QUIET COMPONENTS C)
  endif()
  if(HDF5_FOUND)
    add_library(lagframe::hdf5 INTERFACE IMPORTED GLOBAL)
    target_include_directories(lagframe::hdf5 INTERFACE ${HDF5_INCLUDE_DIRS})
    target_link_libraries(lagframe::hdf5 INTERFACE ${HDF5_LIBRARIES})
    target_compile_definitions(lagframe::hdf5 INTERFACE ${HDF5_DEFINITIONS})
  endif()
endif()

# Optional: MPI with FFTW's MPI transforms (ic/lpt_mpi.hpp, scola/mpi_executor.hpp). Not linked
# into lagframe::lagframe: users who include those headers link lagframe::fftw_mpi themselves.
if(NOT TARGET lagframe::fftw_mpi)
  find_package(MPI QUIET COMPONENTS CXX)
  find_library(LAGFRAME_FFTW3_MPI fftw3_mpi HINTS ${LAGFRAME_FFTW3_LIBRARY_DIRS})
  find_library(LAGFRAME_FFTW3F_MPI fftw3f_mpi HINTS ${LAGFRAME_FFTW3_LIBRARY_DIRS})
  if(MPI_CXX_FOUND AND LAGFRAME_FFTW3_MPI AND LAGFRAME_FFTW3F_MPI)
    add_library(lagframe::fftw_mpi INTERFACE IMPORTED GLOBAL)
    # The MPI FFTW libraries must come before libfftw3 on the link line.
    target_link_libraries(lagframe::fftw_mpi INTERFACE ${LAGFRAME_FFTW3_MPI} ${LAGFRAME_FFTW3F_MPI} MPI::MPI_CXX
                                                      lagframe::fftw3)
  endif()
endif()

# Optional: the TorchScript emulator of the COCA frame (frame/emulators/torchscript.hpp) through
# Debian's libtorch-dev. Not linked into lagframe::lagframe: users who include that header link
# lagframe::torch themselves. In the build tree LAGFRAME_WITH_TORCH=OFF skips the search; an
# installed lagframe looks for libtorch only when asked, find_package(lagframe COMPONENTS torch),
# so that projects that do not use it see none of libtorch's configure output.
if(LAGFRAME_FROM_PACKAGE)
  set(_lagframe_torch OFF)
  if("torch" IN_LIST lagframe_FIND_COMPONENTS)
    set(_lagframe_torch ON)
  endif()
else()
  if(NOT DEFINED LAGFRAME_WITH_TORCH)
    set(LAGFRAME_WITH_TORCH ON CACHE BOOL "Look for libtorch (the TorchScript COCA emulator)")
  endif()
  set(_lagframe_torch ${LAGFRAME_WITH_TORCH})
endif()
if(_lagframe_torch AND NOT TARGET lagframe::torch)
  find_package(Torch QUIET)
  if(Torch_FOUND)
    add_library(lagframe::torch INTERFACE IMPORTED GLOBAL)
    target_link_libraries(lagframe::torch INTERFACE ${TORCH_LIBRARIES})
  endif()
endif()
