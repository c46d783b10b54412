// Random corruption of real example files must never crash, hang or read out
// of bounds: every result is a table, no table, or a typed error. Under
// `make asan` each mutated input sits in a heap block of exactly its size, so
// any overread is caught. (Coverage-guided fuzzing is separate; this is the
// cheap always-on guard.)
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <vector>

#include "lucompat/base/file.h"
#include "lucompat/inspect/inspect.h"

namespace lucompat {
namespace {

std::vector<std::filesystem::path> examples() {
  std::vector<std::filesystem::path> out;
  for (const char* arch : {"x86_64", "i686", "ppc64", "s390x", "arm"})
    for (const char* name :
         {"kernel.elf", "kernel.stripped", "kernel.o", "module.ko", "mainline.elf", "mainline.ko"})
      out.push_back(std::filesystem::path(LUCOMPAT_EXAMPLES_DIR) / arch / name);
  return out;
}

void inspect_exact_copy(const std::vector<std::byte>& data) {
  auto copy = std::make_unique<std::byte[]>(data.size());
  std::copy(data.begin(), data.end(), copy.get());
  const Result<Inspection> r = inspect_bytes("mutant", Bytes(copy.get(), data.size()));
  if (!r) {
    EXPECT_EQ(r.error().input, "mutant");
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST(InspectMutation, CorruptedExamplesNeverCrash) {
  std::mt19937_64 rng(20261127);  // fixed: failures must reproduce
  for (const auto& path : examples()) {
    SCOPED_TRACE(path.string());
    auto original = read_file(path.string());
    ASSERT_TRUE(original.ok()) << original.error().to_string();
    const std::vector<std::byte> base(original->bytes().begin(), original->bytes().end());
    for (int round = 0; round < 2000; ++round) {
      std::vector<std::byte> m = base;
      // Headers and the table are where parsers branch: bias toward the start.
      const size_t span = round % 2 ? m.size() : std::min<size_t>(m.size(), 512);
      const int flips = 1 + static_cast<int>(rng() % 8);
      for (int i = 0; i < flips; ++i) m[rng() % span] = static_cast<std::byte>(rng());
      if (round % 5 == 0) m.resize(rng() % (m.size() + 1));
      inspect_exact_copy(m);
    }
  }
}

TEST(InspectMutation, EveryTruncationOfAHeaderIsAnError) {
  auto k = read_file(std::string(LUCOMPAT_EXAMPLES_DIR) + "/ppc64/kernel.elf");
  ASSERT_TRUE(k.ok());
  for (size_t n = 0; n < 64; ++n) {
    const Bytes all = k->bytes();
    std::vector<std::byte> cut(all.begin(), all.begin() + static_cast<ptrdiff_t>(n));
    auto copy = std::make_unique<std::byte[]>(n);
    std::copy(cut.begin(), cut.end(), copy.get());
    EXPECT_FALSE(inspect_bytes("cut", Bytes(copy.get(), n)).ok()) << n;
  }
}

}  // namespace
}  // namespace lucompat
