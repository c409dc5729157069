#include "engine/facts/gather_script.h"

#include <random>
#include <sstream>
#include <vector>

#include "engine/facts/gather.sh.inc"
#include "engine/util/host_state.h"
#include "engine/util/shell_quote.h"

namespace pgpair {
std::string NewGatherMark() {
  std::random_device device;
  std::mt19937_64 generator(device());
  std::ostringstream mark;
  mark << "@@pgpair-" << std::hex << generator();
  return mark.str();
}

GatherCall BuildGatherCall(const HostSpec& host, const GatherRequest& request,
                           const std::string& mark) {
  const PostgresLayout& pg = host.postgres;
  // In gather.sh's order.
  const std::vector<std::string> args = {
      mark,
      pg.cluster.value_or(""),
      pg.port ? std::to_string(*pg.port) : "",
      pg.bin_dir.value_or(""),
      pg.data_dir.value_or(""),
      pg.config_file.value_or(""),
      pg.hba_file.value_or(""),
      pg.socket_dir.value_or(""),
      pg.os_user,
      request.replication_role,
      request.archive_dir,
      kRefusedSettingsFile,
  };
  GatherCall call;
  call.command = "/bin/sh -s --";
  for (const std::string& arg : args) call.command += " " + ShellQuote(arg);
  call.script = kGatherScript;
  return call;
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
