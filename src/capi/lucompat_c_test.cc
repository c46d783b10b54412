#include "lucompat/lucompat.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

const std::string kExamples = LUCOMPAT_EXAMPLES_DIR;
const std::string kFleet = LUCOMPAT_SOURCE_DIR "/examples/profiles/fleet.toml";

TEST(CApi, BadArgumentsAreUsageErrorsWithAMessage) {
  lucompat_image* image = nullptr;
  EXPECT_EQ(lucompat_image_open(nullptr, &image), LUCOMPAT_ERR_USAGE);
  EXPECT_STREQ(lucompat_last_error(), "path is NULL");
  EXPECT_EQ(lucompat_image_open((kExamples + "/nope").c_str(), &image), LUCOMPAT_ERR_INPUT);
  EXPECT_NE(std::string(lucompat_last_error()).find("no such file"), std::string::npos);
  EXPECT_EQ(image, nullptr);
  lucompat_check_options* o = lucompat_check_options_new();
  lucompat_check_result* r = nullptr;
  EXPECT_EQ(lucompat_check(o, &r), LUCOMPAT_ERR_USAGE);  // no next kernel
  EXPECT_EQ(lucompat_check_options_add_pid(o, -1), LUCOMPAT_ERR_USAGE);
  lucompat_check_options_free(o);
  lucompat_image_free(nullptr);  // free(NULL) is a no-op
  EXPECT_EQ(lucompat_image_entry(nullptr, 0), nullptr);
}

// What is not known is NULL from every getter, never "" (issue 25).
TEST(CApi, WhatIsNotKnownIsNull) {
  lucompat_image* image = nullptr;
  ASSERT_EQ(lucompat_image_open((kExamples + "/x86_64/kernel.elf").c_str(), &image), LUCOMPAT_OK);
  EXPECT_STREQ(lucompat_image_release(image), "6.99.0-lucompat");
  EXPECT_STREQ(lucompat_image_arch(image), "x86_64");
  lucompat_image_free(image);
  // A relocatable object without a module's .modinfo: no release, no banner.
  ASSERT_EQ(lucompat_image_open((kExamples + "/x86_64/notable.o").c_str(), &image), LUCOMPAT_OK);
  EXPECT_EQ(lucompat_image_release(image), nullptr);
  EXPECT_EQ(lucompat_image_banner(image), nullptr);
  EXPECT_EQ(lucompat_image_build_id(image), nullptr);
  lucompat_image_free(image);
}

// The site's catalog on every path (issue 25): an image is searched for a
// core family the site declares, as check and the command line search it.
TEST(CApi, AnImageIsSearchedForTheSitesCoreFamilies) {
  const std::filesystem::path root =
      std::filesystem::temp_directory_path() / ("lucompat-capi-" + std::to_string(getpid()));
  std::filesystem::create_directories(root / "etc/lucompat/catalog.d");
  const auto write = [](const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p) << text;
  };
  write(root / "etc/lucompat/catalog.d/acme.toml",
        "[[family]]\nname = \"acme\"\nclass = \"core\"\ncompatible = [\"acme-handover-v{N}\"]\n");
  const std::string mainline = kExamples + "/x86_64/mainline.elf";
  const auto entries = [](const lucompat_image* image) {
    std::vector<std::string> out;
    for (size_t i = 0; i < lucompat_image_entry_count(image); ++i)
      out.emplace_back(lucompat_image_entry(image, i));
    return out;
  };
  const auto has = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  lucompat_image* image = nullptr;
  ASSERT_EQ(lucompat_image_open_with_catalog(mainline.c_str(), "/nonexistent", nullptr, 0, &image),
            LUCOMPAT_OK)
      << lucompat_last_error();
  EXPECT_FALSE(has(entries(image), "acme-handover-v7"));
  lucompat_image_free(image);
  ASSERT_EQ(lucompat_image_open_with_catalog(mainline.c_str(), root.c_str(), nullptr, 0, &image),
            LUCOMPAT_OK)
      << lucompat_last_error();
  EXPECT_TRUE(has(entries(image), "acme-handover-v7"));
  lucompat_image_free(image);
  // A file named by the caller, as --catalog.
  const std::string file = (root / "etc/lucompat/catalog.d/acme.toml").string();
  const char* files[] = {file.c_str()};
  ASSERT_EQ(lucompat_image_open_with_catalog(mainline.c_str(), "/nonexistent", files, 1, &image),
            LUCOMPAT_OK)
      << lucompat_last_error();
  EXPECT_TRUE(has(entries(image), "acme-handover-v7"));
  lucompat_image_free(image);
  // One that cannot be read fails the call; no image is half made.
  write(root / "bad.toml", "[[family]\n");
  const std::string bad = (root / "bad.toml").string();
  const char* bad_files[] = {bad.c_str()};
  EXPECT_NE(
      lucompat_image_open_with_catalog(mainline.c_str(), "/nonexistent", bad_files, 1, &image),
      LUCOMPAT_OK);
  EXPECT_EQ(image, nullptr);
  EXPECT_EQ(lucompat_image_open_with_catalog(mainline.c_str(), nullptr, nullptr, 1, &image),
            LUCOMPAT_ERR_USAGE);
  EXPECT_STREQ(lucompat_last_error(), "catalogs is NULL");
  std::filesystem::remove_all(root);
}

TEST(CApi, SelectsAProfile) {
  lucompat_check_options* o = lucompat_check_options_new();
  ASSERT_EQ(lucompat_check_options_set_current(o, (kExamples + "/x86_64/kernel-old.elf").c_str()),
            LUCOMPAT_OK);
  ASSERT_EQ(lucompat_check_options_set_next(o, (kExamples + "/x86_64/kernel.elf").c_str()),
            LUCOMPAT_OK);
  ASSERT_EQ(lucompat_check_options_set_modules(o, 0), LUCOMPAT_OK);
  ASSERT_EQ(lucompat_check_options_add_profiles(o, kFleet.c_str()), LUCOMPAT_OK);
  lucompat_selection* s = nullptr;
  ASSERT_EQ(lucompat_profile_select(o, &s), LUCOMPAT_OK) << lucompat_last_error();
  EXPECT_STREQ(lucompat_selection_selected(s), "2026.03");
  ASSERT_EQ(lucompat_selection_count(s), 4u);
  EXPECT_STREQ(lucompat_selection_name(s, 2), "2026.06");
  EXPECT_EQ(lucompat_selection_viable(s, 2), 0);
  ASSERT_EQ(lucompat_check_options_set_profile(o, "2026.03"), LUCOMPAT_OK);
  lucompat_check_result* r = nullptr;
  ASSERT_EQ(lucompat_check(o, &r), LUCOMPAT_OK) << lucompat_last_error();
  EXPECT_EQ(lucompat_check_verdict(r), LUCOMPAT_COMPATIBLE);
  // Every reason has its words and its code, and both outlive the call.
  size_t reasons = 0;
  for (size_t i = 0; i < lucompat_check_family_count(r); ++i) {
    reasons += lucompat_check_family_reason_count(r, i);
    for (size_t k = 0; k < lucompat_check_family_reason_count(r, i); ++k) {
      EXPECT_NE(lucompat_check_family_reason(r, i, k), nullptr);
      EXPECT_STREQ(lucompat_check_family_reason_code(r, i, k), "carried");
    }
    EXPECT_EQ(lucompat_check_family_reason_code(r, i, 99), nullptr);
  }
  EXPECT_GT(reasons, 0u);
  EXPECT_EQ(lucompat_check_family_reason_code(r, 99, 0), nullptr);
  EXPECT_EQ(lucompat_check_family_reason_code(nullptr, 0, 0), nullptr);
  EXPECT_STREQ(lucompat_check_summary(r),
               "compatible: the next kernel restores all 2 families in use");
  lucompat_check_result_free(r);
  lucompat_selection_free(s);
  lucompat_check_options_free(o);
}

// What decides the whole update has a code too, as a family's reasons do.
TEST(CApi, TheWholeUpdatesReasonsHaveCodes) {
  lucompat_check_options* o = lucompat_check_options_new();
  ASSERT_EQ(lucompat_check_options_set_current(o, (kExamples + "/x86_64/kernel.elf").c_str()),
            LUCOMPAT_OK);
  ASSERT_EQ(lucompat_check_options_set_next(o, (kExamples + "/x86_64/notable.elf").c_str()),
            LUCOMPAT_OK);
  ASSERT_EQ(lucompat_check_options_set_modules(o, 0), LUCOMPAT_OK);
  lucompat_check_result* r = nullptr;
  ASSERT_EQ(lucompat_check(o, &r), LUCOMPAT_OK) << lucompat_last_error();
  EXPECT_EQ(lucompat_check_verdict(r), LUCOMPAT_INCOMPATIBLE);
  ASSERT_EQ(lucompat_check_update_reason_count(r), 1u);
  EXPECT_STREQ(lucompat_check_update_reason_code(r, 0), "next_without_luo");
  EXPECT_NE(lucompat_check_update_reason(r, 0), nullptr);
  EXPECT_EQ(lucompat_check_update_reason_cause(r, 0), nullptr);
  EXPECT_EQ(lucompat_check_update_reason(r, 1), nullptr);
  EXPECT_EQ(lucompat_check_update_reason_code(r, 1), nullptr);
  EXPECT_EQ(lucompat_check_update_reason_count(nullptr), 0u);
  lucompat_check_result_free(r);
  lucompat_check_options_free(o);
}

TEST(CApi, IndependentHandlesOnSeveralThreads) {
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        lucompat_image* image = nullptr;
        const char* arch = t % 2 ? "/s390x/kernel.stripped" : "/x86_64/module.ko";
        if (lucompat_image_open((kExamples + arch).c_str(), &image) != LUCOMPAT_OK) return;
        ok[t] += lucompat_image_entry_count(image) > 0;
        lucompat_image_free(image);
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(ok[t], 20) << t;
}

}  // namespace
