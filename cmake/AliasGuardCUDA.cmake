# Optional CUDA backend. AG_ENABLE_CUDA=AUTO builds it when nvcc is found, ON requires it,
# OFF never builds it. Sets AG_HAS_CUDA.
set(AG_ENABLE_CUDA AUTO CACHE STRING "Build the CUDA backend: AUTO (when nvcc is found), ON, OFF")
set_property(CACHE AG_ENABLE_CUDA PROPERTY STRINGS AUTO ON OFF)
set(AG_HAS_CUDA OFF)

if(NOT AG_ENABLE_CUDA MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "AG_ENABLE_CUDA must be AUTO, ON or OFF, not '${AG_ENABLE_CUDA}'")
endif()

if(NOT AG_ENABLE_CUDA STREQUAL "OFF")
  # Debian's CUDA lives outside PATH unless the user added it; look there too.
  if(NOT CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX} AND EXISTS /usr/local/cuda/bin/nvcc)
    find_program(_ag_nvcc nvcc)
    if(NOT _ag_nvcc)
      set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc CACHE FILEPATH "CUDA compiler")
    endif()
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      # 90 = sm_90 machine code plus compute_90 PTX, which newer GPUs JIT-compile.
      set(CMAKE_CUDA_ARCHITECTURES 90)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    set(AG_HAS_CUDA ON)
  elseif(AG_ENABLE_CUDA STREQUAL "ON")
    message(FATAL_ERROR "AG_ENABLE_CUDA=ON but no CUDA compiler (nvcc) was found; set CMAKE_CUDA_COMPILER or use AUTO/OFF")
  endif()
endif()
