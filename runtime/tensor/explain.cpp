// aliasguard::explain(): how two tensors share memory, in one sentence. Works in both
// runtimes: it needs only the handles' geometry, not the tracker's history.

#include <algorithm>
#include <string>

#include "aliasguard/check.h"
#include "aliasguard/tensor.h"
#include "aliasguard/tracker/tracker.h"
#include "tensor_impl.h"

namespace aliasguard {

namespace {

tracker::Extent extent(const Tensor& t) {
  const detail::TensorImpl& impl = *t.impl();
  return tracker::extent_of(element_size(impl.dtype()), impl.offset(), impl.sizes().data(), impl.strides().data(),
                            static_cast<int>(impl.sizes().size()));
}

std::string range(std::uint64_t begin, std::uint64_t end) {
  return "bytes [" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

}  // namespace

std::string explain(const Tensor& a, const Tensor& b) {
  if (!a.defined() || !b.defined()) return "cannot explain: a tensor is undefined";
  const tracker::Extent ea = extent(a);
  const tracker::Extent eb = extent(b);
  const std::string storage = "storage #" + std::to_string(a.storage_id());
  if (a.is_same(b)) {
    return "are the same handle on " + storage + ", " + range(ea.begin, ea.end()) +
           ": every write through it is seen by it";
  }
  if (!a.is_alias_of(b)) {
    return "do not share storage (storage #" + std::to_string(a.storage_id()) + " and storage #" +
           std::to_string(b.storage_id()) + "): a write through one is never visible through the other";
  }
  const std::uint64_t lo = std::max(ea.begin, eb.begin);
  const std::uint64_t hi = std::min(ea.end(), eb.end());
  switch (tracker::overlap(ea, eb)) {
    case tracker::Overlap::Yes:
      return "share " + storage + ", " + range(lo, hi) + ": a write through either is visible through the other";
    case tracker::Overlap::Maybe:
      return "share " + storage + " and may share bytes within " + range(lo, hi) +
             " (their strides are too irregular to compare exactly): treat a write through either as visible "
             "through the other";
    case tracker::Overlap::No:
      return "share " + storage + " but no byte (" + range(ea.begin, ea.end()) + " and " + range(eb.begin, eb.end()) +
             "): a write through one is not visible through the other";
  }
  return "share " + storage;
}

}  // namespace aliasguard
