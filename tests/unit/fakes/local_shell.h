#ifndef PGPAIR_TESTS_UNIT_FAKES_LOCAL_SHELL_H_
#define PGPAIR_TESTS_UNIT_FAKES_LOCAL_SHELL_H_

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "engine/transport/transport.h"

namespace pgpair {

// Runs scripts with the local /bin/sh, as sshd would on the host: this proves
// the scripts pgpair sends work, with no socket involved. `scratch` is a
// directory for the script and its output; the scripts themselves must only
// touch paths the test gives them.
class LocalShellTransport : public Transport {
 public:
  explicit LocalShellTransport(std::string scratch) : dir_(std::move(scratch)) {}
  const std::string& host_label() const override { return label_; }
  int exec_count() const override { return count_; }
  Result<ExecResult> Exec(const std::string& command, const std::string& stdin_data,
                          std::chrono::milliseconds) override {
    ++count_;
    std::ofstream(dir_ + "/.stdin", std::ios::binary) << stdin_data;
    std::ofstream(dir_ + "/.script", std::ios::binary) << command;
    int status = std::system(("/bin/sh " + dir_ + "/.script < " + dir_ + "/.stdin > " + dir_ +
                              "/.stdout 2> " + dir_ + "/.stderr")
                                 .c_str());
    ExecResult result{WEXITSTATUS(status), Read(dir_ + "/.stdout"), Read(dir_ + "/.stderr")};
    for (const char* name : {"/.stdin", "/.script", "/.stdout", "/.stderr"}) {
      unlink((dir_ + name).c_str());
    }
    return result;
  }

 private:
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
  }

  std::string label_ = "local (127.0.0.1)";
  std::string dir_;
  int count_ = 0;
};

}  // namespace pgpair

#endif  // PGPAIR_TESTS_UNIT_FAKES_LOCAL_SHELL_H_
