#include "engine/edit/conf_edit.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "engine/facts/parsers/postgresql_conf.h"
#include "tests/unit/fixture_file.h"

namespace pgpair {
namespace {

// What the server would read for `name` from `text`: the last active line.
std::string ReadBack(const std::string& text, const std::string& name) {
  Result<std::vector<ConfEntry>> entries = ParseConfFile(text);
  REQUIRE(entries.ok());
  std::string value = "<absent>";
  for (const ConfEntry& entry : *entries) {
    if (!entry.is_include && entry.name == name) value = entry.value;
  }
  return value;
}

std::string Set(const std::string& text, const std::string& name, const std::string& value) {
  Result<std::string> edited = SetConfValue(text, name, value);
  INFO(edited.status().message());
  REQUIRE(edited.ok());
  return *edited;
}

// `text` with its one occurrence of `from` replaced by `to`.
std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  return text.replace(at, from.size(), to);
}

TEST_CASE("SetConfValue rewrites one line of Debian's postgresql.conf and nothing else",
          "[conf_edit]") {
  const std::string debian = testing::ReadFixture("postgresql_conf/debian15_default.conf");
  // Line 127 keeps its tabs and its comment; every other byte is the same.
  CHECK(Set(debian, "shared_buffers", "256MB") ==
        Replaced(debian, "\nshared_buffers = 128MB\t\t\t# min 128kB\n",
                 "\nshared_buffers = 256MB\t\t\t# min 128kB\n"));
  CHECK(Set(debian, "max_connections", "200") ==
        Replaced(debian, "\nmax_connections = 100\t\t\t# (change requires restart)\n",
                 "\nmax_connections = 200\t\t\t# (change requires restart)\n"));
  // A quoted value stays quoted.
  CHECK(Set(debian, "cluster_name", "15/main") == Replaced(debian,
                                                           "\ncluster_name = '15/scratch'\t\t\t#",
                                                           "\ncluster_name = '15/main'\t\t\t#"));
}

TEST_CASE("SetConfValue appends a setting that only a comment mentions", "[conf_edit]") {
  const std::string debian = testing::ReadFixture("postgresql_conf/debian15_default.conf");
  // "#listen_addresses = 'localhost'" is a comment: it stays, and the value
  // goes at the end, after include_dir, where nothing overrides it.
  std::string edited = Set(debian, "listen_addresses", "*");
  CHECK(edited == debian + "listen_addresses = '*'\t# set by pgpair\n");
  CHECK(ReadBack(edited, "listen_addresses") == "*");
}

TEST_CASE("SetConfValue keeps indentation, spacing, name spelling and comments", "[conf_edit]") {
  struct Case {
    const char* what;
    std::string before;
    std::string name;
    std::string value;
    std::string after;
  };
  const Case cases[] = {
      {"indentation and the spaces before the comment are kept",
       "  work_mem = 4MB     # per sort\n", "work_mem", "8MB", "  work_mem = 8MB     # per sort\n"},
      {"a line without '=' keeps that style", "work_mem 8MB            # no '='\n", "work_mem",
       "16MB", "work_mem 16MB            # no '='\n"},
      {"a comment right after the value stays attached", "maintenance_work_mem=64MB#a comment\n",
       "maintenance_work_mem", "128MB", "maintenance_work_mem=128MB#a comment\n"},
      {"the name keeps its case; names match case-insensitively", "Log_Line_Prefix = '%m [%p] '\n",
       "log_line_prefix", "%m ", "Log_Line_Prefix = '%m '\n"},
      {"a tab-indented line", "\tstatement_timeout=5min\n", "statement_timeout", "10min",
       "\tstatement_timeout=10min\n"},
      {"the '#' inside a quoted value is not the comment",
       "application_name = 'it''s # not a comment'   # trailing comment\n", "application_name",
       "a # b", "application_name = 'a # b'   # trailing comment\n"},
      {"a backslash-escaped quote does not end the value (the old code lost this comment)",
       "cluster_name = 'back\\'slash # quote'  # keep me\n", "cluster_name", "x",
       "cluster_name = 'x'  # keep me\n"},
      {"a quote in the new value is doubled", "archive_command = ''  # off\n", "archive_command",
       "cp %p '/mnt/a b/%f'", "archive_command = 'cp %p ''/mnt/a b/%f'''  # off\n"},
      {"a backslash in the new value is escaped", "restore_command = 'x'\n", "restore_command",
       "copy \"C:\\archive\\%f\" \"%p\"",
       "restore_command = 'copy \"C:\\\\archive\\\\%f\" \"%p\"'\n"},
      {"a bare word stays bare", "wal_level = hot_standby\n", "wal_level", "replica",
       "wal_level = replica\n"},
      {"a bare value that cannot stay bare gets quotes", "listen_addresses = localhost\n",
       "listen_addresses", "*", "listen_addresses = '*'\n"},
      {"a quoted value stays quoted, as ALTER SYSTEM writes it", "wal_level = 'hot_standby'\n",
       "wal_level", "replica", "wal_level = 'replica'\n"},
      {"the empty string is quoted", "archive_command = 'cp'\n", "archive_command", "",
       "archive_command = ''\n"},
      {"a negative integer can stay bare", "wal_buffers = 16MB\n", "wal_buffers", "-1",
       "wal_buffers = -1\n"},
      {"a real is quoted (a bare '1.5' would read the same, but quoting is never wrong)",
       "checkpoint_completion_target = 0.9\n", "checkpoint_completion_target", "0.5",
       "checkpoint_completion_target = '0.5'\n"},
      {"CRLF line ends survive an edit", "port = 5432\r\nwork_mem = 4MB\r\n", "work_mem", "8MB",
       "port = 5432\r\nwork_mem = 8MB\r\n"},
      {"a last line without newline stays without one", "port = 5432\nwork_mem = 4MB", "work_mem",
       "8MB", "port = 5432\nwork_mem = 8MB"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    std::string edited = Set(c.before, c.name, c.value);
    CHECK(edited == c.after);
    // Whatever the quoting, the server reads exactly the value asked for.
    CHECK(ReadBack(edited, c.name) == c.value);
    // Setting it again changes nothing.
    CHECK(Set(edited, c.name, c.value) == edited);
  }
}

TEST_CASE("SetConfValue comments out earlier duplicates and rewrites the last", "[conf_edit]") {
  // The last line wins in the server; the earlier one would only mislead.
  CHECK(Set("work_mem = 1MB\nport = 5432\nwork_mem = 2MB # two\n", "work_mem", "8MB") ==
        "#work_mem = 1MB\t# superseded below (pgpair)\nport = 5432\nwork_mem = 8MB # two\n");
  // A commented duplicate in a CRLF file keeps its CR at the end.
  CHECK(Set("a = 1\r\na = 2\r\n", "a", "3") == "#a = 1\t# superseded below (pgpair)\r\na = 3\r\n");

  // pg_basebackup -R appends primary_conninfo to a copy of the primary's
  // postgresql.auto.conf, so the name appears twice.
  const std::string auto_conf = testing::ReadFixture("postgresql_conf/pg15_basebackup_R.auto.conf");
  const std::string conninfo = "host=198.18.0.11 user=replicator application_name=pg2";
  std::string edited = Set(auto_conf, "primary_conninfo", conninfo);
  CHECK(ReadBack(edited, "primary_conninfo") == conninfo);
  Result<std::vector<ConfEntry>> entries = ParseConfFile(edited);
  REQUIRE(entries.ok());
  int active = 0;
  for (const ConfEntry& entry : *entries) active += entry.name == "primary_conninfo";
  CHECK(active == 1);
  CHECK(edited.find("#primary_conninfo = 'host=198.18.0.11 port=5432") != std::string::npos);
  // The other settings read the same as before.
  CHECK(ReadBack(edited, "password_encryption") == "SCRAM-SHA-256");
  CHECK(ReadBack(edited, "restore_command") == "copy \"C:\\archive\\%f\" \"%p\"");
}

TEST_CASE("SetConfValue appends when the name is absent", "[conf_edit]") {
  // A new line is quoted, as ALTER SYSTEM writes it.
  CHECK(Set("", "hot_standby", "on") == "hot_standby = 'on'\t# set by pgpair\n");
  CHECK(Set("# only a comment\n", "max_wal_senders", "10") ==
        "# only a comment\nmax_wal_senders = '10'\t# set by pgpair\n");
  // A last line without newline gets one before the new line.
  CHECK(Set("port = 5432", "wal_level", "replica") ==
        "port = 5432\nwal_level = 'replica'\t# set by pgpair\n");
  // A CRLF file gets a CRLF line.
  CHECK(Set("port = 5432\r\n", "wal_level", "replica") ==
        "port = 5432\r\nwal_level = 'replica'\t# set by pgpair\r\n");
  // The appended name is lowercased, as the server matches names.
  CHECK(Set("", "Wal_Level", "replica") == "wal_level = 'replica'\t# set by pgpair\n");
  // Include directives are not settings of that name.
  CHECK(Set("include_dir = 'conf.d'\n", "include_dir_x", "1") ==
        "include_dir = 'conf.d'\ninclude_dir_x = '1'\t# set by pgpair\n");
}

TEST_CASE("SetConfValue writes what the server reads back from the tricky fixture", "[conf_edit]") {
  const std::string tricky = testing::ReadFixture("postgresql_conf/tricky.conf");
  for (const char* name : {"work_mem", "maintenance_work_mem", "application_name", "cluster_name",
                           "pgpair.escapes", "log_line_prefix", "pgpair.bare", "pgpair.empty",
                           "search_path", "statement_timeout", "archive_command", "pgpair.last"}) {
    INFO(name);
    const std::string value = "it's a \"new\" value # with \\ and\ttab";
    std::string edited = Set(tricky, name, value);
    CHECK(ReadBack(edited, name) == value);
    // Only one line changed: same number of lines, same other entries.
    CHECK(std::count(edited.begin(), edited.end(), '\n') ==
          std::count(tricky.begin(), tricky.end(), '\n'));
    Result<std::vector<ConfEntry>> before = ParseConfFile(tricky);
    Result<std::vector<ConfEntry>> after = ParseConfFile(edited);
    REQUIRE(before.ok());
    REQUIRE(after.ok());
    REQUIRE(before->size() == after->size());
    for (size_t i = 0; i < before->size(); ++i) {
      if ((*before)[i].name == name) continue;
      CHECK((*after)[i].value == (*before)[i].value);
    }
  }
}

TEST_CASE("SetConfValue refuses a file that does not parse", "[conf_edit]") {
  const std::string broken = testing::ReadFixture("postgresql_conf/syntax_errors.conf");
  Result<std::string> edited = SetConfValue(broken, "work_mem", "8MB");
  REQUIRE_FALSE(edited.ok());
  // The message names the bad lines, as the server's log does.
  CHECK(edited.status().message().find("line 3") != std::string::npos);
}

TEST_CASE("RemoveConfValue comments out every active line for the name", "[conf_edit]") {
  Result<std::string> removed =
      RemoveConfValue("work_mem = 1MB\nport = 5432\n  WORK_MEM = 2MB # two\n", "work_mem");
  REQUIRE(removed.ok());
  CHECK(*removed ==
        "#work_mem = 1MB\t# removed by pgpair\nport = 5432\n#  WORK_MEM = 2MB # two\t# removed by "
        "pgpair\n");
  CHECK(ReadBack(*removed, "work_mem") == "<absent>");

  // Not an error when there is none; the text is untouched.
  const std::string debian = testing::ReadFixture("postgresql_conf/debian15_default.conf");
  Result<std::string> unchanged = RemoveConfValue(debian, "listen_addresses");
  REQUIRE(unchanged.ok());
  CHECK(*unchanged == debian);

  CHECK_FALSE(RemoveConfValue("= 5\n", "work_mem").ok());
}

}  // namespace
}  // namespace pgpair
