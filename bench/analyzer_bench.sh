#!/usr/bin/env bash
# Times aliasguard-check against a parse-only compile (clang++-19 -fsyntax-only) of the same
# LibTorch translation units with the same flags, in one run, plus clang-tidy-19 with only
# bugprone-use-after-move for comparison, and each one's peak memory (/usr/bin/time).
# The commands alternate within each repetition so drift on the machine hits all alike;
# prints a markdown table of medians and ratios to parse-only (goal: <= 1.10x).
#   bench/analyzer_bench.sh [--repetitions N] [--tool PATH] [--build DIR]
# Without --tool it builds aliasguard-check in DIR (default build/bench, Release).
set -euo pipefail
cd "$(dirname "$0")/.."

reps=5
build=build/bench
tool=
while [ $# -gt 0 ]; do
  case "$1" in
    --repetitions|--tool|--build)
      [ $# -ge 2 ] || { echo "analyzer_bench.sh: $1 needs a value (try --help)" >&2; exit 2; }
      case "$1" in
        --repetitions) reps="$2" ;;
        --tool) tool="$2" ;;
        --build) build="$2" ;;
      esac
      shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "analyzer_bench.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

case "$reps" in
  ''|*[!0-9]*|0) echo "analyzer_bench.sh: --repetitions takes a whole number of at least 1, not '$reps'" >&2; exit 2 ;;
esac
if [ -n "$tool" ] && [ ! -x "$tool" ]; then
  echo "analyzer_bench.sh: --tool '$tool' is not an executable file" >&2
  exit 2
fi

torch_include=/usr/include/torch/csrc/api/include
if [ ! -f "$torch_include/torch/torch.h" ]; then
  echo "analyzer_bench.sh: LibTorch's headers are missing (apt-get install libtorch-dev)" >&2
  exit 1
fi
scripts/install-deps.sh >/dev/null || true
for program in clang++-19 clang-tidy-19 /usr/bin/time; do
  command -v "$program" >/dev/null || { echo "analyzer_bench.sh: $program not found (scripts/install-deps.sh)" >&2; exit 1; }
done
if [ -z "$tool" ]; then
  echo "== building aliasguard-check in $build (Release)" >&2
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAG_ENABLE_CUDA=OFF \
    -DBUILD_TESTING=OFF -DAG_BUILD_EXAMPLES=OFF -DAG_BUILD_ANALYZER=ON >/dev/null
  cmake --build "$build" -j "$(nproc)" --target aliasguard-check >&2
  tool="$build/analyzer/aliasguard-check"
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# A whole-library translation unit, as user training code includes it: <torch/torch.h>.
cat > "$out/train_best_model.cpp" <<'CPP'
#include <torch/torch.h>
struct Net : torch::nn::Module {
  Net() : fc1(register_module("fc1", torch::nn::Linear(8, 16))),
          fc2(register_module("fc2", torch::nn::Linear(16, 1))) {}
  torch::Tensor forward(torch::Tensor x) { return fc2(torch::relu(fc1(x))); }
  torch::nn::Linear fc1, fc2;
};
int main() {
  auto net = std::make_shared<Net>();
  torch::optim::SGD opt(net->parameters(), 0.1);
  std::vector<torch::Tensor> best;
  double best_loss = 1e9;
  for (int epoch = 0; epoch < 10; ++epoch) {
    opt.zero_grad();
    auto loss = net->forward(torch::randn({4, 8})).pow(2).mean();
    loss.backward();
    opt.step();
    if (loss.item<double>() < best_loss) {
      best_loss = loss.item<double>();
      best.clear();
      for (const auto &p : net->parameters()) best.push_back(p.detach().clone());
    }
  }
  torch::NoGradGuard no_grad;
  auto params = net->parameters();
  for (size_t i = 0; i < params.size(); ++i) params[i].copy_(best[i]);
}
CPP
files=(tests/analyzer/aliasguard-libtorch.cpp "$out/train_best_model.cpp")
flags=(-std=c++17 -I"$torch_include")

# run NAME FILE COMMAND...: appends "NAME FILE SECONDS PEAK_KB" to $out/times.
run() {
  local name="$1" file="$2"; shift 2
  local start end status=0
  start=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$out/rss" "$@" >/dev/null 2>"$out/stderr" || status=$?
  end=$(date +%s%N)
  # aliasguard-check exits 1 with findings; anything else non-zero is a failure.
  if [ "$status" -ne 0 ] && ! { [ "$name" = aliasguard-check ] && [ "$status" -eq 1 ]; }; then
    echo "analyzer_bench.sh: $name on $file failed (exit $status):" >&2
    tail -20 "$out/stderr" >&2
    exit 1
  fi
  echo "$name $(basename "$file") $(( (end - start) / 1000000 )) $(tail -1 "$out/rss")" >> "$out/times"
}

for rep in $(seq "$reps"); do
  echo "== repetition $rep of $reps" >&2
  for file in "${files[@]}"; do
    run parse-only "$file" clang++-19 -fsyntax-only "${flags[@]}" "$file"
    run aliasguard-check "$file" "$tool" "$file" -- "${flags[@]}"
    run checks-off "$file" "$tool" --checks=-aliasguard-\* "$file" -- "${flags[@]}"
    run clang-tidy "$file" clang-tidy-19 -checks=-*,bugprone-use-after-move "$file" -- "${flags[@]}"
  done
done

python3 - "$out/times" "$reps" <<'PY'
import collections, datetime, os, platform, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, file, ms, kb = line.split()
    rows[(file, name)].append((int(ms), int(kb)))
labels = {
    "parse-only": "`clang++-19 -fsyntax-only`",
    "aliasguard-check": "`aliasguard-check` (both checks)",
    "checks-off": "`aliasguard-check --checks=-aliasguard-*` (driver only)",
    "clang-tidy": "`clang-tidy-19 -checks=-*,bugprone-use-after-move`",
}
print("| file | command | median wall | × parse-only | peak RSS | × parse-only |")
print("|---|---|---|---|---|---|")
worst = 0.0
for file in dict.fromkeys(f for f, _ in rows):
    base_t = statistics.median(t for t, _ in rows[(file, "parse-only")])
    base_m = statistics.median(m for _, m in rows[(file, "parse-only")])
    for name, label in labels.items():
        t = statistics.median(x for x, _ in rows[(file, name)])
        m = statistics.median(x for _, x in rows[(file, name)])
        if name == "aliasguard-check":
            worst = max(worst, t / base_t)
        print(f"| {file} | {label} | {t / 1000:.2f} s | {t / base_t:.2f} | "
              f"{m / 1024:.0f} MiB | {m / base_m:.2f} |")
cpu = "unknown cpu"
try:
    cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
except (OSError, StopIteration):
    pass
print()
print(f"machine: {cpu} ({os.cpu_count()} cpus), {platform.platform()}; "
      f"{datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()}; "
      f"medians of {sys.argv[2]} repetitions")
print(f"aliasguard-check / parse-only, worst file: {worst:.2f}× "
      f"(goal ≤ 1.10×: {'met' if worst <= 1.10 else 'missed by %.0f%%' % ((worst - 1.10) * 100)})")
PY
