# Live comparison of tensor printing with real PyTorch (see print_vs_pytorch.py): CTest
# skips it (exit 77) where PyTorch cannot be imported.
add_executable(aliasguard_print_cases ${CMAKE_CURRENT_LIST_DIR}/print_cases.cpp)
target_link_libraries(aliasguard_print_cases PRIVATE aliasguard::runtime)
aliasguard_set_warnings(aliasguard_print_cases)

# Debian's python3-torch is installed for the system interpreter, not for a venv on PATH.
set(AG_PYTORCH_PYTHON /usr/bin/python3 CACHE FILEPATH "Python interpreter that can import torch")
add_test(NAME print_vs_pytorch
  COMMAND ${AG_PYTORCH_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/print_vs_pytorch.py $<TARGET_FILE:aliasguard_print_cases>)
set_tests_properties(print_vs_pytorch PROPERTIES SKIP_RETURN_CODE 77 LABELS conformance)
