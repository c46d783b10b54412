#include "lucompat/fleet/ingest.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>


namespace lucompat {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using OnReport = std::function<void(HostReport&&)>;
using OnReject = std::function<void(Error&&)>;

void add_document(const json& doc, const std::string& where, const OnReport& on_report,
                  const OnReject& on_reject) {
  auto r = parse_report(doc, where);
  if (r) on_report(std::move(r).value());
  else on_reject(std::move(r).error());
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
Error not_json(const json::exception& e, const std::string& where) {
  return Error{ErrorKind::malformed, where, std::nullopt, fmt::format("not JSON: {}", e.what())};
}

Result<json> parse_json(const std::string& text, const std::string& where) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    return not_json(e, where);
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
  if (line.size() > kMaxReportBytes)
    return reject(on_reject, where, too_big(line.size()));
  auto doc = parse_json(line, where);
  if (!doc) return on_reject(std::move(doc).error());
  add_document(*doc, where, on_report, on_reject);
}

// The next JSON value of `docs`, leaving what follows it unread.
Result<json> next_document(std::istream& docs, const std::string& where) {
  try {
    json doc;
    docs >> doc;
    return doc;
  } catch (const json::exception& e) {
    return not_json(e, where);
  }
}

void add_whole(const json& doc, size_t bytes, const std::string& where, const OnReport& on_report,
               const OnReject& on_reject) {
  if (doc.is_array()) {
    for (size_t i = 0; i < doc.size(); ++i) add_document(doc[i], fmt::format("{}: [{}]", where, i), on_report, on_reject);
  } else if (bytes > kMaxReportBytes) {
    reject(on_reject, where, too_big(bytes));
  } else {
    add_document(doc, where, on_report, on_reject);
  }
}

// Documents or arrays of them, one after another: a pretty-printed report,
// what a script collected, or several `lucompat report` outputs piped
// together. After a document that is not JSON there is no telling where the
// next one starts, so the rest is rejected with it.
void read_whole(std::istream& in, const std::string& head, const std::string& name, const OnReport& on_report,
                const OnReject& on_reject) {
  std::istringstream docs(head + std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
  for (size_t n = 1; !(docs >> std::ws).eof(); ++n) {
    const std::string where = n == 1 ? name : fmt::format("{}: document {}", name, n);
    const auto start = docs.tellg();
    auto doc = next_document(docs, where);
    if (!doc) return on_reject(std::move(doc).error());
    docs.clear();  // a document that ends the text leaves eofbit set, and tellg would fail
    add_whole(*doc, static_cast<size_t>(docs.tellg() - start), where, on_report, on_reject);
  }
}

}  // namespace

// JSON lines unless the first line opens a document (or array) spread over
// lines.
void read_reports(std::istream& in, const std::string& name, const OnReport& on_report, const OnReject& on_reject) {
  std::string first;
  size_t number = 0;
  while (first.find_first_not_of(" \t\r") == std::string::npos && std::getline(in, first)) ++number;
  if (first.find_first_not_of(" \t\r") == std::string::npos) return;
  if (opens_a_document(first)) return read_whole(in, first + "\n", name, on_report, on_reject);
  read_line(first, fmt::format("{}:{}", name, number), on_report, on_reject);
  for (std::string line; std::getline(in, line);) read_line(line, fmt::format("{}:{}", name, ++number), on_report, on_reject);
}

void for_each_report(const std::string& path, const OnReport& on_report, const OnReject& on_reject) {
  if (path == "-") return read_reports(std::cin, "<stdin>", on_report, on_reject);
  std::error_code ec;
  std::vector<std::string> files;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec))
      if (e.path().extension() == ".json" || e.path().extension() == ".jsonl") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      on_reject(Error{ErrorKind::io, f, std::nullopt,
                      ec == std::errc::no_such_file_or_directory || !fs::exists(f, ec) ? "no such file" : "cannot open"});
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
  if (uses_stdin) stdin_text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  const auto each = [&](const std::string& p, const OnReport& on_report, const OnReject& on_reject) {
    if (p != "-") return for_each_report(p, on_report, on_reject);
    std::istringstream in(stdin_text);
    read_reports(in, "<stdin>", on_report, on_reject);
  };
  const auto rejected = [&](Error&& e) { summary.rejected.push_back(std::move(e)); };
  if (strict) {
    for (const auto& p : paths) each(p, [](HostReport&&) {}, rejected);
    if (!summary.rejected.empty()) return summary;
  }
  std::vector<HostReport> pending;
  std::optional<Error> failure;
  const auto flush = [&] {
    if (pending.empty() || failure) return;
    auto stats = store.ingest(pending);
    pending.clear();
    if (!stats) {
      failure = std::move(stats).error();
      return;
    }
    summary.stats.applied += stats->applied;
    summary.stats.ignored += stats->ignored;
    ++summary.batches;
  };
  for (const auto& p : paths) {
    each(p,
         [&](HostReport&& r) {
           pending.push_back(std::move(r));
           if (pending.size() >= batch) flush();
         },
         strict ? OnReject([](Error&&) {}) : OnReject(rejected));
    if (failure) break;
  }
  flush();
  if (failure) return *failure;
  return summary;
}

}  // namespace lucompat
