#pragma once
/// \file The violation kinds, declared once: X(Enumerator, "name", "cause", "fix", "Python fix")
/// per kind. The name is the kind as reports, JSON and suppression files spell it; a report's
/// HINT is the cause, a space, then the fix (the Python fix when the report's line is Python). Expanded for the Kind enum and kind_name()
/// (aliasguard/tracker/violation.h), the HINT lines (report.cpp) and the kinds a suppressions
/// file accepts (suppressions.cpp). tools/aliasguard-report keeps its own copy of the names
/// and fixes; the test report.kinds_match_runtime compares it with this list.

#define AG_FOR_EACH_VIOLATION_KIND(X)                                                              \
  X(StaleSnapshotRead, "stale-snapshot-read",                                                      \
    "this state_dict entry shares storage with the module, so the module's writes change it.",    \
    "Take snapshots with aliasguard::deep_copy(module.state_dict()) (or .clone() each entry).",    \
    "Take snapshots with copy.deepcopy(model.state_dict()) (or .clone() each entry).")            \
  X(WriteThroughSnapshot, "write-through-snapshot",                                                \
    "this state_dict entry shares storage with the module, so writing through it changes the "    \
    "module.",                                                                                     \
    "Write to a copy: aliasguard::deep_copy(module.state_dict()) (or .clone() the entry), and "   \
    "load it back with load_state_dict when the change is meant for the module.",                 \
    "Write to a copy: copy.deepcopy(model.state_dict()) (or .clone() the entry), and load it "    \
    "back with model.load_state_dict() when the change is meant for the model.")                  \
  X(SharedWrite, "shared-write",                                                                   \
    "strict mode (domains=handle): a write through one tensor is visible through another that "   \
    "is not a view of it.",                                                                        \
    "Give it bytes of its own with .clone() (or aliasguard::deep_copy for a state_dict), or "     \
    "report only module/snapshot aliasing with domains=owner.",                                   \
    "Give it bytes of its own with .clone() (or copy.deepcopy for a state_dict), or report only " \
    "model/snapshot aliasing with domains=owner.")                                              \
  X(StaleKeptRead, "stale-kept-read",                                                              \
    "this tensor was kept from a parameter (detach(), data(), parameters()) and shares its "       \
    "storage, so restoring it after the module wrote restores the new values.",                   \
    "Keep copies with .clone() (p.detach().clone()) or aliasguard::deep_copy(module.state_dict()).", \
    "Keep copies with p.detach().clone() (or copy.deepcopy(model.state_dict())).")
