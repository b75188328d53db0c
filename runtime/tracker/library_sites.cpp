// A report whose access was made inside aliasguard's own runtime code is moved to the user's
// frame that called into the runtime. See Note [Library sites].

#include <cxxabi.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "options.h"
#include "report.h"

#if __has_include(<elfutils/libdwfl.h>)
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#define AG_LIBRARY_SITES 1
#else
#define AG_LIBRARY_SITES 0
#endif

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
// it. libdw is loaded with dlopen at the first such report, so the tracker's archive needs
// no new link dependency (it is installed for CMake and pkg-config consumers alike); without
// libdw.so.1, or without debug information for the frames, the runtime's own site is kept.

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

std::string demangle(const char* name) {
  if (name == nullptr) return {};
  int status = 0;
  char* out = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string result = status == 0 && out ? out : name;
  std::free(out);  // NOLINT: __cxa_demangle returns malloc'd memory
  return result;
}

struct Frame {
  std::string file;
  unsigned line = 0;
  std::string function;
};

#if AG_LIBRARY_SITES

// The libdw functions used, resolved from libdw.so.1 by name.
struct Libdw {
#define AG_LIBDW_FUNCTIONS(X)                                                                        \
  X(dwfl_begin) X(dwfl_linux_proc_report) X(dwfl_report_begin) X(dwfl_report_end) X(dwfl_addrmodule) \
  X(dwfl_module_addrdie) X(dwfl_module_getsrc) X(dwfl_lineinfo) X(dwfl_linux_proc_find_elf)           \
  X(dwfl_standard_find_debuginfo) X(dwarf_child) X(dwarf_siblingof) X(dwarf_tag) X(dwarf_haspc)       \
  X(dwarf_attr) X(dwarf_attr_integrate) X(dwarf_formudata) X(dwarf_formstring) X(dwarf_getsrcfiles)    \
  X(dwarf_filesrc)
#define AG_LIBDW_MEMBER(name) decltype(&::name) name = nullptr;
  AG_LIBDW_FUNCTIONS(AG_LIBDW_MEMBER)
#undef AG_LIBDW_MEMBER
  Dwfl* dwfl = nullptr;
  Dwfl_Callbacks callbacks{};
  char* debuginfo_path = nullptr;

  // False when libdw.so.1 or one of its functions is missing.
  bool load() {
    void* so = dlopen("libdw.so.1", RTLD_NOW | RTLD_LOCAL);
    if (so == nullptr) return false;
    bool all = true;
#define AG_LIBDW_LOAD(name)                                      \
  name = reinterpret_cast<decltype(&::name)>(dlsym(so, #name)); \
  all = all && name != nullptr;
    AG_LIBDW_FUNCTIONS(AG_LIBDW_LOAD)
#undef AG_LIBDW_LOAD
    if (!all) return false;
    callbacks.find_elf = dwfl_linux_proc_find_elf;
    callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
    callbacks.debuginfo_path = &debuginfo_path;
    dwfl = dwfl_begin(&callbacks);
    return dwfl != nullptr && report_modules();
  }

  bool report_modules() {
    dwfl_report_begin(dwfl);
    const int rc = dwfl_linux_proc_report(dwfl, getpid());
    dwfl_report_end(dwfl, nullptr, nullptr);
    return rc == 0;
  }

  const char* string_attr(Dwarf_Die* die, unsigned name) {
    Dwarf_Attribute attr;
    return dwarf_formstring(dwarf_attr_integrate(die, name, &attr));
  }

  std::string scope_name(Dwarf_Die* die) {
    if (const char* linkage = string_attr(die, DW_AT_linkage_name)) return demangle(linkage);
    const char* name = string_attr(die, DW_AT_name);
    return name ? name : "";
  }

  // The functions and inlined calls under `parent` that contain `pc`, outermost first (walked
  // down from the CU: dwarf_getscopes gives an inline the outer scopes of its definition).
  // Depth-bounded, so a corrupt DIE tree cannot recurse without end.
  bool collect_scopes(Dwarf_Die parent, Dwarf_Addr pc, std::vector<Dwarf_Die>& chain, int depth) {
    Dwarf_Die child;
    if (depth > 64 || dwarf_child(&parent, &child) != 0) return false;
    do {
      const int tag = dwarf_tag(&child);
      if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block ||
          tag == DW_TAG_try_block || tag == DW_TAG_catch_block) {
        if (dwarf_haspc(&child, pc) != 1) continue;
        if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) chain.push_back(child);
        collect_scopes(child, pc, chain, depth + 1);
        return true;
      }
      if (tag == DW_TAG_namespace && collect_scopes(child, pc, chain, depth + 1)) return true;
    } while (dwarf_siblingof(&child, &child) == 0);
    return false;
  }

  // The source frames of the call at `pc`, innermost (inlined) first; empty without line info.
  std::vector<Frame> frames_at(std::uintptr_t pc) {
    Dwfl_Module* module = dwfl_addrmodule(dwfl, pc);
    if (module == nullptr && report_modules()) module = dwfl_addrmodule(dwfl, pc);  // loaded since
    if (module == nullptr) return {};
    Dwfl_Line* src = dwfl_module_getsrc(module, pc);
    int lineno = 0;
    const char* file = src ? dwfl_lineinfo(src, nullptr, &lineno, nullptr, nullptr, nullptr) : nullptr;
    if (file == nullptr) return {};
    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = dwfl_module_addrdie(module, pc, &bias);
    std::vector<Dwarf_Die> chain;
    Dwarf_Files* files = nullptr;
    std::size_t nfiles = 0;
    if (cu != nullptr) {
      collect_scopes(*cu, pc - bias, chain, 0);
      dwarf_getsrcfiles(cu, &files, &nfiles);
    }
    std::vector<Frame> out;
    for (auto it = chain.rbegin(); it != chain.rend() && file != nullptr; ++it) {
      Dwarf_Die scope = *it;
      out.push_back(Frame{file, static_cast<unsigned>(lineno), scope_name(&scope)});
      if (dwarf_tag(&scope) != DW_TAG_inlined_subroutine) break;
      // The inline's call site is where the next frame out is.
      Dwarf_Attribute attr;
      Dwarf_Word value = 0;
      file = nullptr;
      if (files != nullptr && dwarf_formudata(dwarf_attr(&scope, DW_AT_call_file, &attr), &value) == 0)
        file = dwarf_filesrc(files, value, nullptr, nullptr);
      lineno = dwarf_formudata(dwarf_attr(&scope, DW_AT_call_line, &attr), &value) == 0 ? static_cast<int>(value) : 0;
    }
    if (out.empty()) out.push_back(Frame{file, static_cast<unsigned>(lineno), {}});
    return out;
  }
};

// The first frame of the current stack outside the runtime's sources and the C++ library's
// headers; false when a frame before it has no line information (the walk cannot know whose
// it is) or libdw is missing.
bool first_frame_outside_runtime(Frame& found) {
  static std::mutex lock;  // libdw's Dwfl is not thread-safe
  static Libdw* libdw = nullptr;
  static bool loaded = false;
  std::lock_guard guard(lock);
  if (!loaded) {
    loaded = true;
    auto* candidate = new Libdw;  // never destroyed: reports may run at exit
    if (candidate->load()) libdw = candidate;
  }
  if (libdw == nullptr) return false;
  constexpr int kMaxFrames = 64;
  void* pcs[kMaxFrames];
  const int n = backtrace(pcs, kMaxFrames);
  for (int i = 0; i < n; ++i) {
    // A return address points after its call; the call is one byte before.
    const std::vector<Frame> frames = libdw->frames_at(reinterpret_cast<std::uintptr_t>(pcs[i]) - 1);
    if (frames.empty()) return false;
    for (const Frame& f : frames) {
      if (in_runtime_sources(f.file) || in_standard_headers(f.file)) continue;
      found = f;
      return true;
    }
  }
  return false;
}

#else

bool first_frame_outside_runtime(Frame&) { return false; }

#endif

}  // namespace

void move_library_site_to_caller(check::Violation& v) {
  // The access being made now: see Note [Library sites].
  const bool eager = options().detect == DetectMode::Write;
  check::Access& now = eager ? v.write : v.observer;
  if (!in_runtime_sources(now.file)) return;
  Frame caller;
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
