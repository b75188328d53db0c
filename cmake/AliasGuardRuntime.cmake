# aliasguard_link_runtime(<target> [PRIVATE|PUBLIC|INTERFACE])
# Links the checked runtime in Debug builds (every aliasing violation is reported) and the
# unchecked one otherwise (tracking compiled out). Same headers, same ABI.
#
# One definition for aliasguard's own build (included from the top-level CMakeLists.txt) and
# for find_package(AliasGuard) (installed next to AliasGuardConfig.cmake, which includes it):
# the imported AliasGuard:: targets where the package defined them, else aliasguard::.
function(aliasguard_link_runtime target)
  _aliasguard_link_checked_in_debug(${target} runtime ${ARGN})
endfunction()

# The one rule both link functions follow: <name>_checked in Debug, <name> otherwise, from
# the imported AliasGuard:: targets where the package defined them, else aliasguard::.
function(_aliasguard_link_checked_in_debug target name)
  set(scope PRIVATE)
  if(ARGC GREATER 2)
    set(scope ${ARGV2})
  endif()
  set(namespace aliasguard)
  if(TARGET AliasGuard::${name}_checked)
    set(namespace AliasGuard)
  endif()
  target_link_libraries(${target} ${scope}
    $<IF:$<CONFIG:Debug>,${namespace}::${name}_checked,${namespace}::${name}>)
endfunction()

# aliasguard_link_torch(<target> [PRIVATE|PUBLIC|INTERFACE])
# For LibTorch programs: links the checked LibTorch layer in Debug builds (every ATen
# operator call is checked through the dispatcher) and the unchecked one otherwise; both
# give <aliasguard/torch.h>.
function(aliasguard_link_torch target)
  _aliasguard_link_checked_in_debug(${target} torch ${ARGN})
endfunction()
