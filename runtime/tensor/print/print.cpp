// operator<< and to_string for Tensor and StateDict. See Note [Printing like PyTorch].

#include <cstdint>
#include <ostream>
#include <string>

#include "aliasguard/state_dict.h"
#include "aliasguard/tensor.h"
#include "tensor_repr.h"
#include "tracking.h"

namespace aliasguard {
namespace {

// Printing is not a use of the values (a person looks at them; nothing computes with them),
// so the checked runtime does not check these reads: a snapshot is reported when it is used
// (restored, compared, copied, computed with), not when it is shown. See
// docs/checked-runtime.md, "What counts as a use".
detail::HostTensor to_host(const Tensor& t) {
  [[maybe_unused]] const detail::UntrackedScope untracked;
  detail::HostTensor h;
  h.dtype = t.dtype();
  h.sizes = t.sizes();
  h.requires_grad = t.requires_grad();
  if (!t.device().is_cpu()) h.device = t.device().str();

  const std::int64_t n = t.numel();
  if (n == 0) return h;
  // to_vector() already brings values to the host in row-major order, converted.
  if (is_floating(h.dtype)) {
    h.floats = t.to_vector<double>();
  } else {
    h.ints = t.to_vector<std::int64_t>();
  }
  return h;
}

}  // namespace

std::string to_string(const Tensor& t) {
  // What LibTorch prints for a default-constructed tensor; PyTorch has no such value.
  if (!t.defined()) return "[ Tensor (undefined) ]";
  return detail::tensor_repr(to_host(t));
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << to_string(t); }

std::string to_string(const StateDict& dict) {
  // Python's collections.OrderedDict repr (3.11 and earlier: a list of pairs).
  if (dict.empty()) return "OrderedDict()";
  std::string out = "OrderedDict([";
  bool first = true;
  for (const auto& item : dict) {
    if (!first) out += ", ";
    first = false;
    out += "(" + detail::python_str_repr(item.key()) + ", " + to_string(item.value()) + ")";
  }
  return out + "])";
}

std::ostream& operator<<(std::ostream& os, const StateDict& dict) { return os << to_string(dict); }

}  // namespace aliasguard
