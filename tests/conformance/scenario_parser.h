#pragma once
// The scenario language of tests/conformance (see README.md), parsed and validated the same
// way run_pytorch.py does it, so a scenario is rejected or accepted identically on both sides.

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace aliasguard::conformance {

/// The scenario is wrong (syntax, unknown name, wrong kind). Never counts as "an error" for
/// `expect-error`: that would let a typo pass as an expected failure.
class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(const std::string& what) : std::runtime_error(what) {}
};

/// A number token: `3` (int), `3.0`/`1e-3` (float) or `True`/`False` (bool), as Python reads it.
struct Number {
  enum class Kind { Bool, Int, Float } kind = Kind::Int;
  double d = 0.0;
  std::int64_t i = 0;
};

/// A nested-list tensor literal, flattened row-major. `kind` is what torch.tensor() infers:
/// all bools -> bool, any float -> float32, else int64.
struct Literal {
  std::vector<Number> values;
  std::vector<std::int64_t> shape;
  Number::Kind kind = Number::Kind::Int;
};

/// `name`, `name[0][1]`, `s[fc.weight]`, each optionally followed by `.method`.
struct Operand {
  std::string name;
  std::vector<std::string> indices;
  std::optional<std::string> method;
};

/// Positional tokens and `key=value` tokens.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> keyword;
};

/// One statement: its tokens, the line it came from, and whether `differs atomic-load` precedes it.
struct Statement {
  int lineno = 0;
  std::string text;
  std::vector<std::string> tokens;
  bool atomic_load = false;
};

std::vector<std::string> tokenize(const std::string& text);
std::optional<Number> parse_number(const std::string& tok);
Literal parse_literal(const std::string& tok);
bool is_literal(const std::string& tok);
Operand parse_operand(const std::string& tok);
Args split_args(const std::vector<std::string>& tokens, std::size_t first);
std::int64_t need_int(const std::string& tok);
bool need_bool(const std::string& tok);
bool is_dtype_name(const std::string& word);

/// The argument kinds ('i' integer, 'v' number or tensor, 't' tensor, 'w' word) that
/// `method` takes for this many positional arguments; throws ScenarioError when it does not.
std::string check_arity(const std::string& method, std::size_t positional);
bool is_tensor_method(const std::string& method);

/// Reads and validates a whole scenario file; throws ScenarioError with file:line.
std::vector<Statement> parse_scenario(const std::string& path);

}  // namespace aliasguard::conformance
