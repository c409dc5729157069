#include "engine/facts/gather_script.h"

#include <random>
#include <sstream>

#include "engine/facts/gather.sh.inc"
#include "engine/util/host_state.h"
#include "engine/util/shell_quote.h"

namespace pgpair {
namespace {

std::string Assign(const std::string& name, const std::optional<std::string>& value) {
  return name + "=" + ShellQuote(value.value_or("")) + "\n";
}

}  // namespace

std::string NewGatherMark() {
  std::random_device device;
  std::mt19937_64 generator(device());
  std::ostringstream mark;
  mark << "@@pgpair-" << std::hex << generator();
  return mark.str();
}

std::string BuildGatherScript(const HostSpec& host, const GatherRequest& request,
                              const std::string& mark) {
  const PostgresLayout& pg = host.postgres;
  std::string script;
  script += Assign("PGPAIR_MARK", mark);
  script += Assign("PG_CLUSTER", pg.cluster);
  script += Assign("PG_PORT",
                   pg.port ? std::optional<std::string>(std::to_string(*pg.port)) : std::nullopt);
  script += Assign("PG_BIN", pg.bin_dir);
  script += Assign("PG_DATA", pg.data_dir);
  script += Assign("PG_CONF", pg.config_file);
  script += Assign("PG_HBA", pg.hba_file);
  script += Assign("PG_SOCKET", pg.socket_dir);
  script += Assign("PG_OS_USER", pg.os_user);
  script += Assign("PG_ROLE", request.replication_role);
  script += Assign("ARCHIVE_DIR", request.archive_dir);
  script += Assign("PGPAIR_REFUSED", std::string(kRefusedSettingsFile));
  script += kGatherScript;
  return script;
}

Result<GatherSections> ParseGatherOutput(const std::string& output, const std::string& mark) {
  GatherSections sections;
  const std::string begin = mark + " begin ";
  const std::string stderr_tag = "\n" + mark + " stderr ";
  const std::string end_tag = "\n" + mark + " end ";
  size_t pos = 0;
  while ((pos = output.find(begin, pos)) != std::string::npos) {
    size_t name_end = output.find('\n', pos);
    if (name_end == std::string::npos) break;
    std::string name = output.substr(pos + begin.size(), name_end - pos - begin.size());
    size_t err_pos = output.find(stderr_tag + name + "\n", name_end);
    size_t end_pos = output.find(end_tag + name + " ", name_end);
    if (err_pos == std::string::npos || end_pos == std::string::npos || end_pos < err_pos) {
      return Status::Error("the facts script stopped in the middle of section \"" + name + "\"");
    }
    GatherSection section;
    // The script adds one newline before each marker so that a file without a
    // final newline cannot hide the marker; take it back off.
    section.out = output.substr(name_end + 1, err_pos - name_end - 1);
    size_t err_start = err_pos + stderr_tag.size() + name.size() + 1;
    section.err = output.substr(err_start, end_pos - err_start);
    size_t rc_start = end_pos + end_tag.size() + name.size() + 1;
    size_t rc_end = output.find('\n', rc_start);
    try {
      section.exit_status = std::stoi(output.substr(rc_start, rc_end - rc_start));
    } catch (const std::exception&) {
      return Status::Error("the facts script gave no exit status for section \"" + name + "\"");
    }
    sections[name] = std::move(section);
    pos = rc_end == std::string::npos ? output.size() : rc_end;
  }
  if (sections.empty()) {
    return Status::Error("the facts script printed nothing pgpair could read");
  }
  return sections;
}

}  // namespace pgpair
