#include "lucompat/fleet/ingest.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>
#include <utility>

#include "fleet/handoff_queue.h"

namespace lucompat {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using OnReport = std::function<void(HostReport&&)>;
using OnReject = std::function<void(Error&&)>;

void add_document(const json& doc, const std::string& where, const OnReport& on_report,
                  const OnReject& on_reject) {
  auto r = parse_report(doc, where);
  if (r)
    on_report(std::move(r).value());
  else
    on_reject(std::move(r).error());
}

void reject(const OnReject& on_reject, const std::string& where, std::string message) {
  on_reject(Error{ErrorKind::malformed, where, std::nullopt, std::move(message)});
}

std::string too_big(size_t bytes) {
  return fmt::format("the report is {} bytes, more than the {}-byte limit", bytes, kMaxReportBytes);
}

// Every JSON error, not only syntax: a number out of range (1e400, 400
// digits), even under a key nobody reads, must reject one report, not end
// the run.
Result<json> parse_json(const std::string& text, const std::string& where) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    return Error{ErrorKind::malformed, where, std::nullopt, fmt::format("not JSON: {}", e.what())};
  }
}

// A first line that ends before its value does opens a document spread over
// lines; any other line, even a broken one, is one of the JSON lines, so that
// a bad first line costs that line and not the file.
bool opens_a_document(const std::string& first) {
  if (first[first.find_first_not_of(" \t\r")] == '[') return true;
  try {
    [[maybe_unused]] const json whole_line = json::parse(first);
    return false;
  } catch (const json::parse_error& e) {
    return e.byte >= first.size();
  } catch (const json::exception&) {
    return false;
  }
}

void read_line(const std::string& line, const std::string& where, const OnReport& on_report,
               const OnReject& on_reject) {
  if (line.find_first_not_of(" \t\r") == std::string::npos) return;
  if (line.size() > kMaxReportBytes) return reject(on_reject, where, too_big(line.size()));
  auto doc = parse_json(line, where);
  if (!doc) return on_reject(std::move(doc).error());
  add_document(*doc, where, on_report, on_reject);
}

constexpr size_t kNoEnd = std::string_view::npos;
// JSON's whitespace, and only it: with isspace's \f and \v too, a document
// starting with \f ended before it began and ingest looped forever.
constexpr std::string_view kJsonSpace = " \t\r\n";

// Where the JSON value at `at` ends, judged by brackets and strings alone,
// not by parsing: a value JSON cannot hold (1e400) still has an end, so what
// follows it can be read. `commas` gets the separators of a top-level array.
// kNoEnd when the text ends first.
size_t value_end(std::string_view t, size_t at, std::vector<size_t>& commas) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = at; i < t.size(); ++i) {
    const char c = t[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth <= 0) return i + 1;
    } else if (c == ',' && depth == 1) {
      commas.push_back(i);
    } else if (depth == 0 && kJsonSpace.find(c) != kNoEnd) {
      return i;
    }
  }
  return depth == 0 && !in_string ? t.size() : kNoEnd;
}

// Each element of an array parsed alone, so that a bad one rejects itself
// with its index and the others are kept.
void read_array(std::string_view doc, const std::vector<size_t>& commas, const std::string& where,
                const OnReport& on_report, const OnReject& on_reject) {
  const bool empty = commas.empty() && doc.find_first_not_of(kJsonSpace, 1) == doc.size() - 1;
  if (empty) return;
  size_t from = 1;
  for (size_t i = 0; i <= commas.size(); ++i) {
    const size_t to = i < commas.size() ? commas[i] : doc.size() - 1;
    const std::string element(doc.substr(from, to - from));
    const std::string at = fmt::format("{}: [{}]", where, i);
    if (element.find_first_not_of(kJsonSpace) == std::string::npos)
      reject(on_reject, at, "not JSON: an empty element");
    else
      read_line(element, at, on_report, on_reject);
    from = to + 1;
  }
}

// Documents or arrays of them, one after another: a pretty-printed report,
// what a script collected, or several `lucompat report` outputs piped
// together. Only brackets that never close cost the rest of the text.
void read_whole(std::istream& in, const std::string& head, const std::string& name,
                const OnReport& on_report, const OnReject& on_reject) {
  const std::string text =
      head + std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t at = 0;
  for (size_t n = 1; (at = text.find_first_not_of(kJsonSpace, at)) != std::string::npos; ++n) {
    const std::string where = n == 1 ? name : fmt::format("{}: document {}", name, n);
    std::vector<size_t> commas;
    size_t end = value_end(text, at, commas);
    if (end == kNoEnd) end = text.size();  // the parser says what is wrong
    const std::string_view doc = std::string_view(text).substr(at, end - at);
    if (doc[0] == '[' && doc.back() == ']') {
      for (auto& c : commas) c -= at;
      read_array(doc, commas, where, on_report, on_reject);
    } else {
      read_line(std::string(doc), where, on_report, on_reject);
    }
    at = end;
  }
}

}  // namespace

// JSON lines unless the first line opens a document (or array) spread over
// lines.
void read_reports(std::istream& in, const std::string& name, const OnReport& on_report,
                  const OnReject& on_reject) {
  std::string first;
  size_t number = 0;
  while (first.find_first_not_of(" \t\r") == std::string::npos && std::getline(in, first)) ++number;
  if (first.find_first_not_of(" \t\r") == std::string::npos) return;
  if (opens_a_document(first)) return read_whole(in, first + "\n", name, on_report, on_reject);
  read_line(first, fmt::format("{}:{}", name, number), on_report, on_reject);
  for (std::string line; std::getline(in, line);)
    read_line(line, fmt::format("{}:{}", name, ++number), on_report, on_reject);
}

void for_each_report(const std::string& path, const OnReport& on_report,
                     const OnReject& on_reject) {
  if (path == "-") return read_reports(std::cin, "<stdin>", on_report, on_reject);
  std::error_code ec;
  std::vector<std::string> files;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec))
      if (e.path().extension() == ".json" || e.path().extension() == ".jsonl")
        files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      on_reject(Error{ErrorKind::io, f, std::nullopt,
                      ec == std::errc::no_such_file_or_directory || !fs::exists(f, ec)
                          ? "no such file"
                          : "cannot open"});
      continue;
    }
    read_reports(in, f, on_report, on_reject);
  }
}

Result<IngestSummary> ingest_paths(Store& store, const std::vector<std::string>& paths, bool strict,
                                   size_t batch) {
  IngestSummary summary;
  batch = std::max<size_t>(batch, 1);
  // stdin can be read once: keep it, so that --strict can read it twice.
  std::string stdin_text;
  const bool uses_stdin = std::find(paths.begin(), paths.end(), "-") != paths.end();
  if (uses_stdin)
    stdin_text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  const auto each = [&](const std::string& p, const OnReport& on_report,
                        const OnReject& on_reject) {
    if (p != "-") return for_each_report(p, on_report, on_reject);
    std::istringstream in(stdin_text);
    read_reports(in, "<stdin>", on_report, on_reject);
  };
  const auto rejected = [&](Error&& e) { summary.rejected.push_back(std::move(e)); };
  if (strict) {
    for (const auto& p : paths)
      each(
          p, [](HostReport&&) {}, rejected);
    if (!summary.rejected.empty()) return summary;
  }

  // Parsing is about half of an ingest's CPU (nlohmann's lexer and its
  // allocations), the store's statements and syncs the other half: a reader
  // thread parses the next batch while this one stores the last. One batch
  // waits at most, so memory holds three whatever the input's size.
  HandoffQueue<std::vector<HostReport>> parsed(1);
  std::exception_ptr reader_failure;
  std::optional<Error> failure;
  {
    // However this block ends, even by an exception from the store, the
    // reader is asked to stop, which frees it from a full queue, and joined.
    const std::jthread reader([&](const std::stop_token& stop) {
      try {
        std::vector<HostReport> pending;
        for (const auto& p : paths) {
          // Once the store has failed, the rest of this input is only read
          // to its end, as it was when one thread did both.
          each(
              p,
              [&](HostReport&& r) {
                if (stop.stop_requested()) return;
                pending.push_back(std::move(r));
                if (pending.size() >= batch) parsed.push(std::exchange(pending, {}), stop);
              },
              strict ? OnReject([](Error&&) {}) : OnReject(rejected));
          if (stop.stop_requested()) break;
        }
        if (!pending.empty()) parsed.push(std::move(pending), stop);
      } catch (...) {
        reader_failure = std::current_exception();
      }
      parsed.close();
    });
    while (auto reports = parsed.pop()) {
      auto stats = store.ingest(*reports);
      if (!stats) {
        failure = std::move(stats).error();
        break;
      }
      summary.stats.applied += stats->applied;
      summary.stats.ignored += stats->ignored;
      ++summary.batches;
    }
  }
  if (reader_failure) std::rethrow_exception(reader_failure);
  if (failure) return *failure;
  return summary;
}

}  // namespace lucompat
