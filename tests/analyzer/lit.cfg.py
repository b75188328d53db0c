# lit configuration for the analyzer tests. Paths come as parameters (-D name=value) from
# CMake, so one test file under one front end is one `lit` run and one CTest entry
# (tests/analyzer/CMakeLists.txt). `frontend` picks how %check_aliasguard runs the checks:
# tool (aliasguard-check), tidy (clang-tidy-19 --load), plugin (clang++-19 -fplugin) or
# agree (all three, findings compared); see check_aliasguard.py.
import os
import shlex
import sys

import lit.formats

config.name = "aliasguard-analyzer"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".cpp", ".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = lit_config.params.get("exec_root", config.test_source_root)

params = lit_config.params
tool = params["aliasguard_check"]
filecheck = params["filecheck"]
frontend = params.get("frontend", "tool")
source_root = os.path.abspath(os.path.join(config.test_source_root, "..", ".."))
torch_include = "/usr/include/torch/csrc/api/include"

# The plugin front ends' programs; absent ones are simply not passed (check_aliasguard.py
# then refuses a front end that needs them).
frontend_paths = []
for param, option in (("clang_tidy", "--clang-tidy"), ("tidy_plugin", "--tidy-plugin"),
                      ("clangxx", "--clangxx"), ("clang_plugin", "--clang-plugin")):
    if params.get(param):
        frontend_paths.append("%s=%s" % (option, shlex.quote(params[param])))

config.substitutions.append(
    ("%check_aliasguard",
     " ".join([sys.executable, os.path.join(config.test_source_root, "check_aliasguard.py"),
               "--frontend=" + frontend, "--tool=" + tool, "--filecheck=" + filecheck,
               *frontend_paths])))
config.substitutions.append(("%aliasguard_check", tool))
config.substitutions.append(("%FileCheck", filecheck))
for param in ("clang_tidy", "tidy_plugin", "clangxx", "clang_plugin"):
    if params.get(param):
        config.substitutions.append(("%" + param, params[param]))
config.substitutions.append(("%runtime_include", os.path.join(source_root, "runtime", "include")))
config.substitutions.append(("%examples", os.path.join(source_root, "examples")))
config.substitutions.append(("%torch_include", torch_include))
if os.path.exists(os.path.join(torch_include, "torch", "nn", "module.h")):
    config.available_features.add("libtorch")
