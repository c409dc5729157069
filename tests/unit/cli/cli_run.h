#ifndef PGPAIR_TESTS_UNIT_CLI_CLI_RUN_H_
#define PGPAIR_TESTS_UNIT_CLI_CLI_RUN_H_

// `pgpair ARGS...` run in this process (RunCli), its standard output and
// error captured: for unit tests of the command line, which open no socket.

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/cli/cli.h"

namespace pgpair::testing {

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

inline CliRun RunPgpair(std::vector<std::string> args) {
  args.insert(args.begin(), "pgpair");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  std::ostringstream out, err;
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  int status = RunCli(static_cast<int>(argv.size()), argv.data());
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  return {status, out.str(), err.str()};
}

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_UNIT_CLI_CLI_RUN_H_
