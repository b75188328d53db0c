// A report whose access was made inside aliasguard's own runtime code is moved to the user's
// frame that called into the runtime. See Note [Library sites].

#include <execinfo.h>

#include <cstdint>
#include <memory>
#include <string_view>

#include "options.h"
#include "report.h"
#include "source_frames.h"

namespace aliasguard::tracker::detail {

// Note [Library sites]
// The runtime's public functions take the caller's Origin, but the runtime's own code calls
// them too: nn::Linear::forward reads its weight with input.matmul(weight.t()), whose
// defaulted Origin is then runtime/tensor/nn/layers.cpp, not the line where the user called
// forward(). forward() cannot take an Origin: users override it. So a report whose access
// site lies in the runtime's sources (AG_RUNTIME_SOURCE_DIR, a definition of this target) is
// given the first frame of the current stack that is neither the runtime's nor the C++
// library's headers, inlined frames included. The access is on this thread's stack when it is
// reported: a read reports inside the read, and with detect=write a write inside the write. A
// write logged earlier keeps its site: its stack is gone by the time a read reports it.
// Only reports pay for this (a stack walk and DWARF line tables); the fast paths never see
// it. The frames come from locate_code (Note [Source frames] in source_frames.cpp), which
// loads libdw.so.1 when first asked; without it, or without debug information for the
// frames, the runtime's own site is kept.

namespace {

bool in_runtime_sources(std::string_view file) {
#ifdef AG_RUNTIME_SOURCE_DIR
  return file.starts_with(AG_RUNTIME_SOURCE_DIR);
#else
  return false;
#endif
}

// The C++ library's inline code (std::function, algorithms) between the runtime and the user.
bool in_standard_headers(std::string_view file) {
  return file.find("/include/c++/") != std::string_view::npos || file.find("/bits/") != std::string_view::npos;
}

// The first frame of the current stack, after the runtime's own frames, outside the
// runtime's sources and the C++ library's headers; false when a frame after the runtime's
// has no line information (the walk cannot know whose it is) or libdw is missing. The frames
// before the first of the runtime's are the unwinder's (backtrace, and a sanitizer's
// interceptor of it, which has line information of its own).
bool first_frame_outside_runtime(SourceFrame& found) {
  constexpr int kMaxFrames = 64;
  void* pcs[kMaxFrames];
  const int n = backtrace(pcs, kMaxFrames);
  bool inside = false;  // a frame of the runtime's was seen
  for (int i = 0; i < n; ++i) {
    // A return address points after its call; the call is one byte before.
    const auto location = locate_code(reinterpret_cast<std::uintptr_t>(pcs[i]) - 1);
    const bool known = location != nullptr && !location->frames.empty() && !location->frames.front().file.empty();
    if (!known) {
      if (inside) return false;
      continue;
    }
    for (const SourceFrame& f : location->frames) {
      if (f.file.empty()) break;  // an inline whose call site DWARF does not name: the next pc
      if (in_runtime_sources(f.file)) {
        inside = true;
        continue;
      }
      if (!inside) break;  // the unwinder's frame: the next pc
      if (in_standard_headers(f.file)) continue;
      found = f;
      return true;
    }
  }
  return false;
}

}  // namespace

void move_library_site_to_caller(check::Violation& v) {
  // The access being made now: see Note [Library sites].
  const bool eager = options().detect == DetectMode::Write;
  check::Access& now = eager ? v.write : v.observer;
  if (!in_runtime_sources(now.file)) return;
  SourceFrame caller;
  if (!first_frame_outside_runtime(caller)) return;
  // With detect=write the observer may carry the write's own site (report.cpp's format_text).
  const bool observer_too = eager && v.observer.file == now.file && v.observer.line == now.line;
  now.file = caller.file;
  now.line = caller.line;
  now.function = caller.function;
  if (observer_too) {
    v.observer.file = caller.file;
    v.observer.line = caller.line;
    v.observer.function = caller.function;
  }
}

}  // namespace aliasguard::tracker::detail
