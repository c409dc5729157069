#include "engine/facts/standby_state.h"

#include <catch2/catch.hpp>

namespace pgpair {
namespace {

TEST_CASE("The live servers are asked whether the standby streams by the facts' rule",
          "[standby_state]") {
  CHECK(StandbyReceiverStreamingSql() ==
        "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming';");
  // The standby by address or name, never pg_basebackup's stream; every
  // value quoted.
  CHECK(PrimarySenderStreamingSql("198.18.0.12", "pg2") ==
        "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND "
        "application_name IS DISTINCT FROM 'pg_basebackup' AND (host(client_addr) = "
        "'198.18.0.12' OR application_name = 'pg2');");
  CHECK(PrimarySenderStreamingSql("::1", "o'brien").find("application_name = 'o''brien'") !=
        std::string::npos);
}

}  // namespace
}  // namespace pgpair
