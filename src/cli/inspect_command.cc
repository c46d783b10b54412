#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "lucompat/inspect/inspect.h"
#include "lucompat/report/inspect_report.h"

namespace lucompat::cli {
namespace {

struct InspectArgs {
  std::vector<std::string> paths;
  bool json = false;
};

ExitCode run_inspect(const InspectArgs& args) {
  bool any_error = false;
  bool any_missing = false;
  nlohmann::json docs = nlohmann::json::array();
  std::string text;
  for (const auto& path : args.paths) {
    const Result<Inspection> r = inspect_file(path);
    if (!r) {
      any_error = true;
      std::fprintf(stderr, "lucompat: %s\n", r.error().to_string().c_str());
      docs.push_back(inspect_error_json(r.error()));
      continue;
    }
    any_missing |= !r->table.has_value();
    docs.push_back(inspect_json(*r));
    if (!text.empty()) text += '\n';
    text += inspect_text(*r);
  }
  if (args.json) {
    const auto& out = args.paths.size() == 1 ? docs.front() : docs;
    std::fputs((out.dump(2) + "\n").c_str(), stdout);
  } else {
    std::fputs(text.c_str(), stdout);
  }
  if (any_error) return ExitCode::bad_input;
  if (any_missing) return ExitCode::undecidable;
  return ExitCode::ok;
}

}  // namespace

void add_inspect_command(CLI::App& app, ExitCode& result) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* sub = app.add_subcommand(
      "inspect",
      "Show the live-update version table and identity of kernels, modules and objects");
  sub->footer(
      "Reads ELF kernels (vmlinux), modules (.ko) and relocatable objects of any architecture\n"
      "and byte order. Finds the table by section name, or by its magic in the loaded segments\n"
      "when the file has no section headers.\n\n"
      "Examples:\n"
      "  lucompat inspect vmlinux\n"
      "  lucompat inspect --json /lib/modules/$(uname -r)/kernel/drivers/vfio/pci/vfio-pci.ko\n\n"
      "Exit: 0 every input has a table; 3 an input could not be read; 4 an input has no table.\n"
      "JSON schema: docs/json-schema.md (lucompat.inspect/1).");
  sub->add_option("paths", args->paths, "Kernel images, modules or object files")
      ->required()
      ->type_name("PATH");
  sub->add_flag("--json", args->json,
                "Print JSON: one document for one path, an array for several");
  sub->callback([args, &result] { result = run_inspect(*args); });
}

}  // namespace lucompat::cli
