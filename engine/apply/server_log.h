#ifndef PGPAIR_ENGINE_APPLY_SERVER_LOG_H_
#define PGPAIR_ENGINE_APPLY_SERVER_LOG_H_

#include <string>
#include <vector>

namespace pgpair {

// The lines of `log` that explain why a server did not start. `log` is what
// the server wrote since the start (or restart) began: for a restart it also
// holds the old server's shutdown. Lines are PostgreSQL's stderr format with
// a log_line_prefix that ends before "SEVERITY:  message" (the default
// '%m [%p] ' and Debian's). The failing postmaster is the process of the
// last FATAL or PANIC line (else the last ERROR); its own lines up to that
// one, with the DETAIL, HINT and CONTEXT lines that follow it, are the
// explanation: the LOG lines before a FATAL say what it is about ("invalid
// value for parameter ..."). Without a process id in the prefix, the few
// lines before it are taken instead. Without any such line (a timeout, a
// log in another language) the last lines are returned. At most `max_lines`,
// always including the last FATAL/PANIC/ERROR line; empty for an empty log.
std::vector<std::string> ExplainingLogLines(const std::string& log, size_t max_lines = 12);

// The line among `lines` that says the start failed: the last FATAL or PANIC
// line, else the last ERROR line, else the last line; empty for no lines.
std::string FailureLine(const std::vector<std::string>& lines);

// A log line without its prefix: "FATAL:  could not access file ..." from
// "2026-12-01 11:06:15.657 UTC [9420] FATAL:  could not access file ...";
// the line itself when it has no severity.
std::string LogMessage(const std::string& line);

// A setting apply wrote before the start that failed.
struct StartSuspect {
  std::string name;     // lowercased, as pg_settings names it
  std::string value;    // as the server reads it (unquoted)
  std::string display;  // as the plan shows it ("'4TB'", "on")
  std::string address;  // the change's address, "setting[pg1/shared_buffers]"
};

// Which of `suspects` the explaining lines blame, in their order: those
// whose name a FATAL, PANIC, ERROR, LOG or DETAIL line names (not a HINT:
// the shared-memory hint names shared_buffers whatever the cause); else
// those whose distinctive value (at least 4 characters, not a boolean word
// and not a number with a unit) a line quotes, as a missing library or an
// address that cannot be bound is quoted; else, by what the failure is about
// (shared memory, TCP/IP or Unix sockets, SSL files), the suspects that can
// cause it (the segment's size, huge pages; listen_addresses, port; ...);
// else all of them: the log does not tell.
std::vector<StartSuspect> BlamedSettings(const std::vector<std::string>& lines,
                                         const std::vector<StartSuspect>& suspects);

}  // namespace pgpair

#endif  // PGPAIR_ENGINE_APPLY_SERVER_LOG_H_
