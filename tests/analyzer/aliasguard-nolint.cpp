// RUN: %check_aliasguard %s 'aliasguard-*' %t -- -I%S/Inputs
// The suppression comments (the line, next-line and begin/end forms) name aliasguard's
// check ids as they name clang-tidy's, and every front end honours them. A suppressed
// warning takes its notes with it: CHECK-NOTES makes any stray note fail the test.

#include "mock_torch.h"

void NegativeNolintNamesTheCheck(torch::nn::Module &m) {
  auto sd = m.state_dict();
  sd["w"].add_(1.0); // NOLINT(aliasguard-state-dict-mutation)
}

void NegativeNolintGlob(torch::nn::Module &m) {
  auto sd = m.state_dict();
  sd["w"].add_(1.0); // NOLINT(aliasguard-*)
}

void NegativeBareNolint(torch::nn::Module &m) {
  auto sd = m.state_dict();
  sd["w"].add_(1.0); // NOLINT
}

void NegativeNolintNextLine(torch::nn::Linear &lin, torch::optim::SGD &opt) {
  auto best = lin->state_dict();
  opt.step();
  // NOLINTNEXTLINE(aliasguard-stale-snapshot)
  lin->load_state_dict(best);
}

// NOLINTBEGIN(aliasguard-state-dict-mutation)
void NegativeNolintBlock(torch::nn::Module &m) {
  auto sd = m.state_dict();
  sd["w"].zero_();
}
// NOLINTEND(aliasguard-state-dict-mutation)

void PositiveNolintNamesAnotherCheck(torch::nn::Module &m) {
  auto sd = m.state_dict();
  sd["w"].add_(1.0); // NOLINT(aliasguard-stale-snapshot)
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: in-place 'add_' on entry 'w' from 'm.state_dict()' also writes the module's storage; deep-copy it first (clone(), deep_copy()) [aliasguard-state-dict-mutation]
  // CHECK-NOTES: :[[@LINE-3]]:13: note: 'm.state_dict()' returns tensors that share storage with the module
  // CHECK-NOTES: :[[@LINE-4]]:13: note: deep-copy here by cloning each tensor of the collection
}

// A NOLINT at the alias source (a note's location) does not silence the warning. It does,
// as in clang-tidy itself, drop the note on its line and the warning's notes after it.
void PositiveNolintAtTheSource(torch::nn::Linear &lin, torch::optim::SGD &opt) {
  auto best = lin->state_dict(); // NOLINT(aliasguard-stale-snapshot)
  opt.step();
  lin->load_state_dict(best);
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: 'best' is passed to 'load_state_dict' as a snapshot, but it shares storage with 'lin', which changed after it was taken; take the snapshot with clone() or deep_copy() [aliasguard-stale-snapshot]
}

// NOLINTNEXTLINE covers the next line only.
void PositiveNolintNextLineTooEarly(torch::nn::Module &m) {
  auto sd = m.state_dict();
  // NOLINTNEXTLINE(aliasguard-state-dict-mutation)

  sd["b"].fill_(0);
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: in-place 'fill_' on entry 'b' from 'm.state_dict()'
  // CHECK-NOTES: :[[@LINE-5]]:13: note: 'm.state_dict()' returns tensors that share storage with the module
  // CHECK-NOTES: :[[@LINE-6]]:13: note: deep-copy here by cloning each tensor of the collection
}
