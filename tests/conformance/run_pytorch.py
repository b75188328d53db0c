#!/usr/bin/env python3
"""Runs one conformance scenario (*.scn) on real PyTorch and prints what it observes.

The scenario language is documented in README.md; conformance_driver.cpp runs the same
file on aliasguard's runtime and compare.py diffs the two outputs. This driver parses the
whole file before running any of it, so a typo fails both sides the same way instead of
being mistaken for an expected error.

Exit codes: 0 ok, 1 a statement failed or an expectation was not met, 2 the scenario does
not parse, 77 PyTorch cannot be imported.
"""

import copy
import re
import sys
from collections import OrderedDict

try:
    import torch
except Exception as exc:  # noqa: BLE001 - any import failure means "skip"
    print(f"run_pytorch.py: cannot import torch: {exc}", file=sys.stderr)
    sys.exit(77)


class ScenarioError(Exception):
    """The scenario itself is wrong (syntax, unknown name, wrong kind): never 'an error'."""


# --- tokens and literals -------------------------------------------------------------------

_INT_RE = re.compile(r"^[-+]?\d+$")
_FLOAT_RE = re.compile(r"^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OPERAND_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\[\]]*\])*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?$")
_KWARG_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.+)$")
_DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64,
           "bool": torch.bool}


def tokenize(text):
    """Splits on blanks outside brackets, so `[[1, 2], [3, 4]]` is one token."""
    tokens, cur, depth = [], "", 0
    for ch in text:
        if ch in "[({":
            depth += 1
        elif ch in "])}":
            depth -= 1
            if depth < 0:
                raise ScenarioError(f"unbalanced '{ch}'")
        if ch.isspace() and depth == 0:
            if cur:
                tokens.append(cur)
            cur = ""
        else:
            cur += ch
    if depth != 0:
        raise ScenarioError("unbalanced brackets")
    if cur:
        tokens.append(cur)
    return tokens


def parse_number(tok):
    """int, float or bool for a number token; None otherwise."""
    if tok in ("True", "False"):
        return tok == "True"
    if _INT_RE.match(tok):
        return int(tok)
    if _FLOAT_RE.match(tok):
        return float(tok)
    return None


def parse_literal(tok):
    """A tensor literal -> (flat values, shape, kind); kind is 'bool', 'int' or 'float'."""
    pos = 0
    text = tok.replace(" ", "")

    def value():
        nonlocal pos
        if pos < len(text) and text[pos] == "[":
            pos += 1
            items = []
            if pos < len(text) and text[pos] == "]":
                raise ScenarioError(f"empty list in literal {tok}")
            while True:
                items.append(value())
                if pos >= len(text):
                    raise ScenarioError(f"unterminated literal {tok}")
                if text[pos] == ",":
                    pos += 1
                    continue
                if text[pos] == "]":
                    pos += 1
                    break
                raise ScenarioError(f"bad literal {tok}")
            shapes = {tuple(s) for _, s in items}
            if len(shapes) != 1:
                raise ScenarioError(f"ragged literal {tok}")
            flat = [v for vals, _ in items for v in vals]
            return flat, [len(items)] + list(items[0][1])
        end = pos
        while end < len(text) and text[end] not in ",]":
            end += 1
        num = parse_number(text[pos:end])
        if num is None:
            raise ScenarioError(f"bad number '{text[pos:end]}' in {tok}")
        pos = end
        return [num], []

    flat, shape = value()
    if pos != len(text):
        raise ScenarioError(f"trailing text in literal {tok}")
    if all(isinstance(v, bool) for v in flat):
        kind = "bool"
    elif any(isinstance(v, bool) for v in flat):
        raise ScenarioError(f"literal mixes bools and numbers: {tok}")
    elif any(isinstance(v, float) for v in flat):
        kind = "float"
    else:
        kind = "int"
    return flat, shape, kind


def is_literal(tok):
    return tok.startswith("[") or parse_number(tok) is not None


def make_literal(tok, dtype=None):
    flat, shape, kind = parse_literal(tok)
    if dtype is None:
        dtype = {"bool": torch.bool, "int": torch.int64, "float": torch.float32}[kind]
    return torch.tensor(flat, dtype=dtype).reshape(shape)


def split_args(tokens):
    """Positional tokens and a dict of `key=value` tokens."""
    pos, kw = [], {}
    for tok in tokens:
        m = _KWARG_RE.match(tok)
        if m and not tok.startswith("["):
            kw[m.group(1)] = m.group(2)
        else:
            pos.append(tok)
    return pos, kw


def parse_operand(tok):
    """`a`, `a[0][1]`, `s[fc.weight]`, optionally `.method` -> (name, [index strings], method)."""
    m = _OPERAND_RE.match(tok)
    if not m:
        raise ScenarioError(f"'{tok}' is not a name")
    idx = re.findall(r"\[([^\[\]]*)\]", m.group(2)) if m.group(2) else []
    return m.group(1), idx, m.group(3)


def need_int(tok):
    v = parse_number(tok)
    if not isinstance(v, int) or isinstance(v, bool):
        raise ScenarioError(f"expected an integer, got '{tok}'")
    return v


def need_bool(tok):
    if tok not in ("True", "False"):
        raise ScenarioError(f"expected True or False, got '{tok}'")
    return tok == "True"


# --- the method table: name -> (min args, max args, allowed kwargs, implementation) ---------
# `a` is the list of already-evaluated positional arguments, `k` the evaluated kwargs.
# Argument kinds: 'i' integer, 'v' value (number or tensor), 't' tensor, 'w' word.

def _slice(x, a, k):
    dim, start, end = a[0], a[1], a[2]
    step = a[3] if len(a) > 3 else 1
    return x[(slice(None),) * (dim % x.dim()) + (slice(start, end, step),)]


def _to(x, a, k):
    target = a[0]
    copy_flag = k.get("copy", False)
    if target in _DTYPES:
        return x.to(_DTYPES[target], copy=copy_flag)
    return x.to(torch.device(target), copy=copy_flag)


def _max(x, a, k):
    if not a:
        return x.max()
    return x.max(a[0], keepdim=k.get("keepdim", False)).values


def _dimred(fn):
    def run(x, a, k):
        if not a:
            return getattr(x, fn)()
        return getattr(x, fn)(a[0], keepdim=k.get("keepdim", False))
    return run


def _clamp(fn):
    return lambda x, a, k: getattr(x, fn)(min=k.get("min"), max=k.get("max"))


def _alpha(fn):
    return lambda x, a, k: getattr(x, fn)(a[0], alpha=k["alpha"]) if "alpha" in k else getattr(x, fn)(a[0])


METHODS = {
    "view": ("i+", set(), lambda x, a, k: x.view(*a)),
    "reshape": ("i+", set(), lambda x, a, k: x.reshape(*a)),
    "slice": ("iii|iiii", set(), _slice),
    "narrow": ("iii", set(), lambda x, a, k: x.narrow(*a)),
    "select": ("ii", set(), lambda x, a, k: x.select(*a)),
    "transpose": ("ii", set(), lambda x, a, k: x.transpose(*a)),
    "t": ("", set(), lambda x, a, k: x.t()),
    "permute": ("i+", set(), lambda x, a, k: x.permute(*a)),
    "expand": ("i+", set(), lambda x, a, k: x.expand(*a)),
    "squeeze": ("|i", set(), lambda x, a, k: x.squeeze(*a)),
    "unsqueeze": ("i", set(), lambda x, a, k: x.unsqueeze(*a)),
    "flatten": ("|i|ii", set(), lambda x, a, k: x.flatten(*a)),
    "detach": ("", set(), lambda x, a, k: x.detach()),
    "data": ("", set(), lambda x, a, k: x.data),
    "contiguous": ("", set(), lambda x, a, k: x.contiguous()),
    "clone": ("", set(), lambda x, a, k: x.clone()),
    "to": ("w", {"copy"}, _to),
    "add": ("v", {"alpha"}, _alpha("add")),
    "sub": ("v", {"alpha"}, _alpha("sub")),
    "mul": ("v", set(), lambda x, a, k: x.mul(a[0])),
    "div": ("v", set(), lambda x, a, k: x.div(a[0])),
    "neg": ("", set(), lambda x, a, k: x.neg()),
    "exp": ("", set(), lambda x, a, k: x.exp()),
    "log": ("", set(), lambda x, a, k: x.log()),
    "sigmoid": ("", set(), lambda x, a, k: x.sigmoid()),
    "relu": ("", set(), lambda x, a, k: x.relu()),
    "clamp": ("", {"min", "max"}, _clamp("clamp")),
    "matmul": ("t", set(), lambda x, a, k: x.matmul(a[0])),
    "sum": ("|i", {"keepdim"}, _dimred("sum")),
    "mean": ("|i", {"keepdim"}, _dimred("mean")),
    "max": ("|i", {"keepdim"}, _max),
    "argmax": ("|i", {"keepdim"}, _dimred("argmax")),
    "eq": ("v", set(), lambda x, a, k: x.eq(a[0])),
    "add_": ("v", {"alpha"}, _alpha("add_")),
    "sub_": ("v", {"alpha"}, _alpha("sub_")),
    "mul_": ("v", set(), lambda x, a, k: x.mul_(a[0])),
    "div_": ("v", set(), lambda x, a, k: x.div_(a[0])),
    "fill_": ("v", set(), lambda x, a, k: x.fill_(a[0])),
    "zero_": ("", set(), lambda x, a, k: x.zero_()),
    "copy_": ("t", set(), lambda x, a, k: x.copy_(a[0])),
    "clamp_": ("", {"min", "max"}, _clamp("clamp_")),
}
KWARG_KINDS = {"alpha": "n", "min": "n", "max": "n", "keepdim": "b", "copy": "b"}


def check_arity(method, pos):
    """Matches positional tokens against the method's signature patterns; returns the kinds."""
    spec = METHODS[method][0]
    for alt in spec.split("|"):
        if alt.endswith("+"):
            if pos:
                return [alt[0]] * len(pos)
        elif len(alt) == len(pos):
            return list(alt)
    raise ScenarioError(f"'{method}' does not take {len(pos)} positional argument(s)")


# --- statements ----------------------------------------------------------------------------

KEYWORDS = {"t", "sd", "module", "sgd", "print", "info", "requires_grad", "alias", "same",
            "equal", "setparam", "grad", "load", "sdset", "addparam", "addbuffer",
            "addchild", "modto", "step", "zero_grad", "echo", "expect-error", "differs",
            "golden"}
FACTORIES = {"tensor", "zeros", "ones", "full", "arange", "deepcopy", "{}"}
MODULE_KINDS = {"LogisticRegression", "Linear", "ReLU", "Sequential", "Module"}
DIFFERS_REASONS = {"atomic-load"}


class Statement:
    def __init__(self, lineno, text, tokens):
        self.lineno, self.text, self.tokens = lineno, text, tokens
        self.atomic_load = False  # set by a preceding `differs atomic-load`


def validate_expr(tokens):
    """Checks an expression's shape without evaluating it (names are checked at run time)."""
    if not tokens:
        raise ScenarioError("missing expression")
    head, rest = tokens[0], tokens[1:]
    pos, kw = split_args(rest)
    if head == "tensor":
        if len(pos) != 1 or set(kw) - {"dtype"}:
            raise ScenarioError("usage: tensor LITERAL [dtype=D]")
        parse_literal(pos[0])
    elif head in ("zeros", "ones"):
        if len(pos) != 1 or set(kw) - {"dtype"}:
            raise ScenarioError(f"usage: {head} [SHAPE] [dtype=D]")
        parse_literal(pos[0])
    elif head == "full":
        if len(pos) != 2 or set(kw) != {"dtype"}:
            raise ScenarioError("usage: full [SHAPE] VALUE dtype=D")
    elif head == "arange":
        if not 1 <= len(pos) <= 3 or set(kw) - {"dtype"}:
            raise ScenarioError("usage: arange END | arange START END [STEP] [dtype=D]")
    elif head == "deepcopy":
        if len(rest) != 1:
            raise ScenarioError("usage: deepcopy NAME")
    elif head == "{}":
        if rest:
            raise ScenarioError("usage: {}")
    else:
        _, _, method = parse_operand(head)
        if method is None:
            if rest:
                raise ScenarioError(f"unexpected arguments after {head}")
        elif method in ("state_dict",):
            if rest:
                raise ScenarioError("usage: M.state_dict")
        elif method == "forward":
            if len(rest) != 1:
                raise ScenarioError("usage: M.forward X")
        elif method in METHODS:
            check_arity(method, pos)
            bad = set(kw) - METHODS[method][1]
            if bad:
                raise ScenarioError(f"'{method}' takes no argument {sorted(bad)}")
            if "alpha" in kw and parse_number(pos[0]) is not None:
                raise ScenarioError("alpha= needs a tensor operand")
        else:
            raise ScenarioError(f"unknown method '{method}'")
    if "dtype" in kw and kw["dtype"] not in _DTYPES:
        raise ScenarioError(f"unknown dtype '{kw['dtype']}'")


def validate_module_expr(tokens):
    if not tokens or tokens[0] not in MODULE_KINDS:
        raise ScenarioError(f"module kinds are {sorted(MODULE_KINDS)}")
    head, rest = tokens[0], tokens[1:]
    pos, kw = split_args(rest)
    if head in ("LogisticRegression",):
        if len(pos) != 2 or kw:
            raise ScenarioError("usage: LogisticRegression IN OUT")
    elif head == "Linear":
        if len(pos) != 2 or set(kw) - {"bias"}:
            raise ScenarioError("usage: Linear IN OUT [bias=False]")
    elif head in ("ReLU", "Module"):
        if rest:
            raise ScenarioError(f"usage: {head}")
    elif head == "Sequential":
        for item in rest:
            if not re.match(r"^(Linear\(\s*\d+\s*,\s*\d+\s*\)|ReLU\(\))$", item) and not _NAME_RE.match(item):
                raise ScenarioError(f"Sequential items are Linear(IN,OUT), ReLU() or a module name: {item}")


ARITY = {"print": (1, None), "info": (1, 1), "requires_grad": (1, 1), "alias": (2, 2),
         "same": (2, 2), "equal": (2, 2), "setparam": (3, 3), "grad": (3, 3), "load": (3, 3),
         "sdset": (3, 3), "addparam": (3, 3), "addbuffer": (3, 3), "addchild": (3, 3),
         "modto": (2, 2), "step": (1, 1), "zero_grad": (1, 2), "differs": (1, 1),
         "golden": (1, 1)}


def validate(tokens):
    """Raises ScenarioError unless `tokens` is a well-formed statement."""
    head = tokens[0]
    if head == "expect-error":
        if len(tokens) < 2 or tokens[1] in ("expect-error", "differs", "golden", "echo"):
            raise ScenarioError("usage: expect-error STATEMENT")
        validate(tokens[1:])
        return
    if head == "echo":
        return
    if head in ARITY:
        lo, hi = ARITY[head]
        n = len(tokens) - 1
        if n < lo or (hi is not None and n > hi):
            raise ScenarioError(f"wrong number of arguments to {head}")
        if head == "print":
            validate_expr(tokens[1:])
        if head == "load" and tokens[3] not in ("strict", "nonstrict"):
            raise ScenarioError("usage: load M SD strict|nonstrict")
        if head in ("setparam", "grad"):
            parse_literal(tokens[3])
        if head == "differs" and tokens[1] not in DIFFERS_REASONS:
            raise ScenarioError(f"unknown differs reason '{tokens[1]}'")
        if head == "zero_grad" and len(tokens) == 3 and tokens[2] not in ("set_to_none=True", "set_to_none=False"):
            raise ScenarioError("usage: zero_grad OPT [set_to_none=True|False]")
        return
    if head in ("t", "sd", "module", "sgd"):
        if len(tokens) < 4 or tokens[2] != "=" or not _NAME_RE.match(tokens[1]):
            raise ScenarioError(f"usage: {head} NAME = ...")
        if head == "module":
            validate_module_expr(tokens[3:])
        elif head == "sgd":
            pos, kw = split_args(tokens[4:])
            if pos or set(kw) - {"lr", "momentum", "dampening", "weight_decay", "nesterov"} or "lr" not in kw:
                raise ScenarioError("usage: sgd O = M lr=X [momentum=X dampening=X weight_decay=X nesterov=True]")
        else:
            validate_expr(tokens[3:])
        return
    if len(tokens) >= 2 and tokens[1] in ("=", "+=", "-=", "*=", "/="):
        name, idx, method = parse_operand(head)
        if len(tokens) != 3 or method is not None or (tokens[1] == "=" and not idx):
            raise ScenarioError("usage: NAME[i]... = VALUE or NAME op= VALUE")
        return
    name, idx, method = parse_operand(head)
    if method is None or method not in METHODS:
        raise ScenarioError(f"unknown statement '{head}'")
    validate_expr(tokens)


def parse_scenario(path):
    statements, pending_differs, golden = [], None, None
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            text = raw.split("#", 1)[0].strip()
            if not text:
                continue
            try:
                tokens = tokenize(text)
                validate(tokens)
            except ScenarioError as exc:
                raise ScenarioError(f"{path}:{lineno}: {exc}") from None
            st = Statement(lineno, " ".join(tokens), tokens)
            if pending_differs is not None:
                if tokens[:2] != ["expect-error", "load"]:
                    raise ScenarioError(f"{path}:{lineno}: 'differs atomic-load' must be followed by 'expect-error load ...'")
                st.atomic_load = True
                pending_differs = None
            if tokens[0] == "differs":
                pending_differs = tokens[1]
            if tokens[0] == "golden":
                golden = tokens[1]
            statements.append(st)
    if pending_differs is not None:
        raise ScenarioError(f"{path}: 'differs' at the end of the file applies to nothing")
    return statements


# --- execution -----------------------------------------------------------------------------

class LogisticRegression(torch.nn.Module):
    """The seed's model: a Linear inside as `fc`."""

    def __init__(self, i, c):
        super().__init__()
        self.fc = torch.nn.Linear(i, c)

    def forward(self, x):
        return self.fc(x)


class Runner:
    def __init__(self):
        self.env = {}  # name -> (kind, value); kind in tensor, dict, module, optim
        self.failed = False

    # lookups
    def get(self, name, kind):
        if name not in self.env:
            raise ScenarioError(f"unknown name '{name}'")
        k, v = self.env[name]
        if kind is not None and k != kind:
            raise ScenarioError(f"'{name}' is a {k}, not a {kind}")
        return v

    def module_entry(self, mod, key):
        """The registered tensor itself, found by its full key in named_parameters() then
        named_buffers(); both list a tied tensor once, under its first name, as ours do."""
        params = dict(mod.named_parameters())
        if key in params:
            return params[key]
        buffers = dict(mod.named_buffers())
        if key in buffers:
            return buffers[key]
        raise KeyError(f"no parameter or buffer '{key}'")

    def operand(self, tok):
        """The value an operand token names, after its [..] indexing (no method)."""
        name, idx, method = parse_operand(tok)
        if method is not None:
            raise ScenarioError(f"'{tok}': a method call is not allowed here")
        if name not in self.env:
            raise ScenarioError(f"unknown name '{name}'")
        kind, val = self.env[name]
        for i in idx:
            if kind == "tensor":
                val = val[need_int(i)]
            elif kind == "dict":
                val = val[i]
                kind = "tensor"
            elif kind == "module":
                val = self.module_entry(val, i)
                kind = "tensor"
            else:
                raise ScenarioError(f"cannot index a {kind}")
        return kind, val

    def tensor_operand(self, tok):
        if is_literal(tok):
            return make_literal(tok)
        kind, val = self.operand(tok)
        if kind != "tensor":
            raise ScenarioError(f"'{tok}' is a {kind}, not a tensor")
        return val

    def value_arg(self, tok):
        num = parse_number(tok)
        return num if num is not None else self.tensor_operand(tok)

    def kwarg(self, key, tok):
        kind = KWARG_KINDS[key]
        if kind == "b":
            return need_bool(tok)
        num = parse_number(tok)
        if num is None:
            raise ScenarioError(f"{key}= takes a number")
        return num

    # expressions
    def expr(self, tokens):
        head, rest = tokens[0], tokens[1:]
        pos, kw = split_args(rest)
        dtype = _DTYPES[kw["dtype"]] if "dtype" in kw else None
        if head == "tensor":
            return "tensor", make_literal(pos[0], dtype)
        if head in ("zeros", "ones"):
            flat, _, _ = parse_literal(pos[0])
            return "tensor", getattr(torch, head)(flat, dtype=dtype)
        if head == "full":
            flat, _, _ = parse_literal(pos[0])
            return "tensor", torch.full(flat, parse_number(pos[1]), dtype=dtype)
        if head == "arange":
            nums = [parse_number(p) for p in pos]
            return "tensor", torch.arange(*nums, dtype=dtype)
        if head == "deepcopy":
            kind, val = self.operand(pos[0])
            if kind not in ("tensor", "dict"):
                raise ScenarioError("deepcopy takes a tensor or a dict")
            return kind, copy.deepcopy(val)
        if head == "{}":
            return "dict", OrderedDict()
        name, idx, method = parse_operand(head)
        if method is None:
            kind, val = self.operand(head)
            if kind == "dict":
                return "dict", copy.copy(val)  # C++ StateDict copies are shallow copies
            return kind, val
        base = head[: len(head) - len(method) - 1]
        kind, val = self.operand(base)
        if method == "state_dict":
            if kind != "module":
                raise ScenarioError("state_dict needs a module")
            return "dict", val.state_dict()
        if method == "forward":
            if kind != "module":
                raise ScenarioError("forward needs a module")
            return "tensor", val(self.tensor_operand(rest[0]))
        if kind != "tensor":
            raise ScenarioError(f"'{method}' needs a tensor")
        kinds = check_arity(method, pos)
        args = []
        for k, tok in zip(kinds, pos):
            if k == "i":
                args.append(need_int(tok))
            elif k == "v":
                args.append(self.value_arg(tok))
            elif k == "t":
                args.append(self.tensor_operand(tok))
            else:
                args.append(tok)
        kwargs = {key: self.kwarg(key, tok) for key, tok in kw.items()}
        return "tensor", METHODS[method][2](val, args, kwargs)

    def make_module(self, tokens):
        head, rest = tokens[0], tokens[1:]
        pos, kw = split_args(rest)
        if head == "LogisticRegression":
            return LogisticRegression(need_int(pos[0]), need_int(pos[1]))
        if head == "Linear":
            return torch.nn.Linear(need_int(pos[0]), need_int(pos[1]), bias=need_bool(kw.get("bias", "True")))
        if head == "ReLU":
            return torch.nn.ReLU()
        if head == "Module":
            return torch.nn.Module()
        items = []
        for item in rest:
            if item == "ReLU()":
                items.append(torch.nn.ReLU())
            elif item.startswith("Linear("):
                i, o = item[len("Linear("):-1].split(",")
                items.append(torch.nn.Linear(int(i), int(o)))
            else:
                items.append(self.get(item, "module"))
        return torch.nn.Sequential(*items)

    def bind(self, name, kind, value):
        self.env[name] = (kind, value)

    def show(self, line):
        print(line)

    # statements
    def run(self, st):
        print(">>> " + st.text)
        toks = st.tokens
        if toks[0] == "expect-error":
            self.expect_error(st, toks[1:])
            return
        self.execute(toks)

    def expect_error(self, st, toks):
        snapshot = None
        if st.atomic_load:
            mod = self.get(toks[1], "module")
            snapshot = OrderedDict((k, v.clone()) for k, v in mod.state_dict().items())
        try:
            self.execute(toks)
        except ScenarioError:
            raise
        except Exception as exc:  # noqa: BLE001 - which error does not matter, only that one happened
            if snapshot is not None:
                self.restore_after_failed_load(st, mod, snapshot, exc)
            print("error")
            print(f"line {st.lineno}: error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
                  file=sys.stderr)
            return
        print(f"unexpected success: {' '.join(toks)}")
        print(f"line {st.lineno}: expected an error, got none", file=sys.stderr)
        self.failed = True

    def restore_after_failed_load(self, st, mod, snapshot, exc):
        """See README, 'Deliberate differences': PyTorch 1.13 copies the matching keys and then
        raises; aliasguard validates first and changes nothing. Put the module back the way it
        was (through the same storage, so aliasing is unaffected) so later lines show our
        documented behaviour. A directive that changes nothing is stale and fails the run."""
        current = mod.state_dict()
        changed = [k for k, v in current.items() if not torch.equal(v, snapshot[k])]
        if not changed:
            print(f"line {st.lineno}: 'differs atomic-load' but PyTorch left the module unchanged "
                  f"({type(exc).__name__}); remove the directive", file=sys.stderr)
            self.failed = True
            return
        print(f"line {st.lineno}: PyTorch partially loaded {changed} before raising; restored "
              f"(differs atomic-load)", file=sys.stderr)
        with torch.no_grad():
            for k, v in current.items():
                v.copy_(snapshot[k])

    def execute(self, toks):
        head = toks[0]
        if head == "echo":
            print(" ".join(toks[1:]))
        elif head in ("differs", "golden"):
            pass  # acted on at parse time / by compare.py
        elif head == "t" or head == "sd":
            kind, val = self.expr(toks[3:])
            want = "tensor" if head == "t" else "dict"
            if kind != want:
                raise ScenarioError(f"'{head}' needs a {want}, the expression gives a {kind}")
            self.bind(toks[1], kind, val)
        elif head == "module":
            self.bind(toks[1], "module", self.make_module(toks[3:]))
        elif head == "sgd":
            mod = self.get(toks[3], "module")
            _, kw = split_args(toks[4:])
            opts = {k: (need_bool(v) if k == "nesterov" else float(parse_number(v))) for k, v in kw.items()}
            self.bind(toks[1], "optim", torch.optim.SGD(mod.parameters(), **opts))
        elif head == "print":
            kind, val = self.expr(toks[1:])
            if kind not in ("tensor", "dict"):
                raise ScenarioError("print takes a tensor or a dict")
            print(val)
        elif head == "info":
            x = self.tensor_operand(toks[1])
            print(f"info {toks[1]}: shape={list(x.shape)} stride={list(x.stride())} "
                  f"offset={x.storage_offset()} contiguous={x.is_contiguous()} "
                  f"dtype={str(x.dtype).replace('torch.', '')} device={x.device}")
        elif head == "requires_grad":
            print(f"requires_grad {toks[1]}: {self.tensor_operand(toks[1]).requires_grad}")
        elif head in ("alias", "same", "equal"):
            a, b = self.tensor_operand(toks[1]), self.tensor_operand(toks[2])
            if head == "alias":
                res = a.storage().data_ptr() == b.storage().data_ptr()
            elif head == "same":
                res = a is b
            else:
                res = torch.equal(a, b)
            print(f"{head} {toks[1]} {toks[2]}: {res}")
        elif head in ("setparam", "grad"):
            mod = self.get(toks[1], "module")
            p = self.module_entry(mod, toks[2])
            value = make_literal(toks[3], p.dtype)
            if head == "setparam":
                with torch.no_grad():
                    p.copy_(value)
            else:
                p.grad = value
        elif head == "load":
            mod, sd = self.get(toks[1], "module"), self.get(toks[2], "dict")
            res = mod.load_state_dict(sd, strict=toks[3] == "strict")
            print(f"load: missing_keys={list(res.missing_keys)} unexpected_keys={list(res.unexpected_keys)}")
        elif head == "sdset":
            self.get(toks[1], "dict")[toks[2]] = self.tensor_operand(toks[3])
        elif head in ("addparam", "addbuffer"):
            mod, t = self.get(toks[1], "module"), self.tensor_operand(toks[3])
            if head == "addbuffer":
                mod.register_buffer(toks[2], t)
            else:
                mod.register_parameter(toks[2], t if isinstance(t, torch.nn.Parameter) else torch.nn.Parameter(t))
        elif head == "addchild":
            self.get(toks[1], "module").add_module(toks[2], self.get(toks[3], "module"))
        elif head == "modto":
            self.get(toks[1], "module").to(torch.device(toks[2]))
        elif head == "step":
            self.get(toks[1], "optim").step()
        elif head == "zero_grad":
            self.get(toks[1], "optim").zero_grad(set_to_none=len(toks) < 3 or toks[2] == "set_to_none=True")
        elif len(toks) == 3 and toks[1] in ("=", "+=", "-=", "*=", "/="):
            self.assign(toks)
        else:
            self.expr(toks)  # a method call for its effect

    def assign(self, toks):
        name, idx, _ = parse_operand(toks[0])
        target = self.tensor_operand(toks[0])
        rhs = self.value_arg(toks[2])
        op = toks[1]
        if op == "=":
            parent = self.tensor_operand(name + "".join(f"[{i}]" for i in idx[:-1]))
            parent[need_int(idx[-1])] = rhs
        elif op == "+=":
            target += rhs
        elif op == "-=":
            target -= rhs
        elif op == "*=":
            target *= rhs
        else:
            target /= rhs


def main(argv):
    if len(argv) != 2:
        print("usage: run_pytorch.py SCENARIO.scn", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    # Our runtime has no autograd: gradients are set explicitly with `grad`, and in-place
    # writes to parameters are allowed, as under torch.no_grad().
    torch.set_grad_enabled(False)
    try:
        statements = parse_scenario(argv[1])
    except (ScenarioError, OSError) as exc:
        print(f"run_pytorch.py: {exc}", file=sys.stderr)
        return 2
    runner = Runner()
    for st in statements:
        try:
            runner.run(st)
        except ScenarioError as exc:
            print(f"{argv[1]}:{st.lineno}: {exc}", file=sys.stderr)
            return 2
        except Exception as exc:  # noqa: BLE001 - report any failure with its line
            sys.stdout.flush()
            print(f"{argv[1]}:{st.lineno}: uncaught {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
    return 1 if runner.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
