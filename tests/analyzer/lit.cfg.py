# lit configuration for the analyzer tests. Paths come as parameters (-D name=value) from
# CMake, so one test file is one `lit` run and one CTest entry.
import os
import sys

import lit.formats

config.name = "aliasguard-analyzer"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".cpp", ".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = lit_config.params.get("exec_root", config.test_source_root)

tool = lit_config.params["aliasguard_check"]
filecheck = lit_config.params["filecheck"]
source_root = os.path.abspath(os.path.join(config.test_source_root, "..", ".."))
torch_include = "/usr/include/torch/csrc/api/include"

config.substitutions.append(
    ("%check_aliasguard",
     "%s %s --tool=%s --filecheck=%s" % (sys.executable,
                                         os.path.join(config.test_source_root,
                                                      "check_aliasguard.py"),
                                         tool, filecheck)))
config.substitutions.append(("%aliasguard_check", tool))
config.substitutions.append(("%FileCheck", filecheck))
config.substitutions.append(("%runtime_include", os.path.join(source_root, "runtime", "include")))
config.substitutions.append(("%examples", os.path.join(source_root, "examples")))
config.substitutions.append(("%torch_include", torch_include))
if os.path.exists(os.path.join(torch_include, "torch", "nn", "module.h")):
    config.available_features.add("libtorch")
