#include "lucompat/base/json_dump.h"

#include <gtest/gtest.h>

#include "lucompat/base/printable.h"

namespace lucompat {
namespace {

using nlohmann::json;

// What utf8() accepts is what nlohmann's writer accepts: dump_json asks it
// which strings need json_text, and the fleet store checks stored text with
// it.
TEST(Utf8, AgreesWithTheJsonWriter) {
  for (const std::string s : {"",
                              "hv-0042",
                              "\xc3\xa9",
                              "\xe2\x82\xac",
                              "\xf0\x9d\x84\x9e",
                              "\xef\xbf\xbf",
                              "\xf4\x8f\xbf\xbf",
                              "\xff",
                              "h\xff",
                              "\xc0\xaf",
                              "\xc1\xbf",
                              "\xe0\x9f\xbf",
                              "\xed\xa0\x80",
                              "\xf0\x8f\xbf\xbf",
                              "\xf4\x90\x80\x80",
                              "\xf5\x80\x80\x80",
                              "\xc3",
                              "\xe2\x82",
                              "\xf0\x9d\x84",
                              "\x80",
                              "\xc3\xa9\xa9",
                              "\xc2\x9b",
                              "\x1b[31m"}) {
    bool dumps = true;
    try {
      (void)json(s).dump();
    } catch (const json::type_error&) {
      dumps = false;
    }
    EXPECT_EQ(utf8(s), dumps) << testing::PrintToString(s);
  }
}

TEST(JsonText, Utf8IsKeptAndOtherBytesAreEscapedAsText) {
  EXPECT_EQ(json_text("memfd-v1 é \x1b[31m\n"), "memfd-v1 é \x1b[31m\n");
  EXPECT_EQ(json_text("C:\\x41"), "C:\\x41");  // UTF-8: exactly the input
  EXPECT_EQ(json_text("l\xfe"
                      "compat"),
            "l\\xfecompat");
  // As printable() writes the bytes; the writer escapes the controls.
  EXPECT_EQ(json_text("\xff\x1b\n\\x"), "\\xff\x1b\n\\\\x");
  EXPECT_EQ(json_text("\xe0\x80\x80 \xc3\xa9"), "\\xe0\\x80\\x80 \xc3\xa9");
}

// A name that is not UTF-8 (a module's .modinfo, /proc/version, a file)
// once made every --json exit 70 with no output.
TEST(DumpJson, WritesStringsAndKeysThatAreNotUtf8AsEscapes) {
  const json doc = {{"input", "k\xff.elf"},
                    {"modules", json::array({{{"name",
                                               "l\xfe"
                                               "compat"},
                                              {"size", 3}}})},
                    {"labels", {{"r\xff", "ok"}}},
                    {"fine", "é"}};
  EXPECT_THROW((void)doc.dump(), json::type_error);
  const std::string out = dump_json(doc, 2);
  const json back = json::parse(out);
  EXPECT_EQ(back["input"], "k\\xff.elf");
  EXPECT_EQ(back["modules"][0]["name"], "l\\xfecompat");
  EXPECT_EQ(back["modules"][0]["size"], 3);
  EXPECT_EQ(back["labels"]["r\\xff"], "ok");
  EXPECT_EQ(back["fine"], "é");
  // A document that is UTF-8 is written as nlohmann writes it.
  const json plain = {{"a", {1, "b", nullptr}}, {"c", "\x1b"}};
  EXPECT_EQ(dump_json(plain, 2), plain.dump(2));
  EXPECT_EQ(dump_json(plain), plain.dump());
}

// A double holds 53 bits: as a number, a kernel address would round.
TEST(HexJson, KeepsEverySixtyFourBits) {
  EXPECT_EQ(hex_json(0xffffffff81a36cc0), "0xffffffff81a36cc0");
  EXPECT_EQ(hex_json(0xffffffff81a36cc8), "0xffffffff81a36cc8");
  EXPECT_EQ(hex_json(0), "0x0");
}

// Every command's error object has these keys, whatever is known.
TEST(ErrorJson, OneShapeWhateverIsKnown) {
  const json bare = error_json({ErrorKind::io, "", std::nullopt, "cannot open"});
  const json full = error_json(
      {ErrorKind::malformed, "vmlinuz", 0x40, "bad magic", "in the data decompressed from xz"});
  std::vector<std::string> bare_keys, full_keys;
  for (const auto& [k, _] : bare.items()) bare_keys.push_back(k);
  for (const auto& [k, _] : full.items()) full_keys.push_back(k);
  EXPECT_EQ(bare_keys,
            (std::vector<std::string>{"context", "input", "kind", "message", "offset", "text"}));
  EXPECT_EQ(full_keys, bare_keys);
  EXPECT_TRUE(bare["input"].is_null());
  EXPECT_TRUE(bare["offset"].is_null());
  EXPECT_EQ(full["context"], "in the data decompressed from xz");
  EXPECT_EQ(full["offset"], 0x40);
  EXPECT_EQ(full["text"], "vmlinuz: in the data decompressed from xz, offset 0x40: bad magic");
}

}  // namespace
}  // namespace lucompat
