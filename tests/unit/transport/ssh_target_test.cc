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

}  // namespace
}  // namespace pgpair
