// A code address's source frames, inlined calls included, read from DWARF with libdw.
// See Note [Source frames].

#include "source_frames.h"

#include <cxxabi.h>
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <unordered_map>

#if __has_include(<elfutils/libdwfl.h>) && __has_include(<dwarf.h>)
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#define AG_SOURCE_FRAMES 1
#else
#define AG_SOURCE_FRAMES 0
#endif

namespace aliasguard::tracker::detail {

// Note [Source frames]
// A return address names one machine instruction; the source behind it is a chain of
// functions, because the compiler inlines: at -O2 an operator call from the user's function
// is usually inlined into it, so the line table's innermost line is in a library header and
// the user's line is the inlined call's DW_AT_call_file/DW_AT_call_line. locate_code gives
// the whole chain, innermost first: the line table's file and line for the innermost scope,
// then each inline's call site for the scope that contains it, up to the physical function.
// The scopes are found by walking the CU's DIEs down to `pc`, not with dwarf_getscopes, whose
// outer scopes of an inlined call are those of the inline's definition, not of the function
// it was inlined into. Function definitions sit at the CU's top level or inside namespaces;
// blocks and inlines nest inside them.
// libdw is loaded with dlopen at the first question, so the tracker's archive (installed for
// CMake and pkg-config consumers alike) has no link dependency on it; without libdw.so.1, or
// without its headers at build time, every answer is null and callers keep what they had.
// libdw's Dwfl is not thread-safe: one lock serializes every use. Answers are cached per
// address (a report walks the same few return addresses again and again) and never freed:
// reports may run at exit, and callers may keep pointers into them.

std::string demangle(const char* name) {
  if (name == nullptr) return {};
  int status = 0;
  char* out = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string result = status == 0 && out ? out : name;
  std::free(out);  // NOLINT: __cxa_demangle returns malloc'd memory
  return result;
}

#if AG_SOURCE_FRAMES

namespace {

// The libdw functions used, resolved from libdw.so.1 by name.
class Libdw {
 public:
#define AG_LIBDW_FUNCTIONS(X)                                                                          \
  X(dwfl_begin) X(dwfl_linux_proc_report) X(dwfl_report_begin) X(dwfl_report_end) X(dwfl_addrmodule)   \
  X(dwfl_module_info) X(dwfl_module_addrname) X(dwfl_module_addrdie) X(dwfl_module_getsrc)             \
  X(dwfl_lineinfo) X(dwfl_linux_proc_find_elf) X(dwfl_standard_find_debuginfo) X(dwarf_child)           \
  X(dwarf_siblingof) X(dwarf_tag) X(dwarf_haspc) X(dwarf_attr) X(dwarf_attr_integrate) X(dwarf_formudata) \
  X(dwarf_formstring) X(dwarf_getsrcfiles) X(dwarf_filesrc)
#define AG_LIBDW_MEMBER(name) decltype(&::name) name = nullptr;
  AG_LIBDW_FUNCTIONS(AG_LIBDW_MEMBER)
#undef AG_LIBDW_MEMBER

  // False when libdw.so.1 or one of its functions is missing, or it cannot start a session.
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
    callbacks_.find_elf = dwfl_linux_proc_find_elf;
    callbacks_.find_debuginfo = dwfl_standard_find_debuginfo;
    callbacks_.debuginfo_path = &debuginfo_path_;
    dwfl_ = dwfl_begin(&callbacks_);
    if (dwfl_ == nullptr) return false;
    report_modules();  // a failure here is retried at the first address it leaves unknown
    return true;
  }

  // Null when no object loaded in this process holds `pc`.
  std::shared_ptr<CodeLocation> locate(std::uintptr_t pc, SkipLines skip) {
    Dwfl_Module* module = dwfl_addrmodule(dwfl_, pc);
    if (module == nullptr && report_modules()) module = dwfl_addrmodule(dwfl_, pc);  // loaded since
    if (module == nullptr) return nullptr;
    auto out = std::make_shared<CodeLocation>();
    Dwarf_Addr start = 0;
    if (const char* path = dwfl_module_info(module, nullptr, &start, nullptr, nullptr, nullptr, nullptr, nullptr))
      out->module = path;
    out->module_offset = pc - start;
    out->symbol = demangle(dwfl_module_addrname(module, pc));
    if (skip != nullptr && skip(out->module)) return out;
    out->lines_read = true;
    out->frames = frames_at(module, pc, out->symbol);
    return out;
  }

 private:
  bool report_modules() {
    dwfl_report_begin(dwfl_);
    const int rc = dwfl_linux_proc_report(dwfl_, getpid());
    dwfl_report_end(dwfl_, nullptr, nullptr);
    return rc == 0;
  }

  const char* string_attr(Dwarf_Die* die, unsigned name) {
    Dwarf_Attribute attr;
    return dwarf_formstring(dwarf_attr_integrate(die, name, &attr));
  }

  std::string scope_name(Dwarf_Die* die) {
    if (const char* linkage = string_attr(die, DW_AT_linkage_name)) return demangle(linkage);
    if (const char* linkage = string_attr(die, DW_AT_MIPS_linkage_name)) return demangle(linkage);
    const char* name = string_attr(die, DW_AT_name);
    return name ? name : "";
  }

  static bool is_code(int tag) {
    return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block ||
           tag == DW_TAG_try_block || tag == DW_TAG_catch_block;
  }

  // Appends the functions and inlined calls under `parent` that contain `pc`, outermost first;
  // true if one does. Depth-bounded: a corrupt DIE tree cannot recurse without end.
  bool collect_scopes(Dwarf_Die parent, Dwarf_Addr pc, std::vector<Dwarf_Die>& chain, int depth) {
    Dwarf_Die child;
    if (depth > 64 || dwarf_child(&parent, &child) != 0) return false;
    do {
      const int tag = dwarf_tag(&child);
      if (is_code(tag)) {
        if (dwarf_haspc(&child, pc) != 1) continue;
        if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) chain.push_back(child);
        collect_scopes(child, pc, chain, depth + 1);
        return true;
      }
      if (tag == DW_TAG_namespace && collect_scopes(child, pc, chain, depth + 1)) return true;
    } while (dwarf_siblingof(&child, &child) == 0);
    return false;
  }

  // See Note [Source frames]. Without a scope containing `pc`, the line table's line alone,
  // named by the ELF symbol.
  std::vector<SourceFrame> frames_at(Dwfl_Module* module, std::uintptr_t pc, const std::string& symbol) {
    Dwfl_Line* src = dwfl_module_getsrc(module, pc);
    int lineno = 0;
    const char* file = src ? dwfl_lineinfo(src, nullptr, &lineno, nullptr, nullptr, nullptr) : nullptr;
    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = dwfl_module_addrdie(module, pc, &bias);
    std::vector<Dwarf_Die> chain;
    Dwarf_Files* files = nullptr;
    std::size_t nfiles = 0;
    if (cu != nullptr) {
      collect_scopes(*cu, pc - bias, chain, 0);
      dwarf_getsrcfiles(cu, &files, &nfiles);
    }
    std::vector<SourceFrame> out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {  // innermost first
      Dwarf_Die scope = *it;
      out.push_back(SourceFrame{file ? file : "", static_cast<unsigned>(lineno), scope_name(&scope)});
      if (dwarf_tag(&scope) != DW_TAG_inlined_subroutine) break;
      // The inline's call site is where the next frame out is.
      Dwarf_Attribute attr;
      Dwarf_Word value = 0;
      file = nullptr;
      if (files != nullptr && dwarf_formudata(dwarf_attr(&scope, DW_AT_call_file, &attr), &value) == 0)
        file = dwarf_filesrc(files, value, nullptr, nullptr);
      lineno = dwarf_formudata(dwarf_attr(&scope, DW_AT_call_line, &attr), &value) == 0 ? static_cast<int>(value) : 0;
    }
    if (out.empty() && file != nullptr) out.push_back(SourceFrame{file, static_cast<unsigned>(lineno), symbol});
    return out;
  }

  Dwfl* dwfl_ = nullptr;
  Dwfl_Callbacks callbacks_{};
  char* debuginfo_path_ = nullptr;
};

}  // namespace

std::shared_ptr<const CodeLocation> locate_code(std::uintptr_t pc, SkipLines skip_lines) {
  static std::mutex lock;  // libdw's Dwfl is not thread-safe
  static Libdw* libdw = nullptr;
  static bool loaded = false;
  // Never destroyed: see Note [Source frames].
  static auto* cache = new std::unordered_map<std::uintptr_t, std::shared_ptr<const CodeLocation>>;
  std::lock_guard guard(lock);
  if (!loaded) {
    loaded = true;
    auto* candidate = new Libdw;
    if (candidate->load()) libdw = candidate;
    else delete candidate;
  }
  if (libdw == nullptr) return nullptr;
  auto& slot = (*cache)[pc];
  // An answer that skipped the lines serves only callers that would skip them too.
  if (slot && (slot->lines_read || (skip_lines != nullptr && skip_lines(slot->module)))) return slot;
  std::shared_ptr<const CodeLocation> found = libdw->locate(pc, skip_lines);
  if (found == nullptr) {
    cache->erase(pc);  // not cached: an object loaded later may hold it
    return nullptr;
  }
  slot = found;
  return slot;
}

#else

std::shared_ptr<const CodeLocation> locate_code(std::uintptr_t, SkipLines) { return nullptr; }

#endif

}  // namespace aliasguard::tracker::detail
