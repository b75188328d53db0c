#pragma once
// Shared by the Backend-level tests (backend_test.cpp, backend_reduce_test.cpp): a fixture
// parameterised over backends, device buffers moved with copy_bytes, and strided operands
// whose logical values come from a generator function, so expected results are computed
// from the generators by plain loops and never from a backend's output.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "aliasguard/device.h"
#include "aliasguard/error.h"
#include "backend.h"

namespace aliasguard {
// So that gtest names the backend in failure messages instead of printing raw bytes.
inline void PrintTo(DeviceType type, std::ostream* os) { *os << (type == DeviceType::CPU ? "cpu" : "cuda"); }
}  // namespace aliasguard

namespace aliasguard::detail::test {

using Index = std::vector<std::int64_t>;

/// Runs each TEST_P on the host backend and on the CUDA backend; the CUDA run skips itself
/// when no GPU can be used.
class BackendFixture : public ::testing::TestWithParam<DeviceType> {
 protected:
  void SetUp() override {
    if (GetParam() == DeviceType::CUDA && !cuda::is_available()) {
      GTEST_SKIP() << "no usable CUDA device";
    }
  }
  Backend& backend() const {
    return GetParam() == DeviceType::CPU ? cpu_backend() : cuda_backend();
  }
  bool on_host() const { return GetParam() == DeviceType::CPU; }
};

inline std::string backend_param_name(const ::testing::TestParamInfo<DeviceType>& info) {
  return info.param == DeviceType::CPU ? "cpu" : "cuda";
}

/// The dtype a host element type stands for; bool tensors are handled as bytes (0/1).
template <class T>
constexpr ScalarType dtype_of() {
  if constexpr (std::is_same_v<T, float>) return kFloat32;
  else if constexpr (std::is_same_v<T, double>) return kFloat64;
  else if constexpr (std::is_same_v<T, std::int64_t>) return kInt64;
  else {
    static_assert(std::is_same_v<T, std::uint8_t>, "test element types: float, double, int64, uint8 (bool)");
    return kBool;
  }
}

/// Sizes, strides (elements) and offset of a test operand inside its buffer.
struct Geometry {
  Index sizes;
  Index strides;
  std::int64_t offset = 0;
};

inline Geometry contiguous(const Index& sizes) {
  Geometry g{sizes, Index(sizes.size(), 1), 0};
  for (std::size_t d = sizes.size(); d-- > 1;) g.strides[d - 1] = g.strides[d] * sizes[d];
  return g;
}

/// A [rows, cols] view of a contiguous [cols, rows] buffer (a.t()).
inline Geometry transposed(std::int64_t rows, std::int64_t cols) {
  return Geometry{{rows, cols}, {1, rows}, 0};
}

inline std::int64_t numel(const Index& sizes) {
  std::int64_t n = 1;
  for (std::int64_t s : sizes) n *= s;
  return n;
}

/// Elements the buffer behind `g` needs (at least one, so every pointer is valid).
inline std::int64_t storage_elements(const Geometry& g) {
  std::int64_t last = g.offset;
  for (std::size_t d = 0; d < g.sizes.size(); ++d) {
    if (g.sizes[d] == 0) return g.offset + 1;
    last += (g.sizes[d] - 1) * g.strides[d];
  }
  return last + 1;
}

/// Calls f(index) for every index of `sizes` in row-major order.
inline void for_each_index(const Index& sizes, const std::function<void(const Index&)>& f) {
  if (numel(sizes) == 0) return;
  Index idx(sizes.size(), 0);
  while (true) {
    f(idx);
    std::size_t d = sizes.size();
    for (; d-- > 0;) {
      if (++idx[d] < sizes[d]) break;
      idx[d] = 0;
    }
    if (d == static_cast<std::size_t>(-1)) return;
  }
}

inline std::int64_t position(const Geometry& g, const Index& idx) {
  std::int64_t p = g.offset;
  for (std::size_t d = 0; d < idx.size(); ++d) p += idx[d] * g.strides[d];
  return p;
}

/// Row-major position of `idx` in `sizes` (the generators' argument).
inline std::int64_t row_major(const Index& sizes, const Index& idx) {
  std::int64_t p = 0;
  for (std::size_t d = 0; d < idx.size(); ++d) p = p * sizes[d] + idx[d];
  return p;
}

/// Device memory from a backend, freed on destruction; data moves with copy_bytes.
class DeviceBuffer {
 public:
  DeviceBuffer(Backend& backend, std::size_t nbytes)
      : backend_(backend), nbytes_(nbytes), ptr_(backend.allocate(nbytes, 0)) {}
  ~DeviceBuffer() { backend_.deallocate(ptr_, nbytes_, 0); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* data() const { return ptr_; }
  template <class T>
  void upload(const std::vector<T>& host) {
    backend_.copy_bytes(ptr_, host.data(), host.size() * sizeof(T), CopyKind::HostToDevice, 0);
  }
  template <class T>
  std::vector<T> download() const {
    std::vector<T> host(nbytes_ / sizeof(T));
    backend_.copy_bytes(host.data(), ptr_, host.size() * sizeof(T), CopyKind::DeviceToHost, 0);
    return host;
  }

 private:
  Backend& backend_;
  std::size_t nbytes_;
  void* ptr_;
};

/// A strided operand on a backend: every element the geometry does not cover holds
/// `sentinel`, so a kernel that reads or writes the wrong element shows up.
template <class T>
class Operand {
 public:
  Operand(Backend& backend, Geometry g, const std::function<T(std::int64_t)>& value, T sentinel)
      : geom_(std::move(g)),
        sentinel_(sentinel),
        buffer_(std::make_unique<DeviceBuffer>(
            backend, static_cast<std::size_t>(storage_elements(geom_)) * sizeof(T))) {
    host_.assign(static_cast<std::size_t>(storage_elements(geom_)), sentinel);
    // With stride 0 several indices share an element; the first in row-major order (the
    // one with 0 in every broadcast dim) defines it.
    std::vector<bool> written(host_.size(), false);
    for_each_index(geom_.sizes, [&](const Index& idx) {
      const auto p = static_cast<std::size_t>(position(geom_, idx));
      if (written[p]) return;
      written[p] = true;
      host_[p] = value(row_major(geom_.sizes, idx));
    });
    buffer_->upload(host_);
  }

  StridedView view() const {
    StridedView v;
    v.data = static_cast<char*>(buffer_->data()) + geom_.offset * static_cast<std::int64_t>(sizeof(T));
    v.dtype = dtype_of<T>();
    v.ndim = static_cast<int>(geom_.sizes.size());
    for (int d = 0; d < v.ndim; ++d) {
      v.sizes[d] = geom_.sizes[static_cast<std::size_t>(d)];
      v.strides[d] = geom_.strides[static_cast<std::size_t>(d)];
    }
    return v;
  }

  /// The logical values in row-major order; fails the test if an uncovered element changed.
  std::vector<T> values() const {
    const std::vector<T> now = buffer_->download<T>();
    std::vector<bool> covered(now.size(), false);
    std::vector<T> out;
    for_each_index(geom_.sizes, [&](const Index& idx) {
      const auto p = static_cast<std::size_t>(position(geom_, idx));
      covered[p] = true;
      out.push_back(now[p]);
    });
    for (std::size_t i = 0; i < now.size(); ++i) {
      if (!covered[i]) {
        EXPECT_TRUE(same(now[i], sentinel_)) << "element " << i << " outside the view changed";
      }
    }
    return out;
  }

  const Geometry& geometry() const { return geom_; }

 private:
  static bool same(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a) && std::isnan(b)) return true;
    }
    return a == b;
  }

  Geometry geom_;
  T sentinel_;
  std::vector<T> host_;
  std::unique_ptr<DeviceBuffer> buffer_;
};

/// Elementwise comparison: exact for integers, relative tolerance for floats, NaN == NaN,
/// infinities must match exactly.
template <class T>
void expect_values(const std::vector<T>& actual, const std::vector<T>& expected,
                   double rel_tol = std::is_same_v<T, float> ? 1e-6 : 1e-12) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if constexpr (std::is_floating_point_v<T>) {
      const double a = actual[i];
      const double e = expected[i];
      if (std::isnan(e)) {
        EXPECT_TRUE(std::isnan(a)) << "at " << i << ": expected nan, got " << a;
      } else if (std::isinf(e)) {
        EXPECT_EQ(a, e) << "at " << i;
      } else {
        EXPECT_NEAR(a, e, rel_tol * std::max(1.0, std::fabs(e))) << "at " << i;
      }
    } else {
      EXPECT_EQ(actual[i], expected[i]) << "at " << i;
    }
  }
}

/// A row-major vector of f(row_major_index) for `sizes`.
template <class T>
std::vector<T> generate(const Index& sizes, const std::function<T(std::int64_t)>& f) {
  std::vector<T> v(static_cast<std::size_t>(numel(sizes)));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = f(static_cast<std::int64_t>(i));
  return v;
}

}  // namespace aliasguard::detail::test
