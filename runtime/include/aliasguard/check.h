#pragma once
/// \file Inspecting the checked runtime: the violations it reported, and why two tensors alias.

#include <string>

// Kind, Access, Violation, violations(), reset(), enabled(), dump_alias_graph(): the
// tracker's, in this namespace.
#include "aliasguard/tracker/violation.h"

namespace aliasguard {

class Tensor;

/// One sentence on how two tensors share memory, e.g. "share storage #7, bytes [0, 16): a
/// write through either is visible through the other". Works in both runtimes.
std::string explain(const Tensor& a, const Tensor& b);

}  // namespace aliasguard
