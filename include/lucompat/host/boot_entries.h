// The boot loader entries of a host and the one `systemctl kexec` loads when
// no kernel is loaded yet: systemd's bootspec, read the same way.
//
// - Entries: Boot Loader Specification type 1 (loader/entries/*.conf) and
//   type 2 (EFI/Linux/*.efi, unified kernel images) on the ESP (/efi,
//   /boot/efi or /boot) and the XBOOTLDR partition (/boot); or, when it
//   exists, /run/boot-loader-entries/ alone, which other boot loaders fill.
// - Order: entries with no boot tries left last; those with a sort-key
//   first, by sort-key, machine-id, then version newest first; then by id,
//   newest first (UAPI version order).
// - The default: the EFI variable LoaderEntryOneShot, LoaderEntryPreferred,
//   LoaderEntryDefault (each a glob; "@saved" is LoaderEntrySelected), then
//   loader.conf's `default` glob, else the first entry.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lucompat/base/result.h"
#include "lucompat/host/system_root.h"

namespace lucompat {

struct BootEntry {
  int type = 1;      // 1: a .conf entry; 2: a unified kernel image
  std::string id;    // its file name without boot counting: "debian-7.3.4.conf"
  std::string path;  // the file it was read from
  std::string title;
  std::string version;
  std::string machine_id;
  std::string sort_key;
  std::string kernel;                // the kernel to load: the linux line, or the UKI itself
  std::vector<std::string> initrds;  // under the same root
  std::string options;               // the command line
  std::optional<unsigned> tries_left;
};

// A type 1 entry's text; `id` names it, `root` is the partition its paths
// are relative to. Unknown keys are ignored, as bootctl ignores them.
BootEntry parse_type1_entry(std::string_view text, std::string id, const std::string& root);

// The file name without a boot counter: "a+3-1.conf" -> "a.conf", and the
// tries left (3).
std::string strip_boot_counter(std::string_view file_name, std::optional<unsigned>* tries_left);

// Sorted in the boot menu's order (above).
void sort_boot_entries(std::vector<BootEntry>& entries);

// loader.conf's `default`, and the EFI variables that point at entries.
struct EntryPointers {
  std::string oneshot, preferred, default_entry, selected;  // EFI variables
  std::string default_pattern;                              // loader.conf
};

// The index of the default entry among sorted `entries`; nullopt if none.
// `why` says which pointer chose it.
std::optional<size_t> default_boot_entry(const std::vector<BootEntry>& entries,
                                         const EntryPointers& pointers, std::string* why);

struct BootEntries {
  std::vector<BootEntry> entries;  // sorted
  EntryPointers pointers;
  std::vector<std::string> read;  // the directories read, for messages
};

// Every entry under `root`, sorted; none (and `read` empty) when there is no
// ESP, XBOOTLDR or /run/boot-loader-entries. A file that is there but
// cannot be read is an error.
Result<BootEntries> load_boot_entries(const SystemRoot& root);

// The entry `which` names ("default", or an id or glob), with a sentence
// saying how it was chosen.
struct ChosenEntry {
  BootEntry entry;
  std::string why;
};
Result<ChosenEntry> choose_boot_entry(const SystemRoot& root, const std::string& which);

}  // namespace lucompat
