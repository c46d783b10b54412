// Reading host reports from files, directories or stdin (one document, an
// array of them, or JSON lines) and storing them in batched transactions.
#pragma once

#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "lucompat/fleet/store.h"

namespace lucompat {

// A report larger than this is not a report.
inline constexpr size_t kMaxReportBytes = size_t{1} << 20;

// Every report of PATH, one at a time: PATH is a file, a directory (its *.json
// and *.jsonl files, in name order) or "-" for stdin. JSON lines are read a
// line at a time, so a file of a million reports never sits in memory.
// Rejected reports name the file and the line or field.
void for_each_report(const std::string& path, const std::function<void(HostReport&&)>& on_report,
                     const std::function<void(Error&&)>& on_reject);

// The reports of one stream, as for_each_report reads each file: `name` is
// what rejections cite. The report fuzzer enters here.
void read_reports(std::istream& in, const std::string& name,
                  const std::function<void(HostReport&&)>& on_report,
                  const std::function<void(Error&&)>& on_reject);

struct IngestSummary {
  IngestStats stats;
  size_t batches = 0;
  std::vector<Error> rejected;
};

// Valid reports go in, `batch` per transaction; rejected ones are listed. With
// `strict`, any rejected report stops everything before the first write.
Result<IngestSummary> ingest_paths(Store& store, const std::vector<std::string>& paths, bool strict,
                                   size_t batch);

}  // namespace lucompat
