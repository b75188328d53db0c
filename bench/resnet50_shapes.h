#pragma once
// The parameter shapes of torchvision's ResNet-50 (161 tensors, 25,557,032 floats), in
// registration order, generated from the architecture rather than copied from a file.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace bench {

using NamedShape = std::pair<std::string, std::vector<std::int64_t>>;

inline std::vector<NamedShape> resnet50_parameter_shapes() {
  std::vector<NamedShape> out;
  auto conv = [&out](const std::string& name, std::int64_t o, std::int64_t i, std::int64_t k) {
    out.push_back({name + ".weight", {o, i, k, k}});
  };
  auto bn = [&out](const std::string& name, std::int64_t c) {
    out.push_back({name + ".weight", {c}});
    out.push_back({name + ".bias", {c}});
  };
  conv("conv1", 64, 3, 7);
  bn("bn1", 64);
  const std::int64_t blocks[4] = {3, 4, 6, 3};
  std::int64_t in = 64;
  for (int layer = 0; layer < 4; ++layer) {
    const std::int64_t width = 64LL << layer;
    for (std::int64_t b = 0; b < blocks[layer]; ++b) {
      const std::string p = "layer" + std::to_string(layer + 1) + "." + std::to_string(b);
      conv(p + ".conv1", width, in, 1);
      bn(p + ".bn1", width);
      conv(p + ".conv2", width, width, 3);
      bn(p + ".bn2", width);
      conv(p + ".conv3", width * 4, width, 1);
      bn(p + ".bn3", width * 4);
      if (b == 0) {
        conv(p + ".downsample.0", width * 4, in, 1);
        bn(p + ".downsample.1", width * 4);
      }
      in = width * 4;
    }
  }
  out.push_back({"fc.weight", {1000, 2048}});
  out.push_back({"fc.bias", {1000}});
  return out;
}

}  // namespace bench
