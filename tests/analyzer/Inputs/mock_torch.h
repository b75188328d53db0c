// Minimal shapes of LibTorch's API for the analyzer tests (as clang-tidy's tests mock the
// standard library): only what the checks look at -- names, constness, ref-qualifiers.
#pragma once

namespace std {
template <class T> struct remove_reference { using type = T; };
template <class T> struct remove_reference<T &> { using type = T; };
template <class T> typename remove_reference<T>::type &&move(T &&t) { return static_cast<typename remove_reference<T>::type &&>(t); }
template <class T> struct vector {
  T &operator[](unsigned long);
  T *begin() const;
  T *end() const;
  void push_back(const T &);
  unsigned long size() const;
};
template <class T> struct shared_ptr {
  T *operator->() const;
  T &operator*() const;
};
struct string {
  string(const char *);
};
struct ostream {};
extern ostream cout;
} // namespace std

namespace torch {

struct TensorOptions {};

class Tensor {
public:
  Tensor &operator=(const Tensor &) &;
  Tensor &operator=(const Tensor &) &&; // copies values, as LibTorch's does
  Tensor &operator=(double) &&;
  // In-place ops are const: a Tensor is a handle.
  const Tensor &add_(const Tensor &, double alpha = 1) const;
  const Tensor &add_(double) const;
  const Tensor &sub_(const Tensor &) const;
  const Tensor &mul_(double) const;
  const Tensor &mul_(const Tensor &) const;
  const Tensor &copy_(const Tensor &) const;
  const Tensor &fill_(double) const;
  const Tensor &zero_() const;
  const Tensor &normal_(double mean = 0, double std = 1) const;
  const Tensor &requires_grad_(bool) const;
  const Tensor &operator+=(const Tensor &) const;
  const Tensor &operator-=(const Tensor &) const;
  const Tensor &operator*=(double) const;
  Tensor operator[](long) const;
  Tensor data() const;
  Tensor detach() const;
  Tensor view(long) const;
  Tensor t() const;
  Tensor clone() const;
  Tensor to(TensorOptions, bool non_blocking = false, bool copy = false) const;
  Tensor grad() const;
  bool equal(const Tensor &) const;
  double item() const;
};
Tensor operator*(double, const Tensor &);
Tensor operator*(const Tensor &, double);
Tensor operator-(const Tensor &, const Tensor &);
bool allclose(const Tensor &, const Tensor &);
std::ostream &operator<<(std::ostream &, const Tensor &);

template <class K, class V> class OrderedDict {
public:
  class Item {
  public:
    const K &key() const;
    V &value();
    const V &value() const;
    V &operator*();
    V *operator->();
  };
  V &operator[](const K &);
  const V &operator[](const K &) const;
  V &at(const K &);
  V *find(const K &);
  Item *begin();
  Item *end();
  const Item *begin() const;
  const Item *end() const;
  std::vector<K> keys() const;
  std::vector<V> values() const;
  unsigned long size() const;
};

namespace nn {
class Module {
public:
  virtual ~Module();
  std::vector<Tensor> parameters(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_buffers(bool recurse = true) const;
  // Not in LibTorch itself; users write it (and aliasguard's runtime has it).
  OrderedDict<std::string, Tensor> state_dict() const;
  void load_state_dict(const OrderedDict<std::string, Tensor> &);
  Tensor forward(const Tensor &);
};
class LinearImpl : public Module {
public:
  LinearImpl(long in, long out);
  Tensor weight, bias;
};
template <class Contained> class ModuleHolder {
public:
  Contained *operator->();
  const Contained *operator->() const;
  Contained &operator*();
};
class Linear : public ModuleHolder<LinearImpl> {
public:
  Linear(long in, long out);
};
} // namespace nn

namespace optim {
class Optimizer {
public:
  virtual ~Optimizer();
  virtual void step();
  void zero_grad();
};
class SGD : public Optimizer {
public:
  SGD(std::vector<Tensor> params, double lr);
  void step() override;
};
} // namespace optim

void save(const OrderedDict<std::string, Tensor> &, const char *path);
void save(const std::vector<Tensor> &, const char *path);
OrderedDict<std::string, Tensor> deep_copy(const OrderedDict<std::string, Tensor> &);

namespace nn::init {
Tensor normal_(Tensor t, double mean = 0, double std = 1);
} // namespace nn::init

struct NoGradGuard {
  NoGradGuard();
  ~NoGradGuard();
};

} // namespace torch
