// A value or an Error, which the compiler will not let a caller ignore.
#pragma once

#include <utility>
#include <variant>

#include "lucompat/base/error.h"

namespace lucompat {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}       // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}   // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Runs a throwing decoder and turns a ParseError into a Result.
template <typename F>
auto catch_parse_errors(F&& f) -> Result<decltype(f())> {
  try {
    return f();
  } catch (const ParseError& e) {
    return e.error();
  }
}

// The inverse, inside such a decoder: a Result's value, or its Error thrown
// for the catch_parse_errors around the caller.
template <typename T>
T value_or_throw(Result<T> r) {
  if (!r) throw ParseError(std::move(r).error());
  return std::move(r).value();
}

}  // namespace lucompat
