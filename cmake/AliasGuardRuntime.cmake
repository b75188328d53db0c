# aliasguard_link_runtime(<target> [PRIVATE|PUBLIC|INTERFACE])
# Links the checked runtime in Debug builds (every aliasing violation is reported) and the
# unchecked one otherwise (tracking compiled out). Same headers, same ABI.
#
# One definition for aliasguard's own build (included from the top-level CMakeLists.txt) and
# for find_package(AliasGuard) (installed next to AliasGuardConfig.cmake, which includes it):
# the imported AliasGuard:: targets where the package defined them, else aliasguard::.
function(aliasguard_link_runtime target)
  set(scope PRIVATE)
  if(ARGC GREATER 1)
    set(scope ${ARGV1})
  endif()
  set(namespace aliasguard)
  if(TARGET AliasGuard::runtime_checked)
    set(namespace AliasGuard)
  endif()
  target_link_libraries(${target} ${scope}
    $<IF:$<CONFIG:Debug>,${namespace}::runtime_checked,${namespace}::runtime>)
endfunction()

# aliasguard_link_torch(<target> [PRIVATE|PUBLIC|INTERFACE])
# For LibTorch programs: links the checked LibTorch layer in Debug builds (every ATen
# operator call is checked through the dispatcher) and the unchecked one otherwise; both
# give <aliasguard/torch.h>.
function(aliasguard_link_torch target)
  set(scope PRIVATE)
  if(ARGC GREATER 1)
    set(scope ${ARGV1})
  endif()
  set(namespace aliasguard)
  if(TARGET AliasGuard::torch_checked)
    set(namespace AliasGuard)
  endif()
  target_link_libraries(${target} ${scope}
    $<IF:$<CONFIG:Debug>,${namespace}::torch_checked,${namespace}::torch>)
endfunction()
