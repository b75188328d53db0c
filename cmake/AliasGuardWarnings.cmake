# aliasguard_set_warnings(<target>): strict warnings for aliasguard's own code only, so
# users compiling against our headers never inherit them.
function(aliasguard_set_warnings target)
  set(cxx_flags -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
      -Wunused -Woverloaded-virtual -Wconversion -Wno-sign-conversion)
  if(AG_WARNINGS_AS_ERRORS)
    list(APPEND cxx_flags -Werror)
    # GCC 12's optimiser reports bogus -Wfree-nonheap-object (std::vector destructors) and
    # -Wrestrict (std::string appends) at -O2/-O3 (GCC bugs 108088, 105329); keep those two
    # warnings, not errors, there.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      list(APPEND cxx_flags -Wno-error=free-nonheap-object -Wno-error=restrict)
    endif()
  endif()
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${cxx_flags}>)
  if(AG_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-Werror=all-warnings>)
  endif()
endfunction()
