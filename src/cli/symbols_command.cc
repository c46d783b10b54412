// lucompat symbols: the kernel's embedded kallsyms as System.map lines.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "lucompat/base/json_dump.h"
#include "lucompat/base/printable.h"
#include "lucompat/inspect/kernel_bytes.h"
#include "lucompat/kallsyms/kallsyms.h"

namespace lucompat::cli {
namespace {

struct SymbolsArgs {
  std::vector<std::string> paths;
  bool json = false;
  bool verbose = false;
  std::optional<uint64_t> text_address;
  InspectOptions options;
};

void print_error(const Error& e) { std::fprintf(stderr, "lucompat: %s\n", e.to_string().c_str()); }

// How the addresses were read, for -v.
std::string addressing(const Kallsyms& s) {
  switch (s.addressing) {
    case KallsymsAddressing::absolute:
      return fmt::format("{} addressing", name(s.addressing));
    case KallsymsAddressing::place_relative:
      return fmt::format("{} addressing (kallsyms_offsets at 0x{:x})", name(s.addressing),
                         s.offsets_address);
    case KallsymsAddressing::relative:
    case KallsymsAddressing::absolute_percpu:
      break;
  }
  return fmt::format("{} addressing (relative_base 0x{:x}{})", name(s.addressing), s.relative_base,
                     s.relative_base_relocated ? ", from its relocation" : "");
}

// What -v says about where the tables were, in the terms of the input (an
// offset inside the decompressed data, when the kernel was compressed).
void describe(const std::string& path, const KernelBytes& k, const Kallsyms& s) {
  const KallsymsLocation& l = s.location;
  const uint64_t base = k.unwrapped.base;
  fmt::print(
      stderr,
      "lucompat: {}: kallsyms: {} symbols, {}{}, located by {}; {}offsets "
      "0x{:x} kallsyms_num_syms, 0x{:x} kallsyms_names, 0x{:x} kallsyms_markers, 0x{:x} "
      "kallsyms_token_table, 0x{:x} kallsyms_token_index, 0x{:x} {}{}\n",
      printable(path), s.size(), addressing(s),
      s.self_checked ? ", checked against the table's own labels" : "",
      s.located_by_symtab ? ".symtab" : "search",
      k.unwrapped.context.empty() ? "" : k.unwrapped.context + ", ", base + l.num_syms,
      base + l.names, base + l.markers, base + l.token_table, base + l.token_index,
      base + l.addresses,
      s.addressing == KallsymsAddressing::absolute ? "kallsyms_addresses" : "kallsyms_offsets",
      l.seqs_of_names ? fmt::format(", 0x{:x} kallsyms_seqs_of_names", base + *l.seqs_of_names)
                      : "");
}

std::string system_map(const std::vector<KallsymsSymbol>& symbols, int pointer_size) {
  std::string out;
  out.reserve(symbols.size() * 40);
  const int width = 2 * pointer_size;  // as nm prints for the ELF class
  for (const auto& s : symbols)
    fmt::format_to(std::back_inserter(out), "{:0{}x} {} {}\n", s.address, width, s.type, s.name);
  return out;
}

nlohmann::json symbols_json(const std::vector<KallsymsSymbol>& symbols, int pointer_size) {
  nlohmann::json a = nlohmann::json::array();
  const int width = 2 * pointer_size;
  for (const auto& s : symbols)
    a.push_back({{"address", fmt::format("{:#0{}x}", s.address, width + 2)},
                 {"type", std::string(1, s.type)},
                 {"name", s.name}});
  return a;
}

ExitCode run_symbols(const SymbolsArgs& args) {
  bool any_error = false, any_missing = false;
  const bool several = args.paths.size() > 1;
  nlohmann::json docs = nlohmann::json::array();
  for (const auto& path : args.paths) {
    auto k = read_kernel_bytes(path, args.options);
    if (!k) {
      print_error(k.error());
      any_error = true;
      continue;
    }
    KallsymsInput in;
    in.image = k->bytes();
    in.order = k->order;
    in.order_known = k->order_known;
    in.pointer_size = k->pointer_size;
    in.elf = k->elf;
    in.text_address = args.text_address;
    auto decoded = decode_kallsyms(in);
    if (!decoded) {
      Error e = relocate(std::move(decoded).error(), k->unwrapped);
      e.input = path;
      print_error(e);
      any_error = true;
      continue;
    }
    if (!*decoded) {
      std::fprintf(stderr, "lucompat: %s: no kallsyms tables in this kernel image\n",
                   printable(path).c_str());
      any_missing = true;
      continue;
    }
    const Kallsyms& s = **decoded;
    if (args.verbose) describe(path, *k, s);
    const std::vector<KallsymsSymbol> sorted = sorted_by_address(s.symbols());
    if (args.json) {
      docs.push_back({{"input", path}, {"symbols", symbols_json(sorted, k->pointer_size)}});
    } else {
      if (several) std::fprintf(stdout, "%s:\n", printable(path).c_str());
      const std::string text = system_map(sorted, k->pointer_size);
      std::fwrite(text.data(), 1, text.size(), stdout);
    }
  }
  if (args.json) std::fputs((dump_json(docs, 1) + "\n").c_str(), stdout);
  if (any_error) return ExitCode::bad_input;
  if (any_missing) return ExitCode::undecidable;
  return ExitCode::ok;
}

}  // namespace

void add_symbols_command(CLI::App& app, ExitCode& result) {
  auto args = std::make_shared<SymbolsArgs>();
  CLI::App* sub = app.add_subcommand(
      "symbols", "Print the kernel's embedded symbol table (kallsyms) as System.map lines");
  sub->footer(
      "Decodes the kallsyms tables a kernel built with CONFIG_KALLSYMS carries (every symbol\n"
      "with its address and type; data symbols too with CONFIG_KALLSYMS_ALL) from any kernel\n"
      "image inspect reads: bzImage, EFI stub, UKI, zboot, arm64 Image, vmlinux. Lines are\n"
      "'ADDRESS TYPE NAME' sorted by address, as in System.map. With several images, each\n"
      "block starts with 'PATH:'. The tables are found through .symtab when the ELF has one,\n"
      "otherwise by a strictly checked search; two different readings are an error.\n\n"
      "Examples:\n"
      "  lucompat symbols /boot/vmlinuz-$(uname -r) | grep ' memfd_luo_handler$'\n"
      "  lucompat symbols --json vmlinux > symbols.json\n"
      "  lucompat symbols -v --max-output 256MiB Image.gz\n\n"
      "Since Linux 7.0 each address counts from its own entry in the table: a raw Image\n"
      "(arm64, riscv) does not say where it is linked, so --text-address must give where\n"
      "its first byte, _text, is (System.map's _text of the same build).\n\n"
      "Exit: 0 symbols printed; 3 an input could not be read, its tables are malformed, or\n"
      "a raw 7.0 Image came without --text-address; 4 an input has no kallsyms tables.");
  sub->add_option("paths", args->paths, "Kernel images")->required()->type_name("IMAGE");
  sub->add_flag("--json", args->json,
                "Print JSON: an array of {input, symbols: [{address, type, name}]}, one per "
                "image, however many");
  sub->add_flag("-v,--verbose", args->verbose,
                "Say on stderr where the tables are and how addresses are encoded");
  sub->add_option("--text-address", args->text_address,
                  "Where a raw Image's first byte (_text) is linked, such as 0xffff800080000000; "
                  "needed for Linux 7.0 and later, ignored for an ELF")
      ->type_name("ADDRESS");
  sub->add_option("--max-output", args->options.unwrap.max_output,
                  "Refuse to decompress more than this from one stream (default 1GiB); the "
                  "whole kernel is kept in memory")
      ->check(unsigned_value())
      ->transform(CLI::AsSizeValue(false))
      ->type_name("SIZE");
  sub->add_option("--max-file-size", args->options.max_file_size,
                  "Refuse input files larger than this (default 4GiB)")
      ->check(unsigned_value())
      ->transform(CLI::AsSizeValue(false))
      ->type_name("SIZE");
  sub->add_option("--max-depth", args->options.unwrap.max_depth,
                  "Refuse inputs with more nested containers than this (default 6)")
      ->check(CLI::Range(1, 64))
      ->type_name("N");
  sub->callback([args, &result] { result = run_symbols(*args); });
}

}  // namespace lucompat::cli
