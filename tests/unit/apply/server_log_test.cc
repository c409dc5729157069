#include "engine/apply/server_log.h"

#include <catch2/catch.hpp>

#include "tests/unit/fixture_file.h"

namespace pgpair {
namespace {

std::vector<std::string> Explained(const std::string& fixture, size_t max_lines = 12) {
  return ExplainingLogLines(testing::ReadFixture("server_log/" + fixture), max_lines);
}

StartSuspect Suspect(const std::string& name, const std::string& value,
                     const std::string& display) {
  return {name, value, display, "setting[pg1/" + name + "]"};
}

std::vector<std::string> Names(const std::vector<StartSuspect>& suspects) {
  std::vector<std::string> names;
  for (const StartSuspect& s : suspects) names.push_back(s.name);
  return names;
}

// What a first apply of examples/sandbox.yaml restarts for, plus one more.
std::vector<StartSuspect> SandboxSuspects(StartSuspect extra) {
  return {Suspect("listen_addresses", "*", "'*'"), Suspect("archive_mode", "on", "on"),
          std::move(extra)};
}

TEST_CASE("The failing postmaster's FATAL and its HINT explain a refused start", "[server_log]") {
  std::vector<std::string> lines = Explained("debian15_huge_pages_on.log");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] ==
        "2026-12-01 11:34:39.919 UTC [17813] FATAL:  could not map anonymous shared memory: "
        "Cannot allocate memory");
  CHECK(lines[1].find("[17813] HINT:  This error usually means") != std::string::npos);
  // Neither the "database system is shut down" that follows, nor pg_ctl's
  // own lines pg_ctlcluster sent into the same file.
  CHECK(FailureLine(lines) == lines[0]);
  CHECK(LogMessage(lines[0]) ==
        "FATAL:  could not map anonymous shared memory: Cannot allocate memory");
}

TEST_CASE("After a restart, the old server's shutdown is not the explanation", "[server_log]") {
  // The old postmaster (21785) and checkpointer (21797) logged their
  // shutdown; only the new postmaster's line counts.
  std::vector<std::string> lines = Explained("debian15_restart_missing_library.log");
  REQUIRE(lines.size() == 1);
  CHECK(LogMessage(lines[0]) ==
        "FATAL:  could not access file \"pgpair_missing\": No such file or directory");
}

TEST_CASE("The LOG lines before a configuration FATAL say what it is about", "[server_log]") {
  std::vector<std::string> lines = Explained("debian15_invalid_value.log");
  REQUIRE(lines.size() == 3);
  CHECK(LogMessage(lines[0]) == "LOG:  invalid value for parameter \"huge_pages\": \"maybe\"");
  CHECK(LogMessage(lines[1]) == "HINT:  Available values: off, on, try.");
  CHECK(LogMessage(lines[2]) ==
        "FATAL:  configuration file \"/etc/postgresql/15/main/conf.d/zz.conf\" contains errors");
  CHECK(FailureLine(lines) == lines[2]);
}

TEST_CASE("A complaint written before logging starts counts as the failure", "[server_log]") {
  // No prefix, no severity: "postgres: ..." on stderr, then pg_ctl's lines.
  std::vector<std::string> lines = Explained("debian15_max_connections_1.log");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] ==
        "postgres: superuser_reserved_connections (3) must be less than max_connections (1)");
  CHECK(FailureLine(lines) == lines[0]);
  CHECK(LogMessage(lines[0]) == lines[0]);

  std::vector<std::string> pg17 = Explained("pg17_pgctl_max_connections_3.log");
  REQUIRE(pg17.size() == 1);
  CHECK(pg17[0].find("\"reserved_connections\" (0) must be less than") != std::string::npos);
}

TEST_CASE("pg_ctl's own log file reads the same", "[server_log]") {
  std::vector<std::string> lines = Explained("pg17_pgctl_shared_buffers_4tb.log");
  REQUIRE(lines.size() == 2);
  CHECK(LogMessage(lines[0]).rfind("FATAL:  could not map anonymous shared memory", 0) == 0);
  CHECK(lines[1].find("4482210103296 bytes") != std::string::npos);
}

TEST_CASE("ExplainingLogLines without a FATAL, and its bounds", "[server_log]") {
  // Nothing logged: nothing to quote.
  CHECK(ExplainingLogLines("").empty());
  CHECK(ExplainingLogLines("\n\n").empty());
  // No severity pgpair knows (another language, a timeout): the end of it.
  std::string german =
      "2026-12-01 11:00:00 UTC [7] FEHLER:  eins\n"
      "2026-12-01 11:00:01 UTC [7] LOG:  zwei\n"
      "drei\n";
  std::vector<std::string> tail = ExplainingLogLines(german, 2);
  REQUIRE(tail.size() == 2);
  CHECK(tail[0] == "2026-12-01 11:00:01 UTC [7] LOG:  zwei");
  CHECK(tail[1] == "drei");
  // An ERROR is the failure when there is no FATAL.
  std::vector<std::string> error =
      ExplainingLogLines("x [8] LOG:  a\nx [8] ERROR:  b\nx [9] LOG:  c\n");
  REQUIRE(error.size() == 2);
  CHECK(error[1] == "x [8] ERROR:  b");
  // Many LOG lines of the same process: the FATAL and what follows it stay.
  std::string chatty;
  for (int i = 0; i < 30; ++i) chatty += "t [5] LOG:  line " + std::to_string(i) + "\n";
  chatty += "t [5] FATAL:  the end\nt [5] DETAIL:  why\n\tmore of why\nt [5] LOG:  shut down\n";
  std::vector<std::string> bounded = ExplainingLogLines(chatty, 5);
  REQUIRE(bounded.size() == 5);
  CHECK(bounded[0] == "t [5] LOG:  line 28");
  CHECK(bounded[2] == "t [5] FATAL:  the end");
  CHECK(bounded[3] == "t [5] DETAIL:  why");
  CHECK(bounded[4] == "\tmore of why");
  // Without a process id in the prefix: the few lines before the FATAL.
  std::vector<std::string> no_pid = ExplainingLogLines(
      "LOG:  old 1\nLOG:  old 2\nLOG:  a\nLOG:  b\nLOG:  c\nLOG:  d\nFATAL:  e\n");
  REQUIRE(no_pid.size() == 5);
  CHECK(no_pid.front() == "LOG:  a");
}

TEST_CASE("BlamedSettings: the log's name, then a quoted value, then shared memory",
          "[server_log]") {
  SECTION("a missing library is quoted by its value") {
    std::vector<StartSuspect> blamed = BlamedSettings(
        Explained("debian15_missing_library.log"),
        SandboxSuspects(Suspect("shared_preload_libraries", "pgpair_missing", "'pgpair_missing'")));
    CHECK(Names(blamed) == std::vector<std::string>{"shared_preload_libraries"});
  }
  SECTION("huge pages: the shared memory failure, not the HINT's shared_buffers") {
    std::vector<StartSuspect> suspects = SandboxSuspects(Suspect("huge_pages", "on", "on"));
    suspects.push_back(Suspect("shared_buffers", "16384", "128MB"));
    std::vector<StartSuspect> blamed =
        BlamedSettings(Explained("debian15_huge_pages_on.log"), suspects);
    // The log cannot tell these two apart; listen_addresses and
    // archive_mode are cleared.
    CHECK(Names(blamed) == std::vector<std::string>{"huge_pages", "shared_buffers"});
  }
  SECTION("shared_buffers alone among the suspects") {
    std::vector<StartSuspect> blamed =
        BlamedSettings(Explained("debian15_shared_buffers_4tb.log"),
                       SandboxSuspects(Suspect("shared_buffers", "4TB", "4TB")));
    CHECK(Names(blamed) == std::vector<std::string>{"shared_buffers"});
  }
  SECTION("a name the log gives, quoted or not") {
    CHECK(Names(BlamedSettings(Explained("debian15_max_connections_1.log"),
                               SandboxSuspects(Suspect("max_connections", "1", "1")))) ==
          std::vector<std::string>{"max_connections"});
    CHECK(Names(BlamedSettings(Explained("pg17_pgctl_max_connections_3.log"),
                               SandboxSuspects(Suspect("max_connections", "3", "3")))) ==
          std::vector<std::string>{"max_connections"});
    CHECK(Names(BlamedSettings(Explained("debian15_invalid_value.log"),
                               SandboxSuspects(Suspect("huge_pages", "maybe", "maybe")))) ==
          std::vector<std::string>{"huge_pages"});
  }
  SECTION("a name inside a longer word is not that name") {
    std::vector<StartSuspect> blamed = BlamedSettings(
        {"x [1] FATAL:  wal_level_extra is unknown; max_connections is not"},
        {Suspect("wal_level", "logical", "logical"), Suspect("max_connections", "1", "1")});
    CHECK(Names(blamed) == std::vector<std::string>{"max_connections"});
  }
  SECTION("an address that cannot be bound is quoted; a number with a unit never counts") {
    // PostgreSQL 15's lines for listen_addresses = '10.0.0.5' on a host
    // without that address.
    std::vector<std::string> lines = {
        "t [3] LOG:  could not bind IPv4 address \"10.0.0.5\": Cannot assign requested address",
        "t [3] WARNING:  could not create listen socket for \"10.0.0.5\"",
        "t [3] FATAL:  could not create any TCP/IP sockets"};
    std::vector<StartSuspect> suspects = {Suspect("listen_addresses", "10.0.0.5", "'10.0.0.5'"),
                                          Suspect("shared_buffers", "128MB", "128MB"),
                                          Suspect("archive_mode", "on", "on")};
    CHECK(Names(BlamedSettings(lines, suspects)) == std::vector<std::string>{"listen_addresses"});
    // Without the address in the message, the socket failure still points
    // at listen_addresses and port.
    suspects.push_back(Suspect("port", "5433", "5433"));
    CHECK(Names(BlamedSettings({"t [3] FATAL:  could not create any TCP/IP sockets"}, suspects)) ==
          std::vector<std::string>{"listen_addresses", "port"});
    // "128MB" in a line is no evidence against shared_buffers = 128MB.
    CHECK(Names(BlamedSettings({"t [3] FATAL:  wrote 128MB"}, suspects)) == Names(suspects));
  }
  SECTION("when the log does not tell, every suspect stays") {
    std::vector<StartSuspect> suspects = SandboxSuspects(Suspect("port", "5433", "5433"));
    CHECK(Names(BlamedSettings({"x [1] FATAL:  something else"}, suspects)) == Names(suspects));
    CHECK(BlamedSettings({"x [1] FATAL:  anything"}, {}).empty());
  }
}

}  // namespace
}  // namespace pgpair
