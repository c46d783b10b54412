// A value or an Error, which the compiler will not let a caller ignore.
#pragma once

#include <utility>
#include <variant>

#include "lucompat/base/error.h"

namespace lucompat {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

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

// Success without a value, or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error)
      : error_(std::move(error)), failed_(true) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }

  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool failed_ = false;
};

// Declares `name` as the Result of `expr`, and returns its Error from the
// enclosing function (whose Result may hold another type) when it failed:
//   LUCOMPAT_TRY(text, read_text(path));
//   use(*text);
// A declaration, not an expression: GCC's statement expressions would give
// the value directly but are not ISO C++ (-Wpedantic). `name` is a
// declarator, which parentheses would not be.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define LUCOMPAT_TRY(name, expr) \
  auto name = (expr);            \
  if (!name) return std::move(name).error()
// NOLINTEND(bugprone-macro-parentheses)

// The same for a Result whose value is not needed (a Result<void>).
#define LUCOMPAT_CHECK(expr)                               \
  if (auto lucompat_checked_ = (expr); !lucompat_checked_) \
  return std::move(lucompat_checked_).error()

namespace detail {
template <typename T>
struct AsResult {
  using type = Result<T>;
};
template <typename T>
struct AsResult<Result<T>> {
  using type = Result<T>;
};
}  // namespace detail

// Runs a throwing decoder and turns a ParseError into a Result. A decoder
// that also returns Errors (those of the Results it calls, with
// LUCOMPAT_TRY) gives its own Result, not one nested in another.
template <typename F>
auto catch_parse_errors(F&& f) -> typename detail::AsResult<decltype(f())>::type {
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
