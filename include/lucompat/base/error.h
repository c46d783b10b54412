// The one error type of the library: what went wrong, in which input, where.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace lucompat {

enum class ErrorKind {
  io,           // the input cannot be read (missing, permission, a directory)
  malformed,    // the input is of a known format but its bytes are wrong
  unsupported,  // the input is well formed but of a format or version we do not read
  limit,        // the input exceeds a resource cap
  usage,        // the command line asks for something that cannot be (exit 2)
};

// Exit codes are a contract shared by every subcommand (docs/exit-codes.md).
enum class ExitCode : int {
  ok = 0,
  incompatible = 1,
  usage = 2,
  bad_input = 3,
  undecidable = 4,
};

std::string_view name(ErrorKind kind);

// The one mapping of an error to an exit code: a usage error is 2, any
// other (an input that cannot be read, is corrupt, unsupported or over a
// limit) is 3.
ExitCode exit_code(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::malformed;
  std::string input;               // file name, or empty when not yet known
  std::optional<uint64_t> offset;  // byte offset in the input, when meaningful
  std::string message;             // what was expected and what was found
  // Where `offset` counts from when not from the input's first byte:
  // "in the data decompressed from xz".
  std::string context;

  // "INPUT: [CONTEXT, ]offset 0xOFF: MESSAGE", omitting the parts that are unknown.
  std::string to_string() const;
};

// `e` naming `input` when it names none yet: a decoder's error learns its
// file where the file is known.
Error with_input(Error e, const std::string& input);

// Thrown by the checked reader deep inside a decoder; every public entry point
// catches it and returns it as a Result, so callers never see exceptions.
class ParseError : public std::runtime_error {
 public:
  explicit ParseError(Error e) : std::runtime_error(e.to_string()), error_(std::move(e)) {}
  const Error& error() const { return error_; }

 private:
  Error error_;
};

[[noreturn]] void fail(ErrorKind kind, std::optional<uint64_t> offset, std::string message);

}  // namespace lucompat
