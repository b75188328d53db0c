# aliasguard_link_runtime(<target> [PRIVATE|PUBLIC|INTERFACE])
# Links aliasguard::runtime_checked in Debug builds (every aliasing violation is reported)
# and aliasguard::runtime otherwise (tracking compiled out). Same headers, same ABI.
function(aliasguard_link_runtime target)
  set(scope PRIVATE)
  if(ARGC GREATER 1)
    set(scope ${ARGV1})
  endif()
  target_link_libraries(${target} ${scope}
    $<IF:$<CONFIG:Debug>,aliasguard::runtime_checked,aliasguard::runtime>)
endfunction()
