// A port of torch/_tensor_str.py (PyTorch 1.13) for strided, non-complex, unnamed tensors.
//
// Note [Printing like PyTorch]
// Outputs are compared line by line against real PyTorch (tests/runtime/print_vs_pytorch.py),
// so the port keeps PyTorch's structure rather than tidying it: the _Formatter decides
// int/sci mode and one column width from the elements that will be shown, _vector_str wraps
// rows at 80 columns, _tensor_str_with_formatter nests brackets, and _add_suffixes places
// `device=`, `dtype=` and `requires_grad=` (including its off-by-two line length). Python
// formats every element as a Python float, i.e. the double of the stored value, with
// correctly rounded '{:.4f}'/'{:.4e}'/'{:.0f}'; glibc's printf rounds the same way, so
// snprintf on the double reproduces it. Only non-finite values differ (printf writes "-nan").

#include "tensor_repr.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string_view>

namespace aliasguard::detail {
namespace {

// PyTorch's default print options (torch._tensor_str.PRINT_OPTS).
constexpr int kPrecision = 4;
constexpr std::int64_t kThreshold = 1000;
constexpr std::int64_t kEdgeItems = 3;
constexpr std::int64_t kLineWidth = 80;

enum class FloatStyle { Fixed, Sci, Integral };

// Python's format(float, spec) for the three specs the formatter uses.
std::string python_float_format(double v, FloatStyle style) {
  if (std::isnan(v)) return "nan";  // Python never shows a sign on nan.
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  // %.4f of the largest double has 309 integer digits.
  char buf[400];
  int n = 0;
  switch (style) {
    case FloatStyle::Fixed: n = std::snprintf(buf, sizeof buf, "%.*f", kPrecision, v); break;
    case FloatStyle::Sci: n = std::snprintf(buf, sizeof buf, "%.*e", kPrecision, v); break;
    case FloatStyle::Integral: n = std::snprintf(buf, sizeof buf, "%.0f", v); break;
  }
  return std::string(buf, static_cast<std::size_t>(std::max(n, 0)));
}

std::string int_format(std::int64_t v, ScalarType dtype) {
  if (dtype == kBool) return v != 0 ? "True" : "False";
  return std::to_string(v);
}

// Row-major element addressing for the recursion over dims.
struct Layout {
  const Shape& sizes;
  Shape strides;
  explicit Layout(const Shape& s) : sizes(s), strides(s.size(), 1) {
    for (std::size_t d = s.size(); d-- > 1;) strides[d - 1] = strides[d] * s[d];
  }
  std::size_t dims() const { return sizes.size(); }
};

// The indices along one dim that a print shows: with summarizing, only the edge items
// (get_summarized_data and the "..." rows of _tensor_str_with_formatter agree on these).
std::vector<std::int64_t> shown_indices(std::int64_t size, bool summarize) {
  std::vector<std::int64_t> out;
  if (summarize && size > 2 * kEdgeItems) {
    for (std::int64_t i = 0; i < kEdgeItems; ++i) out.push_back(i);
    for (std::int64_t i = size - kEdgeItems; i < size; ++i) out.push_back(i);
  } else {
    for (std::int64_t i = 0; i < size; ++i) out.push_back(i);
  }
  return out;
}

// Flat offsets of every element the formatter looks at: all of them, or, when summarizing,
// only those get_summarized_data keeps. The formatter's result does not depend on order.
void collect_shown(const Layout& layout, std::size_t dim, std::int64_t offset, bool summarize,
                   std::vector<std::int64_t>& out) {
  if (dim == layout.dims()) {
    out.push_back(offset);
    return;
  }
  for (std::int64_t i : shown_indices(layout.sizes[dim], summarize))
    collect_shown(layout, dim + 1, offset + i * layout.strides[dim], summarize, out);
}

/// torch._tensor_str._Formatter: one width and one style for every element of a tensor.
class Formatter {
 public:
  Formatter(const HostTensor& t, const std::vector<std::int64_t>& shown)
      : tensor_(t), floating_(is_floating(t.dtype)) {
    if (!floating_) {
      for (std::int64_t i : shown)
        max_width_ = std::max(max_width_, int_format(t.ints[i], t.dtype).size());
      return;
    }
    std::vector<double> finite;  // nonzero_finite_vals; -0.0 counts as zero
    for (std::int64_t i : shown) {
      double v = t.floats[i];
      if (std::isfinite(v) && v != 0.0) finite.push_back(v);
    }
    if (finite.empty()) return;

    double min_abs = std::abs(finite.front());
    double max_abs = min_abs;
    for (double v : finite) {
      min_abs = std::min(min_abs, std::abs(v));
      max_abs = std::max(max_abs, std::abs(v));
      if (v != std::ceil(v)) int_mode_ = false;
    }
    // int_mode leaves out the small-magnitude test: integers are never below 1e-4.
    bool wide_range = max_abs / min_abs > 1000.0 || max_abs > 1.0e8;
    sci_mode_ = int_mode_ ? wide_range : (wide_range || min_abs < 1.0e-4);
    FloatStyle style = sci_mode_ ? FloatStyle::Sci : int_mode_ ? FloatStyle::Integral : FloatStyle::Fixed;
    // In int_mode the "." appended to each value is part of the width.
    std::size_t extra = (!sci_mode_ && int_mode_) ? 1 : 0;
    for (double v : finite)
      max_width_ = std::max(max_width_, python_float_format(v, style).size() + extra);
  }

  std::size_t width() const { return max_width_; }

  std::string format(std::int64_t index) const {
    std::string s;
    if (!floating_) {
      s = int_format(tensor_.ints[index], tensor_.dtype);
    } else {
      double v = tensor_.floats[index];
      if (sci_mode_) {
        s = python_float_format(v, FloatStyle::Sci);
      } else if (int_mode_) {
        s = python_float_format(v, FloatStyle::Integral);
        if (std::isfinite(v)) s += '.';
      } else {
        s = python_float_format(v, FloatStyle::Fixed);
      }
    }
    if (s.size() < max_width_) s.insert(0, max_width_ - s.size(), ' ');
    return s;
  }

 private:
  const HostTensor& tensor_;
  bool floating_;
  bool int_mode_ = true;
  bool sci_mode_ = false;
  std::size_t max_width_ = 1;
};

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i != 0) out += sep;
    out += parts[i];
  }
  return out;
}

struct Printer {
  const Layout& layout;
  const Formatter& formatter;
  bool summarize;

  // One string per shown index, with `ellipsis` standing in for the left-out middle.
  template <class Part>
  std::vector<std::string> shown_parts(std::int64_t size, const char* ellipsis, Part part) const {
    std::vector<std::string> out;
    for (std::int64_t i : shown_indices(size, summarize)) {
      if (i == size - kEdgeItems && summarize && size > 2 * kEdgeItems) out.emplace_back(ellipsis);
      out.push_back(part(i));
    }
    return out;
  }

  // _vector_str: one row, wrapped so each line fits the columns left after `indent`.
  std::string vector_str(std::int64_t offset, std::int64_t indent) const {
    std::int64_t size = layout.sizes.back();
    auto element_length = static_cast<std::int64_t>(formatter.width()) + 2;
    // Deep nesting can leave no room at all; PyTorch still puts one element per line.
    std::int64_t per_line = std::max<std::int64_t>(1, (kLineWidth - indent) / element_length);

    std::vector<std::string> data =
        shown_parts(size, " ...", [&](std::int64_t i) { return formatter.format(offset + i); });

    std::vector<std::string> lines;
    for (std::size_t i = 0; i < data.size(); i += static_cast<std::size_t>(per_line)) {
      auto end = std::min(data.size(), i + static_cast<std::size_t>(per_line));
      lines.push_back(join({data.begin() + static_cast<std::ptrdiff_t>(i),
                            data.begin() + static_cast<std::ptrdiff_t>(end)}, ", "));
    }
    return "[" + join(lines, ",\n" + std::string(static_cast<std::size_t>(indent + 1), ' ')) + "]";
  }

  // _tensor_str_with_formatter: nested brackets, one blank line per dim above 2 between slices.
  std::string tensor_str(std::size_t dim, std::int64_t offset, std::int64_t indent) const {
    std::size_t remaining = layout.dims() - dim;
    if (remaining == 0) return formatter.format(offset);
    if (remaining == 1) return vector_str(offset, indent);

    std::int64_t size = layout.sizes[dim];
    auto slice = [&](std::int64_t i) {
      return tensor_str(dim + 1, offset + i * layout.strides[dim], indent + 1);
    };
    std::vector<std::string> slices = shown_parts(size, "...", slice);
    std::string sep = "," + std::string(remaining - 1, '\n') +
                      std::string(static_cast<std::size_t>(indent + 1), ' ');
    return "[" + join(slices, sep) + "]";
  }
};

std::int64_t numel(const Shape& sizes) {
  std::int64_t n = 1;
  for (std::int64_t s : sizes) n *= s;
  return n;
}

// Python's str() of a shape tuple: "(0, 3)", "(0,)".
std::string tuple_str(const Shape& sizes) {
  std::string out = "(";
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (i != 0) out += ", ";
    out += std::to_string(sizes[i]);
  }
  if (sizes.size() == 1) out += ',';
  return out + ")";
}

// _add_suffixes. PyTorch measures the last line as (length - rfind("\n") + 1), two more
// than its real length, and wraps on that; kept as is so long rows wrap where PyTorch's do.
std::string add_suffixes(std::string text, const std::vector<std::string>& suffixes,
                         std::int64_t indent) {
  std::size_t newline = text.rfind('\n');
  std::int64_t rfind = newline == std::string::npos ? -1 : static_cast<std::int64_t>(newline);
  std::int64_t last_line_len = static_cast<std::int64_t>(text.size()) - rfind + 1;
  for (const std::string& suffix : suffixes) {
    auto suffix_len = static_cast<std::int64_t>(suffix.size());
    if (last_line_len + suffix_len + 2 > kLineWidth) {
      text += ",\n" + std::string(static_cast<std::size_t>(indent), ' ') + suffix;
      last_line_len = indent + suffix_len;
    } else {
      text += ", " + suffix;
      last_line_len += suffix_len + 2;
    }
  }
  return text + ")";
}

}  // namespace

std::string tensor_repr(const HostTensor& t) {
  const std::string prefix = "tensor(";
  const auto indent = static_cast<std::int64_t>(prefix.size());
  std::vector<std::string> suffixes;
  if (!t.device.empty()) suffixes.push_back("device='" + t.device + "'");

  std::string body;
  if (numel(t.sizes) == 0) {
    // No elements to show the dtype by, so PyTorch names it even for int64 and bool.
    if (t.sizes.size() != 1) suffixes.push_back("size=" + tuple_str(t.sizes));
    if (t.dtype != kFloat32) suffixes.push_back(std::string("dtype=torch.") + dtype_name(t.dtype));
    body = "[]";
  } else {
    if (t.dtype == kFloat64) suffixes.push_back(std::string("dtype=torch.") + dtype_name(t.dtype));
    Layout layout(t.sizes);
    bool summarize = numel(t.sizes) > kThreshold;
    std::vector<std::int64_t> shown;
    collect_shown(layout, 0, 0, summarize, shown);
    Formatter formatter(t, shown);
    body = Printer{layout, formatter, summarize}.tensor_str(0, 0, indent);
  }
  // Our handles carry no grad_fn, so requires_grad is all PyTorch would show here.
  if (t.requires_grad) suffixes.emplace_back("requires_grad=True");
  return add_suffixes(prefix + body, suffixes, indent);
}

std::string python_str_repr(const std::string& s) {
  // Python prefers single quotes and switches only when that avoids escaping.
  bool has_single = s.find('\'') != std::string::npos;
  bool has_double = s.find('"') != std::string::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(u));
      out += buf;
    } else {
      // Bytes >= 0x80 pass through: keys are UTF-8 and Python shows printable text as is.
      out += c;
    }
  }
  out += quote;
  return out;
}

}  // namespace aliasguard::detail
