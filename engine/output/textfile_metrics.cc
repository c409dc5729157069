#include "engine/output/textfile_metrics.h"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <set>

#include "engine/util/atomic_file.h"

namespace pgpair {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

std::string FormatLabels(const Labels& labels) {
  std::string text = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) text += ",";
    text += labels[i].first + "=\"" + EscapeLabelValue(labels[i].second) + "\"";
  }
  return text + "}";
}

// Shortest text that reads back as the same double; integers without a
// fraction, as Prometheus prints them.
std::string FormatValue(double value) {
  char text[64];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return text;
}

// One family: its header, then a sample for each pair that has one.
struct Family {
  const char* name;
  const char* type;
  const char* help;
  // Appends the pair's samples (labels, value) of this family.
  std::function<void(const PairMetrics&, std::vector<std::pair<Labels, double>>*)> samples;
};

void ForHosts(const PairMetrics& pair,
              const std::function<std::optional<double>(const HostMetrics&)>& value,
              std::vector<std::pair<Labels, double>>* out) {
  for (const HostMetrics& host : pair.hosts) {
    if (std::optional<double> v = value(host)) {
      out->push_back({{{"pair", pair.pair}, {"host", host.host}}, *v});
    }
  }
}

void ForStandby(const PairMetrics& pair, const std::optional<double>& value,
                std::vector<std::pair<Labels, double>>* out) {
  if (value && !pair.standby.empty()) {
    out->push_back({{{"pair", pair.pair}, {"host", pair.standby}}, *value});
  }
}

std::optional<double> Flag(const std::optional<bool>& value) {
  if (!value) return std::nullopt;
  return *value ? 1.0 : 0.0;
}

const std::vector<Family>& Families() {
  static const std::vector<Family> families = {
      {"pgpair_check_success", "gauge", "1 when both hosts of the pair were read and planned.",
       [](const PairMetrics& p, auto* out) {
         out->push_back({{{"pair", p.pair}}, p.success ? 1.0 : 0.0});
       }},
      {"pgpair_up", "gauge", "1 when pgpair reached the host over SSH and read its facts.",
       [](const PairMetrics& p, auto* out) {
         ForHosts(
             p, [](const HostMetrics& h) { return std::optional<double>(h.up ? 1 : 0); }, out);
       }},
      {"pgpair_last_check_timestamp_seconds", "gauge", "When the last check of the pair ran.",
       [](const PairMetrics& p, auto* out) {
         out->push_back({{{"pair", p.pair}}, p.timestamp_seconds});
       }},
      {"pgpair_check_duration_seconds", "gauge", "How long the last check of the pair took.",
       [](const PairMetrics& p, auto* out) {
         out->push_back({{{"pair", p.pair}}, p.duration_seconds});
       }},
      {"pgpair_apply_in_progress", "gauge",
       "1 while a pgpair apply holds the pair's lock (drift and streaming are then not "
       "reported).",
       [](const PairMetrics& p, auto* out) {
         // Known only of a pair whose hosts were contacted.
         if (!p.hosts.empty()) {
           out->push_back({{{"pair", p.pair}}, p.apply_in_progress ? 1.0 : 0.0});
         }
       }},
      {"pgpair_drift_changes", "gauge", "Changes needed to match the manifest, by resource kind.",
       [](const PairMetrics& p, auto* out) {
         for (const auto& [kind, count] : p.drift_by_kind) {
           out->push_back({{{"pair", p.pair}, {"kind", kind}}, static_cast<double>(count)});
         }
       }},
      {"pgpair_standby_streaming", "gauge",
       "1 when the standby's WAL receiver streams from the primary.",
       [](const PairMetrics& p, auto* out) { ForStandby(p, Flag(p.streaming), out); }},
      {"pgpair_standby_replay_lag_bytes", "gauge",
       "WAL the standby has still to replay: the primary's current LSN minus the standby's "
       "replay LSN.",
       [](const PairMetrics& p, auto* out) { ForStandby(p, p.replay_lag_bytes, out); }},
      {"pgpair_standby_replay_lag_seconds", "gauge",
       "The primary's pg_stat_replication.replay_lag for the standby (absent when idle).",
       [](const PairMetrics& p, auto* out) { ForStandby(p, p.replay_lag_seconds, out); }},
      {"pgpair_replay_delay_seconds", "gauge", "Time since the standby replayed the last commit.",
       [](const PairMetrics& p, auto* out) { ForStandby(p, p.replay_delay_seconds, out); }},
      {"pgpair_archiver_failed_count", "counter",
       "pg_stat_archiver.failed_count: failed attempts to archive WAL since the statistics' "
       "reset.",
       [](const PairMetrics& p, auto* out) {
         ForHosts(
             p,
             [](const HostMetrics& h) -> std::optional<double> {
               if (!h.archiver_failed_count) return std::nullopt;
               return static_cast<double>(*h.archiver_failed_count);
             },
             out);
       }},
      {"pgpair_archiver_failing", "gauge",
       "1 when the archiver's last failure is later than its last success.",
       [](const PairMetrics& p, auto* out) {
         ForHosts(
             p, [](const HostMetrics& h) { return Flag(h.archiver_failing); }, out);
       }},
  };
  return families;
}

}  // namespace

std::string EscapeLabelValue(const std::string& value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string FormatTextfile(const std::vector<PairMetrics>& pairs) {
  std::vector<const PairMetrics*> unique;
  std::set<std::string> seen;
  for (const PairMetrics& pair : pairs) {
    if (seen.insert(pair.pair).second) unique.push_back(&pair);
  }
  std::string text;
  for (const Family& family : Families()) {
    std::vector<std::pair<Labels, double>> samples;
    for (const PairMetrics* pair : unique) family.samples(*pair, &samples);
    // A family without a sample is left out whole: its header alone would
    // say nothing.
    if (samples.empty()) continue;
    text += std::string("# HELP ") + family.name + " " + family.help + "\n";
    text += std::string("# TYPE ") + family.name + " " + family.type + "\n";
    for (const auto& [labels, value] : samples) {
      text += family.name + FormatLabels(labels) + " " + FormatValue(value) + "\n";
    }
  }
  return text;
}

Status WriteTextfile(const std::string& path, const std::vector<PairMetrics>& pairs) {
  return WriteFileAtomically(path, FormatTextfile(pairs), 0644);
}

}  // namespace pgpair
