#pragma once
/// \file Random number generation for rand/randn/uniform_/normal_.

#include <cstdint>
#include <memory>

namespace aliasguard {

namespace detail { struct GeneratorState; }

/// A seedable source of random numbers. Values are drawn on the host, so a seed gives the
/// same numbers on every device (PyTorch's CUDA generator differs from its CPU one; ours
/// does not, which lets host and CUDA runs be compared element by element).
class Generator {
 public:
  explicit Generator(std::uint64_t seed = 67280421310721ULL);
  ~Generator();
  Generator(Generator&&) noexcept;
  Generator& operator=(Generator&&) noexcept;

  void manual_seed(std::uint64_t seed);
  std::uint64_t initial_seed() const;
  /// Next uniform double in [0, 1).
  double next_uniform();
  /// Next standard normal double.
  double next_normal();

 private:
  std::unique_ptr<detail::GeneratorState> state_;
};

/// The process-wide generator used when none is passed.
Generator& default_generator();
/// Seeds the default generator, like torch::manual_seed.
void manual_seed(std::uint64_t seed);

}  // namespace aliasguard
