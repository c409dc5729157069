#include "engine/util/log_pair.h"

#include <utility>

namespace pgpair {
namespace {

thread_local std::string current_pair;

}  // namespace

LogPairScope::LogPairScope(std::string pair)
    : outer_(std::exchange(current_pair, std::move(pair))) {}

LogPairScope::~LogPairScope() { current_pair = std::move(outer_); }

const std::string& LoggedPair() { return current_pair; }

void LogPairFlag::format(const spdlog::details::log_msg&, const std::tm&,
                         spdlog::memory_buf_t& dest) {
  if (current_pair.empty()) return;
  dest.push_back('[');
  dest.append(current_pair.data(), current_pair.data() + current_pair.size());
  dest.append(std::string_view("] "));
}

std::unique_ptr<spdlog::custom_flag_formatter> LogPairFlag::clone() const {
  return std::make_unique<LogPairFlag>();
}

}  // namespace pgpair
