// Saving through LibTorch's serializer is a use of every tensor saved: torch::save, an
// OutputArchive's save_to(), torch::pickle_save() and a scripted module's save() copy each
// storage's bytes to the file through its data pointer, with no operator call that the
// dispatcher fallback could see. See Note [Saving].

#include <dlfcn.h>
#include <torch/csrc/jit/serialization/pickler.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "handles.h"
#include "layer.h"

// Note [Saving]
// LibTorch's serializers hand every tensor whose bytes go to a file to one exported
// function, torch::jit::getWriteableTensorData(tensor, to_cpu): ScriptModuleSerializer::
// writeArchive (torch::save, OutputArchive::save_to, Module::save) and writeArchiveAndTensors
// (torch::pickle_save) call it for each tensor the pickler collected. libtorch_cpu is not
// linked -Bsymbolic and calls it through its PLT, so the dynamic linker binds those calls to
// the first definition in the program's lookup scope: this one, when this library is a
// direct dependency of the program listed before LibTorch's libraries (as linking the
// torch_checked target gives: its own libraries follow it). Here each such tensor is read
// as an operator reading it would be, then LibTorch's own function (the next definition,
// RTLD_NEXT) does the work, so a stale snapshot saved is reported at the user's save call.
// Limits:
// - The pickler collects one tensor per storage: a second tensor on a storage already saved
//   (a view, tied weights) is not read through its own handle.
// - A program that puts libtorch_cpu before this library on its link line, or loads this
//   library with dlopen after LibTorch (the Python package; Python's torch.save is checked
//   by the package itself), keeps LibTorch's function: saving is then missed, as before.
// - Another serializer that copies storages without this function (a project's own
//   writer reading data_ptr()) is missed: a data pointer read is no operator call.

namespace {

using GetWriteableTensorData = torch::jit::WriteableTensorData (*)(const at::Tensor&, bool);

GetWriteableTensorData next_get_writeable_tensor_data() {
  static const auto next = reinterpret_cast<GetWriteableTensorData>(
      dlsym(RTLD_NEXT, "_ZN5torch3jit22getWriteableTensorDataERKN2at6TensorEb"));
  if (next == nullptr) {
    std::fprintf(stderr,
                 "aliasguard: cannot find torch::jit::getWriteableTensorData after libaliasguard_torch_checked: %s\n",
                 dlerror());
    std::abort();
  }
  return next;
}

}  // namespace

// See Note [Saving]. Declared TORCH_API in pickler.h, so defined with default visibility.
torch::jit::WriteableTensorData torch::jit::getWriteableTensorData(const at::Tensor& tensor, bool to_cpu) {
  namespace detail = aliasguard::torch::detail;
  if (detail::enabled_on_this_thread() && !detail::paused()) {
    try {
      if (aliasguard::tracker::Handle* h = detail::handle_of(tensor)) h->read(aliasguard::tracker::kDeferredSite);
    } catch (const std::exception& e) {
      detail::internal_error("torch::jit::getWriteableTensorData", e.what());
    }
  }
  return next_get_writeable_tensor_data()(tensor, to_cpu);
}
