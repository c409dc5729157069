#include "engine/facts/parsers/refused_settings.h"

#include <catch2/catch.hpp>

namespace pgpair {
namespace {

RefusedSetting Refused(const std::string& data_dir, const std::string& name,
                       const std::string& value) {
  return {"2026-12-01T11:34:42Z", data_dir, name, value,
          "FATAL:  could not access file \"pgpair_missing\": No such file or directory"};
}

TEST_CASE("The record of refused settings reads back what was written", "[refused_settings]") {
  std::vector<RefusedSetting> written = {
      Refused("/var/lib/postgresql/15/main", "shared_preload_libraries", "pgpair_missing"),
      // Every character the format escapes, in every field.
      {"t\\1", "/data\twith tab", "odd", "a\tb\nc\\d\re", "line\twith\\all\nof them"},
  };
  std::string text = FormatRefusedSettings(written);
  // One line per setting after the header: the escapes keep it so.
  CHECK(text.rfind("# ", 0) == 0);
  CHECK(std::count(text.begin(), text.end(), '\n') == 4);
  std::vector<RefusedSetting> read = ParseRefusedSettings(text);
  REQUIRE(read.size() == 2);
  for (size_t i = 0; i < read.size(); ++i) {
    CHECK(read[i].time == written[i].time);
    CHECK(read[i].data_dir == written[i].data_dir);
    CHECK(read[i].name == written[i].name);
    CHECK(read[i].value == written[i].value);
    CHECK(read[i].log_line == written[i].log_line);
  }
  // An empty value is a value (shared_preload_libraries = '').
  std::vector<RefusedSetting> empty_value =
      ParseRefusedSettings(FormatRefusedSettings({Refused("/d", "x", "")}));
  REQUIRE(empty_value.size() == 1);
  CHECK(empty_value[0].value.empty());
}

TEST_CASE("A damaged record blocks nothing by itself", "[refused_settings]") {
  // Comments, blank lines, too few fields, no name or data directory: skipped.
  std::vector<RefusedSetting> read = ParseRefusedSettings(
      "# comment\n"
      "\n"
      "2026\t/d\tshared_buffers\n"
      "2026\t\tshared_buffers\t4TB\tline\n"
      "2026\t/d\t\t4TB\tline\n"
      "2026\t/d\tshared_buffers\t4TB\tline\n"
      "2026\t/d\tshared_buffers\t4T");  // cut short: no log line field
  REQUIRE(read.size() == 1);
  CHECK(read[0].value == "4TB");
  CHECK(ParseRefusedSettings("").empty());
}

TEST_CASE("ReplaceRefusedSettings keeps other clusters' records", "[refused_settings]") {
  std::vector<RefusedSetting> existing = {Refused("/a", "shared_buffers", "4TB"),
                                          Refused("/b", "huge_pages", "on"),
                                          Refused("/a", "max_connections", "1")};
  std::vector<RefusedSetting> replaced =
      ReplaceRefusedSettings(existing, "/a", {Refused("/a", "port", "1")});
  REQUIRE(replaced.size() == 2);
  CHECK(replaced[0].data_dir == "/b");
  CHECK(replaced[1].name == "port");
  // None: the data directory's records are cleared.
  std::vector<RefusedSetting> cleared = ReplaceRefusedSettings(existing, "/a", {});
  REQUIRE(cleared.size() == 1);
  CHECK(cleared[0].name == "huge_pages");
}

}  // namespace
}  // namespace pgpair
