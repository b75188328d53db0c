// The checked layer is on from program start, on every thread: the main thread when the
// library loads, and every thread started after it through pthread_create, interposed as
// the sanitizers do (their runtimes wrap it for the same reason: per-thread state has to
// exist before the thread's first instruction of user code).

#include <dlfcn.h>
#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <new>

#include "aliasguard/tracker/tracker.h"
#include "layer.h"

namespace {

struct ThreadStart {
  void* (*routine)(void*);
  void* arg;
};

void* start_checked(void* p) {
  const ThreadStart start = *static_cast<ThreadStart*>(p);
  delete static_cast<ThreadStart*>(p);
  aliasguard::torch::detail::enable_on_this_thread();
  return start.routine(start.arg);
}

using PthreadCreate = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);

PthreadCreate next_pthread_create() {
  static const auto next = reinterpret_cast<PthreadCreate>(dlsym(RTLD_NEXT, "pthread_create"));
  if (next == nullptr) {
    std::fprintf(stderr, "aliasguard: cannot find pthread_create after libaliasguard_torch_checked: %s\n", dlerror());
    std::abort();
  }
  return next;
}

// Before main(): the loading thread, and the site hooks reports use.
[[maybe_unused]] const bool g_started = [] {
  aliasguard::torch::detail::enable_on_this_thread();
  aliasguard::tracker::set_site_hooks(
      {&aliasguard::torch::detail::current_site, &aliasguard::torch::detail::describe_frame,
       &aliasguard::torch::detail::snapshot_alive});
  return true;
}();

}  // namespace

extern "C" int pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*routine)(void*), void* arg) {
  auto* start = new (std::nothrow) ThreadStart{routine, arg};
  if (start == nullptr) return next_pthread_create()(thread, attr, routine, arg);
  const int rc = next_pthread_create()(thread, attr, &start_checked, start);
  if (rc != 0) delete start;
  return rc;
}
