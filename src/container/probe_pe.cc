// UKI: a PE/COFF EFI application whose .linux section is the kernel.
#include <fmt/format.h>

#include "container/probe.h"
#include "lucompat/container/pe.h"

namespace lucompat {
namespace {

// os-release's PRETTY_NAME, else its first line.
std::string pretty_name(const std::string& osrel) {
  std::string name = os_release_value(osrel, "PRETTY_NAME");
  return name.empty() ? osrel.substr(0, osrel.find('\n')) : name;
}

// Any PE: the header that says where its sections are may lie anywhere.
bool sniff(Bytes head) { return as_chars(head).starts_with("MZ"); }

std::optional<Step> probe(Bytes data, const ProbeContext&) {
  if (!has_pe_signature(data)) return std::nullopt;
  const PeFile pe = parse_pe(data);  // validates every PE we meet, stub or UKI
  const PeSection* linux = pe.find(".linux");
  if (linux == nullptr) return std::nullopt;
  if (linux->data.empty())
    fail(ErrorKind::malformed, linux->offset, "the UKI's .linux section is empty");
  Step step;
  step.layer.format = "UKI";
  step.layer.offset = linux->offset;
  step.layer.size = linux->data.size();
  step.layer.details.emplace_back("pe_machine", pe_machine_name(pe.machine));
  const std::string uname = section_text(pe, ".uname");
  if (!uname.empty()) step.layer.details.emplace_back("uname", uname);
  const std::string osrel = section_text(pe, ".osrel");
  if (!osrel.empty()) step.layer.details.emplace_back("osrel", pretty_name(osrel));
  const std::string cmdline = section_text(pe, ".cmdline");
  if (!cmdline.empty()) step.layer.details.emplace_back("cmdline", cmdline);
  step.inner = linux->data;
  step.version_hint = uname;
  return step;
}

}  // namespace

const ContainerProbe kUkiProbe{ContainerKind::uki, "UKI", &sniff, &probe, Capture::whole};

std::string with_stub(const std::string& format, const ProbeContext& context) {
  return context.efi_stub ? format + " + PE/COFF EFI stub" : format;
}

}  // namespace lucompat
