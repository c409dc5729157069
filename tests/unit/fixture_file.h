#ifndef PGPAIR_TESTS_UNIT_FIXTURE_FILE_H_
#define PGPAIR_TESTS_UNIT_FIXTURE_FILE_H_

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace pgpair::testing {

// Reads tests/fixtures/<relative_path>; throws (failing the test) if missing.
inline std::string ReadFixture(const std::string& relative_path) {
  std::ifstream file(std::string(PGPAIR_FIXTURES_DIR) + "/" + relative_path, std::ios::binary);
  if (!file) throw std::runtime_error("missing fixture " + relative_path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace pgpair::testing

#endif  // PGPAIR_TESTS_UNIT_FIXTURE_FILE_H_
