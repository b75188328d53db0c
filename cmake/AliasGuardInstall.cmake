# What `cmake --install <build> [--prefix P]` puts under P (README.md, "Install and use from
# CMake"), besides the targets' own install() rules next to them:
#
#   include/aliasguard/...                         public headers         (runtime/CMakeLists.txt)
#   lib/libaliasguard_runtime{,_checked}.a         the two runtimes       (runtime/tensor)
#   lib/libaliasguard_{tracker,extent}.a           what they link         (runtime/tracker)
#   bin/aliasguard-check                           with the analyzer      (analyzer/)
#   bin/aliasguard-report                          runtime reports to SARIF (tools/; below)
#   lib/aliasguard/AliasGuard{Tidy,Clang}Plugin.so with the analyzer      (plugins/)
#   lib/cmake/AliasGuard/                          find_package(AliasGuard): AliasGuard::runtime,
#                                                  AliasGuard::runtime_checked, aliasguard_link_runtime()
#                                                  (AliasGuardRuntime.cmake, as in this build)
#   lib/pkgconfig/aliasguard{,-checked}.pc         pkg-config: unchecked / checked runtime
#   lib/libaliasguard_torch{,_checked}.so          with LibTorch: the LibTorch layer (plugins/libtorch),
#   include/aliasguard/torch.h                     AliasGuard::torch{,_checked}, aliasguard_link_torch()
#   lib/pkgconfig/aliasguard-torch{,-checked}.pc   and pkg-config files for them
#
# (lib is CMAKE_INSTALL_LIBDIR: lib/<multiarch> when the prefix is /usr on Debian.) Both
# package descriptions are relocatable: they find the prefix from their own location.
include(CMakePackageConfigHelpers)

set(AG_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/AliasGuard")
set(AG_INSTALL_PLUGINDIR "${CMAKE_INSTALL_LIBDIR}/aliasguard")

install(EXPORT AliasGuardTargets
        NAMESPACE AliasGuard::
        FILE AliasGuardTargets.cmake
        DESTINATION "${AG_INSTALL_CMAKEDIR}")
# The LibTorch layer's targets link LibTorch's imported targets (torch, torch_library) and
# libc10: AliasGuardConfig.cmake includes this file only after find_package(Torch) found them.
set(AG_TORCH_DIR "")
if(AG_HAS_TORCH)
  install(EXPORT AliasGuardTorchTargets
          NAMESPACE AliasGuard::
          FILE AliasGuardTorchTargets.cmake
          DESTINATION "${AG_INSTALL_CMAKEDIR}")
  set(AG_TORCH_DIR "${Torch_DIR}")  # a hint for the consumer's find_package(Torch)
endif()

# The CUDA backend's objects are inside the runtime archives, which therefore link
# CUDA::cudart_static: the package config finds the CUDA toolkit again (hinted at the one used
# here) and the .pc files name its static runtime and what that needs (rt, dl, pthread).
set(AG_CUDA_TOOLKIT_ROOT "")
set(ag_pc_cuda_libs "")
if(AG_HAS_CUDA)
  get_filename_component(AG_CUDA_TOOLKIT_ROOT "${CUDAToolkit_BIN_DIR}" DIRECTORY)
  get_target_property(ag_cudart_static CUDA::cudart_static IMPORTED_LOCATION)
  get_filename_component(ag_cudart_dir "${ag_cudart_static}" DIRECTORY)
  set(ag_pc_cuda_libs "-L${ag_cudart_dir}" -lcudart_static)
endif()

# The analyzer's files, for AliasGuard_CHECK_EXECUTABLE / _TIDY_PLUGIN / _CLANG_PLUGIN.
set(AG_INSTALL_CHECK_EXECUTABLE "${CMAKE_INSTALL_BINDIR}/aliasguard-check${CMAKE_EXECUTABLE_SUFFIX}")
set(AG_INSTALL_TIDY_PLUGIN "${AG_INSTALL_PLUGINDIR}/AliasGuardTidyPlugin${CMAKE_SHARED_MODULE_SUFFIX}")
set(AG_INSTALL_CLANG_PLUGIN "${AG_INSTALL_PLUGINDIR}/AliasGuardClangPlugin${CMAKE_SHARED_MODULE_SUFFIX}")

configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/AliasGuardConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/AliasGuardConfig.cmake"
  INSTALL_DESTINATION "${AG_INSTALL_CMAKEDIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR AG_INSTALL_CHECK_EXECUTABLE AG_INSTALL_TIDY_PLUGIN
            AG_INSTALL_CLANG_PLUGIN
  NO_CHECK_REQUIRED_COMPONENTS_MACRO)
# 0.x: minor versions may break the API, so 0.1 accepts requests for 0.1 only (1.x and later:
# use SameMajorVersion).
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/AliasGuardConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
# AliasGuardRuntime.cmake: aliasguard_link_runtime(), the same file as in this build.
install(FILES "${PROJECT_BINARY_DIR}/AliasGuardConfig.cmake"
              "${PROJECT_BINARY_DIR}/AliasGuardConfigVersion.cmake"
              "${CMAKE_CURRENT_LIST_DIR}/AliasGuardRuntime.cmake"
        DESTINATION "${AG_INSTALL_CMAKEDIR}")

# pkg-config: aliasguard.pc (tracking compiled out) and aliasguard-checked.pc; the prefix is
# ${pcfiledir}/<back to the prefix>, so the files stay right under `--prefix` and DESTDIR.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(AG_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH ag_pc_up "/ag/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/ag")  # ../.. for lib
  string(REGEX REPLACE "/$" "" ag_pc_up "${ag_pc_up}")
  set(AG_PC_PREFIX "\${pcfiledir}/${ag_pc_up}")
endif()
set(AG_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
set(AG_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(AG_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(AG_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
endif()
foreach(variant IN ITEMS unchecked checked)
  # Static archives, so Libs lists everything they need, in link order: ours, cudart, the
  # system's (the tracker needs threads and dl, cudart_static rt, threads and dl).
  set(ag_pc_system_libs "")
  if(variant STREQUAL "checked")
    set(AG_PC_NAME aliasguard-checked)
    set(AG_PC_DESCRIPTION "aliasguard tensor runtime, checked: reports state_dict aliasing bugs as they happen")
    set(ag_pc_libs -laliasguard_runtime_checked -laliasguard_tracker -laliasguard_extent)
    list(APPEND ag_pc_system_libs -pthread)
    foreach(lib IN LISTS CMAKE_DL_LIBS)
      list(APPEND ag_pc_system_libs -l${lib})
    endforeach()
  else()
    set(AG_PC_NAME aliasguard)
    set(AG_PC_DESCRIPTION "aliasguard tensor runtime (alias tracking compiled out)")
    set(ag_pc_libs -laliasguard_runtime -laliasguard_extent)
  endif()
  if(AG_HAS_CUDA)
    list(APPEND ag_pc_libs ${ag_pc_cuda_libs})
    list(APPEND ag_pc_system_libs -lrt -pthread)
    foreach(lib IN LISTS CMAKE_DL_LIBS)
      list(APPEND ag_pc_system_libs -l${lib})
    endforeach()
  endif()
  list(REMOVE_DUPLICATES ag_pc_system_libs)
  list(JOIN ag_pc_libs " " AG_PC_LIBS)
  if(ag_pc_system_libs)
    list(JOIN ag_pc_system_libs " " ag_pc_system)
    string(APPEND AG_PC_LIBS " ${ag_pc_system}")
  endif()
  set(AG_PC_CFLAGS "-std=c++20")
  configure_file("${CMAKE_CURRENT_LIST_DIR}/aliasguard.pc.in" "${PROJECT_BINARY_DIR}/${AG_PC_NAME}.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/${AG_PC_NAME}.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
endforeach()

# pkg-config for the LibTorch layer: aliasguard-torch.pc and aliasguard-torch-checked.pc.
# LibTorch ships no .pc file (Debian's libtorch-dev neither), so Cflags and Libs name what
# TorchConfig gives: its include directories (less the compiler's own), its ABI flag, and
# libtorch, libtorch_cpu and libc10 (-L only where they are not in the linker's default path).
# The layer is shared: Libs adds an rpath to ${libdir}, so a program runs without
# LD_LIBRARY_PATH; the checked library is linked --no-as-needed (the program references none
# of its symbols when it only wants the checking; see plugins/libtorch/CMakeLists.txt).
# C++17: LibTorch 1.13's headers are C++17 code, and so is <aliasguard/torch.h>.
if(AG_HAS_TORCH)
  set(ag_torch_cflags "")
  foreach(dir IN LISTS TORCH_INCLUDE_DIRS)
    if(NOT dir IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
      list(APPEND ag_torch_cflags "-I${dir}")
    endif()
  endforeach()
  list(APPEND ag_torch_cflags ${TORCH_CXX_FLAGS} -std=c++17)
  list(JOIN ag_torch_cflags " " ag_torch_cflags)
  get_filename_component(ag_torch_libdir "${TORCH_LIBRARY}" DIRECTORY)
  set(ag_torch_libs "")
  if(NOT ag_torch_libdir IN_LIST CMAKE_CXX_IMPLICIT_LINK_DIRECTORIES)
    list(APPEND ag_torch_libs "-L${ag_torch_libdir}" "-Wl,-rpath,${ag_torch_libdir}")
  endif()
  list(APPEND ag_torch_libs -ltorch -ltorch_cpu -lc10)
  list(JOIN ag_torch_libs " " ag_torch_libs)
  foreach(variant IN ITEMS unchecked checked)
    if(variant STREQUAL "checked")
      set(AG_PC_NAME aliasguard-torch-checked)
      set(AG_PC_DESCRIPTION "aliasguard for LibTorch, checked: every ATen operator call checked for state_dict aliasing bugs")
      set(ag_pc_self "-Wl,--push-state,--no-as-needed -laliasguard_torch_checked -Wl,--pop-state")
    else()
      set(AG_PC_NAME aliasguard-torch)
      set(AG_PC_DESCRIPTION "aliasguard for LibTorch: state_dict, deep_copy, load_state_dict (no checking)")
      set(ag_pc_self "-laliasguard_torch")
    endif()
    set(AG_PC_LIBS "-Wl,-rpath,\${libdir} ${ag_pc_self} ${ag_torch_libs}")
    set(AG_PC_CFLAGS "${ag_torch_cflags}")
    configure_file("${CMAKE_CURRENT_LIST_DIR}/aliasguard.pc.in" "${PROJECT_BINARY_DIR}/${AG_PC_NAME}.pc" @ONLY)
    install(FILES "${PROJECT_BINARY_DIR}/${AG_PC_NAME}.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
  endforeach()
endif()

# aliasguard-report (Python 3, standard library only): the checked runtime's JSON reports as
# SARIF, for code scanning next to aliasguard-check's (docs/checked-runtime.md). Installed
# whether or not the analyzer is built: it needs no Clang.
install(PROGRAMS "${PROJECT_SOURCE_DIR}/tools/aliasguard-report" DESTINATION "${CMAKE_INSTALL_BINDIR}")
