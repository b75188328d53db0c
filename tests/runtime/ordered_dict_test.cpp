// OrderedDict: LibTorch's interface, insertion order, errors that name the key, structured
// bindings, and references that stay valid while the dict grows.

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "aliasguard/error.h"
#include "aliasguard/ordered_dict.h"
#include "aliasguard/tensor.h"

namespace aliasguard {
namespace {

using IntDict = OrderedDict<std::string, int>;

TEST(OrderedDictTest, KeepsInsertionOrder) {
  IntDict d;
  EXPECT_TRUE(d.is_empty());
  EXPECT_TRUE(d.empty());
  d.insert("zeta", 1);
  d.insert("alpha", 2);
  d.insert("mid", 3);
  EXPECT_EQ(d.size(), 3u);
  EXPECT_FALSE(d.is_empty());
  EXPECT_EQ(d.keys(), (std::vector<std::string>{"zeta", "alpha", "mid"}));
  EXPECT_EQ(d.values(), (std::vector<int>{1, 2, 3}));
  std::vector<std::string> seen;
  for (const auto& item : d) seen.push_back(item.key());
  EXPECT_EQ(seen, d.keys());
  EXPECT_EQ(d[std::size_t{1}].key(), "alpha");
  EXPECT_EQ(d[std::size_t{1}].value(), 2);
  EXPECT_EQ(d.items().size(), 3u);
  EXPECT_EQ(d.items().back().key(), "mid");
}

TEST(OrderedDictTest, InsertReturnsTheStoredValue) {
  IntDict d;
  int& v = d.insert("a", 1);
  v = 10;
  EXPECT_EQ(d.at("a"), 10);
}

TEST(OrderedDictTest, DuplicateInsertThrowsNamingTheKey) {
  IntDict d;
  d.insert("fc.weight", 1);
  try {
    d.insert("fc.weight", 2);
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fc.weight"), std::string::npos) << e.what();
  }
  EXPECT_EQ(d.size(), 1u);
  EXPECT_EQ(d.at("fc.weight"), 1);  // the original value survives
}

TEST(OrderedDictTest, MissingKeyThrowsNamingTheKey) {
  IntDict d;
  d.insert("present", 1);
  const IntDict& cd = d;
  for (auto lookup : {+[](IntDict& x) { (void)x.at("fc.bias"); }, +[](IntDict& x) { (void)x["fc.bias"]; }}) {
    try {
      lookup(d);
      ADD_FAILURE() << "expected Error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("fc.bias"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW((void)cd.at("nope"), Error);
  EXPECT_THROW((void)cd["nope"], Error);
  EXPECT_THROW((void)d[std::size_t{5}], std::out_of_range);
  EXPECT_EQ(d.size(), 1u);  // a failed lookup does not insert, unlike std::map::operator[]
}

TEST(OrderedDictTest, KeyDescriptionAppearsInMessages) {
  OrderedDict<std::string, int> d("Parameter");
  EXPECT_EQ(d.key_description(), "Parameter");
  EXPECT_EQ(IntDict().key_description(), "Key");
  d.insert("w", 1);
  try {
    d.insert("w", 2);
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Parameter"), std::string::npos) << e.what();
  }
}

TEST(OrderedDictTest, FindContainsAndAssignment) {
  IntDict d;
  d.insert("a", 1);
  EXPECT_TRUE(d.contains("a"));
  EXPECT_FALSE(d.contains("b"));
  ASSERT_NE(d.find("a"), nullptr);
  EXPECT_EQ(*d.find("a"), 1);
  EXPECT_EQ(d.find("b"), nullptr);
  const IntDict& cd = d;
  EXPECT_EQ(cd.find("b"), nullptr);
  EXPECT_EQ(*cd.find("a"), 1);
  d["a"] = 5;  // [] on an existing key gives a writable reference
  EXPECT_EQ(cd.at("a"), 5);
  EXPECT_EQ(cd["a"], 5);
}

TEST(OrderedDictTest, InsertOrAssignKeepsPosition) {
  IntDict d;
  d.insert("a", 1);
  d.insert("b", 2);
  d.insert_or_assign("a", 10);
  d.insert_or_assign("c", 3);
  EXPECT_EQ(d.keys(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(d.values(), (std::vector<int>{10, 2, 3}));
}

TEST(OrderedDictTest, StructuredBindings) {
  IntDict d;
  d.insert("x", 1);
  d.insert("y", 2);
  std::vector<std::string> keys;
  for (auto& [k, v] : d) {
    static_assert(std::is_const_v<std::remove_reference_t<decltype(k)>>, "keys are read-only");
    keys.push_back(k);
    v *= 10;  // values are writable through the binding
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(d.values(), (std::vector<int>{10, 20}));
  const IntDict& cd = d;
  int sum = 0;
  for (const auto& [k, v] : cd) sum += v + static_cast<int>(k.size());
  EXPECT_EQ(sum, 32);
}

TEST(OrderedDictTest, ItemAccessors) {
  IntDict d;
  d.insert("k", 4);
  auto& item = d[std::size_t{0}];
  EXPECT_EQ(*item, 4);
  *item = 6;
  EXPECT_EQ(item.value(), 6);
  OrderedDict<std::string, std::string> s;
  s.insert("name", "value");
  EXPECT_EQ(s[std::size_t{0}]->size(), 5u);
}

TEST(OrderedDictTest, ReferencesStayValidAsTheDictGrows) {
  IntDict d;
  int& first = d.insert("k0", 0);
  int* first_via_at = &d.at("k0");
  for (int i = 1; i < 5000; ++i) d.insert("k" + std::to_string(i), i);
  first = 42;  // would be a use-after-free if items were reallocated
  EXPECT_EQ(d.at("k0"), 42);
  EXPECT_EQ(first_via_at, &d.at("k0"));
  EXPECT_EQ(d.at("k4999"), 4999);
  EXPECT_EQ(d[std::size_t{4999}].key(), "k4999");
}

TEST(OrderedDictTest, InitializerListAndClear) {
  IntDict d = {IntDict::Item("b", 2), IntDict::Item("a", 1)};
  EXPECT_EQ(d.keys(), (std::vector<std::string>{"b", "a"}));
  EXPECT_THROW((IntDict{IntDict::Item("a", 1), IntDict::Item("a", 2)}), Error);
  d.clear();
  EXPECT_TRUE(d.is_empty());
  EXPECT_FALSE(d.contains("a"));
  d.insert("a", 3);  // the index was cleared too
  EXPECT_EQ(d.at("a"), 3);
}

TEST(OrderedDictTest, CopyIsIndependentButTensorValuesAreShallow) {
  OrderedDict<std::string, Tensor> d;
  d.insert("w", zeros({2}));
  OrderedDict<std::string, Tensor> copy = d;
  copy.insert("extra", ones({1}));
  EXPECT_EQ(d.size(), 1u);
  EXPECT_TRUE(copy.at("w").is_same(d.at("w")));  // copying the dict copies handles
  copy.at("w").fill_(3);
  EXPECT_EQ(d.at("w").to_vector<float>(), (std::vector<float>{3, 3}));
  copy.at("w") = ones({2});  // rebinding in the copy leaves the original's handle alone
  EXPECT_FALSE(copy.at("w").is_same(d.at("w")));
  EXPECT_EQ(d.at("w").to_vector<float>(), (std::vector<float>{3, 3}));
}

}  // namespace
}  // namespace aliasguard
