#pragma once
/// \file StateDict: what Module::state_dict() returns, and its deep copy.

#include <iosfwd>
#include <string>

#include "aliasguard/ordered_dict.h"
#include "aliasguard/tensor.h"

namespace aliasguard {

// Note [state_dict shares storage]
// Module::state_dict() returns *detached handles on the parameters' own storage*, as PyTorch
// does: writing through an entry writes the parameter, and a later optimizer step shows up
// in an old state_dict. Copying a StateDict copies handles (shallow). deep_copy() is the
// snapshot; see ../docs/runtime.md.

/// Insertion-ordered "fc.weight" -> Tensor map; copies are shallow (same handles).
using StateDict = OrderedDict<std::string, Tensor>;

/// Gives every entry new storage while keeping sharing *between* entries: entries that
/// shared a storage share one new storage with the same offsets and strides (tied weights
/// stay tied), as Python's copy.deepcopy does.
StateDict deep_copy(const StateDict& dict, Origin origin = Origin::current());

/// Prints `OrderedDict([('fc.weight', tensor(...)), ...])` exactly as PyTorch does.
std::ostream& operator<<(std::ostream& os, const StateDict& dict);
std::string to_string(const StateDict& dict);

/// Prints `tensor([...])` exactly as PyTorch does (precision 4, PyTorch's widths, wrapping
/// at 80 columns, summarisation past 1000 elements, `device=`/`dtype=` suffixes).
std::ostream& operator<<(std::ostream& os, const Tensor& t);
std::string to_string(const Tensor& t);

}  // namespace aliasguard
