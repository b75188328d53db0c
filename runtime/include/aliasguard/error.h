#pragma once
/// \file Errors thrown by the aliasguard runtime.

#include <string>
#include <utility>
#include <vector>

#include "aliasguard/base_error.h"

namespace aliasguard {

/// Thrown by Module::load_state_dict when the dict does not fit the module; the module is
/// left unchanged (see docs/design-notes.md, "Atomic load_state_dict").
class StateDictError : public Error {
 public:
  StateDictError(const std::string& what, std::vector<std::string> missing,
                 std::vector<std::string> unexpected, std::vector<std::string> mismatched)
      : Error(what),
        missing_keys(std::move(missing)),
        unexpected_keys(std::move(unexpected)),
        mismatched_keys(std::move(mismatched)) {}

  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;
  std::vector<std::string> mismatched_keys;
};

}  // namespace aliasguard
