#pragma once
/// \file OrderedDict: insertion-ordered key -> value map with LibTorch's interface.

#include <cstddef>
#include <deque>
#include <initializer_list>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aliasguard/error.h"

namespace aliasguard {

/// One entry; `key()`/`value()` as in LibTorch, and structured bindings (`auto& [k, v]`).
template <class Key, class Value>
class OrderedDictItem {
 public:
  OrderedDictItem(Key key, Value value) : key_(std::move(key)), value_(std::move(value)) {}
  const Key& key() const { return key_; }
  Value& value() { return value_; }
  const Value& value() const { return value_; }
  Value& operator*() { return value_; }
  const Value& operator*() const { return value_; }
  Value* operator->() { return &value_; }
  const Value* operator->() const { return &value_; }
  template <std::size_t I> decltype(auto) get() const {
    if constexpr (I == 0) return (key_); else return (value_);
  }
  template <std::size_t I> decltype(auto) get() {
    if constexpr (I == 0) return static_cast<const Key&>(key_); else return (value_);
  }

 private:
  Key key_;
  Value value_;
};

/// Insertion-ordered map, like torch::OrderedDict. Items live in a deque so references
/// returned by insert() stay valid as the dict grows.
template <class Key, class Value>
class OrderedDict {
 public:
  using Item = OrderedDictItem<Key, Value>;

  using iterator = typename std::deque<Item>::iterator;
  using const_iterator = typename std::deque<Item>::const_iterator;

  OrderedDict() = default;
  explicit OrderedDict(std::string key_description) : key_description_(std::move(key_description)) {}
  OrderedDict(std::initializer_list<Item> items) {
    for (const Item& item : items) insert(item.key(), item.value());
  }

  /// Inserts a new key; throws Error if it is already present.
  Value& insert(Key key, Value value) {
    // One hash of the key, not two (a lookup, then an insert).
    const auto [slot, inserted] = index_.try_emplace(key, items_.size());
    if (!inserted) throw Error(key_description_ + " '" + key_str(key) + "' already defined");
    try {
      items_.emplace_back(std::move(key), std::move(value));
    } catch (...) {
      index_.erase(slot);
      throw;
    }
    return items_.back().value();
  }
  /// Inserts or replaces the value of `key`, keeping its position.
  Value& insert_or_assign(Key key, Value value) {
    if (Value* v = find(key)) { *v = std::move(value); return *v; }
    return insert(std::move(key), std::move(value));
  }

  Value* find(const Key& key) {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].value();
  }
  const Value* find(const Key& key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].value();
  }
  bool contains(const Key& key) const { return index_.count(key) != 0; }

  /// The value for `key`; throws Error naming the key when absent.
  Value& at(const Key& key) {
    if (Value* v = find(key)) return *v;
    throw Error(key_description_ + " '" + key_str(key) + "' is not defined");
  }
  const Value& at(const Key& key) const {
    if (const Value* v = find(key)) return *v;
    throw Error(key_description_ + " '" + key_str(key) + "' is not defined");
  }
  Value& operator[](const Key& key) { return at(key); }
  const Value& operator[](const Key& key) const { return at(key); }

  Item& operator[](std::size_t index) { return items_.at(index); }
  const Item& operator[](std::size_t index) const { return items_.at(index); }

  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }

  std::size_t size() const { return items_.size(); }
  bool is_empty() const { return items_.empty(); }
  bool empty() const { return items_.empty(); }
  void clear() { items_.clear(); index_.clear(); }

  std::vector<Key> keys() const {
    std::vector<Key> out;
    for (const Item& item : items_) out.push_back(item.key());
    return out;
  }
  std::vector<Value> values() const {
    std::vector<Value> out;
    for (const Item& item : items_) out.push_back(item.value());
    return out;
  }
  const std::deque<Item>& items() const { return items_; }
  const std::string& key_description() const { return key_description_; }

 private:
  static std::string key_str(const Key& key) {
    if constexpr (std::is_convertible_v<Key, std::string>) return std::string(key);
    else return "<key>";
  }

  std::deque<Item> items_;
  std::unordered_map<Key, std::size_t> index_;
  std::string key_description_ = "Key";
};

}  // namespace aliasguard

template <class K, class V>
struct std::tuple_size<aliasguard::OrderedDictItem<K, V>> : std::integral_constant<std::size_t, 2> {};
template <class K, class V>
struct std::tuple_element<0, aliasguard::OrderedDictItem<K, V>> { using type = const K; };
template <class K, class V>
struct std::tuple_element<1, aliasguard::OrderedDictItem<K, V>> { using type = V; };
