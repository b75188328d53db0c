// Byte copies of the host backend: the streaming copy behind copy_many (Note [Streaming
// batch copies] in cpu_copy.h).

#include "cpu_copy.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif
#if defined(__unix__)
#include <unistd.h>
#endif

namespace aliasguard::detail::cpu {

std::size_t streaming_threshold() {
  static const std::size_t threshold = [] {
    long llc = -1;
#if defined(_SC_LEVEL3_CACHE_SIZE)
    llc = ::sysconf(_SC_LEVEL3_CACHE_SIZE);
#endif
    if (llc <= 0) return std::size_t{4} << 20;
    return std::min(static_cast<std::size_t>(llc) / 4 * 3, kMaxStreamingThreshold);
  }();
  return threshold;
}

void streaming_copy(void* dst, const void* src, std::size_t nbytes) {
#if defined(__x86_64__)
  auto* d = static_cast<char*>(dst);
  const auto* s = static_cast<const char*>(src);
  // Streaming stores need 16-byte-aligned destinations: copy up to the first boundary
  // plainly, then 64 bytes (a line) per step with unaligned loads, then the tail.
  std::size_t head = (16 - (reinterpret_cast<std::uintptr_t>(d) & 15)) & 15;
  if (head > nbytes) head = nbytes;
  std::memcpy(d, s, head);
  d += head;
  s += head;
  nbytes -= head;
  const std::size_t body = nbytes & ~std::size_t{63};
  for (std::size_t i = 0; i < body; i += 64) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + 16));
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + 32));
    const __m128i e = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + 48));
    _mm_stream_si128(reinterpret_cast<__m128i*>(d + i), a);
    _mm_stream_si128(reinterpret_cast<__m128i*>(d + i + 16), b);
    _mm_stream_si128(reinterpret_cast<__m128i*>(d + i + 32), c);
    _mm_stream_si128(reinterpret_cast<__m128i*>(d + i + 48), e);
  }
  std::memcpy(d + body, s + body, nbytes - body);
#else
  if (nbytes > 0) std::memcpy(dst, src, nbytes);
#endif
}

void stream_fence() {
#if defined(__x86_64__)
  _mm_sfence();
#endif
}

void copy_one(void* dst, const void* src, std::size_t nbytes) {
  if (nbytes >= streaming_threshold()) {
    streaming_copy(dst, src, nbytes);
    stream_fence();
  } else if (nbytes > 0) {
    std::memcpy(dst, src, nbytes);
  }
}

void copy_many(const ByteCopy* copies, std::size_t count) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < count; ++i) total += copies[i].nbytes;
  const bool stream = total >= streaming_threshold();
  bool streamed = false;
  for (std::size_t i = 0; i < count; ++i) {
    const ByteCopy& c = copies[i];
    if (stream && c.nbytes >= kMinStreamedBytes) {
      streaming_copy(c.dst, c.src, c.nbytes);
      streamed = true;
    } else if (c.nbytes > 0) {
      std::memcpy(c.dst, c.src, c.nbytes);
    }
  }
  if (streamed) stream_fence();
}

}  // namespace aliasguard::detail::cpu
