// The textfile of `pgpair check --textfile` (engine/output/textfile_metrics.h):
// Prometheus' text format as node_exporter's textfile collector reads it.

#include "engine/output/textfile_metrics.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace pgpair {
namespace {

TEST_CASE("label values escape backslash, double quote and newline, and nothing else",
          "[textfile]") {
  struct Case {
    const char* proves;
    std::string value;
    std::string escaped;
  };
  const Case cases[] = {
      {"a plain name is kept", "db-1.eu", "db-1.eu"},
      {"a backslash is doubled", "a\\b", "a\\\\b"},
      {"a double quote is escaped", "say \"hi\"", "say \\\"hi\\\""},
      {"a newline becomes \\n", "two\nlines", "two\\nlines"},
      {"a tab and UTF-8 are kept as they are", "t\tü", "t\tü"},
      {"an escaped backslash before a quote stays two escapes", "\\\"", "\\\\\\\""},
  };
  for (const Case& c : cases) {
    INFO(c.proves);
    CHECK(EscapeLabelValue(c.value) == c.escaped);
  }
}

PairMetrics Converged(const std::string& pair) {
  PairMetrics m;
  m.pair = pair;
  m.success = true;
  m.timestamp_seconds = 1764620000;
  m.duration_seconds = 0.25;
  m.drift_by_kind = {{"hba_rule", 0}, {"setting", 2}};
  m.hosts = {{"pg1", true, 0, false}, {"pg2", true, 3, true}};
  m.standby = "pg2";
  m.streaming = true;
  m.replay_lag_bytes = 4096;
  m.replay_lag_seconds = 0.5;
  m.replay_delay_seconds = 12;
  return m;
}

// Every line is a comment (# HELP/# TYPE) or a sample: name{labels} value.
void CheckGrammar(const std::string& text) {
  const std::regex sample(
      R"re(pgpair_[a-z_]+\{([a-z]+="([^"\\\n]|\\[\\"n])*")(,[a-z]+="([^"\\\n]|\\[\\"n])*")*\} -?[0-9.e+]+)re");
  const std::regex comment(R"re(# (HELP pgpair_[a-z_]+ .+|TYPE pgpair_[a-z_]+ (gauge|counter)))re");
  std::istringstream lines(text);
  std::set<std::string> typed;
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    CHECK((std::regex_match(line, sample) || std::regex_match(line, comment)));
    if (line.rfind("# TYPE ", 0) == 0) {
      std::string family = line.substr(7, line.find(' ', 7) - 7);
      CHECK(typed.insert(family).second);  // each family's header once
    }
  }
  CHECK(!text.empty());
  CHECK(text.back() == '\n');
}

TEST_CASE("two pairs: each family once, its samples labelled by pair and host", "[textfile]") {
  const std::string text = FormatTextfile({Converged("a"), Converged("b")});
  CheckGrammar(text);
  for (const char* line : {
           "# TYPE pgpair_check_success gauge\npgpair_check_success{pair=\"a\"} 1\n"
           "pgpair_check_success{pair=\"b\"} 1\n",
           "pgpair_up{pair=\"a\",host=\"pg1\"} 1\npgpair_up{pair=\"a\",host=\"pg2\"} 1\n",
           "pgpair_last_check_timestamp_seconds{pair=\"a\"} 1764620000\n",
           "pgpair_drift_changes{pair=\"a\",kind=\"hba_rule\"} 0\n"
           "pgpair_drift_changes{pair=\"a\",kind=\"setting\"} 2\n",
           "pgpair_standby_streaming{pair=\"b\",host=\"pg2\"} 1\n",
           "pgpair_standby_replay_lag_bytes{pair=\"a\",host=\"pg2\"} 4096\n",
           "pgpair_standby_replay_lag_seconds{pair=\"a\",host=\"pg2\"} 0.5\n",
           "pgpair_replay_delay_seconds{pair=\"a\",host=\"pg2\"} 12\n",
           "# TYPE pgpair_archiver_failed_count counter\n",
           "pgpair_archiver_failed_count{pair=\"a\",host=\"pg2\"} 3\n",
           "pgpair_archiver_failing{pair=\"b\",host=\"pg1\"} 0\n",
           "pgpair_check_duration_seconds{pair=\"a\"} 0.25\n",
           "pgpair_apply_in_progress{pair=\"b\"} 0\n",
       }) {
    CHECK_THAT(text, Catch::Contains(line));
  }
  // Every sample has its family's # HELP and # TYPE before it.
  CHECK(text.find("# HELP pgpair_up ") < text.find("pgpair_up{"));
}

TEST_CASE("a failed check reports its failure only, and unknown figures are left out, not 0",
          "[textfile]") {
  PairMetrics failed;
  failed.pair = "c";
  failed.timestamp_seconds = 1764620000;
  PairMetrics partial = Converged("d");
  partial.replay_lag_seconds.reset();  // an idle standby: pg_stat_replication shows no lag
  partial.hosts[0].archiver_failed_count.reset();
  const std::string text = FormatTextfile({failed, partial});
  CheckGrammar(text);
  CHECK_THAT(text, Catch::Contains("pgpair_check_success{pair=\"c\"} 0\n"));
  CHECK_THAT(text, Catch::Contains("pgpair_last_check_timestamp_seconds{pair=\"c\"} "));
  for (const char* absent : {"pgpair_up{pair=\"c\"", "pgpair_drift_changes{pair=\"c\"",
                             "pgpair_standby_streaming{pair=\"c\"", "apply_in_progress{pair=\"c\"",
                             "pgpair_standby_replay_lag_seconds",
                             "pgpair_archiver_failed_count{pair=\"d\",host=\"pg1\"}"}) {
    CHECK_THAT(text, !Catch::Contains(absent));
  }
}

TEST_CASE("label values that need escapes stay one line each, and one pair is one series",
          "[textfile]") {
  PairMetrics odd = Converged("we\"ird\\pair\nname");
  const std::string text = FormatTextfile({odd, Converged("we\"ird\\pair\nname")});
  CheckGrammar(text);
  CHECK_THAT(text, Catch::Contains("pgpair_check_success{pair=\"we\\\"ird\\\\pair\\nname\"} 1\n"));
  size_t count = 0;
  for (size_t at = text.find("pgpair_check_success{"); at != std::string::npos;
       at = text.find("pgpair_check_success{", at + 1)) {
    ++count;
  }
  CHECK(count == 1);
}

TEST_CASE("values print as Prometheus reads them back", "[textfile]") {
  PairMetrics m = Converged("a");
  m.duration_seconds = 0.1;
  m.replay_lag_bytes = 123456789012.0;
  const std::string text = FormatTextfile({m});
  CHECK_THAT(text, Catch::Contains("pgpair_check_duration_seconds{pair=\"a\"} 0.1\n"));
  CHECK_THAT(text, Catch::Contains("host=\"pg2\"} 123456789012\n"));
}

TEST_CASE("the textfile is replaced whole, mode 0644, no temporary left", "[textfile]") {
  char dir[] = "/tmp/pgpair-textfile-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string path = std::string(dir) + "/pgpair.prom";
  std::ofstream(path) << "old\n";
  chmod(path.c_str(), 0644);
  REQUIRE(WriteTextfile(path, {Converged("a")}).ok());
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  CHECK(text.str() == FormatTextfile({Converged("a")}));
  struct stat info;
  REQUIRE(stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0644);
  std::remove(path.c_str());
  CHECK(rmdir(dir) == 0);  // empty: no temporary stayed beside it

  Status refused = WriteTextfile("/nonexistent-dir/pgpair.prom", {Converged("a")});
  REQUIRE(!refused.ok());
  CHECK_THAT(refused.message(), Catch::Contains("/nonexistent-dir/pgpair.prom"));
}

}  // namespace
}  // namespace pgpair
