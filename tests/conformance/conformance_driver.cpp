// Runs one conformance scenario (see README.md) on aliasguard's runtime and prints what it
// observes, in the same format as run_pytorch.py does on PyTorch; compare.py diffs the two.
//
// Exit codes: 0 ok, 1 a statement failed or an expectation was not met, 2 the scenario does
// not parse or names something that does not exist.

#include <aliasguard/aliasguard.h>

#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "scenario_parser.h"

namespace ag = aliasguard;
using namespace aliasguard::conformance;  // NOLINT(google-build-using-namespace): test driver

namespace {

/// The seed's model: a Linear inside as `fc`.
class LogisticRegression : public ag::nn::Module {
 public:
  LogisticRegression(std::int64_t in, std::int64_t classes) : Module("LogisticRegression") {
    fc = register_module("fc", std::make_shared<ag::nn::Linear>(in, classes));
  }
  ag::Tensor forward(const ag::Tensor& input) override { return fc->forward(input); }

  std::shared_ptr<ag::nn::Linear> fc;
};

enum class Kind { Tensor, Dict, Module, Optim };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Tensor: return "tensor";
    case Kind::Dict: return "dict";
    case Kind::Module: return "module";
    case Kind::Optim: return "optim";
  }
  return "?";
}

/// What a name or an expression stands for; only the member matching `kind` is set.
struct Value {
  Kind kind = Kind::Tensor;
  ag::Tensor tensor;
  ag::StateDict dict;
  std::shared_ptr<ag::nn::Module> module;
  std::shared_ptr<ag::optim::SGD> optim;
};

ag::ScalarType dtype_of(const std::string& word) {
  if (word == "float32") return ag::kFloat32;
  if (word == "float64") return ag::kFloat64;
  if (word == "int64") return ag::kInt64;
  if (word == "bool") return ag::kBool;
  throw ScenarioError("unknown dtype '" + word + "'");
}

ag::Scalar to_scalar(const Number& n) {
  switch (n.kind) {
    case Number::Kind::Bool: return ag::Scalar(n.i != 0);
    case Number::Kind::Int: return ag::Scalar(n.i);
    case Number::Kind::Float: return ag::Scalar(n.d);
  }
  return ag::Scalar(n.d);
}

/// torch.tensor(literal, dtype=...): the element type follows the literal unless given.
ag::Tensor make_literal(const std::string& tok, std::optional<ag::ScalarType> dtype = std::nullopt) {
  Literal lit = parse_literal(tok);
  ag::ScalarType type = dtype.value_or(lit.kind == Number::Kind::Bool  ? ag::kBool
                                       : lit.kind == Number::Kind::Int ? ag::kInt64
                                                                       : ag::kFloat32);
  switch (type) {
    case ag::ScalarType::Float32: {
      std::vector<float> v;
      for (const Number& n : lit.values) v.push_back(static_cast<float>(n.d));
      return ag::tensor(v, lit.shape);
    }
    case ag::ScalarType::Float64: {
      std::vector<double> v;
      for (const Number& n : lit.values) v.push_back(n.d);
      return ag::tensor(v, lit.shape, ag::kFloat64);
    }
    case ag::ScalarType::Int64:
    case ag::ScalarType::Bool: {
      std::vector<std::int64_t> v;
      for (const Number& n : lit.values) v.push_back(type == ag::kBool ? (n.d != 0.0 ? 1 : 0) : n.i);
      return ag::tensor(v, lit.shape, type);
    }
  }
  throw ScenarioError("unreachable dtype");
}

ag::Shape ints_of(const std::vector<std::string>& toks) {
  ag::Shape out;
  for (const std::string& t : toks) out.push_back(need_int(t));
  return out;
}

ag::Shape literal_shape(const std::string& tok) {
  Literal lit = parse_literal(tok);
  ag::Shape out;
  for (const Number& n : lit.values) {
    if (n.kind != Number::Kind::Int) throw ScenarioError("a shape holds integers: " + tok);
    out.push_back(n.i);
  }
  return out;
}

std::string bool_str(bool b) { return b ? "True" : "False"; }

std::string list_str(const std::vector<std::int64_t>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

std::string keys_str(const std::vector<std::string>& keys) {
  std::string out = "[";
  for (std::size_t i = 0; i < keys.size(); ++i) out += (i ? ", '" : "'") + keys[i] + "'";
  return out + "]";
}

class Runner {
 public:
  bool failed = false;

  void run(const Statement& st) {
    std::cout << ">>> " << st.text << '\n';
    if (st.tokens[0] == "expect-error") {
      expect_error(st);
    } else {
      execute(st.tokens);
    }
  }

 private:
  std::map<std::string, Value> env_;

  Value& get(const std::string& name, std::optional<Kind> kind) {
    auto it = env_.find(name);
    if (it == env_.end()) throw ScenarioError("unknown name '" + name + "'");
    if (kind && it->second.kind != *kind) {
      throw ScenarioError("'" + name + "' is a " + kind_name(it->second.kind) + ", not a " + kind_name(*kind));
    }
    return it->second;
  }
  ag::nn::Module& module(const std::string& name) { return *get(name, Kind::Module).module; }

  /// The registered handle itself, found by its full key in named_parameters() then
  /// named_buffers(); both list a tied tensor once, under its first name, as PyTorch's do.
  static ag::Tensor module_entry(const ag::nn::Module& mod, const std::string& key) {
    auto params = mod.named_parameters();
    if (const ag::Tensor* p = params.find(key)) return *p;
    auto buffers = mod.named_buffers();
    if (const ag::Tensor* b = buffers.find(key)) return *b;
    throw ag::Error("no parameter or buffer '" + key + "'");
  }

  Value operand(const std::string& tok) {
    Operand op = parse_operand(tok);
    if (op.method) throw ScenarioError("'" + tok + "': a method call is not allowed here");
    Value v = get(op.name, std::nullopt);
    for (const std::string& index : op.indices) {
      if (v.kind == Kind::Tensor) {
        v.tensor = v.tensor[need_int(index)];
      } else if (v.kind == Kind::Dict) {
        v.tensor = v.dict.at(index);
        v.kind = Kind::Tensor;
      } else if (v.kind == Kind::Module) {
        v.tensor = module_entry(*v.module, index);
        v.kind = Kind::Tensor;
      } else {
        throw ScenarioError(std::string("cannot index a ") + kind_name(v.kind));
      }
    }
    return v;
  }

  ag::Tensor tensor_operand(const std::string& tok) {
    if (is_literal(tok)) return make_literal(tok);
    Value v = operand(tok);
    if (v.kind != Kind::Tensor) throw ScenarioError("'" + tok + "' is a " + kind_name(v.kind) + ", not a tensor");
    return v.tensor;
  }

  static Value of(ag::Tensor t) {
    Value v;
    v.tensor = std::move(t);
    return v;
  }

  Value expr(const std::vector<std::string>& t, std::size_t first);
  Value call_method(const ag::Tensor& x, const std::string& method, const Args& args);
  std::shared_ptr<ag::nn::Module> make_module(const std::vector<std::string>& t, std::size_t first);
  void execute(const std::vector<std::string>& t);
  void expect_error(const Statement& st);
  void assign(const std::vector<std::string>& t, std::size_t first);
  void bind(const std::string& name, Value v) { env_[name] = std::move(v); }
};

Value Runner::expr(const std::vector<std::string>& t, std::size_t first) {
  const std::string& head = t[first];
  Args args = split_args(t, first + 1);
  const auto& pos = args.positional;
  std::optional<ag::ScalarType> dtype;
  if (auto it = args.keyword.find("dtype"); it != args.keyword.end()) dtype = dtype_of(it->second);
  ag::TensorOptions opts = ag::TensorOptions().dtype(dtype.value_or(ag::kFloat32));
  if (head == "tensor") return of(make_literal(pos[0], dtype));
  if (head == "zeros") return of(ag::zeros(literal_shape(pos[0]), opts));
  if (head == "ones") return of(ag::ones(literal_shape(pos[0]), opts));
  if (head == "full") {
    std::optional<Number> n = parse_number(pos[1]);
    if (!n) throw ScenarioError("full needs a number");
    return of(ag::full(literal_shape(pos[0]), to_scalar(*n), opts));
  }
  if (head == "arange") {
    std::vector<ag::Scalar> nums;
    for (const std::string& p : pos) {
      std::optional<Number> n = parse_number(p);
      if (!n) throw ScenarioError("arange needs numbers");
      nums.push_back(to_scalar(*n));
    }
    std::optional<ag::TensorOptions> o;
    if (dtype) o = opts;
    if (nums.size() == 1) return of(ag::arange(nums[0], o));
    return of(ag::arange(nums[0], nums[1], nums.size() > 2 ? nums[2] : ag::Scalar(1), o));
  }
  if (head == "deepcopy") {
    Value v = operand(pos[0]);
    if (v.kind == Kind::Tensor) return of(ag::deep_copy(v.tensor));
    if (v.kind != Kind::Dict) throw ScenarioError("deepcopy takes a tensor or a dict");
    v.dict = ag::deep_copy(v.dict);
    return v;
  }
  if (head == "{}") {
    Value v;
    v.kind = Kind::Dict;
    return v;
  }
  Operand op = parse_operand(head);
  if (!op.method) return operand(head);  // a StateDict value copy is a shallow copy
  Value base = operand(head.substr(0, head.size() - op.method->size() - 1));
  if (*op.method == "state_dict" || *op.method == "forward") {
    if (base.kind != Kind::Module) throw ScenarioError(*op.method + " needs a module");
    if (*op.method == "forward") return of(base.module->forward(tensor_operand(t[first + 1])));
    Value v;
    v.kind = Kind::Dict;
    v.dict = base.module->state_dict();
    return v;
  }
  if (base.kind != Kind::Tensor) throw ScenarioError("'" + *op.method + "' needs a tensor");
  return call_method(base.tensor, *op.method, args);
}

Value Runner::call_method(const ag::Tensor& x, const std::string& m, const Args& args) {
  const auto& p = args.positional;
  const std::string kinds = check_arity(m, p.size());
  auto i = [&](std::size_t k) { return need_int(p[k]); };
  auto tensor_arg = [&](std::size_t k) { return tensor_operand(p[k]); };
  auto number_arg = [&](std::size_t k) { return parse_number(p[k]); };
  auto kw_scalar = [&](const std::string& key) -> std::optional<ag::Scalar> {
    auto it = args.keyword.find(key);
    if (it == args.keyword.end()) return std::nullopt;
    std::optional<Number> n = parse_number(it->second);
    if (!n) throw ScenarioError(key + "= takes a number");
    return to_scalar(*n);
  };
  auto kw_bool = [&](const std::string& key) {
    auto it = args.keyword.find(key);
    return it != args.keyword.end() && need_bool(it->second);
  };
  const ag::Scalar alpha = kw_scalar("alpha").value_or(ag::Scalar(1));
  const bool keepdim = kw_bool("keepdim");
  // A 'v' argument is a number (Scalar overload) or a tensor (Tensor overload).
  auto binary = [&](auto with_scalar, auto with_tensor) {
    if (std::optional<Number> n = number_arg(0)) return with_scalar(to_scalar(*n));
    return with_tensor(tensor_arg(0));
  };
  (void)kinds;
  if (m == "view") return of(x.view(ints_of(p)));
  if (m == "reshape") return of(x.reshape(ints_of(p)));
  if (m == "slice") return of(x.slice(i(0), i(1), i(2), p.size() > 3 ? i(3) : 1));
  if (m == "narrow") return of(x.narrow(i(0), i(1), i(2)));
  if (m == "select") return of(x.select(i(0), i(1)));
  if (m == "transpose") return of(x.transpose(i(0), i(1)));
  if (m == "t") return of(x.t());
  if (m == "permute") return of(x.permute(ints_of(p)));
  if (m == "expand") return of(x.expand(ints_of(p)));
  if (m == "squeeze") return of(p.empty() ? x.squeeze() : x.squeeze(i(0)));
  if (m == "unsqueeze") return of(x.unsqueeze(i(0)));
  if (m == "flatten") return of(p.empty() ? x.flatten() : p.size() == 1 ? x.flatten(i(0)) : x.flatten(i(0), i(1)));
  if (m == "detach") return of(x.detach());
  if (m == "data") return of(x.data());
  if (m == "contiguous") return of(x.contiguous());
  if (m == "clone") return of(x.clone());
  if (m == "to") {
    const bool copy = kw_bool("copy");
    if (is_dtype_name(p[0])) return of(x.to(dtype_of(p[0]), copy));
    if (p[0] == "cpu") return of(x.to(ag::Device::cpu(), copy));
    if (p[0] == "cuda") return of(x.to(ag::Device::cuda(0), copy));
    throw ScenarioError("to takes cpu, cuda or a dtype");
  }
  if (m == "add") return of(binary([&](ag::Scalar s) { return x.add(s); }, [&](const ag::Tensor& o) { return x.add(o, alpha); }));
  if (m == "sub") return of(binary([&](ag::Scalar s) { return x.sub(s); }, [&](const ag::Tensor& o) { return x.sub(o, alpha); }));
  if (m == "mul") return of(binary([&](ag::Scalar s) { return x.mul(s); }, [&](const ag::Tensor& o) { return x.mul(o); }));
  if (m == "div") return of(binary([&](ag::Scalar s) { return x.div(s); }, [&](const ag::Tensor& o) { return x.div(o); }));
  if (m == "eq") return of(binary([&](ag::Scalar s) { return x.eq(s); }, [&](const ag::Tensor& o) { return x.eq(o); }));
  if (m == "neg") return of(x.neg());
  if (m == "exp") return of(x.exp());
  if (m == "log") return of(x.log());
  if (m == "sigmoid") return of(x.sigmoid());
  if (m == "relu") return of(x.relu());
  if (m == "clamp") return of(x.clamp(kw_scalar("min"), kw_scalar("max")));
  if (m == "matmul") return of(x.matmul(tensor_arg(0)));
  if (m == "sum") return of(p.empty() ? x.sum() : x.sum(i(0), keepdim));
  if (m == "mean") return of(p.empty() ? x.mean() : x.mean(i(0), keepdim));
  if (m == "max") return of(p.empty() ? x.max() : std::get<0>(x.max(i(0), keepdim)));
  if (m == "argmax") return of(p.empty() ? x.argmax() : x.argmax(i(0), keepdim));
  // In place: the result is the same handle, as in PyTorch.
  if (m == "add_") return of(binary([&](ag::Scalar s) { return x.add_(s); }, [&](const ag::Tensor& o) { return x.add_(o, alpha); }));
  if (m == "sub_") return of(binary([&](ag::Scalar s) { return x.sub_(s); }, [&](const ag::Tensor& o) { return x.sub_(o, alpha); }));
  if (m == "mul_") return of(binary([&](ag::Scalar s) { return x.mul_(s); }, [&](const ag::Tensor& o) { return x.mul_(o); }));
  if (m == "div_") return of(binary([&](ag::Scalar s) { return x.div_(s); }, [&](const ag::Tensor& o) { return x.div_(o); }));
  if (m == "fill_") {
    std::optional<Number> n = number_arg(0);
    if (!n) throw ScenarioError("fill_ takes a number");
    return of(x.fill_(to_scalar(*n)));
  }
  if (m == "zero_") return of(x.zero_());
  if (m == "copy_") return of(x.copy_(tensor_arg(0)));
  if (m == "clamp_") return of(x.clamp_(kw_scalar("min"), kw_scalar("max")));
  throw ScenarioError("method '" + m + "' has no implementation in the C++ driver");
}

std::shared_ptr<ag::nn::Module> Runner::make_module(const std::vector<std::string>& t, std::size_t first) {
  const std::string& head = t[first];
  Args args = split_args(t, first + 1);
  if (head == "LogisticRegression") {
    return std::make_shared<LogisticRegression>(need_int(args.positional[0]), need_int(args.positional[1]));
  }
  if (head == "Linear") {
    auto it = args.keyword.find("bias");
    bool bias = it == args.keyword.end() || need_bool(it->second);
    return std::make_shared<ag::nn::Linear>(need_int(args.positional[0]), need_int(args.positional[1]), bias);
  }
  if (head == "ReLU") return std::make_shared<ag::nn::ReLU>();
  if (head == "Module") return std::make_shared<ag::nn::Module>("Module");
  auto seq = std::make_shared<ag::nn::Sequential>();
  for (std::size_t k = first + 1; k < t.size(); ++k) {
    const std::string& item = t[k];
    if (item == "ReLU()") {
      seq->push_back(std::make_shared<ag::nn::ReLU>());
    } else if (item.rfind("Linear(", 0) == 0) {
      std::string inner = item.substr(7, item.size() - 8);
      std::size_t comma = inner.find(',');
      seq->push_back(std::make_shared<ag::nn::Linear>(std::stoll(inner.substr(0, comma)), std::stoll(inner.substr(comma + 1))));
    } else {
      seq->push_back(get(item, Kind::Module).module);
    }
  }
  return seq;
}

void Runner::expect_error(const Statement& st) {
  std::optional<ag::StateDict> before;
  if (st.atomic_load) before = ag::deep_copy(module(st.tokens[2]).state_dict());
  try {
    execute(std::vector<std::string>(st.tokens.begin() + 1, st.tokens.end()));
  } catch (const ScenarioError&) {
    throw;
  } catch (const std::exception& e) {
    std::cout << "error\n";
    std::cerr << "line " << st.lineno << ": error: " << e.what() << '\n';
    if (before) {
      // Our documented contract (`differs atomic-load`): a StateDictError, module unchanged.
      if (dynamic_cast<const ag::StateDictError*>(&e) == nullptr) {
        std::cerr << "line " << st.lineno << ": failing load threw something other than StateDictError\n";
        failed = true;
      }
      ag::StateDict after = module(st.tokens[2]).state_dict();
      for (const auto& [key, value] : *before) {
        if (!after.at(key).equal(value)) {
          std::cout << "atomic-load violated: " << key << " changed by a failing load\n";
          failed = true;
        }
      }
    }
    return;
  }
  std::cout << "unexpected success: " << st.text.substr(st.text.find(' ') + 1) << '\n';
  std::cerr << "line " << st.lineno << ": expected an error, got none\n";
  failed = true;
}

void Runner::execute(const std::vector<std::string>& t) {
  const std::string& head = t[0];
  if (head == "echo") {
    std::string text;
    for (std::size_t k = 1; k < t.size(); ++k) text += (k > 1 ? " " : "") + t[k];
    std::cout << text << '\n';
  } else if (head == "differs" || head == "golden") {
    // Acted on at parse time / by compare.py.
  } else if (head == "t" || head == "sd") {
    Value v = expr(t, 3);
    Kind want = head == "t" ? Kind::Tensor : Kind::Dict;
    if (v.kind != want) throw ScenarioError(head + " needs a " + kind_name(want) + ", the expression gives a " + kind_name(v.kind));
    bind(t[1], std::move(v));
  } else if (head == "module") {
    Value v;
    v.kind = Kind::Module;
    v.module = make_module(t, 3);
    bind(t[1], std::move(v));
  } else if (head == "sgd") {
    ag::nn::Module& mod = module(t[3]);
    Args args = split_args(t, 4);
    auto num = [&](const std::string& key) { return parse_number(args.keyword.at(key))->d; };
    ag::optim::SGDOptions o(num("lr"));
    if (args.keyword.count("momentum")) o.momentum(num("momentum"));
    if (args.keyword.count("dampening")) o.dampening(num("dampening"));
    if (args.keyword.count("weight_decay")) o.weight_decay(num("weight_decay"));
    if (args.keyword.count("nesterov")) o.nesterov(need_bool(args.keyword.at("nesterov")));
    Value v;
    v.kind = Kind::Optim;
    v.optim = std::make_shared<ag::optim::SGD>(mod.parameters(), o);
    bind(t[1], std::move(v));
  } else if (head == "print") {
    Value v = expr(t, 1);
    if (v.kind == Kind::Tensor) {
      std::cout << v.tensor << '\n';
    } else if (v.kind == Kind::Dict) {
      std::cout << v.dict << '\n';
    } else {
      throw ScenarioError("print takes a tensor or a dict");
    }
  } else if (head == "info") {
    ag::Tensor x = tensor_operand(t[1]);
    std::cout << "info " << t[1] << ": shape=" << list_str(x.sizes()) << " stride=" << list_str(x.strides())
              << " offset=" << x.storage_offset() << " contiguous=" << bool_str(x.is_contiguous())
              << " dtype=" << ag::dtype_name(x.dtype()) << " device=" << x.device().str() << '\n';
  } else if (head == "requires_grad") {
    std::cout << "requires_grad " << t[1] << ": " << bool_str(tensor_operand(t[1]).requires_grad()) << '\n';
  } else if (head == "alias" || head == "same" || head == "equal") {
    ag::Tensor a = tensor_operand(t[1]);
    ag::Tensor b = tensor_operand(t[2]);
    bool res = head == "alias" ? a.is_alias_of(b) : head == "same" ? a.is_same(b) : a.equal(b);
    std::cout << head << ' ' << t[1] << ' ' << t[2] << ": " << bool_str(res) << '\n';
  } else if (head == "setparam" || head == "grad") {
    ag::Tensor p = module_entry(module(t[1]), t[2]);
    ag::Tensor value = make_literal(t[3], p.dtype());
    if (head == "setparam") {
      p.copy_(value);
    } else {
      p.mutable_grad() = value;
    }
  } else if (head == "load") {
    ag::nn::LoadResult r = module(t[1]).load_state_dict(get(t[2], Kind::Dict).dict, t[3] == "strict");
    std::cout << "load: missing_keys=" << keys_str(r.missing_keys) << " unexpected_keys=" << keys_str(r.unexpected_keys)
              << '\n';
  } else if (head == "sdset") {
    ag::Tensor value = tensor_operand(t[3]);
    get(t[1], Kind::Dict).dict.insert_or_assign(t[2], value);
  } else if (head == "addparam") {
    module(t[1]).register_parameter(t[2], tensor_operand(t[3]));
  } else if (head == "addbuffer") {
    module(t[1]).register_buffer(t[2], tensor_operand(t[3]));
  } else if (head == "addchild") {
    std::shared_ptr<ag::nn::Module> child = get(t[3], Kind::Module).module;
    module(t[1]).register_module(t[2], child);
  } else if (head == "modto") {
    if (t[2] != "cpu" && t[2] != "cuda") throw ScenarioError("modto takes cpu or cuda");
    module(t[1]).to(t[2] == "cpu" ? ag::Device::cpu() : ag::Device::cuda(0));
  } else if (head == "step") {
    get(t[1], Kind::Optim).optim->step();
  } else if (head == "zero_grad") {
    get(t[1], Kind::Optim).optim->zero_grad(t.size() < 3 || t[2] == "set_to_none=True");
  } else if (t.size() == 3 && (t[1] == "=" || t[1] == "+=" || t[1] == "-=" || t[1] == "*=" || t[1] == "/=")) {
    assign(t, 0);
  } else {
    expr(t, 0);  // a method call for its effect
  }
}

void Runner::assign(const std::vector<std::string>& t, std::size_t first) {
  const std::string& op = t[first + 1];
  const std::string& rhs_tok = t[first + 2];
  std::optional<Number> num = parse_number(rhs_tok);
  if (op == "=") {
    Operand target = parse_operand(t[first]);
    std::string parent_tok = target.name;
    for (std::size_t k = 0; k + 1 < target.indices.size(); ++k) parent_tok += "[" + target.indices[k] + "]";
    ag::Tensor parent = tensor_operand(parent_tok);
    const std::int64_t index = need_int(target.indices.back());
    if (num) {
      parent[index] = to_scalar(*num);  // LibTorch: assigning to a temporary view fills it
    } else {
      parent[index] = tensor_operand(rhs_tok);  // ... or copies into it
    }
    return;
  }
  ag::Tensor x = tensor_operand(t[first]);
  if (num) {
    ag::Scalar s = to_scalar(*num);
    if (op == "+=") x += s;
    if (op == "-=") x -= s;
    if (op == "*=") x *= s;
    if (op == "/=") x /= s;
  } else {
    ag::Tensor r = tensor_operand(rhs_tok);
    if (op == "+=") x += r;
    if (op == "-=") x -= r;
    if (op == "*=") x *= r;
    if (op == "/=") x /= r;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: aliasguard_conformance_driver SCENARIO.scn\n";
    return 2;
  }
  const std::string path = argv[1];
  std::vector<Statement> statements;
  try {
    statements = parse_scenario(path);
  } catch (const ScenarioError& e) {
    std::cerr << "aliasguard_conformance_driver: " << e.what() << '\n';
    return 2;
  }
  Runner runner;
  for (const Statement& st : statements) {
    try {
      runner.run(st);
    } catch (const ScenarioError& e) {
      std::cout.flush();
      std::cerr << path << ':' << st.lineno << ": " << e.what() << '\n';
      return 2;
    } catch (const std::exception& e) {
      std::cout.flush();
      std::cerr << path << ':' << st.lineno << ": uncaught error: " << e.what() << '\n';
      return 1;
    }
  }
  std::cout.flush();
  return runner.failed ? 1 : 0;
}
