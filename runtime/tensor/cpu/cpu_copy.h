#pragma once
// Internal to the host backend: byte copies, and the streaming copy behind copy_many.
//
// Note [Streaming batch copies]
// A store to a line that is not in the cache first reads the line (read for ownership), so
// a plain memcpy of bytes that will not stay cached moves three bytes through memory for
// every byte copied: one read of the source, one read and one write of the destination.
// Streaming (non-temporal) stores write whole lines without reading them, and leave them
// out of the cache, so such a copy moves two. glibc's memcpy makes that choice per call,
// streaming only copies larger than about three quarters of the last-level cache. A state
// dict's copies are many calls, each small enough for plain stores (ResNet-50's largest
// tensor is 9.4 MB), yet together far larger than the cache (102 MB): by the time deep_copy
// or load_state_dict ends, the first tensors' bytes are long evicted. So copy_many, which
// sees the whole batch, decides for the batch: when its bytes add up to
// streaming_threshold() or more, every copy of at least kMinStreamedBytes is streamed, with
// one store fence at the end (bench/README.md gives what that saves on the ResNet-50 dict
// cycle: state_dict, deep_copy, load_state_dict, two such copies). Smaller batches keep
// memcpy. A single copy (copy_, clone, to()) goes through copy_one, which applies the same
// threshold to its one copy: glibc's own rule, except for the cap below.
//
// The cache the C library reports is not always the cache this process gets. In a virtual
// machine it may be the host's whole last-level cache, hundreds of MiB, while the bandwidth
// of this process's copies drops as if its share were tens of MiB; three quarters of the
// reported size would then never stream a 102 MB dict. The threshold is therefore capped at
// kMaxStreamingThreshold (32 MiB). Streaming where the bytes would in fact have stayed
// cached costs little, and streaming where they would not saves a third of the memory
// traffic (bench/README.md has the measurements).

#include <cstddef>

#include "backend.h"

namespace aliasguard::detail::cpu {

/// Copies of at least this many bytes are streamed in a batch that streams.
inline constexpr std::size_t kMinStreamedBytes = std::size_t{256} << 10;

/// The most streaming_threshold() returns, whatever cache the C library reports.
inline constexpr std::size_t kMaxStreamingThreshold = std::size_t{32} << 20;

/// Total bytes from which a copy_many batch streams: three quarters of the last-level
/// cache as the C library reports it (the rule glibc applies to a single memcpy; 4 MiB where
/// it reports none), at most kMaxStreamingThreshold.
std::size_t streaming_threshold();

/// Copies `nbytes` from `src` to `dst` (which must not overlap) with streaming stores where
/// the CPU has them (x86-64), else memcpy. Does not fence: call stream_fence() before
/// another thread may read `dst`.
void streaming_copy(void* dst, const void* src, std::size_t nbytes);
/// Orders every earlier streaming store before later stores (sfence on x86-64).
void stream_fence();

/// One copy: streamed and fenced when `nbytes` reaches streaming_threshold(), else memcpy.
void copy_one(void* dst, const void* src, std::size_t nbytes);

/// Backend::copy_many on the host. See Note [Streaming batch copies].
void copy_many(const ByteCopy* copies, std::size_t count);

}  // namespace aliasguard::detail::cpu
