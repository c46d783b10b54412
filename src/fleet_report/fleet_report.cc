#include "lucompat/fleet_report/fleet_report.h"
#include "lucompat/base/json_dump.h"
#include "lucompat/base/printable.h"
#include "lucompat/report/paint.h"
#include "lucompat/report/reasons.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace lucompat {
namespace {

using nlohmann::json;

json build_json(const StoredBuild& b) {
  return {{"id", b.id},
          {"release", b.facts.release},
          {"build_id", b.facts.build_id.empty() ? json(nullptr) : json(b.facts.build_id)},
          {"banner", b.facts.banner},
          {"has_version_set", b.facts.has_version_set},
          {"evidence", b.facts.evidence.empty() ? json(nullptr) : json(b.facts.evidence)},
          {"undecided", b.facts.undecided.empty() ? json(nullptr) : json(b.facts.undecided)},
          {"variant", b.variant}};
}

// The first line of status and baseline, counted the same way (a --where
// slice counts its own hosts and builds).
std::string fleet_line(size_t hosts, size_t builds) {
  return fmt::format("fleet: {} host{}, {} kernel build{} running or staged\n", hosts,
                     hosts == 1 ? "" : "s", builds, builds == 1 ? "" : "s");
}

std::string pair_label(const Baseline& base, const Blocker& b) {
  std::string out = build_label(base.builds.at(b.running));
  if (b.staged)
    out += " → " + build_label(base.builds.at(*b.staged));
  else
    out += " (nothing staged)";
  return out;
}

// nlohmann's dump(2) layout, written as it goes, so that a document too
// large to hold (the stale hosts of a million) comes out as the one it would
// have been. Keys are written in nlohmann's order: sorted.
class JsonWriter {
 public:
  explicit JsonWriter(std::FILE* out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view k) {
    item();
    write(dump_json(json(k)) + ": ");
    after_key_ = true;
  }
  // A value small enough to hold, whole.
  void value(const json& v) {
    item();
    std::string text = dump_json(v, 2);
    const std::string indent = "\n" + std::string(2 * open_.size(), ' ');
    for (size_t at = 0; (at = text.find('\n', at)) != std::string::npos; at += indent.size())
      text.replace(at, 1, indent);
    write(text);
  }
  void member(std::string_view k, const json& v) {
    key(k);
    value(v);
  }

 private:
  // Where an object's key or an array's element starts.
  void item() {
    if (std::exchange(after_key_, false) || open_.empty()) return;
    write(open_.back() ? "\n" : ",\n");
    open_.back() = false;
    write(std::string(2 * open_.size(), ' '));
  }
  void open(char bracket) {
    item();
    std::fputc(bracket, out_);
    open_.push_back(true);
  }
  void close(char bracket) {
    const bool empty = open_.back();
    open_.pop_back();
    if (!empty) write("\n" + std::string(2 * open_.size(), ' '));
    std::fputc(bracket, out_);
    if (open_.empty()) std::fputc('\n', out_);  // the document's last line ends too
  }
  void write(const std::string& s) { std::fwrite(s.data(), 1, s.size(), out_); }

  std::FILE* out_;
  std::vector<bool> open_;  // per open bracket: nothing in it yet
  bool after_key_ = false;
};

}  // namespace

// "#5" of "Linux version 6.1.192 (builder) (gcc ...) #5 SMP ...": builds of
// one release differ by it, and operators know their builds by it.
std::string build_number(std::string_view banner) {
  for (size_t at = banner.find(" #"); at != std::string_view::npos;
       at = banner.find(" #", at + 1)) {
    const size_t end = banner.find(' ', at + 1);
    const std::string_view token =
        banner.substr(at + 1, end == std::string_view::npos ? end : end - at - 1);
    if (token.size() > 1 &&
        std::all_of(token.begin() + 1, token.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::string(token);
  }
  return {};
}

// "6.1.192 #5 x86_64 (build-id a27342e30dd6)"; a variant, whose hosts
// reported other strings for the build, "(build-id a27342e30dd6, strings
// of its own: build 7)".
std::string build_label(const StoredBuild& b) {
  std::string id =
      b.facts.build_id.empty() ? "no build-id" : "build-id " + b.facts.build_id.substr(0, 12);
  if (b.variant) id += fmt::format(", strings of its own: build {}", b.id);
  std::string label = b.facts.release.empty() ? "?" : b.facts.release;
  if (const std::string n = build_number(b.facts.banner); !n.empty()) label += " " + n;
  if (!b.facts.arch.empty()) label += " " + b.facts.arch;
  return printable(fmt::format("{} ({})", label, id));
}

json baseline_json(const Baseline& base) {
  json profiles = json::array();
  for (const auto& p : base.profiles) {
    json blockers = json::array();
    for (const auto& b : p.blockers)
      blockers.push_back(
          {{"running", build_json(base.builds.at(b.running))},
           {"staged", b.staged ? build_json(base.builds.at(*b.staged)) : json(nullptr)},
           {"hosts", b.hosts},
           {"example_host", b.example},
           {"reasons", describe(b.reasons)},
           {"reason_details", reasons_json(b.reasons)}});
    profiles.push_back({{"name", p.profile->name},
                        {"status", name(p.profile->status)},
                        {"viable", p.viable},
                        {"blocking_hosts", p.blocking_hosts},
                        {"blockers", std::move(blockers)}});
  }
  return {{"schema", "lucompat.fleet-baseline/2"},
          {"baseline", base.baseline ? json(base.baseline->name) : json(nullptr)},
          {"hosts", base.hosts},
          {"builds", base.kernel_builds},
          {"profiles", std::move(profiles)}};
}

std::string baseline_text(const Baseline& base) {
  std::string out = fleet_line(base.hosts, base.kernel_builds);
  if (base.hosts == 0 || base.profiles.empty())
    return out + (base.hosts == 0 ? "baseline: none: no hosts match\n"
                                  : "baseline: none: no profiles defined\n");
  out += base.baseline ? fmt::format("baseline: {}\n", base.baseline->name)
                       : std::string("baseline: none: no active profile is viable on every host\n");
  bool past = base.baseline == nullptr;
  for (const auto& p : base.profiles) {
    if (!past) {
      past = p.profile == base.baseline;
      continue;
    }
    out += fmt::format("\n{} ({}): {}\n", p.profile->name, name(p.profile->status),
                       p.viable ? "viable on every host"
                                : fmt::format("blocked by {} host{}", p.blocking_hosts,
                                              p.blocking_hosts == 1 ? "" : "s"));
    for (const auto& b : p.blockers) {
      out += fmt::format("  {}: {} host{} (e.g. {})\n", pair_label(base, b), b.hosts,
                         b.hosts == 1 ? "" : "s", printable(b.example));
      for (const auto& r : b.reasons) out += fmt::format("      {}\n", printable(describe(r)));
    }
  }
  return out;
}

namespace {

json per_build_json(const FleetStatus& s) {
  json builds = json::array();
  for (const auto& [id, n] : s.per_build) {
    json b = build_json(s.builds.at(id));
    b["hosts"] = n;
    builds.push_back(std::move(b));
  }
  return builds;
}

}  // namespace

Result<void> write_status_json(const FleetStatus& s, std::FILE* out) {
  json profiles = json::object();
  for (const auto& [p, n] : s.per_profile) profiles[p] = n;
  JsonWriter w(out);
  json updates = json::array();
  for (const auto& [pair, n] : s.live_updates)
    updates.push_back({{"predicted", pair.first.empty() ? json(nullptr) : json(pair.first)},
                       {"outcome", pair.second},
                       {"hosts", n}});
  json disagreeing = json::array();
  for (const auto& d : s.disagreeing)
    disagreeing.push_back({{"host", d.host}, {"predicted", d.predicted}, {"outcome", d.outcome}});
  // In key order, as nlohmann writes an object.
  w.begin_object();
  w.member("builds", per_build_json(s));
  w.member("disagreeing", disagreeing);
  w.member("disagreements", s.disagreements);
  w.member("hosts", s.hosts);
  w.member("kernel_builds", s.kernel_builds);
  w.member("live_updates", updates);
  w.member("profiles", profiles);
  w.member("schema", "lucompat.fleet-status/2");
  w.member("staged_verdicts", s.staged_verdicts);
  w.key("stale");
  w.begin_array();
  LUCOMPAT_CHECK(s.each_stale([&](const HostRow& h) {
    w.value({{"host", h.name}, {"collected_at", h.collected_at}});
  }));
  w.end_array();
  w.end_object();
  return {};
}

Result<void> write_status_text(const FleetStatus& s, std::FILE* out) {
  std::string head = fleet_line(s.hosts, s.kernel_builds) + "\nhosts per running kernel build:\n";
  for (const auto& [id, n] : s.per_build) {
    const KernelFacts& f = s.builds.at(id).facts;
    head += fmt::format("  {:>8}  {}", n, build_label(s.builds.at(id)));
    if (!f.evidence.empty()) head += "; evidence: " + printable(f.evidence);
    if (!f.undecided.empty()) head += "; UNDECIDED: " + printable(f.undecided);
    head += '\n';
  }
  head += "\nhosts per profile:\n";
  for (const auto& [p, n] : s.per_profile) head += fmt::format("  {:>8}  {}\n", n, printable(p));
  if (!s.staged_verdicts.empty()) {
    head += "\nhosts by the verdict kernel-install recorded for the entry they would boot next:\n";
    for (const auto& [verdict, n] : s.staged_verdicts)
      head += fmt::format("  {:>8}  {}\n", n, printable(verdict));
  }
  if (!s.live_updates.empty()) {
    head += "\nlive updates that booted the running kernels (predicted → what the kernel did):\n";
    for (const auto& [pair, n] : s.live_updates)
      head += fmt::format("  {:>8}  {} → {}\n", n,
                          pair.first.empty() ? "(no prediction)" : printable(pair.first),
                          printable(pair.second));
    head += fmt::format("disagreements: {}\n", s.disagreements);
    for (const auto& d : s.disagreeing)
      head += fmt::format("  {}  predicted {}, the kernel: {}\n", printable(d.host),
                          printable(d.predicted), printable(d.outcome));
    if (s.disagreements > s.disagreeing.size())
      head += fmt::format("  ... and {} more\n", s.disagreements - s.disagreeing.size());
  }
  head += fmt::format("\nstale reports: {}\n", s.stale);
  std::fputs(head.c_str(), out);
  if (s.stale == 0) return {};
  return s.each_stale([&](const HostRow& h) {
    fmt::print(out, "  {}  collected {}\n", printable(h.name), printable(h.collected_at));
  });
}

namespace {

std::string group_label(const Plan& plan, const PlanGroup& g) {
  std::string out = build_label(plan.builds.at(g.running));
  out +=
      g.staged ? " → " + build_label(plan.builds.at(*g.staged)) : std::string(" (nothing staged)");
  if (!g.label.empty()) out += ", " + printable(plan.group_by + "=" + g.label);
  return out;
}

// A group lists its hosts one by one: one group may hold every host.
void write_group(JsonWriter& w, const Plan& plan, const PlanGroup& g) {
  w.begin_object();
  w.key("hosts");
  w.begin_array();
  for (const auto& name : g.names) w.value(name);
  w.end_array();
  w.member("label", g.label.empty() ? json(nullptr) : json(g.label));
  w.member("reason_details", reasons_json(g.reasons));
  w.member("reasons", describe(g.reasons));
  w.member("running", build_json(plan.builds.at(g.running)));
  w.member("staged", g.staged ? build_json(plan.builds.at(*g.staged)) : json(nullptr));
  w.end_object();
}

std::string some_hosts(const PlanGroup& g) {
  std::string out;
  for (size_t i = 0; i < std::min(g.names.size(), kPlanTextNames); ++i)
    out += (i ? ", " : "") + printable(g.names[i]);
  return g.hosts > kPlanTextNames ? out + ", ..." : out;
}

size_t hosts_in(const std::vector<PlanGroup>& wave) {
  size_t hosts = 0;
  for (const auto& g : wave) hosts += g.hosts;
  return hosts;
}

}  // namespace

void write_plan_json(const Plan& plan, std::FILE* out) {
  JsonWriter w(out);
  w.begin_object();
  w.member("blocked", plan.blocked);
  w.key("blocked_builds");
  w.begin_array();
  for (const auto& g : plan.blocked_groups) write_group(w, plan, g);
  w.end_array();
  w.member("profile", plan.profile->name);
  w.member("ready", plan.ready);
  w.member("schema", "lucompat.fleet-plan/2");
  w.key("waves");
  w.begin_array();
  for (size_t i = 0; i < plan.waves.size(); ++i) {
    w.begin_object();
    w.key("groups");
    w.begin_array();
    for (const auto& g : plan.waves[i]) write_group(w, plan, g);
    w.end_array();
    w.member("hosts", hosts_in(plan.waves[i]));
    w.member("wave", i + 1);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

std::string plan_text(const Plan& plan, bool colour) {
  std::string out = fmt::format(
      "plan for profile {}: {}, {}\n", plan.profile->name,
      painted(fmt::format("{} hosts ready", plan.ready), Tone::good, colour && plan.ready > 0),
      painted(fmt::format("{} blocked", plan.blocked), Tone::bad, colour && plan.blocked > 0));
  if (!plan.blocked_groups.empty()) out += "\nblocked:\n";
  for (const auto& g : plan.blocked_groups) {
    out += fmt::format("  {}: {} host{} ({})\n", group_label(plan, g), g.hosts,
                       g.hosts == 1 ? "" : "s", some_hosts(g));
    for (const auto& r : g.reasons) out += fmt::format("      {}\n", printable(describe(r)));
  }
  for (size_t i = 0; i < plan.waves.size(); ++i) {
    const size_t hosts = hosts_in(plan.waves[i]);
    out += fmt::format("\nwave {}: {} host{}\n", i + 1, hosts, hosts == 1 ? "" : "s");
    for (const auto& g : plan.waves[i])
      out += fmt::format("  {}: {} ({})\n", group_label(plan, g), g.hosts, some_hosts(g));
  }
  return out;
}

json ingest_json(const IngestSummary& s) {
  json rejected = json::array();
  for (const auto& e : s.rejected) rejected.push_back({{"where", e.input}, {"message", e.message}});
  return {{"schema", "lucompat.fleet-ingest/1"},
          {"applied", s.stats.applied},
          {"ignored", s.stats.ignored},
          {"batches", s.batches},
          {"rejected", std::move(rejected)}};
}

}  // namespace lucompat
