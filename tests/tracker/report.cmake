# Reports, options and suppressions as a user meets them: report_probe (planted violations)
# run under ALIASGUARD_OPTIONS by run_probe.py, one CTest test per case in run_probe.py.
add_executable(aliasguard_report_probe ${CMAKE_CURRENT_LIST_DIR}/report_probe.cpp)
target_link_libraries(aliasguard_report_probe PRIVATE aliasguard::tracker)
aliasguard_set_warnings(aliasguard_report_probe)

# The same program with __aliasguard_default_options() defined, for the precedence test.
add_executable(aliasguard_report_probe_defaults ${CMAKE_CURRENT_LIST_DIR}/report_probe.cpp)
target_link_libraries(aliasguard_report_probe_defaults PRIVATE aliasguard::tracker)
target_compile_definitions(aliasguard_report_probe_defaults PRIVATE AG_PROBE_DEFAULT_OPTIONS="exitcode=9:dedup=0")
aliasguard_set_warnings(aliasguard_report_probe_defaults)

set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/run_probe.py)
execute_process(COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/run_probe.py list
                OUTPUT_VARIABLE ag_report_cases RESULT_VARIABLE ag_report_cases_rc)
if(NOT ag_report_cases_rc EQUAL 0)
  message(FATAL_ERROR "tests/tracker/run_probe.py list failed (${ag_report_cases_rc})")
endif()
string(REPLACE "\n" ";" ag_report_cases "${ag_report_cases}")
foreach(case IN LISTS ag_report_cases)
  if(case STREQUAL "")
    continue()
  endif()
  add_test(NAME tracker_report.${case}
    COMMAND Python3::Interpreter ${CMAKE_CURRENT_LIST_DIR}/run_probe.py ${case}
      --probe $<TARGET_FILE:aliasguard_report_probe>
      --probe-defaults $<TARGET_FILE:aliasguard_report_probe_defaults>
      --flags ${PROJECT_SOURCE_DIR}/runtime/tracker/flags.inc
      --workdir ${CMAKE_CURRENT_BINARY_DIR}/report_probe/${case})
  set_tests_properties(tracker_report.${case} PROPERTIES LABELS tracker TIMEOUT 120)
endforeach()
