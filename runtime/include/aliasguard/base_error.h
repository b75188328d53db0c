#pragma once
/// \file aliasguard::Error alone: the tracker throws it without the runtime's other errors
/// (aliasguard/error.h, which includes this, adds nn's StateDictError).

#include <stdexcept>
#include <string>

namespace aliasguard {

/// Every misuse of the runtime (bad shape, device, dtype, index; CUDA failure) throws this.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace aliasguard
