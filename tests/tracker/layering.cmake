# The tracker stays free of tensor and nn headers (docs/tracker.md, "Headers"): its sources and
# its public headers include only the tracker's own headers and aliasguard/base_error.h.
add_test(NAME tracker.layering.no_tensor_headers
  COMMAND Python3::Interpreter ${CMAKE_CURRENT_LIST_DIR}/layering_test.py
          ${PROJECT_SOURCE_DIR}/runtime/tracker ${PROJECT_SOURCE_DIR}/runtime/include/aliasguard/tracker)
set_tests_properties(tracker.layering.no_tensor_headers PROPERTIES LABELS tracker)
