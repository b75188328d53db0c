# The 8-thread stress test (tracker_stress.cpp): exactly the planted violations, and clean
# under ThreadSanitizer when built with the tsan preset (label tsan).
add_executable(aliasguard_tracker_stress ${CMAKE_CURRENT_LIST_DIR}/tracker_stress.cpp)
target_link_libraries(aliasguard_tracker_stress PRIVATE aliasguard::tracker)
aliasguard_set_warnings(aliasguard_tracker_stress)
add_test(NAME tracker_stress COMMAND aliasguard_tracker_stress)
set_tests_properties(tracker_stress PROPERTIES
  ENVIRONMENT "ALIASGUARD_OPTIONS=dedup=0:max_reports=3"
  PASS_REGULAR_EXPRESSION "tracker_stress: 40 violations reported, 40 planted, 0 not at the planted sites"
  FAIL_REGULAR_EXPRESSION "WARNING: ThreadSanitizer"
  LABELS "tracker;tsan" TIMEOUT 300)
add_test(NAME tracker_stress_eager COMMAND aliasguard_tracker_stress eager)
set_tests_properties(tracker_stress_eager PROPERTIES
  ENVIRONMENT "ALIASGUARD_OPTIONS=detect=write:dedup=0:max_reports=3"
  PASS_REGULAR_EXPRESSION "tracker_stress: 16000 violations reported, 16000 planted, 0 not at the planted sites"
  FAIL_REGULAR_EXPRESSION "WARNING: ThreadSanitizer"
  LABELS "tracker;tsan" TIMEOUT 300)
