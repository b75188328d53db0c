// Parsing and validation of the scenario language; mirrors run_pytorch.py's parser function
// by function so both drivers accept exactly the same files.

#include "scenario_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <set>

namespace aliasguard::conformance {
namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

bool is_name(const std::string& s) {
  return !s.empty() && is_name_start(s[0]) && std::all_of(s.begin(), s.end(), is_name_char);
}

/// Python's `[-+]?\d+`.
bool is_int_text(const std::string& s) {
  std::size_t p = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  return p < s.size() && std::all_of(s.begin() + static_cast<std::ptrdiff_t>(p), s.end(), is_digit);
}

/// Python's `[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?`.
bool is_float_text(const std::string& s) {
  std::size_t p = 0;
  if (p < s.size() && (s[p] == '-' || s[p] == '+')) ++p;
  std::size_t digits = 0;
  while (p < s.size() && is_digit(s[p])) { ++p; ++digits; }
  if (p < s.size() && s[p] == '.') {
    ++p;
    while (p < s.size() && is_digit(s[p])) { ++p; ++digits; }
  }
  if (digits == 0) return false;
  if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
    ++p;
    if (p < s.size() && (s[p] == '-' || s[p] == '+')) ++p;
    std::size_t exp_digits = 0;
    while (p < s.size() && is_digit(s[p])) { ++p; ++exp_digits; }
    if (exp_digits == 0) return false;
  }
  return p == s.size();
}

struct LiteralParser {
  const std::string& source;
  std::string text;
  std::size_t pos = 0;

  // Returns the shape of the value at pos and appends its numbers to `out`.
  std::vector<std::int64_t> value(std::vector<Number>& out) {
    if (pos < text.size() && text[pos] == '[') {
      ++pos;
      if (pos < text.size() && text[pos] == ']') throw ScenarioError("empty list in literal " + source);
      std::vector<std::int64_t> inner;
      std::int64_t count = 0;
      while (true) {
        std::vector<std::int64_t> shape = value(out);
        if (count > 0 && shape != inner) throw ScenarioError("ragged literal " + source);
        inner = shape;
        ++count;
        if (pos >= text.size()) throw ScenarioError("unterminated literal " + source);
        if (text[pos] == ',') { ++pos; continue; }
        if (text[pos] == ']') { ++pos; break; }
        throw ScenarioError("bad literal " + source);
      }
      inner.insert(inner.begin(), count);
      return inner;
    }
    std::size_t end = pos;
    while (end < text.size() && text[end] != ',' && text[end] != ']') ++end;
    std::string word = text.substr(pos, end - pos);
    std::optional<Number> num = parse_number(word);
    if (!num) throw ScenarioError("bad number '" + word + "' in " + source);
    out.push_back(*num);
    pos = end;
    return {};
  }
};

// name -> (signature alternatives separated by '|', allowed kwargs); see run_pytorch.py METHODS.
struct MethodSpec {
  const char* signature;
  std::set<std::string> kwargs;
};

const std::map<std::string, MethodSpec>& methods() {
  static const std::map<std::string, MethodSpec> table = {
      {"view", {"i+", {}}},        {"reshape", {"i+", {}}},       {"slice", {"iii|iiii", {}}},
      {"narrow", {"iii", {}}},     {"select", {"ii", {}}},        {"transpose", {"ii", {}}},
      {"t", {"", {}}},             {"permute", {"i+", {}}},       {"expand", {"i+", {}}},
      {"squeeze", {"|i", {}}},     {"unsqueeze", {"i", {}}},      {"flatten", {"|i|ii", {}}},
      {"detach", {"", {}}},        {"data", {"", {}}},            {"contiguous", {"", {}}},
      {"clone", {"", {}}},         {"to", {"w", {"copy"}}},       {"add", {"v", {"alpha"}}},
      {"sub", {"v", {"alpha"}}},   {"mul", {"v", {}}},            {"div", {"v", {}}},
      {"neg", {"", {}}},           {"exp", {"", {}}},             {"log", {"", {}}},
      {"sigmoid", {"", {}}},       {"relu", {"", {}}},            {"clamp", {"", {"min", "max"}}},
      {"matmul", {"t", {}}},       {"sum", {"|i", {"keepdim"}}},  {"mean", {"|i", {"keepdim"}}},
      {"max", {"|i", {"keepdim"}}}, {"argmax", {"|i", {"keepdim"}}}, {"eq", {"v", {}}},
      {"add_", {"v", {"alpha"}}},  {"sub_", {"v", {"alpha"}}},    {"mul_", {"v", {}}},
      {"div_", {"v", {}}},         {"fill_", {"v", {}}},          {"zero_", {"", {}}},
      {"copy_", {"t", {}}},        {"clamp_", {"", {"min", "max"}}},
  };
  return table;
}

void require(bool ok, const std::string& message) {
  if (!ok) throw ScenarioError(message);
}

std::set<std::string> keys_of(const Args& args) {
  std::set<std::string> out;
  for (const auto& [k, v] : args.keyword) out.insert(k);
  return out;
}

bool only_keys(const Args& args, const std::set<std::string>& allowed) {
  return std::all_of(args.keyword.begin(), args.keyword.end(),
                     [&](const auto& kv) { return allowed.count(kv.first) != 0; });
}

void validate_expr(const std::vector<std::string>& t, std::size_t first) {
  require(first < t.size(), "missing expression");
  const std::string& head = t[first];
  std::size_t nrest = t.size() - first - 1;
  Args args = split_args(t, first + 1);
  const std::size_t npos = args.positional.size();
  if (head == "tensor") {
    require(npos == 1 && only_keys(args, {"dtype"}), "usage: tensor LITERAL [dtype=D]");
    parse_literal(args.positional[0]);
  } else if (head == "zeros" || head == "ones") {
    require(npos == 1 && only_keys(args, {"dtype"}), "usage: " + head + " [SHAPE] [dtype=D]");
    parse_literal(args.positional[0]);
  } else if (head == "full") {
    // dtype= is required: PyTorch 1.13 infers it from the value, ag::full does not.
    require(npos == 2 && args.keyword.size() == 1 && args.keyword.count("dtype") == 1,
            "usage: full [SHAPE] VALUE dtype=D");
  } else if (head == "arange") {
    require(npos >= 1 && npos <= 3 && only_keys(args, {"dtype"}),
            "usage: arange END | arange START END [STEP] [dtype=D]");
  } else if (head == "deepcopy") {
    require(nrest == 1, "usage: deepcopy NAME");
  } else if (head == "{}") {
    require(nrest == 0, "usage: {}");
  } else {
    Operand op = parse_operand(head);
    if (!op.method) {
      require(nrest == 0, "unexpected arguments after " + head);
    } else if (*op.method == "state_dict") {
      require(nrest == 0, "usage: M.state_dict");
    } else if (*op.method == "forward") {
      require(nrest == 1, "usage: M.forward X");
    } else if (is_tensor_method(*op.method)) {
      check_arity(*op.method, npos);
      const auto& allowed = methods().at(*op.method).kwargs;
      for (const std::string& k : keys_of(args)) {
        require(allowed.count(k) != 0, "'" + *op.method + "' takes no argument ['" + k + "']");
      }
      if (args.keyword.count("alpha") != 0) {
        require(!parse_number(args.positional[0]), "alpha= needs a tensor operand");
      }
    } else {
      throw ScenarioError("unknown method '" + *op.method + "'");
    }
  }
  auto dt = args.keyword.find("dtype");
  if (dt != args.keyword.end()) require(is_dtype_name(dt->second), "unknown dtype '" + dt->second + "'");
}

bool is_sequential_item(const std::string& item) {
  if (item == "ReLU()") return true;
  const std::string prefix = "Linear(";
  if (item.rfind(prefix, 0) != 0 || item.back() != ')') return is_name(item);
  std::string inner = item.substr(prefix.size(), item.size() - prefix.size() - 1);
  inner.erase(std::remove_if(inner.begin(), inner.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }),
              inner.end());
  std::size_t comma = inner.find(',');
  if (comma == std::string::npos) return false;
  std::string a = inner.substr(0, comma), b = inner.substr(comma + 1);
  auto digits = [](const std::string& s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); };
  return digits(a) && digits(b);
}

void validate_module_expr(const std::vector<std::string>& t, std::size_t first) {
  static const std::set<std::string> kinds = {"LogisticRegression", "Linear", "Module", "ReLU", "Sequential"};
  require(first < t.size() && kinds.count(t[first]) != 0,
          "module kinds are ['Linear', 'LogisticRegression', 'Module', 'ReLU', 'Sequential']");
  const std::string& head = t[first];
  Args args = split_args(t, first + 1);
  std::size_t nrest = t.size() - first - 1;
  if (head == "LogisticRegression") {
    require(args.positional.size() == 2 && args.keyword.empty(), "usage: LogisticRegression IN OUT");
  } else if (head == "Linear") {
    require(args.positional.size() == 2 && only_keys(args, {"bias"}), "usage: Linear IN OUT [bias=False]");
  } else if (head == "ReLU" || head == "Module") {
    require(nrest == 0, "usage: " + head);
  } else {
    for (std::size_t i = first + 1; i < t.size(); ++i) {
      require(is_sequential_item(t[i]), "Sequential items are Linear(IN,OUT), ReLU() or a module name: " + t[i]);
    }
  }
}

void validate(const std::vector<std::string>& t, std::size_t first) {
  const std::string& head = t[first];
  const std::size_t n = t.size() - first - 1;  // arguments after the head
  if (head == "expect-error") {
    require(n >= 1 && t[first + 1] != "expect-error" && t[first + 1] != "differs" &&
                t[first + 1] != "golden" && t[first + 1] != "echo",
            "usage: expect-error STATEMENT");
    validate(t, first + 1);
    return;
  }
  if (head == "echo") return;
  static const std::map<std::string, std::pair<std::size_t, std::size_t>> arity = {
      {"print", {1, 1000}}, {"info", {1, 1}},      {"requires_grad", {1, 1}}, {"alias", {2, 2}},
      {"same", {2, 2}},     {"equal", {2, 2}},     {"setparam", {3, 3}},      {"grad", {3, 3}},
      {"load", {3, 3}},     {"sdset", {3, 3}},     {"addparam", {3, 3}},      {"addbuffer", {3, 3}},
      {"addchild", {3, 3}}, {"modto", {2, 2}},     {"step", {1, 1}},          {"zero_grad", {1, 2}},
      {"differs", {1, 1}},  {"golden", {1, 1}}};
  auto it = arity.find(head);
  if (it != arity.end()) {
    require(n >= it->second.first && n <= it->second.second, "wrong number of arguments to " + head);
    if (head == "print") validate_expr(t, first + 1);
    if (head == "load") require(t[first + 3] == "strict" || t[first + 3] == "nonstrict", "usage: load M SD strict|nonstrict");
    if (head == "setparam" || head == "grad") parse_literal(t[first + 3]);
    if (head == "differs") require(t[first + 1] == "atomic-load", "unknown differs reason '" + t[first + 1] + "'");
    if (head == "zero_grad" && n == 2) {
      require(t[first + 2] == "set_to_none=True" || t[first + 2] == "set_to_none=False",
              "usage: zero_grad OPT [set_to_none=True|False]");
    }
    return;
  }
  if (head == "t" || head == "sd" || head == "module" || head == "sgd") {
    require(n >= 3 && t[first + 2] == "=" && is_name(t[first + 1]), "usage: " + head + " NAME = ...");
    if (head == "module") {
      validate_module_expr(t, first + 3);
    } else if (head == "sgd") {
      Args args = split_args(t, first + 4);
      require(args.positional.empty() &&
                  only_keys(args, {"lr", "momentum", "dampening", "weight_decay", "nesterov"}) &&
                  args.keyword.count("lr") != 0,
              "usage: sgd O = M lr=X [momentum=X dampening=X weight_decay=X nesterov=True]");
    } else {
      validate_expr(t, first + 3);
    }
    return;
  }
  static const std::set<std::string> assign_ops = {"=", "+=", "-=", "*=", "/="};
  if (n >= 1 && assign_ops.count(t[first + 1]) != 0) {
    Operand op = parse_operand(head);
    require(n == 2 && !op.method && (t[first + 1] != "=" || !op.indices.empty()),
            "usage: NAME[i]... = VALUE or NAME op= VALUE");
    return;
  }
  Operand op = parse_operand(head);
  require(op.method && is_tensor_method(*op.method), "unknown statement '" + head + "'");
  validate_expr(t, first);
}

}  // namespace

std::vector<std::string> tokenize(const std::string& text) {
  std::vector<std::string> tokens;
  std::string cur;
  int depth = 0;
  for (char ch : text) {
    if (ch == '[' || ch == '(' || ch == '{') {
      ++depth;
    } else if (ch == ']' || ch == ')' || ch == '}') {
      if (--depth < 0) throw ScenarioError(std::string("unbalanced '") + ch + "'");
    }
    if (std::isspace(static_cast<unsigned char>(ch)) != 0 && depth == 0) {
      if (!cur.empty()) tokens.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (depth != 0) throw ScenarioError("unbalanced brackets");
  if (!cur.empty()) tokens.push_back(cur);
  return tokens;
}

std::optional<Number> parse_number(const std::string& tok) {
  Number n;
  if (tok == "True" || tok == "False") {
    n.kind = Number::Kind::Bool;
    n.i = tok == "True" ? 1 : 0;
    n.d = static_cast<double>(n.i);
    return n;
  }
  // from_chars accepts neither a leading '+' nor (for floats) nothing else Python rejects.
  std::string body = (!tok.empty() && tok[0] == '+') ? tok.substr(1) : tok;
  const char* b = body.data();
  const char* e = body.data() + body.size();
  if (is_int_text(tok)) {
    n.kind = Number::Kind::Int;
    auto [p, ec] = std::from_chars(b, e, n.i);
    if (ec != std::errc() || p != e) throw ScenarioError("integer out of range: " + tok);
    n.d = static_cast<double>(n.i);
    return n;
  }
  if (is_float_text(tok)) {
    n.kind = Number::Kind::Float;
    auto [p, ec] = std::from_chars(b, e, n.d);
    if (ec != std::errc() || p != e) throw ScenarioError("bad float: " + tok);
    n.i = static_cast<std::int64_t>(n.d);
    return n;
  }
  return std::nullopt;
}

Literal parse_literal(const std::string& tok) {
  LiteralParser parser{tok, {}, 0};
  for (char c : tok) {
    if (c != ' ') parser.text += c;
  }
  Literal lit;
  lit.shape = parser.value(lit.values);
  if (parser.pos != parser.text.size()) throw ScenarioError("trailing text in literal " + tok);
  auto is_kind = [](Number::Kind k) { return [k](const Number& v) { return v.kind == k; }; };
  if (std::all_of(lit.values.begin(), lit.values.end(), is_kind(Number::Kind::Bool))) {
    lit.kind = Number::Kind::Bool;
  } else if (std::any_of(lit.values.begin(), lit.values.end(), is_kind(Number::Kind::Bool))) {
    throw ScenarioError("literal mixes bools and numbers: " + tok);
  } else if (std::any_of(lit.values.begin(), lit.values.end(), is_kind(Number::Kind::Float))) {
    lit.kind = Number::Kind::Float;
  } else {
    lit.kind = Number::Kind::Int;
  }
  return lit;
}

bool is_literal(const std::string& tok) { return (!tok.empty() && tok[0] == '[') || parse_number(tok).has_value(); }

Operand parse_operand(const std::string& tok) {
  Operand op;
  std::size_t p = 0;
  auto fail = [&]() { return ScenarioError("'" + tok + "' is not a name"); };
  if (p >= tok.size() || !is_name_start(tok[p])) throw fail();
  while (p < tok.size() && is_name_char(tok[p])) ++p;
  op.name = tok.substr(0, p);
  while (p < tok.size() && tok[p] == '[') {
    std::size_t close = tok.find(']', p);
    if (close == std::string::npos) throw fail();
    std::string inner = tok.substr(p + 1, close - p - 1);
    if (inner.find('[') != std::string::npos) throw fail();
    op.indices.push_back(inner);
    p = close + 1;
  }
  if (p < tok.size()) {
    if (tok[p] != '.') throw fail();
    std::string method = tok.substr(p + 1);
    if (!is_name(method)) throw fail();
    op.method = method;
  }
  return op;
}

Args split_args(const std::vector<std::string>& tokens, std::size_t first) {
  Args args;
  for (std::size_t i = first; i < tokens.size(); ++i) {
    const std::string& tok = tokens[i];
    std::size_t eq = tok.find('=');
    if (tok[0] != '[' && eq != std::string::npos && eq > 0 && eq + 1 < tok.size() && is_name(tok.substr(0, eq))) {
      args.keyword[tok.substr(0, eq)] = tok.substr(eq + 1);
    } else {
      args.positional.push_back(tok);
    }
  }
  return args;
}

std::int64_t need_int(const std::string& tok) {
  std::optional<Number> n = parse_number(tok);
  if (!n || n->kind != Number::Kind::Int) throw ScenarioError("expected an integer, got '" + tok + "'");
  return n->i;
}

bool need_bool(const std::string& tok) {
  if (tok != "True" && tok != "False") throw ScenarioError("expected True or False, got '" + tok + "'");
  return tok == "True";
}

bool is_dtype_name(const std::string& word) {
  return word == "float32" || word == "float64" || word == "int64" || word == "bool";
}

bool is_tensor_method(const std::string& method) { return methods().count(method) != 0; }

std::string check_arity(const std::string& method, std::size_t positional) {
  std::string spec = methods().at(method).signature;
  std::size_t start = 0;
  while (true) {
    std::size_t bar = spec.find('|', start);
    std::string alt = spec.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    if (!alt.empty() && alt.back() == '+') {
      if (positional >= 1) return std::string(positional, alt[0]);
    } else if (alt.size() == positional) {
      return alt;
    }
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  throw ScenarioError("'" + method + "' does not take " + std::to_string(positional) + " positional argument(s)");
}

std::vector<Statement> parse_scenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ScenarioError("cannot open " + path);
  std::vector<Statement> statements;
  bool pending_differs = false;
  std::string raw;
  int lineno = 0;
  while (std::getline(in, raw)) {
    ++lineno;
    std::string text = raw.substr(0, raw.find('#'));
    auto blank = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    text.erase(text.begin(), std::find_if_not(text.begin(), text.end(), blank));
    text.erase(std::find_if_not(text.rbegin(), text.rend(), blank).base(), text.end());
    if (text.empty()) continue;
    Statement st;
    st.lineno = lineno;
    try {
      st.tokens = tokenize(text);
      validate(st.tokens, 0);
    } catch (const ScenarioError& e) {
      throw ScenarioError(path + ":" + std::to_string(lineno) + ": " + e.what());
    }
    for (const std::string& tok : st.tokens) st.text += (st.text.empty() ? "" : " ") + tok;
    if (pending_differs) {
      if (st.tokens.size() < 2 || st.tokens[0] != "expect-error" || st.tokens[1] != "load") {
        throw ScenarioError(path + ":" + std::to_string(lineno) +
                            ": 'differs atomic-load' must be followed by 'expect-error load ...'");
      }
      st.atomic_load = true;
      pending_differs = false;
    }
    if (st.tokens[0] == "differs") pending_differs = true;
    statements.push_back(std::move(st));
  }
  if (pending_differs) throw ScenarioError(path + ": 'differs' at the end of the file applies to nothing");
  return statements;
}

}  // namespace aliasguard::conformance
