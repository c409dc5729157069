// The cluster choice is gather.sh's (it must read the chosen cluster's files
// in the same pass); this runs its awk program, as compiled into pgpair, on
// captured pg_lsclusters outputs, with the local awk.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "engine/util/shell_quote.h"
#include "tests/unit/facts/embedded_program.h"

namespace pgpair {
namespace {

std::string ChooseClusterProgram() { return testing::GatherScriptProgram("choose_cluster"); }

// What the program prints for `fixture` with the manifest's cluster and port.
std::string Choose(const std::string& fixture, const std::string& cluster,
                   const std::string& port) {
  const std::string dir = std::string(PGPAIR_FIXTURES_DIR) + "/pg_lsclusters";
  char program_path[] = "/tmp/pgpair-choose-XXXXXX";
  int fd = mkstemp(program_path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(program_path) << ChooseClusterProgram();
  std::string command = "awk -v c=" + ShellQuote(cluster) + " -v p=" + ShellQuote(port) + " -f " +
                        program_path + " " + ShellQuote(dir + "/" + fixture);
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[512];
    while (fgets(buffer, sizeof buffer, pipe)) out += buffer;
    pclose(pipe);
  }
  unlink(program_path);
  return out;
}

// The rule's word and the chosen cluster ("15/scratch"), or "none WHY".
std::string Chosen(const std::string& fixture, const std::string& cluster = "",
                   const std::string& port = "") {
  std::string out = Choose(fixture, cluster, port);
  char rule[64], version[16], name[64];
  if (std::sscanf(out.c_str(), "%63s %15s %63s", rule, version, name) != 3) return out;
  if (std::string(rule) == "none") return out;
  return std::string(rule) + " " + version + "/" + name;
}

TEST_CASE("gather.sh chooses a Debian cluster by the documented rules", "[gather]") {
  struct Case {
    const char* proves;
    const char* fixture;
    const char* cluster;
    const char* port;
    const char* chosen;
  };
  const Case cases[] = {
      {"the manifest's cluster, whatever its state", "two_down_noheader.txt", "15/scratch", "",
       "cluster 15/scratch"},
      {"a declared cluster that is not listed", "two_down_noheader.txt", "16/main", "",
       "none no-such-cluster\n"},
      {"the one on the manifest's port", "one_online_noheader.txt", "", "5432", "port 15/main"},
      {"no cluster on the manifest's port", "one_online_noheader.txt", "", "6000",
       "none no-cluster-on-port\n"},
      {"the only one online of two", "one_online_noheader.txt", "", "",
       "only-online-cluster 15/scratch"},
      {"a stopped standby is not online", "standby_down_recovery_noheader.txt", "", "",
       "only-online-cluster 15/scratch"},
      {"two online: none", "standby_online_recovery_noheader.txt", "", "",
       "none several-clusters\n"},
      {"two down: none", "two_down_noheader.txt", "", "", "none several-clusters\n"},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    CHECK(Chosen(c.fixture, c.cluster, c.port) == c.chosen);
  }
}

}  // namespace
}  // namespace pgpair
