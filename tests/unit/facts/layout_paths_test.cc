#include <catch2/catch.hpp>

#include "engine/facts/facts.h"

namespace pgpair {
namespace {

TEST_CASE("A path inside a directory, relative to it", "[facts][layout]") {
  CHECK(PathInside("/var/lib/pgsql/15/data/postgresql.conf", "/var/lib/pgsql/15/data") ==
        "postgresql.conf");
  CHECK(PathInside("/var/lib/pgsql/15/data/conf/pg_hba.conf", "/var/lib/pgsql/15/data//") ==
        "conf/pg_hba.conf");
  // A sibling that shares the directory's name as a prefix is outside it.
  CHECK(PathInside("/var/lib/pgsql/15/data2/postgresql.conf", "/var/lib/pgsql/15/data") == "");
  CHECK(PathInside("/var/lib/pgsql/15/data", "/var/lib/pgsql/15/data") == "");
  CHECK(PathInside("/var/lib/pgsql/15/data/", "/var/lib/pgsql/15/data") == "");
  CHECK(PathInside("/etc/postgresql/15/main/postgresql.conf", "/var/lib/postgresql/15/main") == "");
}

TEST_CASE("postgresql.conf outside the data directory, as Debian keeps it", "[facts][layout]") {
  LayoutFacts layout;
  layout.data_dir = "/var/lib/postgresql/15/main";
  layout.config_file = "/etc/postgresql/15/main/postgresql.conf";
  CHECK(ConfigOutsideDataDir(layout) == std::optional<std::string>(*layout.config_file));
  layout.config_file = "/var/lib/postgresql/15/main/postgresql.conf";
  CHECK_FALSE(ConfigOutsideDataDir(layout).has_value());
  layout.config_file.reset();  // unknown: nothing to tell the server
  CHECK_FALSE(ConfigOutsideDataDir(layout).has_value());
  layout.config_file = "/etc/postgresql/15/main/postgresql.conf";
  layout.data_dir.reset();
  CHECK_FALSE(ConfigOutsideDataDir(layout).has_value());
}

}  // namespace
}  // namespace pgpair
