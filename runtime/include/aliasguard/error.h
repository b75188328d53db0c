#pragma once
/// \file Errors thrown by the aliasguard runtime.

#include <stdexcept>
#include <string>
#include <vector>

namespace aliasguard {

/// Every misuse of the runtime (bad shape, device, dtype, index; CUDA failure) throws this.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

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
