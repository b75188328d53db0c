# The Python interpreter every test runs, as Python3::Interpreter (Python3_EXECUTABLE at
# configure time).
#
# Some tests compare with real PyTorch or validate SARIF against its schema. Debian packages
# those modules (python3-torch, python3-jsonschema) for its system interpreter, which need not
# be the python3 that comes first on PATH (a pyenv shim or a virtual environment may), so the
# interpreter is the first python3 on the search path that imports torch and jsonschema, else
# the first that imports torch, else whatever FindPython3 picks. Tests that need a missing
# module skip (exit 77) and say which module is missing. Set Python3_EXECUTABLE to choose the
# interpreter yourself.

# find_program VALIDATOR: a candidate passes when it imports every module in
# AG_PYTHON_REQUIRED_MODULES.
function(aliasguard_python_imports_modules result candidate)
  string(REPLACE ";" "," modules "${AG_PYTHON_REQUIRED_MODULES}")
  execute_process(COMMAND "${candidate}" -c "import ${modules}"
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET TIMEOUT 120)
  if(NOT rc EQUAL 0)
    set(${result} FALSE PARENT_SCOPE)
  endif()
endfunction()

if(NOT Python3_EXECUTABLE)
  foreach(AG_PYTHON_REQUIRED_MODULES IN ITEMS "torch;jsonschema" "torch")
    string(REPLACE ";" "_" suffix "${AG_PYTHON_REQUIRED_MODULES}")
    string(TOUPPER "AG_PYTHON_WITH_${suffix}" found_var)
    find_program(${found_var} NAMES python3 VALIDATOR aliasguard_python_imports_modules
                 DOC "A python3 that imports ${AG_PYTHON_REQUIRED_MODULES}")
    if(${found_var})
      set(Python3_EXECUTABLE "${${found_var}}" CACHE FILEPATH "The Python interpreter the tests run")
      break()
    endif()
  endforeach()
  if(NOT Python3_EXECUTABLE)
    message(STATUS "aliasguard: no python3 on the search path imports torch; "
                   "the tests against PyTorch will be skipped (apt-get install python3-torch)")
  endif()
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)
message(STATUS "aliasguard: tests run Python ${Python3_EXECUTABLE}")
