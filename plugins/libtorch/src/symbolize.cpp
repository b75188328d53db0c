// Where an access happened in the user's code: the first frame of the calling thread's stack
// that is not LibTorch's, the standard library's or aliasguard's, symbolized with elfutils'
// libdw, inlined frames included (an operator call compiled at -O2 is usually inlined into
// the user's function, so the physical frame's innermost line is in a LibTorch header and
// the user's line is the inline's call site: Note [Source frames] in
// runtime/tracker/source_frames.cpp). Without libdw, frames print as module+offset.

#include <dlfcn.h>
#include <unwind.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "layer.h"
#include "source_frames.h"

namespace aliasguard::torch::detail {

namespace {

namespace tr = aliasguard::tracker;
using tr::detail::demangle;

struct LogicalFrame {
  LogicalFrame(std::string file_, unsigned line_, std::string function_, bool internal_)
      : file(std::move(file_)), line(line_), function(std::move(function_)), internal(internal_),
        printing(function.rfind("at::print(", 0) == 0),
        site(internal ? tr::Site{} : tr::intern_site(file, line, function)) {}
  std::string file;  // source file, or "module+0xoffset" without debug information
  unsigned line = 0;
  std::string function;
  bool internal = false;
  bool printing = false;  // at::print: LibTorch printing a tensor
  tr::Site site;          // file, line and function, interned for reports (user frames)
};

// The frames of one return address, innermost (inlined) first.
struct PcInfo {
  std::vector<LogicalFrame> frames;
};

std::string base_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// Code that is not the user's: LibTorch (its libraries, and its headers inlined into the
// user's objects), the C and C++ runtimes, and aliasguard's own layer and header.
bool internal_module(std::string_view module) {
  const std::string name = base_name(module);
  for (std::string_view prefix : {"libtorch", "libc10", "libaliasguard_torch", "libc.so", "libc-", "libstdc++",
                                  "libgomp", "libpthread", "ld-linux", "libshm", "libcaffe2", "libasan", "libtsan",
                                  "libubsan"})
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
}

bool internal_file(std::string_view file) {
  for (std::string_view part : {"/ATen/", "/c10/", "/torch/csrc/", "/caffe2/", "/include/c++/", "/bits/",
                                "aliasguard/torch.h", "aliasguard/torch_call_site.h", "plugins/libtorch/src/"})
    if (file.find(part) != std::string_view::npos) return true;
  return false;
}

std::string module_offset(const char* module, std::uintptr_t offset) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "+0x%llx", static_cast<unsigned long long>(offset));
  return (module ? std::string(module) : std::string("<unknown module>")) + buffer;
}

// The frames of `pc` from dladdr alone: module+offset and the dynamic symbol, if any.
PcInfo describe_without_debug_info(std::uintptr_t pc) {
  Dl_info dl{};
  if (dladdr(reinterpret_cast<void*>(pc), &dl) != 0 && dl.dli_fname != nullptr)
    return PcInfo{{LogicalFrame(module_offset(dl.dli_fname, pc - reinterpret_cast<std::uintptr_t>(dl.dli_fbase)),
                                0, demangle(dl.dli_sname), internal_module(dl.dli_fname))}};
  return PcInfo{{LogicalFrame(module_offset(nullptr, pc), 0, "", false)}};
}

// LogicalFrames of every return address, built from the tracker's source frames once per
// address: a LogicalFrame interns its site.
class Symbolizer {
 public:
  std::shared_ptr<const PcInfo> info(std::uintptr_t pc) {
    std::lock_guard guard(lock_);
    if (auto it = cache_.find(pc); it != cache_.end()) return it->second;
    auto info = std::make_shared<const PcInfo>(describe(pc));
    cache_.emplace(pc, info);
    return info;
  }

 private:
  // LibTorch's own frames are skipped whatever they say: no need to read their lines.
  static bool skip_lines(std::string_view module) { return internal_module(module); }

  static PcInfo describe(std::uintptr_t pc) {
    const auto location = tr::detail::locate_code(pc, &skip_lines);
    if (location == nullptr) return describe_without_debug_info(pc);
    const char* path = location->module.empty() ? nullptr : location->module.c_str();
    const bool internal = path != nullptr && internal_module(path);
    PcInfo out;
    if (!internal)
      for (const tr::detail::SourceFrame& f : location->frames)
        out.frames.emplace_back(f.file, f.line, f.function, internal_file(f.file));
    if (out.frames.empty())
      out.frames.emplace_back(module_offset(path, location->module_offset), 0, location->symbol, internal);
    return out;
  }

  std::mutex lock_;  // guards cache_
  std::unordered_map<std::uintptr_t, std::shared_ptr<const PcInfo>> cache_;
};

Symbolizer& symbolizer() {
  static auto* s = new Symbolizer;  // never destroyed: reports may run at exit
  return *s;
}

// A return address points after its call; the call itself is one byte before.
std::uintptr_t call_address(void* return_address) { return reinterpret_cast<std::uintptr_t>(return_address) - 1; }

}  // namespace

namespace {

// The symbolizer's answer for `pc`, through a per-thread cache: the walk below asks for the
// same few return addresses on every write to a shared storage, and the symbolizer's lock
// would be taken per frame.
const PcInfo& cached_info(std::uintptr_t pc) {
  thread_local std::unordered_map<std::uintptr_t, std::shared_ptr<const PcInfo>> cache;
  auto& slot = cache[pc];
  if (!slot) slot = symbolizer().info(pc);
  return *slot;
}

// Note [Site cache]
// An optimizer's update of a parameter that a snapshot shares resolves its site on every
// write (Note [Deferred sites] in runtime/tracker/sites.cpp), and unwinding costs
// microseconds: LibTorch has no frame pointers, so each frame is a DWARF CFI lookup. Two
// things keep it cheap:
// - the walk stops at the first frame in the user's code (plus `depth` frames under it);
// - a per-thread cache keyed by where current_site's own frame is on the stack. A walk
//   records, for each frame up to the user's, the stack slot holding the frame's return
//   address and its value. A later call at the same stack position whose slots hold the
//   same return addresses was made through exactly the same chain of calls, return address
//   by return address, so it has the same user frame: the cached site is reused after a few
//   loads. Any difference (another line, another path, another depth) falls back to the
//   walk. The slots lie between this frame and the user's, in the live part of this
//   thread's stack, so reading them is safe. Only where the return address is known to sit
//   just below the canonical frame address (x86-64).

struct SlotCheck {
  std::uintptr_t offset;  // from current_site's anchor
  std::uintptr_t value;   // the return address found there
};

struct CachedSite {
  std::vector<SlotCheck> slots;
  tr::Site site;
};

struct Walk {
  std::uintptr_t anchor = 0;
  std::vector<void*>* stack = nullptr;
  int depth = 0;
  tr::Site site{};
  bool found = false;
  bool not_a_use = false;
  bool cacheable = true;
  std::vector<SlotCheck> slots;
};

_Unwind_Reason_Code walk_frame(struct _Unwind_Context* context, void* arg) {
  Walk& w = *static_cast<Walk*>(arg);
  const std::uintptr_t ip = _Unwind_GetIP(context);
  if (ip == 0) return _URC_END_OF_STACK;
  if (w.found) {
    if (static_cast<int>(w.stack->size()) >= w.depth) return _URC_END_OF_STACK;
    w.stack->push_back(reinterpret_cast<void*>(ip));
    return _URC_NO_REASON;
  }
#if defined(__x86_64__)
  // The context's CFA is its callee's: `ip`, the return address into this frame, sits just
  // below it. The first context's callee is _Unwind_Backtrace, below the anchor: not needed.
  const std::uintptr_t slot = _Unwind_GetCFA(context) - sizeof(void*);
  if (slot >= w.anchor) {
    if (*reinterpret_cast<const std::uintptr_t*>(slot) == ip) w.slots.push_back(SlotCheck{slot - w.anchor, ip});
    else w.cacheable = false;
  }
#else
  w.cacheable = false;
#endif
  for (const LogicalFrame& f : cached_info(ip - 1).frames) {
    // Printing a tensor for a person is not a use of its values (as for aliasguard's own
    // runtime, docs/tracker.md); LibTorch prints through operators, from at::print.
    if (f.printing) {
      w.not_a_use = true;
      return _URC_END_OF_STACK;
    }
    if (f.internal) continue;
    w.site = f.site;
    w.found = true;
    return w.depth > 0 ? _URC_NO_REASON : _URC_END_OF_STACK;
  }
  return _URC_NO_REASON;
}

bool slots_match(std::uintptr_t anchor, const std::vector<SlotCheck>& slots) {
  for (const SlotCheck& c : slots)
    if (*reinterpret_cast<const std::uintptr_t*>(anchor + c.offset) != c.value) return false;
  return true;
}

}  // namespace

__attribute__((noinline)) tracker::Site current_site(std::vector<void*>& stack, int depth) {
  if (const CallSite* api = api_site())
    return tr::intern_site(api->file ? api->file : "", static_cast<std::uint32_t>(api->line > 0 ? api->line : 0),
                           api->function ? api->function : "");
  const std::uintptr_t anchor = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  thread_local std::unordered_map<std::uintptr_t, CachedSite> cache;  // See Note [Site cache]
  if (depth == 0) {
    auto it = cache.find(anchor);
    if (it != cache.end() && slots_match(anchor, it->second.slots)) return it->second.site;
  }
  Walk walk;
  walk.anchor = anchor;
  walk.stack = &stack;
  walk.depth = depth;
  _Unwind_Backtrace(&walk_frame, &walk);
  if (walk.not_a_use) return tr::kNotAUseSite;
  if (!walk.found) return tr::Site{};
  if (walk.cacheable && !walk.slots.empty()) {
    if (cache.size() >= 4096) cache.clear();  // bounded: a program with ever new stack depths
    cache[anchor] = CachedSite{std::move(walk.slots), walk.site};
  }
  return walk.site;
}

std::string describe_frame(void* pc) {
  const auto info = symbolizer().info(call_address(pc));
  const LogicalFrame& f = info->frames.back();  // the physical function
  char address[32];
  std::snprintf(address, sizeof address, "%p", pc);
  std::string out = std::string(address) + " in " + (f.function.empty() ? std::string("??") : f.function) + " " + f.file;
  if (f.line != 0) out += ":" + std::to_string(f.line);
  return out;
}

}  // namespace aliasguard::torch::detail
