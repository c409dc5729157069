#include "engine/cli/logging.h"

#include <fcntl.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "engine/util/log_pair.h"

namespace pgpair {

Status ConfigureLogging(const std::string& level, const std::string& log_file) {
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  console->set_level(spdlog::level::from_str(level));
  std::vector<spdlog::sink_ptr> sinks{console};
  spdlog::level::level_enum lowest = console->level();
  if (!log_file.empty()) {
    int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || fchmod(fd, 0600) != 0) {
      if (fd >= 0) close(fd);
      return Status::Error("pgpair: --log-file " + log_file + ": " + std::strerror(errno));
    }
    close(fd);
    try {
      auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_file, false);
      file->set_level(std::min(spdlog::level::debug, console->level()));
      lowest = std::min(lowest, file->level());
      sinks.push_back(file);
    } catch (const spdlog::spdlog_ex& e) {
      return Status::Error("pgpair: --log-file " + log_file + ": " + e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>("pgpair", sinks.begin(), sinks.end());
  // %&: the pair, in a run over many (engine/util/log_pair.h).
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LogPairFlag>('&').set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %&%v");
  logger->set_formatter(std::move(formatter));
  logger->set_level(lowest);
  logger->flush_on(spdlog::level::debug);
  // A new logger per call (the unit tests run RunCli many times), put in
  // place only once it is whole: dropping the old one also unsets the
  // default logger, which every log call uses.
  spdlog::drop("pgpair");
  spdlog::register_logger(logger);
  spdlog::set_default_logger(logger);
  return Status::Ok();
}

}  // namespace pgpair
