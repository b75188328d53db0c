// The tracker's C ABI (tracker_c.h) over the C++ API.

#include "aliasguard/tracker/tracker_c.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "aliasguard/tracker/violation.h"
#include "tracker_internal.h"

namespace tr = aliasguard::tracker;
using tr::detail::Site;

// Note [C origins]
// The C++ API takes origins as std::source_location, which only the compiler can make. A C
// caller passes file, line and function instead, so:
// - reads and writes enter the detector through StorageState::read/write, which take a Site
//   ({file, function, line}); a write's Site is kept in the storage's log, so its strings are
//   interned first (a per-thread cache keyed by the caller's pointer keeps the usual
//   __FILE__/__func__ literals off the global intern lock);
// - a C handle is a SitedHandle: a Handle first, then the Site of its creation. Its Handle's
//   own `created` is a fixed marker (sites.cpp), and created_site() (used when a report names
//   where the observer was made) recognises the marker and reads the Site from the enclosing
//   SitedHandle. Handle stays 64 bytes. Dispatcher layers make SitedHandles the same way.

struct ag_storage {
  ag_storage(std::size_t nbytes, int device_type, int device_index) : storage(nbytes, device_type, device_index) {}
  tr::Storage storage;
};

struct ag_handle : tr::SitedHandle {
  using SitedHandle::SitedHandle;
};

namespace {

const char* intern_slow(const char* s) { return tr::intern_site(s, 0, "").file; }

const char* intern(const char* s) {
  if (!s) return "";
  thread_local std::unordered_map<const char*, const char*> cache;
  if (auto it = cache.find(s); it != cache.end() && std::strcmp(it->second, s) == 0) return it->second;
  if (cache.size() >= 4096) cache.clear();  // a caller formatting fresh strings each call
  const char* stable = intern_slow(s);
  cache[s] = stable;
  return stable;
}

std::uint32_t line_of(int line) { return line > 0 ? static_cast<std::uint32_t>(line) : 0; }

Site transient_site(const char* file, int line, const char* function) {
  return Site{file ? file : "", function ? function : "", line_of(line)};
}

Site interned_site(const char* file, int line, const char* function) {
  return Site{intern(file), intern(function), line_of(line)};
}

tr::Extent bytes(std::uint64_t offset, std::uint64_t length) {
  const auto size = static_cast<std::int64_t>(length);
  const std::int64_t stride = 1;
  return tr::extent_of(1, static_cast<std::int64_t>(offset), &size, &stride, 1);
}

bool in_bounds(const char* fn, const tr::Storage& s, std::uint64_t offset, std::uint64_t length) {
  if (offset <= s.nbytes() && length <= s.nbytes() - offset) return true;
  std::fprintf(stderr,
               "aliasguard: %s: bytes [%llu, %llu) lie outside storage #%llu of %llu bytes; pass an offset and "
               "length within the buffer\n",
               fn, static_cast<unsigned long long>(offset), static_cast<unsigned long long>(offset + length),
               static_cast<unsigned long long>(s.id()), static_cast<unsigned long long>(s.nbytes()));
  return false;
}

void internal_error(const char* fn, const std::exception& e) {
  std::fprintf(stderr, "aliasguard: %s failed: %s\n", fn, e.what());
}

}  // namespace

extern "C" {

ag_storage* ag_track_storage_create(size_t nbytes, int device_type, int device_index) {
  try {
    return new ag_storage(nbytes, device_type, device_index);
  } catch (const std::exception& e) {
    internal_error("ag_track_storage_create", e);
    return nullptr;
  }
}

void ag_track_storage_destroy(ag_storage* storage) { delete storage; }

void ag_track_storage_reset(ag_storage* storage) {
  if (storage) storage->storage.reset();
}

uint64_t ag_track_storage_id(const ag_storage* storage) { return storage ? storage->storage.id() : 0; }

uint32_t ag_track_new_owner(int kind) {
  if (kind < AG_OWNER_USER || kind > AG_OWNER_SNAPSHOT) {
    std::fprintf(stderr, "aliasguard: ag_track_new_owner: kind %d is not AG_OWNER_USER, AG_OWNER_MODULE or "
                         "AG_OWNER_SNAPSHOT\n", kind);
    return 0;
  }
  return tr::new_owner(static_cast<tr::OwnerKind>(kind)).id;
}

ag_handle* ag_track_handle_create(ag_storage* storage, uint64_t offset, uint64_t length, int owner_kind,
                                  uint32_t owner_id, const char* label, const char* file, int line,
                                  const char* function) {
  if (!storage) {
    std::fprintf(stderr, "aliasguard: ag_track_handle_create: storage is NULL; create it with "
                         "ag_track_storage_create first\n");
    return nullptr;
  }
  if (owner_kind < AG_OWNER_USER || owner_kind > AG_OWNER_SNAPSHOT) {
    std::fprintf(stderr, "aliasguard: ag_track_handle_create: owner kind %d is not AG_OWNER_USER, "
                         "AG_OWNER_MODULE or AG_OWNER_SNAPSHOT\n", owner_kind);
    return nullptr;
  }
  if (!in_bounds("ag_track_handle_create", storage->storage, offset, length)) return nullptr;
  try {
    const tr::Owner owner{static_cast<tr::OwnerKind>(owner_kind), owner_id};
    return new ag_handle(storage->storage, bytes(offset, length), owner, tr::intern_label(label ? label : ""),
                         interned_site(file, line, function));
  } catch (const std::exception& e) {
    internal_error("ag_track_handle_create", e);
    return nullptr;
  }
}

ag_handle* ag_track_handle_view(const ag_handle* source, uint64_t offset, uint64_t length, const char* file,
                                int line, const char* function) {
  if (!source) {
    std::fprintf(stderr, "aliasguard: ag_track_handle_view: source is NULL\n");
    return nullptr;
  }
  tr::Storage& s = source->handle.storage();
  if (!in_bounds("ag_track_handle_view", s, offset, length)) return nullptr;
  try {
    return new ag_handle(source->handle, s, bytes(offset, length), interned_site(file, line, function));
  } catch (const std::exception& e) {
    internal_error("ag_track_handle_view", e);
    return nullptr;
  }
}

void ag_track_handle_destroy(ag_handle* handle) { delete handle; }

void ag_track_read(ag_handle* handle, const char* file, int line, const char* function) {
  if (!handle) return;
  try {
    tr::detail::StorageState::read(handle->handle, transient_site(file, line, function));
  } catch (const std::exception& e) {
    internal_error("ag_track_read", e);
  }
}

void ag_track_write(ag_handle* handle, const char* file, int line, const char* function) {
  if (!handle) return;
  try {
    tr::detail::StorageState::write(handle->handle, interned_site(file, line, function));
  } catch (const std::exception& e) {
    internal_error("ag_track_write", e);
  }
}

uint64_t ag_track_violation_count(void) { return aliasguard::check::violations().size(); }

}  // extern "C"
