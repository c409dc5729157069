// gather.sh reads the manifest's Debian cluster the way pg_lsclusters does,
// without its perl (engine/facts/gather.sh, debian_cluster), and leaves
// every case it is not sure of to pg_lsclusters. This runs that awk program,
// as compiled into pgpair, on hand-built /etc/postgresql trees, and, where
// postgresql-common is installed, checks each answer against pg_lsclusters
// run on the same tree (PG_CLUSTER_CONF_ROOT): an answer must be
// pg_lsclusters' own, and a tree pg_lsclusters refuses must get none.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/util/shell_quote.h"
#include "tests/unit/facts/embedded_program.h"

namespace pgpair {
namespace {

std::string DebianClusterProgram() { return testing::GatherScriptProgram("debian_cluster"); }

// Standard output of `command`, and whether it exited 0.
std::pair<std::string, bool> Run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe)) out += buffer;
  int status = pclose(pipe);
  return {out, status == 0};
}

// A scratch directory holding root/ (the clusters' configuration) and
// data/ (their data directories), removed at the end.
class Tree {
 public:
  Tree() {
    char path[] = "/tmp/pgpair-debian-XXXXXX";
    REQUIRE(mkdtemp(path) != nullptr);
    dir_ = path;
  }
  ~Tree() { Run("rm -rf " + ShellQuote(dir_)); }
  const std::string& dir() const { return dir_; }
  // Writes `text` to `relative` under the tree, making its directories.
  void Write(const std::string& relative, const std::string& text) const {
    std::string path = dir_ + "/" + relative;
    Run("mkdir -p " + ShellQuote(path.substr(0, path.rfind('/'))));
    std::ofstream(path) << text;
  }
  // {sure, "PORT DATA_DIR"} from the awk program for cluster 15/main.
  std::pair<bool, std::string> Awk() const {
    char program_path[] = "/tmp/pgpair-debian-awk-XXXXXX";
    int fd = mkstemp(program_path);
    REQUIRE(fd >= 0);
    close(fd);
    std::ofstream(program_path) << DebianClusterProgram();
    auto [out, ok] = Run("LC_ALL=C awk -v r=" + ShellQuote(dir_ + "/root") +
                         " -v v=15 -v c=main -f " + program_path);
    unlink(program_path);
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return {ok, out};
  }
  // pg_lsclusters' "PORT DATA_DIR" for 15/main, empty when it fails or does
  // not list it.
  std::string PgLsclusters() const {
    auto [out, ok] = Run("LC_ALL=C PG_CLUSTER_CONF_ROOT=" + ShellQuote(dir_ + "/root") +
                         " pg_lsclusters -h 2>/dev/null");
    if (!ok) return "";
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream columns(line);
      std::string version, cluster, port, status, owner, data;
      columns >> version >> cluster >> port >> status >> owner >> data;
      if (version == "15" && cluster == "main") return port + " " + data;
    }
    return "";
  }

 private:
  std::string dir_;
};

bool HavePgLsclusters() { return Run("command -v pg_lsclusters >/dev/null").second; }

TEST_CASE("gather.sh reads the manifest's Debian cluster as pg_lsclusters does", "[gather]") {
  struct Case {
    const char* proves;
    // Files under the tree: path, then text; "DATA" in a text is the tree's
    // data directory of the cluster.
    std::vector<std::pair<std::string, std::string>> files;
    // "PORT" of the answer, or nullptr when the program must leave the
    // cluster to pg_lsclusters.
    const char* port;
    // pg_lsclusters itself fails on the tree (and lists nothing).
    bool refused = false;
  };
  const std::string kConf =
      "# the configuration pg_createcluster writes, in short\n"
      "data_directory = 'DATA'\t\t# use data in another directory\n"
      "port = 5433\t\t\t\t# (change requires restart)\n"
      "unix_socket_directories = '/var/run/postgresql'\t# comma-separated list of directories\n"
      "include_dir = 'conf.d'\t\t\t# include files ending in '.conf' from\n";
  const Case cases[] = {
      {"the configuration as pg_createcluster writes it",
       {{"root/15/main/postgresql.conf", kConf}},
       "5433"},
      {"conf.d's files in name order, the last one winning; hidden and other files skipped",
       {{"root/15/main/postgresql.conf", kConf},
        {"root/15/main/conf.d/10-a.conf", "port=5440\n"},
        {"root/15/main/conf.d/20-b.conf", "PORT 5441\n"},
        {"root/15/main/conf.d/.30-hidden.conf", "port = 5442\n"},
        {"root/15/main/conf.d/40-c.conf.orig", "port = 5443\n"}},
       "5441"},
      {"ALTER SYSTEM's port counts",
       {{"root/15/main/postgresql.conf", kConf}, {"data/postgresql.auto.conf", "port = '5450'\n"}},
       "5450"},
      {"ALTER SYSTEM's data_directory does not",
       {{"root/15/main/postgresql.conf", kConf},
        {"data/postgresql.auto.conf", "data_directory = '/elsewhere'\n"}},
       "5433"},
      {"a file included by a relative name; keys are lower-cased only in a .conf file",
       {{"root/15/main/postgresql.conf", kConf + "include 'extra.inc'\n"},
        {"root/15/main/extra.inc", "Port = 5460\nunix_socket_directories = '/tmp'\n"}},
       "5433"},
      {"include_if_exists of a missing file",
       {{"root/15/main/postgresql.conf", kConf + "include_if_exists = 'gone.conf'\n"}},
       "5433"},
      {"port 0 is PgCommon's default port",
       {{"root/15/main/postgresql.conf", kConf + "port = 0\n"}},
       "5432"},
      {"no port line: the default port",
       {{"root/15/main/postgresql.conf",
         "data_directory = 'DATA'\n"
         "unix_socket_directories = '/var/run/postgresql'\n"}},
       "5432"},
      {"a start.conf that PgCommon accepts",
       {{"root/15/main/postgresql.conf", kConf}, {"root/15/main/start.conf", "# c\n\nmanual\n"}},
       "5433"},
      {"a line PgCommon refuses (pg_lsclusters fails)",
       {{"root/15/main/postgresql.conf", kConf + "port = = 5\n"}},
       nullptr,
       true},
      {"a start.conf PgCommon refuses",
       {{"root/15/main/postgresql.conf", kConf}, {"root/15/main/start.conf", "sometimes\n"}},
       nullptr,
       true},
      {"no data_directory line (PgCommon then looks for links)",
       {{"root/15/main/postgresql.conf", "port = 5433\nunix_socket_directories = '/tmp'\n"}},
       nullptr},
      {"no socket directory (PgCommon then compares owners)",
       {{"root/15/main/postgresql.conf", "data_directory = 'DATA'\nport = 5433\n"}},
       nullptr},
      {"a backslash escape (left to PgCommon's unquoting)",
       {{"root/15/main/postgresql.conf", kConf + "cluster_name = 'a\\'b'\n"}},
       nullptr},
  };
  const bool compare = HavePgLsclusters();
  if (!compare) WARN("pg_lsclusters is not installed: the answers are not compared with it");
  for (const Case& c : cases) {
    INFO(c.proves);
    Tree tree;
    const std::string data = tree.dir() + "/data";
    REQUIRE(mkdir(data.c_str(), 0700) == 0);
    for (const auto& [path, text] : c.files) {
      std::string body = text;
      for (size_t at = body.find("DATA"); at != std::string::npos; at = body.find("DATA", at)) {
        body.replace(at, 4, data);
      }
      tree.Write(path, body);
    }
    auto [sure, answer] = tree.Awk();
    if (c.port) {
      CHECK(sure);
      CHECK(answer == std::string(c.port) + " " + data);
      if (compare) CHECK(tree.PgLsclusters() == answer);
    } else {
      CHECK_FALSE(sure);
      CHECK(answer.empty());
      if (compare && c.refused) CHECK(tree.PgLsclusters().empty());
    }
  }
}

}  // namespace
}  // namespace pgpair
