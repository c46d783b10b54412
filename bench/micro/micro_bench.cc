// Microbenchmarks of the hot paths: the table decoder, the marker scan that
// runs over every decompressed byte (beside memchr over the same buffer, its
// yardstick), and the policy computations a check and a profile selection
// run. `make bench` runs them and bench/micro_table.py puts the numbers in
// docs/performance.md.
//
// LUCOMPAT_BENCH_IMAGE names an uncompressed kernel to scan (make bench
// passes the corpus vmlinux); without it a stand-in of code-like bytes is used.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "elf/libelf_file.h"
#include "lucompat/elf/elf_records.h"
#include "lucompat/policy/check.h"
#include "lucompat/policy/profile.h"
#include "lucompat/table/decode.h"
#include "lucompat/table/magic_scan.h"
#include "lucompat/table/marker_scan.h"

namespace lucompat {
namespace {

constexpr size_t kChunk = size_t{1} << 16;  // what a codec hands the stream capture

const std::string& image() {
  static const std::string bytes = [] {
    if (const char* path = std::getenv("LUCOMPAT_BENCH_IMAGE")) {
      std::ifstream f(path, std::ios::binary);
      std::string s{std::istreambuf_iterator<char>(f), {}};
      if (!s.empty()) return s;
    }
    std::mt19937 rng(1);
    std::string s(32 << 20, '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 7 == 0 ? 'L' : rng() & 0xff);
    return s;
  }();
  return bytes;
}

std::string table_bytes(size_t entries) {
  std::string t("PUVL\x01\0\0\0", 8);
  for (size_t i = 0; i < entries; ++i) {
    std::string e = "family" + std::to_string(i) + "-v1";
    e.resize(48, '\0');
    t += e;
  }
  return t;
}

void decode_table(benchmark::State& state) {
  const std::string t = table_bytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto r = lucompat::decode_table(as_bytes(t), ByteOrder::little);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * t.size()));
}
BENCHMARK(decode_table)->Arg(7)->Arg(4096);

void marker_scan(benchmark::State& state) {
  const Bytes b = as_bytes(image());
  std::vector<MarkerHit> hits;
  for (auto _ : state) {
    hits.clear();
    for (size_t at = 0; at < b.size(); at += kChunk)
      find_markers(b.subspan(at, std::min(kChunk, b.size() - at)), hits);
    benchmark::DoNotOptimize(hits.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * b.size()));
  state.counters["hits"] = static_cast<double>(hits.size());
}
BENCHMARK(marker_scan)->Unit(benchmark::kMillisecond);

// The table's own scan (raw images, ELF files without section headers): one
// magic, in the stated byte order, over the whole buffer.
void table_magic_scan(benchmark::State& state) {
  const Bytes b = as_bytes(image());
  const std::vector<ScanRegion> regions{{b, 0, 0}};
  for (auto _ : state) {
    auto t = scan_for_table(regions, ByteOrder::little, true);
    benchmark::DoNotOptimize(t);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * b.size()));
}
BENCHMARK(table_magic_scan)->Unit(benchmark::kMillisecond);

// memchr for the buffer's rarest byte value, every occurrence: a full pass at
// memchr's speed, the bound for any scan of the same bytes.
void memchr_rarest(benchmark::State& state) {
  const std::string& s = image();
  std::array<size_t, 256> count{};
  for (unsigned char c : s) ++count[c];
  const int rare = static_cast<int>(std::min_element(count.begin(), count.end()) - count.begin());
  size_t found = 0;
  for (auto _ : state) {
    found = 0;
    for (size_t at = 0; at < s.size(); at += kChunk) {
      const char* p = s.data() + at;
      const char* end = p + std::min(kChunk, s.size() - at);
      while ((p = static_cast<const char*>(std::memchr(p, rare, static_cast<size_t>(end - p))))) {
        ++found;
        if (++p == end) break;
      }
    }
    benchmark::DoNotOptimize(found);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.size()));
  state.counters["hits"] = static_cast<double>(found);
}
BENCHMARK(memchr_rarest)->Unit(benchmark::kMillisecond);

Catalog shipped_catalog() {
  Catalog c;
  if (!c.add(builtin_catalog(), "catalog.toml").ok()) std::abort();
  return c;
}

KernelStrings kernel(std::initializer_list<const char*> strings) {
  KernelStrings k;
  for (const char* s : strings) k[s] = {"vmlinux"};
  return k;
}

const KernelStrings kNew = kernel({"luo-v1", "memfd-v1", "memfd-v2", "vfio-pci-v1", "iommufd-v1",
                                   "kvm_vm_luo_v1", "guest_memfd_luo_v1"});
const KernelStrings kBreak = kernel({"luo-v2", "memfd-v2", "vfio-pci-v2", "iommufd-v1"});

void check_update(benchmark::State& state) {
  const Catalog catalog = shipped_catalog();
  for (auto _ : state) {
    auto r = lucompat::check_update(catalog, kNew, kBreak, {});
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(check_update);

void select_profile(benchmark::State& state) {
  const Catalog catalog = shipped_catalog();
  std::ifstream f(LUCOMPAT_SOURCE_DIR "/examples/profiles/fleet.toml");
  const std::string toml{std::istreambuf_iterator<char>(f), {}};
  ProfileSet profiles;
  if (!profiles.add(toml, "fleet.toml", catalog).ok()) std::abort();
  for (auto _ : state) {
    auto r = lucompat::select_profile(profiles, catalog, kNew, kNew, {});
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(select_profile);

}  // namespace
}  // namespace lucompat

namespace lucompat {

// Whether libelf costs anything over our own records where both can serve:
// every section header of the image (an ELF: the corpus vmlinux), named.
void elf_sections_libelf(benchmark::State& state) {
  const Bytes file = as_bytes(image());
  if (!has_elf_magic(file)) return state.SkipWithError("LUCOMPAT_BENCH_IMAGE is not an ELF");
  for (auto _ : state) {
    const LibelfFile elf(file);
    benchmark::DoNotOptimize(elf.sections().size());
  }
}
BENCHMARK(elf_sections_libelf)->Unit(benchmark::kMicrosecond);

void elf_sections_records(benchmark::State& state) {
  const Bytes file = as_bytes(image());
  if (!has_elf_magic(file)) return state.SkipWithError("LUCOMPAT_BENCH_IMAGE is not an ELF");
  for (auto _ : state) {
    const ElfFileHeader h = read_file_header(file);
    const ByteReader r(file, h.order);
    const ElfSectionHeader names =
        read_section_header(r, h.elf_class, h.shoff, h.shentsize, h.shstrndx);
    const std::string_view strtab = as_chars(file.subspan(names.offset, names.size));
    size_t n = 0;
    for (uint32_t i = 1; i < h.shnum; ++i) {
      const ElfSectionHeader s = read_section_header(r, h.elf_class, h.shoff, h.shentsize, i);
      n += std::string(
               strtab.substr(s.name_offset, strtab.find('\0', s.name_offset) - s.name_offset))
               .size();
    }
    benchmark::DoNotOptimize(n);
  }
}
BENCHMARK(elf_sections_records)->Unit(benchmark::kMicrosecond);

}  // namespace lucompat

BENCHMARK_MAIN();
