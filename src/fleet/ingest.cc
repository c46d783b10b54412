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
  if (line.size() > kMaxReportBytes)
    return reject(on_reject, where,
                  fmt::format("the report is {} bytes, more than the {}-byte limit", line.size(), kMaxReportBytes));
  auto doc = parse_json(line, where);
  if (!doc) return on_reject(std::move(doc).error());
  add_document(*doc, where, on_report, on_reject);
}

// One document or an array of them, read whole: a pretty-printed report, or
// what a script collected.
void read_whole(std::istream& in, const std::string& head, const std::string& name, const OnReport& on_report,
                const OnReject& on_reject) {
  std::string text = head + std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto parsed = parse_json(text, name);
  if (!parsed) return on_reject(std::move(parsed).error());
  const json& whole = *parsed;
  if (whole.is_array()) {
    for (size_t i = 0; i < whole.size(); ++i) add_document(whole[i], fmt::format("{}: [{}]", name, i), on_report, on_reject);
  } else if (text.size() > kMaxReportBytes) {
    reject(on_reject, name, fmt::format("the report is {} bytes, more than the {}-byte limit", text.size(), kMaxReportBytes));
  } else {
    add_document(whole, name, on_report, on_reject);
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
