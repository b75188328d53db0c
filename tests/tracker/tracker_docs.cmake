# docs/tracker.md quotes tests/tracker/toy_buffer_example.h verbatim (c_api_example_test.cpp
# compiles and runs it), and the example is valid C, not only C++.
#
# Included from CMakeLists.txt it adds the tests; run with -P it is the doc check itself.
if(CMAKE_SCRIPT_MODE_FILE)
  file(READ "${DOC}" doc_text)
  file(READ "${EXAMPLE}" example_text)
  string(FIND "${doc_text}" "```c\n${example_text}```" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${DOC} no longer quotes ${EXAMPLE} verbatim: copy the file into the ```c block "
                        "of the C example (the test compiles the file, so the doc must show the same code)")
  endif()
  return()
endif()

add_test(NAME tracker_docs.example_quoted
  COMMAND ${CMAKE_COMMAND} -DDOC=${PROJECT_SOURCE_DIR}/docs/tracker.md
          -DEXAMPLE=${CMAKE_CURRENT_LIST_DIR}/toy_buffer_example.h -P ${CMAKE_CURRENT_LIST_FILE})
set_tests_properties(tracker_docs.example_quoted PROPERTIES LABELS tracker)

find_program(AG_TRACKER_C_COMPILER NAMES cc gcc clang DOC "C compiler for checking the C ABI example is valid C")
if(AG_TRACKER_C_COMPILER)
  add_test(NAME tracker_docs.example_is_c
    COMMAND ${AG_TRACKER_C_COMPILER} -x c -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only
            -I${PROJECT_SOURCE_DIR}/runtime/include ${CMAKE_CURRENT_LIST_DIR}/toy_buffer_example.h)
  set_tests_properties(tracker_docs.example_is_c PROPERTIES LABELS tracker)
endif()
