#include "lucompat/fleet/ingest.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <sstream>

#include "lucompat/host/system_root.h"

namespace lucompat {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void add_document(ReportBatch& out, const json& doc, const std::string& where) {
  auto r = parse_report(doc, where);
  if (r) out.reports.push_back(std::move(r).value());
  else out.rejected.push_back(std::move(r).error());
}

void read_text_into(ReportBatch& out, const std::string& text, const std::string& name) {
  const auto reject = [&](const std::string& where, std::string message) {
    out.rejected.push_back(Error{ErrorKind::malformed, where, std::nullopt, std::move(message)});
  };
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return;
  // One document, or an array of them, when the whole text parses as one.
  json whole = json::parse(text, nullptr, false);
  if (!whole.is_discarded() && (text[first] == '[' || text[first] == '{')) {
    if (whole.is_array()) {
      for (size_t i = 0; i < whole.size(); ++i) add_document(out, whole[i], fmt::format("{}: [{}]", name, i));
    } else {
      if (text.size() > kMaxReportBytes)
        return reject(name, fmt::format("the report is {} bytes, more than the {}-byte limit", text.size(), kMaxReportBytes));
      add_document(out, whole, name);
    }
    return;
  }
  // Otherwise JSON lines: one report per line, each judged on its own.
  std::istringstream lines(text);
  size_t number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    const std::string where = fmt::format("{}:{}", name, number);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (line.size() > kMaxReportBytes) {
      reject(where, fmt::format("the report is {} bytes, more than the {}-byte limit", line.size(), kMaxReportBytes));
      continue;
    }
    json doc;
    try {
      doc = json::parse(line);
    } catch (const json::parse_error& e) {
      reject(where, fmt::format("not JSON: {}", e.what()));
      continue;
    }
    add_document(out, doc, where);
  }
}

}  // namespace

ReportBatch read_reports(const std::string& path) {
  ReportBatch out;
  if (path == "-") {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    read_text_into(out, text, "<stdin>");
    return out;
  }
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
    auto text = read_text(f);
    if (!text) {
      out.rejected.push_back(std::move(text).error());
      continue;
    }
    read_text_into(out, *text, f);
  }
  return out;
}

Result<IngestSummary> ingest_paths(Store& store, const std::vector<std::string>& paths, bool strict,
                                   size_t batch) {
  IngestSummary summary;
  std::vector<HostReport> reports;
  for (const auto& p : paths) {
    ReportBatch b = read_reports(p);
    std::move(b.reports.begin(), b.reports.end(), std::back_inserter(reports));
    std::move(b.rejected.begin(), b.rejected.end(), std::back_inserter(summary.rejected));
  }
  if (strict && !summary.rejected.empty()) return summary;
  batch = std::max<size_t>(batch, 1);
  for (size_t at = 0; at < reports.size(); at += batch) {
    const std::vector<HostReport> part(reports.begin() + static_cast<ptrdiff_t>(at),
                                       reports.begin() + static_cast<ptrdiff_t>(std::min(reports.size(), at + batch)));
    auto stats = store.ingest(part);
    if (!stats) return std::move(stats).error();
    summary.stats.applied += stats->applied;
    summary.stats.ignored += stats->ignored;
    ++summary.batches;
  }
  return summary;
}

}  // namespace lucompat
