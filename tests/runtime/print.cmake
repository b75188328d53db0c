# Live comparison of tensor printing with real PyTorch (see print_vs_pytorch.py): CTest
# skips it (exit 77) where PyTorch cannot be imported.
add_executable(aliasguard_print_cases ${CMAKE_CURRENT_LIST_DIR}/print_cases.cpp)
target_link_libraries(aliasguard_print_cases PRIVATE aliasguard::runtime)
aliasguard_set_warnings(aliasguard_print_cases)

add_test(NAME print_vs_pytorch
  COMMAND Python3::Interpreter ${CMAKE_CURRENT_LIST_DIR}/print_vs_pytorch.py $<TARGET_FILE:aliasguard_print_cases>)
set_tests_properties(print_vs_pytorch PROPERTIES SKIP_RETURN_CODE 77 LABELS conformance)
