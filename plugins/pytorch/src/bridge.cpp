// The Python package's way into the LibTorch layer: operators in the `aliasguard` namespace
// that the package calls through torch.ops (so no checking logic lives in Python and no
// Python headers are needed here), and the site hooks that name the Python frames of the
// user's code in reports. See docs/python.md and Note [Python frames].

#include <torch/library.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unistd.h>
#include <unordered_set>
#include <vector>

#include "aliasguard/tracker/tracker.h"
#include "aliasguard/tracker/violation.h"
#include "handles.h"
#include "layer.h"
#include "marks.h"
#include "report_format.h"

namespace aliasguard::python {

namespace tr = aliasguard::tracker;
namespace lt = aliasguard::torch::detail;

// Note [Python frames]
// A report names the user's line. In a Python program that is a Python frame, which only the
// interpreter knows, so the package hands the layer a callback (a ctypes function, which
// takes the GIL itself) and the site hooks call it when the tracker needs a site: rarely (see
// Note [Deferred sites]), on the accessing thread, while the operator call is on the stack, so
// the interpreter's frames of this thread are those of the call. It writes
//   "S\n" then "file\tline\tfunction\n" per frame, the user's innermost first, or
//   "N\n" when the call is no use of the values (printing a tensor, copy.deepcopy),
// and writes nothing when no Python frame is making the call (a thread LibTorch started):
// the native hooks then walk the C++ stack. Python frames in a report's stack are tokens
// (pointers to interned lines) that the describe hook tells apart from return addresses.
using FramesCallback = int (*)(char* buffer, int capacity, int depth);
std::atomic<FramesCallback> g_frames{nullptr};

struct FrameTokens {
  std::mutex lock;
  std::unordered_set<std::string> lines;      // node-based: element addresses are stable
  std::unordered_set<const void*> tokens;     // addresses of elements of `lines`
};

FrameTokens& frame_tokens() {
  static auto* t = new FrameTokens;  // never destroyed: reports may be printed at exit
  return *t;
}

void* frame_token(std::string line) {
  FrameTokens& t = frame_tokens();
  std::lock_guard guard(t.lock);
  const std::string& kept = *t.lines.insert(std::move(line)).first;
  t.tokens.insert(&kept);
  return const_cast<std::string*>(&kept);
}

// Splits "file\tline\tfunction" (tabs and newlines in names were replaced by the package).
bool parse_frame(std::string_view text, std::string_view& file, std::uint32_t& line, std::string_view& function) {
  const std::size_t a = text.find('\t');
  const std::size_t b = a == std::string_view::npos ? a : text.find('\t', a + 1);
  if (b == std::string_view::npos) return false;
  file = text.substr(0, a);
  function = text.substr(b + 1);
  line = 0;
  for (char c : text.substr(a + 1, b - a - 1)) {
    if (c < '0' || c > '9' || line > 100000000u) return false;
    line = line * 10 + static_cast<std::uint32_t>(c - '0');
  }
  return true;
}

tr::Site python_site(std::vector<void*>& stack, int depth) {
  if (lt::api_site() != nullptr) return lt::current_site(stack, depth);  // a C++ API call
  const FramesCallback frames = g_frames.load(std::memory_order_acquire);
  if (frames == nullptr) return lt::current_site(stack, depth);
  std::vector<char> buffer(4096 + static_cast<std::size_t>(depth) * 512);
  const int n = frames(buffer.data(), static_cast<int>(buffer.size()), depth);
  if (n <= 0 || static_cast<std::size_t>(n) > buffer.size()) return lt::current_site(stack, depth);
  std::string_view text(buffer.data(), static_cast<std::size_t>(n));
  if (text.starts_with("N\n")) return tr::kNotAUseSite;
  if (!text.starts_with("S\n")) return lt::current_site(stack, depth);
  text.remove_prefix(2);
  tr::Site site;
  bool first = true;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view entry = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    std::string_view file;
    std::string_view function;
    std::uint32_t line = 0;
    if (!parse_frame(entry, file, line, function)) break;
    if (first) {
      site = tr::intern_site(file, line, function);
      first = false;
    } else if (static_cast<int>(stack.size()) < depth) {
      std::string described(file);
      if (line != 0) described += ":" + std::to_string(line);
      if (!function.empty()) described += " in " + std::string(function);
      stack.push_back(frame_token(std::move(described)));
    }
  }
  if (first) return lt::current_site(stack, depth);
  return site;
}

std::string python_describe(void* pc) {
  {
    FrameTokens& t = frame_tokens();
    std::lock_guard guard(t.lock);
    if (t.tokens.count(pc) != 0) return *static_cast<const std::string*>(pc);
  }
  return lt::describe_frame(pc);
}

// ---- the operators --------------------------------------------------------------------------

// One state_dict() call: `live[i]` is the parameter, buffer or optimizer state named
// `live_keys[i]`; `entries[j]`, named `keys[j]`, are one new snapshot taken at file:line (none
// for keep_vars=True). One operator call for the whole dict: a call from Python costs
// microseconds, and EMA code takes two state_dicts of hundreds of entries every step.
void mark_state_dict(const std::vector<at::Tensor>& live, const std::vector<std::string>& live_keys,
                     const std::vector<at::Tensor>& entries, const std::vector<std::string>& keys,
                     std::string file, std::int64_t line, std::string function) {
  TORCH_CHECK(live.size() == live_keys.size() && entries.size() == keys.size(),
              "aliasguard::mark_state_dict: tensors and keys differ in number");
  for (std::size_t i = 0; i < live.size(); ++i) lt::mark_module(live[i], live_keys[i]);
  if (entries.empty()) return;
  const torch::CallSite at{file.c_str(), static_cast<int>(line), function.c_str()};
  const std::uint32_t owner = lt::new_snapshot_owner();
  for (std::size_t j = 0; j < entries.size(); ++j) lt::mark_snapshot(entries[j], owner, keys[j], at);
}

// `view` is `base.data`, which LibTorch makes without an operator call.
void note_data(const at::Tensor& base, const at::Tensor& view) { lt::note_view(base, view, /*own_family=*/true); }

// `torch.save` copies each storage through its data pointer, with no operator call: what it
// saves is read here, at the user's line (a stale snapshot saved is reported).
void note_reads(const std::vector<at::Tensor>& tensors) {
  for (const at::Tensor& t : tensors)
    if (tr::Handle* h = lt::handle_of(t)) h->read(tr::kDeferredSite);
}

// `copy` is `copy.deepcopy(source)`, made at file:line: not a use of `source`, but when
// `source` is a snapshot that missed a write of its module, loading `copy` into the module
// later is that stale read (Note [Late deep copies] in the tracker). Copies of other tensors
// stay untracked.
void note_deep_copy(const at::Tensor& copy, const at::Tensor& source, std::string file, std::int64_t line,
                    std::string function) {
  const tr::Handle* from = lt::handle_of(source);
  if (from == nullptr || from->owner().kind != tr::OwnerKind::Snapshot) return;
  const torch::CallSite at{file.c_str(), static_cast<int>(line), function.c_str()};
  lt::mark_copy(copy, lt::new_user_owner(), tr::label_name(from->label()), at);
  lt::mark_copied_from(copy, source, at);
}

bool set_enabled(bool on) { return lt::set_enabled_on_this_thread(on); }

void set_python_frames(std::int64_t callback) {
  g_frames.store(reinterpret_cast<FramesCallback>(static_cast<std::intptr_t>(callback)), std::memory_order_release);
  static std::once_flag hooks;
  std::call_once(hooks, [] { tr::set_site_hooks({&python_site, &python_describe, &lt::snapshot_alive}); });
}

std::int64_t violation_count() { return static_cast<std::int64_t>(check::violations().size()); }

void forget_duplicates() { tr::detail::forget_duplicates(); }

// The reports of violations [first, end), as the tracker prints them.
std::string violation_reports(std::int64_t first) {
  const std::vector<check::Violation> all = check::violations();
  std::string out;
  for (std::size_t i = first < 0 ? 0 : static_cast<std::size_t>(first); i < all.size(); ++i)
    out += tr::detail::format_text(all[i], tr::detail::TextStyle{false, false, static_cast<long>(getpid())});
  return out;
}

}  // namespace aliasguard::python

TORCH_LIBRARY(aliasguard, m) {
  namespace py = aliasguard::python;
  m.def("mark_state_dict(Tensor[] live, str[] live_keys, Tensor[] entries, str[] keys, str file, int line, "
        "str function) -> ()",
        &py::mark_state_dict);
  m.def("note_data(Tensor base, Tensor view) -> ()", &py::note_data);
  m.def("note_reads(Tensor[] tensors) -> ()", &py::note_reads);
  m.def("note_deep_copy(Tensor copy, Tensor source, str file, int line, str function) -> ()", &py::note_deep_copy);
  m.def("set_enabled(bool on) -> bool", &py::set_enabled);
  m.def("set_python_frames(int callback) -> ()", &py::set_python_frames);
  m.def("violation_count() -> int", &py::violation_count);
  m.def("violation_reports(int first) -> str", &py::violation_reports);
  m.def("forget_duplicates() -> ()", &py::forget_duplicates);
}

// The checking layer's fallback would take these operators' tensors for reads of their
// values; they are the layer's own bookkeeping, so they pass it by.
TORCH_LIBRARY_IMPL(aliasguard, TESTING_ONLY_GenericMode, m) {
  for (const char* name : {"mark_state_dict", "note_data", "note_deep_copy"})
    m.impl(name, torch::CppFunction::makeFallthrough());
}
