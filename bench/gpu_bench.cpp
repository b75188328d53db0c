// GPU benchmark (bench/README.md, "GPU runs"): copies of a ResNet-50-shaped state dict on
// cuda:0 against cudaMemcpyAsync device-to-device of the same number of bytes.
//
//   memcpy_d2d            cudaMemcpyAsync of all the dict's bytes as one buffer (the ceiling)
//   copy_many_kernel      Backend::copy_many of the 161 tensors' bytes (the batched kernel alone)
//   deep_copy_batched     deep_copy(dict): allocation + one batched launch
//   load_batched          Module::load_state_dict(dict) into a module of the same shapes
//   deep_copy_per_tensor  the same with the batched path off (one copy kernel per tensor,
//   load_per_tensor       as before the batched copy existed, and as PyTorch does)
//
// Times are cudaEvent intervals on the runtime's stream around `iters` back-to-back calls
// (so host overhead counts when it starves the GPU), median of `reps`; host_ms is the
// host's time to issue one call, which tells a host-bound figure from a GPU-bound one. GB/s
// count bytes read plus bytes written (2 x the dict's bytes), as the 4.3 TB/s H200 figure
// does. Prints one JSON object (stdout, or --out FILE); bench/gpu/table.py turns it into the results table.
//
// Plain C++ with cudaEvents rather than Google Benchmark: the GPU machine has no
// libbenchmark, and Debian ships no static one to link in.

#include <cuda_runtime_api.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "aliasguard/device.h"
#include "aliasguard/error.h"
#include "aliasguard/nn/module.h"
#include "aliasguard/state_dict.h"
#include "aliasguard/tensor.h"
#include "backend.h"
#include "cuda/cuda_stream.h"
#include "nn/storage_copy.h"
#include "resnet50_shapes.h"

namespace {

using aliasguard::StateDict;
using aliasguard::Tensor;

void check(cudaError_t status, const char* what) {
  if (status == cudaSuccess) return;
  std::fprintf(stderr, "gpu_bench: %s failed: %s\n", what, cudaGetErrorString(status));
  std::exit(1);
}

struct Timing {
  double ms = 0;       // median per call (GPU timeline, events)
  double ms_min = 0;   // fastest rep, per call
  double host_ms = 0;  // median per call of the host's time to issue the calls (no wait):
                       // close to `ms` means the host, not the GPU, sets the pace
};

/// Runs `body` (which queues work on `stream`) warmup times, then reps x iters times with
/// events around each rep.
template <class F>
Timing time_calls(cudaStream_t stream, int warmup, int iters, int reps, const F& body) {
  for (int i = 0; i < warmup; ++i) body();
  check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
  cudaEvent_t start = nullptr;
  cudaEvent_t stop = nullptr;
  check(cudaEventCreate(&start), "cudaEventCreate");
  check(cudaEventCreate(&stop), "cudaEventCreate");
  std::vector<double> per_call;
  std::vector<double> host_per_call;
  for (int r = 0; r < reps; ++r) {
    check(cudaEventRecord(start, stream), "cudaEventRecord");
    const auto issued_from = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; ++i) body();
    host_per_call.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - issued_from).count() / iters);
    check(cudaEventRecord(stop, stream), "cudaEventRecord");
    check(cudaEventSynchronize(stop), "cudaEventSynchronize");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
    per_call.push_back(static_cast<double>(ms) / iters);
  }
  check(cudaEventDestroy(start), "cudaEventDestroy");
  check(cudaEventDestroy(stop), "cudaEventDestroy");
  std::sort(per_call.begin(), per_call.end());
  std::sort(host_per_call.begin(), host_per_call.end());
  return Timing{per_call[per_call.size() / 2], per_call.front(), host_per_call[host_per_call.size() / 2]};
}

std::string flat(std::string name) {
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

bool same_values(const Tensor& a, const Tensor& b) { return a.to_vector<float>() == b.to_vector<float>(); }

int run(int argc, char** argv) {
  int warmup = 5;
  int iters = 50;
  int reps = 7;
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw aliasguard::Error("gpu_bench: " + arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--iters") {
      iters = std::stoi(next());
    } else if (arg == "--reps") {
      reps = std::stoi(next());
    } else if (arg == "--warmup") {
      warmup = std::stoi(next());
    } else if (arg == "--out") {
      out_path = next();
    } else {
      std::cerr << "usage: aliasguard_gpu_bench [--iters N] [--reps N] [--warmup N] [--out FILE]\n";
      return 2;
    }
  }
  if (!aliasguard::cuda::is_available()) {
    std::cerr << "gpu_bench: no usable CUDA device; nothing measured\n";
    return 3;
  }
  const aliasguard::Device dev = aliasguard::Device::cuda(0);
  cudaStream_t stream = aliasguard::detail::cuda_impl::stream_for(0);

  // The module and a saved copy of its state (own storages, as a checkpoint would have).
  aliasguard::nn::Module model("ResNet50Params");
  std::size_t bytes = 0;
  std::size_t tensors = 0;
  {
    std::uint32_t seed = 1;
    for (const auto& [name, shape] : bench::resnet50_parameter_shapes()) {
      std::int64_t n = 1;
      for (std::int64_t s : shape) n *= s;
      std::vector<float> values(static_cast<std::size_t>(n));
      for (float& v : values) {
        seed = seed * 1664525u + 1013904223u;
        v = static_cast<float>(seed >> 9) * 1e-6f;
      }
      model.register_parameter(flat(name), aliasguard::tensor(values, shape).to(dev), /*requires_grad=*/false);
      bytes += values.size() * sizeof(float);
      ++tensors;
    }
  }
  const StateDict saved = aliasguard::deep_copy(model.state_dict());
  aliasguard::cuda::synchronize(0);

  // Correctness first: a benchmark of a wrong copy is worth nothing.
  bool verified = true;
  {
    const StateDict copy = aliasguard::deep_copy(saved);
    for (const auto& item : saved) verified = verified && same_values(item.value(), copy.at(item.key()));
    for (const Tensor& p : model.parameters()) p.fill_(0.0);
    model.load_state_dict(copy);
    const auto params = model.named_parameters();
    for (const auto& item : saved) verified = verified && same_values(item.value(), params.at(item.key()));
  }

  void* src = nullptr;
  void* dst = nullptr;
  check(cudaMalloc(&src, bytes), "cudaMalloc");
  check(cudaMalloc(&dst, bytes), "cudaMalloc");
  check(cudaMemsetAsync(src, 1, bytes, stream), "cudaMemsetAsync");

  std::vector<aliasguard::detail::ByteCopy> segments;
  {
    const auto params = model.named_parameters();
    for (const auto& item : saved) {
      const Tensor& target = params.at(item.key());
      segments.push_back({target.mutable_data_ptr(), item.value().const_data_ptr(),
                          static_cast<std::size_t>(target.numel()) * sizeof(float)});
    }
  }
  aliasguard::detail::Backend& backend = aliasguard::detail::cuda_backend();

  struct Row {
    std::string name;
    Timing t;
  };
  std::vector<Row> rows;
  rows.push_back({"memcpy_d2d", time_calls(stream, warmup, iters, reps, [&] {
                    check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream), "cudaMemcpyAsync");
                  })});
  rows.push_back({"copy_many_kernel", time_calls(stream, warmup, iters, reps, [&] {
                    backend.copy_many(segments.data(), segments.size(), 0);
                  })});
  for (const bool batched : {true, false}) {
    aliasguard::detail::set_batched_copies(batched);
    const std::string suffix = batched ? "_batched" : "_per_tensor";
    rows.push_back({"deep_copy" + suffix, time_calls(stream, warmup, iters, reps, [&] {
                      const StateDict copy = aliasguard::deep_copy(saved);
                      (void)copy;
                    })});
    rows.push_back({"load" + suffix, time_calls(stream, warmup, iters, reps, [&] { model.load_state_dict(saved); })});
  }
  aliasguard::detail::set_batched_copies(true);
  check(cudaFree(src), "cudaFree");
  check(cudaFree(dst), "cudaFree");

  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
  int runtime_version = 0;
  int driver_version = 0;
  check(cudaRuntimeGetVersion(&runtime_version), "cudaRuntimeGetVersion");
  check(cudaDriverGetVersion(&driver_version), "cudaDriverGetVersion");
  std::ostringstream json;
  json << "{\n  \"tool\": \"aliasguard_gpu_bench\",\n  \"device\": \"" << prop.name << "\",\n"
       << "  \"sm_count\": " << prop.multiProcessorCount << ",\n  \"cuda_runtime\": " << runtime_version
       << ",\n  \"cuda_driver\": " << driver_version << ",\n  \"tensors\": " << tensors << ",\n  \"bytes\": " << bytes
       << ",\n  \"iters\": " << iters << ",\n  \"reps\": " << reps << ",\n  \"verified\": "
       << (verified ? "true" : "false") << ",\n  \"results\": {\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Timing& t = rows[i].t;
    const double gbps = 2.0 * static_cast<double>(bytes) / (t.ms * 1e-3) / 1e9;
    json << "    \"" << rows[i].name << "\": {\"ms\": " << t.ms << ", \"ms_min\": " << t.ms_min
         << ", \"host_ms\": " << t.host_ms << ", \"gbps\": " << gbps << "}" << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  json << "  }\n}\n";
  if (out_path.empty()) {
    std::cout << json.str();
  } else {
    std::ofstream(out_path) << json.str();
    std::cout << json.str();
  }
  if (!verified) {
    std::cerr << "gpu_bench: copied values differ from the source\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "gpu_bench: " << e.what() << "\n";
    return 1;
  }
}
