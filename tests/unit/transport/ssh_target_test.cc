#include <catch2/catch.hpp>

#include "engine/transport/ssh_transport.h"

namespace pgpair {
namespace {

TEST_CASE("SshTarget::FromHost labels the host by name and address", "[ssh_transport]") {
  HostSpec host;
  host.name = "pg1";
  host.address = "198.18.0.11";
  host.ssh.user = "deploy";
  host.become = Become::kSudo;
  SshTarget target = SshTarget::FromHost(host);
  CHECK(target.label == "pg1 (198.18.0.11)");
  CHECK(target.address == "198.18.0.11");
  CHECK(target.ssh.user == "deploy");
  CHECK(target.become == Become::kSudo);
}

TEST_CASE("ExpandTilde replaces only a leading ~ or ~/", "[ssh_transport]") {
  CHECK(ExpandTilde("~/.ssh/known_hosts", "/home/ops") == "/home/ops/.ssh/known_hosts");
  CHECK(ExpandTilde("~", "/home/ops") == "/home/ops");
  // ~user is not supported: left alone rather than guessed.
  CHECK(ExpandTilde("~ops/.ssh/id", "/home/me") == "~ops/.ssh/id");
  CHECK(ExpandTilde("/etc/ssh/~backup", "/home/ops") == "/etc/ssh/~backup");
  CHECK(ExpandTilde("", "/home/ops") == "");
}

TEST_CASE("CommandName names the program a command runs", "[ssh_transport]") {
  CHECK(CommandName("sleep 10") == "sleep");
  // Environment assignments are not the program.
  CHECK(CommandName("LC_ALL=C PGDATA=/x cat -- f") == "cat");
  // Separators end the word.
  CHECK(CommandName("  true;false") == "true");
  // A lone assignment is all there is to name.
  CHECK(CommandName("A=1") == "A=1");
  // A word with '=' after other characters is no assignment.
  CHECK(CommandName("--opt=1 x") == "--opt=1");
  CHECK(CommandName(" ") == "(empty command)");
}

}  // namespace
}  // namespace pgpair
