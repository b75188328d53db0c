#include "aliasguard/generator.h"

#include <cmath>
#include <mutex>
#include <numbers>
#include <random>

namespace aliasguard {

namespace detail {
/// A 64-bit Mersenne Twister plus the spare value of the last Box-Muller pair.
struct GeneratorState {
  explicit GeneratorState(std::uint64_t s) : seed(s), engine(s) {}
  std::uint64_t seed;
  std::mt19937_64 engine;
  bool has_spare = false;
  double spare = 0.0;
};
}  // namespace detail

Generator::Generator(std::uint64_t seed) : state_(std::make_unique<detail::GeneratorState>(seed)) {}
Generator::~Generator() = default;
Generator::Generator(Generator&&) noexcept = default;
Generator& Generator::operator=(Generator&&) noexcept = default;

void Generator::manual_seed(std::uint64_t seed) { *state_ = detail::GeneratorState(seed); }
std::uint64_t Generator::initial_seed() const { return state_->seed; }

double Generator::next_uniform() {
  // 53 random bits -> [0, 1) exactly representable; independent of the standard library's
  // distribution implementations, so a seed means the same numbers everywhere.
  return static_cast<double>(state_->engine() >> 11) * 0x1.0p-53;
}

double Generator::next_normal() {
  if (state_->has_spare) {
    state_->has_spare = false;
    return state_->spare;
  }
  // Box-Muller; u1 in (0, 1] keeps log() finite.
  const double u1 = 1.0 - next_uniform();
  const double u2 = next_uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * std::numbers::pi * u2;
  state_->spare = r * std::sin(theta);
  state_->has_spare = true;
  return r * std::cos(theta);
}

Generator& default_generator() {
  static Generator generator;
  return generator;
}

void manual_seed(std::uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace aliasguard
