// Backend::copy_many and the batched state-dict copies built on it (Note [Batched state-dict
// copies] in runtime/tensor/nn/storage_copy.h): every test runs on the host (copy_many with
// streaming stores for a batch larger than the cache, and the per-tensor path) and on cuda:0
// (one kernel launch per call), and compares bytes or elements with values computed on the
// host. The CUDA runs skip with CUDA's own reason where no GPU is usable.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aliasguard/device.h"
#include "aliasguard/nn/module.h"
#include "aliasguard/state_dict.h"
#include "aliasguard/tensor.h"
#include "backend.h"
#include "backend_test_util.h"
#include "cpu/cpu_copy.h"
#include "cuda/cuda_status.h"
#include "nn/storage_copy.h"
#include "resnet50_shapes.h"
#include "tensor_impl.h"
#include "tensor_test_fixture.h"

namespace aliasguard::test {
namespace {

// --- Backend::copy_many on raw bytes ------------------------------------------------------------

class CopyManyBackend : public detail::test::BackendFixture {
 protected:
  void SetUp() override {
    if (GetParam() == DeviceType::CUDA && !cuda::is_available()) {
      GTEST_SKIP() << detail::cuda_unavailable_reason();
    }
  }
};

/// Copies `sizes[i]` bytes for each i, source and destination at the given byte offsets past
/// a 256-byte boundary, in one copy_many; checks every destination byte (copied or sentinel).
void check_copy_many(detail::Backend& backend, const std::vector<std::size_t>& sizes,
                     const std::vector<std::size_t>& src_offsets, const std::vector<std::size_t>& dst_offsets) {
  constexpr std::uint8_t kSentinel = 0xA5;
  std::vector<std::size_t> src_at;
  std::vector<std::size_t> dst_at;
  std::size_t src_len = 0;
  std::size_t dst_len = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    src_len = (src_len + 255) / 256 * 256 + src_offsets[i % src_offsets.size()];
    dst_len = (dst_len + 255) / 256 * 256 + dst_offsets[i % dst_offsets.size()];
    src_at.push_back(src_len);
    dst_at.push_back(dst_len);
    src_len += sizes[i] + 32;  // a gap the copies must not touch
    dst_len += sizes[i] + 32;
  }
  std::vector<std::uint8_t> src(src_len);
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<std::uint8_t>((i * 131 + i / 251 + 1) & 0xff);
  std::vector<std::uint8_t> expected(dst_len, kSentinel);
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    for (std::size_t b = 0; b < sizes[i]; ++b) expected[dst_at[i] + b] = src[src_at[i] + b];
  }

  detail::test::DeviceBuffer src_buf(backend, src.size());
  detail::test::DeviceBuffer dst_buf(backend, expected.size());
  src_buf.upload(src);
  dst_buf.upload(std::vector<std::uint8_t>(expected.size(), kSentinel));
  std::vector<detail::ByteCopy> copies;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    copies.push_back({static_cast<char*>(dst_buf.data()) + dst_at[i],
                      static_cast<const char*>(src_buf.data()) + src_at[i], sizes[i]});
  }
  backend.copy_many(copies.data(), copies.size(), 0);
  const std::vector<std::uint8_t> actual = dst_buf.download<std::uint8_t>();
  ASSERT_EQ(actual.size(), expected.size());
  std::size_t reported = 0;
  for (std::size_t i = 0; i < actual.size() && reported < 10; ++i) {
    if (actual[i] != expected[i]) {
      ++reported;
      ADD_FAILURE() << "destination byte " << i << ": expected " << int{expected[i]} << ", got " << int{actual[i]};
    }
  }
}

TEST_P(CopyManyBackend, ManySizesAndAlignments) {
  // Every relative alignment of source and destination (16, 8, 4, 2, 1 bytes) meets sizes
  // around every vector width, so heads, bodies and tails all occur.
  const std::vector<std::size_t> sizes = {0,    1,    3,    15,    16,    17,    2,     7,     8,
                                          9,    31,   32,   33,    100,   255,   256,   257,   1000,
                                          4095, 4096, 4097, 65535, 65536, 65537, 0,     1,     (1u << 20) + 3};
  check_copy_many(backend(), sizes, {0, 1, 2, 3, 4, 5, 8, 12, 13, 16}, {0, 3, 4, 8, 1, 16, 7, 12, 2});
}

TEST_P(CopyManyBackend, EveryTableSizeAndManyLaunches) {
  // 1, 5 and 33 copies, 200, and 2000 (more than one launch's table holds).
  for (std::size_t count : {1u, 5u, 33u, 200u, 2000u}) {
    SCOPED_TRACE("count " + std::to_string(count));
    std::vector<std::size_t> sizes;
    for (std::size_t i = 0; i < count; ++i) sizes.push_back((i * 37 + count) % 300);
    check_copy_many(backend(), sizes, {0, 4, 8}, {0, 12, 4, 1});
  }
}

TEST_P(CopyManyBackend, NothingToCopy) {
  std::vector<std::uint8_t> host(16, 7);
  detail::test::DeviceBuffer buf(backend(), host.size());
  buf.upload(host);
  backend().copy_many(nullptr, 0, 0);
  const detail::ByteCopy empty[2] = {{buf.data(), buf.data(), 0}, {buf.data(), buf.data(), 0}};
  backend().copy_many(empty, 2, 0);
  EXPECT_EQ(buf.download<std::uint8_t>(), host);
}

INSTANTIATE_TEST_SUITE_P(Backends, CopyManyBackend, ::testing::Values(DeviceType::CPU, DeviceType::CUDA),
                         detail::test::backend_param_name);

// --- the host's streaming copies (Note [Streaming batch copies] in cpu/cpu_copy.h) -------------

TEST(StreamingCopy, EverySizeAndAlignmentAroundALine) {
  // Destinations at every offset within 16 bytes meet sizes around the 64-byte step, so the
  // plain head, the streamed lines and the plain tail all occur, and none of them may touch
  // a byte outside [dst, dst + n).
  constexpr std::uint8_t kSentinel = 0x5A;
  std::vector<std::uint8_t> src(4096 + 64);
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<std::uint8_t>((i * 29 + 7) & 0xff);
  for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 63u, 64u, 65u, 127u, 128u, 129u, 1000u, 4096u}) {
    for (std::size_t dst_at = 0; dst_at < 16; ++dst_at) {
      for (std::size_t src_at : {0u, 1u, 4u, 13u}) {
        std::vector<std::uint8_t> dst(n + 64, kSentinel);
        detail::cpu::streaming_copy(dst.data() + dst_at, src.data() + src_at, n);
        detail::cpu::stream_fence();
        for (std::size_t i = 0; i < dst.size(); ++i) {
          const bool inside = i >= dst_at && i < dst_at + n;
          const std::uint8_t expected = inside ? src[src_at + i - dst_at] : kSentinel;
          ASSERT_EQ(dst[i], expected) << "byte " << i << " of a copy of " << n << " bytes to offset " << dst_at
                                      << " from offset " << src_at;
        }
      }
    }
  }
}

TEST(StreamingCopy, ABatchLargerThanTheThresholdStreamsItsLargeCopies) {
  // Enough bytes that the batch streams: large copies at odd offsets, small ones (kept on
  // memcpy) between them, and an empty one.
  const std::size_t threshold = detail::cpu::streaming_threshold();
  ASSERT_GT(threshold, 0u);
  ASSERT_LE(threshold, detail::cpu::kMaxStreamingThreshold);  // Note [Streaming batch copies]: VMs
  const std::size_t large = threshold / 3 + 4093;
  check_copy_many(detail::cpu_backend(), {large, 100, 0, large + 7, detail::cpu::kMinStreamedBytes - 1, large + 13},
                  {0, 3, 8}, {5, 0, 12, 1});
}

// --- deep_copy and load_state_dict -------------------------------------------------------------

class BatchedCopy : public DeviceTest {
 protected:
  void SetUp() override {
    if (GetParam().is_cuda() && !cuda::is_available()) GTEST_SKIP() << detail::cuda_unavailable_reason();
  }
};

/// Distinct, reproducible floats (no generator: 25M values are made in well under a second).
std::vector<float> pattern(std::int64_t n, std::uint32_t seed) {
  std::vector<float> v(static_cast<std::size_t>(n));
  std::uint32_t x = seed * 2654435761u + 1u;
  for (float& f : v) {
    x = x * 1664525u + 1013904223u;
    f = static_cast<float>(x >> 8) / 65536.0f - 128.0f;
  }
  return v;
}

std::int64_t numel_of(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (std::int64_t s : shape) n *= s;
  return n;
}

/// ResNet-50's parameters on the host, filled from `seed`.
StateDict resnet50_host(std::uint32_t seed) {
  StateDict dict;
  std::uint32_t i = 0;
  for (const auto& [name, shape] : bench::resnet50_parameter_shapes()) {
    dict.insert(name, tensor(pattern(numel_of(shape), seed + i++), shape));
  }
  return dict;
}

/// Parameter names may not contain dots; the module flattens the ResNet-50 paths.
std::string flat(std::string name) {
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name;
}

void expect_same_values(const Tensor& host, const Tensor& actual, const std::string& key) {
  SCOPED_TRACE(key);
  ASSERT_TRUE(actual.defined());
  ASSERT_EQ(actual.sizes(), host.sizes());
  ASSERT_EQ(actual.dtype(), host.dtype());
  if (host.dtype() == kFloat32) {
    EXPECT_EQ(actual.to_vector<float>(), host.to_vector<float>());
  } else if (host.dtype() == kFloat64) {
    EXPECT_EQ(actual.to_vector<double>(), host.to_vector<double>());
  } else {
    EXPECT_EQ(actual.to_vector<std::int64_t>(), host.to_vector<std::int64_t>());
  }
}

/// Restores the batched path when a test that turns it off ends (even by a failed ASSERT).
struct BatchedCopies {
  explicit BatchedCopies(bool on) { detail::set_batched_copies(on); }
  ~BatchedCopies() { detail::set_batched_copies(true); }
  BatchedCopies(const BatchedCopies&) = delete;
  BatchedCopies& operator=(const BatchedCopies&) = delete;
};

TEST_P(BatchedCopy, DeepCopyOfResNet50DictMatchesHost) {
  const StateDict host = resnet50_host(1);
  StateDict source;  // its own storages, also on the host: the test overwrites it below
  for (const auto& item : host) source.insert(item.key(), item.value().to(device(), /*copy=*/true));
  const StateDict copy = deep_copy(source);
  ASSERT_EQ(copy.size(), host.size());
  for (const auto& item : host) {
    const Tensor& c = copy.at(item.key());
    EXPECT_EQ(c.device(), device());
    EXPECT_NE(c.storage_id(), source.at(item.key()).storage_id());
    expect_same_values(item.value(), c, item.key());
  }
  // The copy owns its bytes: overwriting the source afterwards changes nothing in it.
  for (const auto& item : source) item.value().fill_(-1.0);
  for (const char* key : {"conv1.weight", "bn1.bias", "layer4.2.conv3.weight", "fc.weight", "fc.bias"}) {
    expect_same_values(host.at(key), copy.at(key), key);
  }
}

/// The [begin, end) byte ranges of the distinct storages behind `dict`'s tensors overlap
/// nowhere.
void expect_storages_disjoint(const StateDict& dict) {
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> ranges;
  std::vector<std::uint64_t> seen;
  for (const auto& item : dict) {
    const auto& storage = item.value().impl()->storage();
    if (std::find(seen.begin(), seen.end(), storage->id()) != seen.end()) continue;
    seen.push_back(storage->id());
    const auto begin = reinterpret_cast<std::uintptr_t>(storage->data());
    ranges.emplace_back(begin, begin + storage->nbytes());
  }
  std::sort(ranges.begin(), ranges.end());
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    EXPECT_LE(ranges[i - 1].second, ranges[i].first) << "storages " << i - 1 << " and " << i << " overlap";
  }
}

TEST_P(BatchedCopy, DeepCopiedStoragesAreDisjointAndOutliveTheirDict) {
  // On a GPU the small ones are carved from one allocation (Note [Carved storages]).
  const StateDict host = resnet50_host(5);
  StateDict source;  // its own storages, also on the host: the test overwrites it below
  for (const auto& item : host) source.insert(item.key(), item.value().to(device(), /*copy=*/true));
  Tensor kept_small;
  Tensor kept_large;
  {
    const StateDict copy = deep_copy(source);
    expect_storages_disjoint(copy);
    kept_small = copy.at("layer2.0.bn1.bias");
    kept_large = copy.at("layer4.2.conv2.weight");
  }
  // The dict and every other copy are gone; the two kept entries still hold their bytes,
  // and they are not the source's.
  for (const auto& item : source) item.value().fill_(-1.0);
  expect_same_values(host.at("layer2.0.bn1.bias"), kept_small, "layer2.0.bn1.bias");
  expect_same_values(host.at("layer4.2.conv2.weight"), kept_large, "layer4.2.conv2.weight");
}

TEST_P(BatchedCopy, CarvedStoragesAreSeparateAlignedAndBounded) {
  const std::vector<std::size_t> sizes = {4, 1000, 256, detail::kMaxCarvedBytes};
  std::vector<std::shared_ptr<detail::StorageImpl>> carved;
  {
    detail::CopyBatch batch;
    for (std::size_t n : sizes) batch.reserve(device(), n);
    batch.reserve(device(), 0);                            // nothing to carve
    batch.reserve(device(), detail::kMaxCarvedBytes + 1);  // too large: allocated on its own
    EXPECT_EQ(batch.carve(device(), 0), nullptr);
    EXPECT_EQ(batch.carve(device(), detail::kMaxCarvedBytes + 1), nullptr);
    for (std::size_t n : sizes) {
      carved.push_back(batch.carve(device(), n));
      ASSERT_NE(carved.back(), nullptr) << n << " bytes";
      EXPECT_EQ(carved.back()->nbytes(), n);
      EXPECT_EQ(carved.back()->device(), device());
    }
    EXPECT_EQ(batch.carve(device(), 4), nullptr) << "carved more than was reserved";
    const Device elsewhere = device().is_cuda() ? Device::cpu() : Device::cuda(0);
    EXPECT_EQ(batch.carve(elsewhere, 4), nullptr) << "carved on a device nothing was reserved for";
  }
  const auto base = reinterpret_cast<std::uintptr_t>(carved.front()->data());
  std::vector<std::uint64_t> ids;
  for (std::size_t i = 0; i < carved.size(); ++i) {
    const auto at = reinterpret_cast<std::uintptr_t>(carved[i]->data());
    EXPECT_EQ((at - base) % detail::kCarveAlignment, 0u) << "storage " << i;
    if (i > 0) {
      const auto prev = reinterpret_cast<std::uintptr_t>(carved[i - 1]->data());
      EXPECT_GE(at, prev + carved[i - 1]->nbytes()) << "storages " << i - 1 << " and " << i << " overlap";
    }
    ids.push_back(carved[i]->id());
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end()) << "two carved storages share an id";
  // Each is written as a tensor of its own; dropping all but the last keeps the last's bytes
  // (the batch is gone too: the allocation lives with the storages carved from it).
  std::vector<Tensor> views;
  for (std::size_t i = 0; i < carved.size(); ++i) {
    const auto n = static_cast<std::int64_t>(carved[i]->nbytes() / sizeof(float));
    views.emplace_back(std::make_shared<detail::TensorImpl>(carved[i], kFloat32, Shape{n}, Shape{1}, 0));
    views.back().fill_(static_cast<double>(i + 1));
  }
  const Tensor last = views.back();
  views.clear();
  carved.clear();
  const std::vector<float> values = last.to_vector<float>();
  ASSERT_EQ(values.size(), detail::kMaxCarvedBytes / sizeof(float));
  EXPECT_TRUE(std::all_of(values.begin(), values.end(), [&](float v) { return v == static_cast<float>(sizes.size()); }));
}

TEST_P(BatchedCopy, LoadResNet50RoundTripMatchesHost) {
  const StateDict host = resnet50_host(2);
  nn::Module model("ResNet50Params");
  for (const auto& item : host) {
    model.register_parameter(flat(item.key()), item.value().to(device(), /*copy=*/true), /*requires_grad=*/false);
  }
  const StateDict saved = deep_copy(model.state_dict());
  for (const Tensor& p : model.parameters()) p.fill_(0.5);
  model.load_state_dict(saved);
  for (const auto& item : host) {
    expect_same_values(item.value(), model.named_parameters().at(flat(item.key())), item.key());
  }
  // A second dict built elsewhere (its own storages), loaded over the first.
  const StateDict other_host = resnet50_host(3);
  StateDict other;
  for (const auto& item : other_host) other.insert(flat(item.key()), item.value().to(device()));
  model.load_state_dict(other);
  for (const auto& item : other_host) {
    expect_same_values(item.value(), model.named_parameters().at(flat(item.key())), item.key());
  }
}

TEST_P(BatchedCopy, UnalignedContiguousViewsLoadAndDeepCopy) {
  // Sources are contiguous views at odd element offsets into one storage, so source and
  // destination differ in alignment (4 bytes for float32 at offset 1, 1 byte for bool).
  struct Case {
    ScalarType dtype;
    std::int64_t offset;
    Shape shape;
  };
  const std::vector<Case> cases = {{kFloat32, 1, {17}},     {kFloat32, 3, {5, 3}},   {kFloat32, 2, {1}},
                                   {kFloat32, 4, {16}},     {kFloat32, 5, {3, 11}},  {kFloat64, 1, {15}},
                                   {kFloat64, 3, {4, 4}},   {kInt64, 1, {33}},       {kBool, 1, {17}},
                                   {kBool, 3, {3, 5}},      {kBool, 15, {16}},       {kFloat32, 7, {1000, 3}}};
  nn::Module model("Views");
  StateDict host_values;
  StateDict dict;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const std::string name = "p" + std::to_string(i);
    const std::int64_t n = numel_of(c.shape);
    const std::vector<float> values = pattern(c.offset + n + 5, 100 + static_cast<std::uint32_t>(i));
    Tensor whole = tensor(values, {c.offset + n + 5});
    if (c.dtype == kBool) whole = whole.eq(whole.clamp(0.0, std::nullopt));  // x >= 0
    if (c.dtype == kInt64 || c.dtype == kFloat64) whole = whole.to(c.dtype);
    const Tensor host_view = whole.narrow(0, c.offset, n).view(c.shape);
    host_values.insert(name, host_view.clone());
    const Tensor view = whole.to(device()).narrow(0, c.offset, n).view(c.shape);
    ASSERT_TRUE(view.is_contiguous());
    dict.insert(name, view);
    model.register_parameter(name, zeros(c.shape, opts(c.dtype)), /*requires_grad=*/false);
  }
  model.load_state_dict(dict);
  for (const auto& item : host_values) {
    expect_same_values(item.value(), model.named_parameters().at(item.key()), item.key());
  }
  // deep_copy copies each view's whole storage once and keeps the view's offset.
  const StateDict copy = deep_copy(dict);
  for (const auto& item : host_values) expect_same_values(item.value(), copy.at(item.key()), item.key());
}

TEST_P(BatchedCopy, TiedWeightTakesTheLaterKey) {
  // One layer registered under two names: both keys write the same storage, and as with one
  // copy_ per key (and PyTorch) the later key's values win.
  auto shared = std::make_shared<nn::Module>("Shared");
  shared->register_parameter("w", zeros({4}, opts()), /*requires_grad=*/false);
  nn::Module model("Tied");
  model.register_module("a", shared);
  model.register_module("b", shared);
  StateDict dict;
  dict.insert("a.w", make({1, 2, 3, 4}, {4}));
  dict.insert("b.w", make({5, 6, 7, 8}, {4}));
  model.load_state_dict(dict);
  EXPECT_EQ(shared->named_parameters().at("w").to_vector<float>(), (std::vector<float>{5, 6, 7, 8}));
}

TEST_P(BatchedCopy, BatchedAndPerTensorPathsAgree) {
  const StateDict host = resnet50_host(4);
  StateDict source;
  for (const auto& item : host) source.insert(item.key(), item.value().to(device()));
  const StateDict batched = deep_copy(source);
  StateDict per_tensor;
  {
    BatchedCopies off(false);
    per_tensor = deep_copy(source);
  }
  ASSERT_TRUE(detail::batched_copies_enabled());
  for (const char* key : {"conv1.weight", "layer1.0.bn1.weight", "layer3.5.conv2.weight", "fc.bias"}) {
    expect_same_values(per_tensor.at(key), batched.at(key), key);
    expect_same_values(host.at(key), per_tensor.at(key), key);
  }
}

AG_INSTANTIATE_ON_DEVICES(BatchedCopy);

TEST(StreamingCopy, SingleCopiesFromTheThresholdOnAreStreamedExactly) {
  // clone(), copy_() and to() of one tensor stream from streaming_threshold() bytes on
  // (copy_one); one float more than the threshold, at an offset, must arrive bit for bit,
  // and one float less takes memcpy.
  const auto floats = static_cast<std::int64_t>(detail::cpu::streaming_threshold() / sizeof(float));
  for (const std::int64_t n : {floats + 1, floats - 1}) {
    SCOPED_TRACE("floats " + std::to_string(n));
    const std::vector<float> values = pattern(n + 3, 11);
    const Tensor source = tensor(values, {n + 3}).slice(0, 3, n + 3);  // not 16-byte aligned
    const Tensor cloned = source.clone();
    const Tensor target = zeros({n});
    target.copy_(source);
    const std::vector<float> expected(values.begin() + 3, values.end());
    EXPECT_EQ(cloned.to_vector<float>(), expected);
    EXPECT_EQ(target.to_vector<float>(), expected);
  }
}

}  // namespace
}  // namespace aliasguard::test
