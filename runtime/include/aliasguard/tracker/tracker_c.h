/* The tracker's C ABI: lets another tensor library (or a C program) annotate its own
 * buffers. See docs/tracker.md for a complete example. Every function is thread-safe. */
#ifndef ALIASGUARD_TRACKER_C_H
#define ALIASGUARD_TRACKER_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ag_storage ag_storage;
typedef struct ag_handle ag_handle;

/* Owner kinds: see Note [Owners] in tracker.h. */
enum { AG_OWNER_USER = 0, AG_OWNER_MODULE = 1, AG_OWNER_SNAPSHOT = 2 };

/* A record for a buffer of `nbytes` (device_type 0 = host, 1 = CUDA). */
ag_storage* ag_track_storage_create(size_t nbytes, int device_type, int device_index);
void ag_track_storage_destroy(ag_storage* storage);
/* The buffer was reused for unrelated contents: forget its history. */
void ag_track_storage_reset(ag_storage* storage);
uint64_t ag_track_storage_id(const ag_storage* storage);

/* A fresh owner id of `kind`, for ag_track_handle_create. */
uint32_t ag_track_new_owner(int kind);

/* A handle on `length` contiguous bytes at `offset` of `storage`, owned by (kind, owner_id),
 * named `label` in reports (may be NULL); `file`/`line`/`function` say where it was made. */
ag_handle* ag_track_handle_create(ag_storage* storage, uint64_t offset, uint64_t length, int owner_kind,
                                  uint32_t owner_id, const char* label, const char* file, int line,
                                  const char* function);
/* A view of `source`: inherits its owner, name and what it has observed. */
ag_handle* ag_track_handle_view(const ag_handle* source, uint64_t offset, uint64_t length, const char* file,
                                int line, const char* function);
void ag_track_handle_destroy(ag_handle* handle);

/* Accesses through a handle; a violation is reported as the runtime reports its own. */
void ag_track_read(ag_handle* handle, const char* file, int line, const char* function);
void ag_track_write(ag_handle* handle, const char* file, int line, const char* function);

/* Violations reported so far (after suppressions and de-duplication). */
uint64_t ag_track_violation_count(void);

#ifdef __cplusplus
}
#endif

#endif
