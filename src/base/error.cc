#include "lucompat/base/error.h"

#include <fmt/format.h>

#include "lucompat/base/printable.h"

namespace lucompat {

ExitCode exit_code(ErrorKind kind) {
  return kind == ErrorKind::usage ? ExitCode::usage : ExitCode::bad_input;
}

std::string_view name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::io:
      return "io";
    case ErrorKind::malformed:
      return "malformed";
    case ErrorKind::unsupported:
      return "unsupported";
    case ErrorKind::limit:
      return "limit";
    case ErrorKind::usage:
      return "usage";
  }
  return "unknown";
}

Error with_input(Error e, const std::string& input) {
  if (e.input.empty()) e.input = input;
  return e;
}

std::string Error::to_string() const {
  std::string out;
  if (!input.empty()) out += input + ": ";
  if (!context.empty()) out += context + (offset ? ", " : ": ");
  if (offset) out += fmt::format("offset {:#x}: ", *offset);
  out += message;
  // One line whatever the input's name or bytes hold (docs/exit-codes.md).
  return printable(out);
}

void fail(ErrorKind kind, std::optional<uint64_t> offset, std::string message) {
  throw ParseError(Error{kind, {}, offset, std::move(message)});
}

}  // namespace lucompat
