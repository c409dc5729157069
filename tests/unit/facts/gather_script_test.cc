#include "engine/facts/gather_script.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

namespace pgpair {
namespace {

TEST_CASE("BuildGatherCall passes every manifest value as one argument of the script", "[gather]") {
  HostSpec host;
  host.name = "pg1";
  host.postgres.data_dir = "/srv/pg data/it's";
  host.postgres.port = 5433;
  GatherRequest request;
  request.replication_role = "repl; rm -rf /";
  GatherCall call = BuildGatherCall(host, request, "@@mark");
  // The twelve arguments in gather.sh's order: a path with a space and a
  // quote stays one word, a hostile role name is inert, unset overrides are
  // empty so that the script discovers them, and the last is where apply
  // records the values a server refused at its start.
  CHECK(call.command ==
        "/bin/sh -s -- @@mark '' 5433 '' '/srv/pg data/it'\\''s' '' '' '' postgres "
        "'repl; rm -rf /' '' /var/lib/pgpair/refused-settings");
  // The script's text has nothing of the host in it.
  CHECK(call.script.find("it's") == std::string::npos);
  CHECK(call.script.find("@@mark") == std::string::npos);
  // gather.sh, after the functions it shares (engine/util/host_functions.sh).
  CHECK(call.script.rfind("# pgpair-host-functions:", 0) == 0);
  CHECK(call.script.find("\n# shellcheck shell=sh\n# Its functions run through section()") !=
        std::string::npos);
}

TEST_CASE("gather.sh refuses to run with other than its twelve arguments", "[gather]") {
  // Before anything else, so a caller out of step with the script reads no
  // host with its values in the wrong places.
  char path[] = "/tmp/pgpair-gather-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << BuildGatherCall(HostSpec{}, GatherRequest{}, "@@m").script;
  std::string command = std::string("/bin/sh -s -- only two <") + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[256];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  int status = pclose(pipe);
  unlink(path);
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(out == "pgpair's facts script: 12 arguments expected, 2 given\n");
}

TEST_CASE("NewGatherMark differs between runs", "[gather]") {
  CHECK(NewGatherMark() != NewGatherMark());
  CHECK(NewGatherMark().rfind("@@pgpair-", 0) == 0);
}

TEST_CASE("ParseGatherOutput splits sections and keeps file bytes exact", "[gather]") {
  const std::string output =
      "@@m begin file /a\nline 1\nno final newline"
      "\n@@m stderr file /a\n\n@@m end file /a 0\n"
      "@@m begin archive\n\n@@m stderr archive\nstat: cannot statx: No such file\n"
      "\n@@m end archive 1\n";
  Result<GatherSections> sections = ParseGatherOutput(output, "@@m");
  REQUIRE(sections.ok());
  REQUIRE(sections->size() == 2);
  // The newline the script adds before each marker is taken back off.
  CHECK(sections->at("file /a").out == "line 1\nno final newline");
  CHECK(sections->at("file /a").err.empty());
  CHECK(sections->at("file /a").exit_status == 0);
  CHECK(sections->at("archive").exit_status == 1);
  CHECK(sections->at("archive").err == "stat: cannot statx: No such file\n");
}

TEST_CASE("ParseGatherOutput reports a section cut short", "[gather]") {
  // The connection dropped in the middle of a file.
  Result<GatherSections> sections = ParseGatherOutput("@@m begin sql\n{\"k\":", "@@m");
  REQUIRE_FALSE(sections.ok());
  CHECK(sections.status().message().find("\"sql\"") != std::string::npos);
}

TEST_CASE("ParseGatherOutput refuses output with no section", "[gather]") {
  // sudo printed a lecture and the script never ran.
  CHECK_FALSE(ParseGatherOutput("We trust you have received the usual lecture", "@@m").ok());
}

}  // namespace
}  // namespace pgpair
