// doc/pgpair.1 and `--help` tell the same command line: every command and
// option that --help lists is in the man page, and every one the man page
// documents is still in the program. Contacts no host.

#include <catch2/catch.hpp>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/cli/cli_run.h"

namespace pgpair {
namespace {

// What `pgpair ARGS` prints on stdout.
std::string HelpOf(std::vector<std::string> args) {
  testing::CliRun run = testing::RunPgpair(std::move(args));
  REQUIRE(run.status == 0);
  return run.out;
}

// The lines of one section of CLI11's help ("Options:", "Subcommands:"):
// the first word of each entry, as the help lists it.
std::vector<std::string> SectionEntries(const std::string& help, const std::string& section) {
  std::vector<std::string> entries;
  std::istringstream lines(help);
  std::string line;
  bool in = false;
  while (std::getline(lines, line)) {
    if (line == section) {
      in = true;
    } else if (in && line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') {
      std::istringstream words(line);
      std::string first;
      words >> first;
      entries.push_back(first);
    } else if (in && line.empty()) {
      in = false;
    }
  }
  return entries;
}

// "-o,--out" is two options; "--log-level" keeps only its name.
std::set<std::string> OptionNames(const std::string& help) {
  std::set<std::string> names;
  for (const std::string& entry : SectionEntries(help, "Options:")) {
    std::istringstream parts(entry);
    std::string part;
    while (std::getline(parts, part, ',')) names.insert(part);
  }
  return names;
}

// doc/pgpair.1 as plain text: groff's "\-" is "-", fonts are dropped.
std::string ManPageText() {
  std::ifstream file(std::string(PGPAIR_SOURCE_DIR) + "/doc/pgpair.1");
  REQUIRE(file);
  std::ostringstream raw;
  raw << file.rdbuf();
  std::string text = std::regex_replace(raw.str(), std::regex(R"(\\f[BIRP])"), "");
  return std::regex_replace(text, std::regex(R"(\\-)"), "-");
}

// The commands the man page documents: ".BR NAME ..." entries under COMMANDS.
std::set<std::string> ManCommands(const std::string& man) {
  std::set<std::string> commands;
  std::istringstream lines(man);
  std::string line;
  bool in = false;
  while (std::getline(lines, line)) {
    if (line.rfind(".SH ", 0) == 0) in = line == ".SH COMMANDS";
    if (in && line.rfind(".BR ", 0) == 0) {
      std::istringstream words(line.substr(4));
      std::string name;
      words >> name;
      commands.insert(name);
    }
  }
  return commands;
}

// Every option word of the man page: "-v", "--log-file"; not "re-clone".
std::set<std::string> ManOptions(const std::string& man) {
  std::set<std::string> options;
  std::regex option(R"((^|[^A-Za-z0-9_-])(--?[a-z][a-z-]*[a-z]|-[a-z]))");
  for (auto it = std::sregex_iterator(man.begin(), man.end(), option); it != std::sregex_iterator();
       ++it) {
    options.insert((*it)[2].str());
  }
  return options;
}

TEST_CASE("The man page documents every command and option of --help, and no other", "[cli][man]") {
  const std::string man = ManPageText();
  const std::string top = HelpOf({"--help"});
  const std::vector<std::string> commands = SectionEntries(top, "Subcommands:");
  REQUIRE(commands.size() >= 6);
  CHECK(std::set<std::string>(commands.begin(), commands.end()) == ManCommands(man));

  std::set<std::string> help_options = OptionNames(top);
  for (const std::string& command : commands) {
    INFO("pgpair " << command << " --help");
    std::set<std::string> own = OptionNames(HelpOf({command, "--help"}));
    REQUIRE_FALSE(own.empty());
    help_options.insert(own.begin(), own.end());
  }
  const std::set<std::string> man_options = ManOptions(man);
  for (const std::string& name : help_options) {
    INFO(name << " is in --help but not in doc/pgpair.1");
    CHECK(man_options.count(name) == 1);
  }
  for (const std::string& name : man_options) {
    INFO(name << " is in doc/pgpair.1 but no command takes it");
    CHECK(help_options.count(name) == 1);
  }
}

}  // namespace
}  // namespace pgpair
