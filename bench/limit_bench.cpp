// The memory's limit for the 1M-float in-place ops of ops_bench.cpp: the same arithmetic as
// a bare loop over raw buffers, with no tensor library at all. Benchmark names match
// ops_bench's so bench/run.sh can divide them (the "same loop on raw buffers" rows). The buffers
// are 2 MiB-aligned and advised for huge pages, as the runtime maps its large host blocks
// (Note [Large host blocks] in runtime/tensor/cpu/cpu_backend.cpp), and the loops are
// compiled for AVX2 (with FMA for the add), which is what the runtime's kernels run where the
// CPU has them (Note [AVX2 dispatch] in runtime/tensor/cpu/cpu_kernels.h).

#include <benchmark/benchmark.h>

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

/// `n` floats set to 1, 2 MiB-aligned; freed by the caller with std::free.
float* ones(std::int64_t n) {
  const std::size_t bytes = (static_cast<std::size_t>(n) * sizeof(float) + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, bytes);
  if (p == nullptr) throw std::bad_alloc();
  ::madvise(p, bytes, MADV_HUGEPAGE);
  auto* f = static_cast<float*>(p);
  for (std::int64_t i = 0; i < n; ++i) f[i] = 1.0f;
  return f;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define AG_BENCH_TARGET(t) __attribute__((target(t), noinline))
#else
#define AG_BENCH_TARGET(t) __attribute__((noinline))
#endif

/// a += alpha * b, one rounding per element (add_(t, alpha) on float32).
AG_BENCH_TARGET("avx2,fma") void fma_loop(float* a, const float* b, float alpha, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) a[i] = __builtin_fmaf(alpha, b[i], a[i]);
}

/// a *= s (mul_(scalar) on float32).
AG_BENCH_TARGET("avx2") void scale_loop(float* a, float s, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) a[i] *= s;
}

void BM_AddInPlace(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  float* a = ones(n);
  float* b = ones(n);
  for (auto _ : state) {
    fma_loop(a, b, 0.5f, n);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * n);
  std::free(a);
  std::free(b);
}
BENCHMARK(BM_AddInPlace)->Arg(1 << 20);

void BM_MulScalarInPlace(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  float* a = ones(n);
  for (auto _ : state) {
    scale_loop(a, 1.0000001f, n);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * n);
  std::free(a);
}
BENCHMARK(BM_MulScalarInPlace)->Arg(1 << 20);

}  // namespace

BENCHMARK_MAIN();
