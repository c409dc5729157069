#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "engine/apply/applier.h"
#include "engine/apply/apply_lock.h"
#include "engine/cli/apply_report.h"
#include "engine/cli/cli.h"
#include "engine/cli/pair_commands.h"
#include "engine/cli/saved_plan_file.h"
#include "engine/output/colour.h"
#include "engine/output/json_text.h"
#include "engine/output/plan_report.h"
#include "engine/plan/planner.h"
#include "engine/plan/saved_plan.h"

namespace pgpair {
namespace {

using Clock = std::chrono::steady_clock;

// A pair session with apply's lock held: the lock is taken before the facts
// are gathered, so that the plan is made from facts no other apply is
// changing, and held until the final re-plan (it goes with `lock`).
struct LockedSession {
  PairSession session;
  std::unique_ptr<ApplyLock> lock;
};

Result<LockedSession> OpenLocked(const std::string& manifest_path, const Connectors& connectors) {
  Result<PairSession> session = LoadPairSession(manifest_path);
  if (!session.ok()) return session.status();
  const Manifest& manifest = session->manifest;
  // The lock goes over connections of its own: it is taken while the
  // session's connections are made, each a round trip or more to the hosts.
  // Connecting changes nothing; the facts are gathered only once it is held.
  auto taking = std::async(std::launch::async, [&] {
    LeaseOpener open = connectors.lease_opener ? connectors.lease_opener(manifest) : LeaseOpener();
    return ApplyLock::Acquire(manifest, open, LockOwner::ThisProcess(manifest.pair));
  });
  ConnectPairSession(*session, connectors.connect);
  Result<std::unique_ptr<ApplyLock>> lock = taking.get();
  if (!lock.ok()) return Status::Error("pgpair: " + lock.status().message());
  LockedSession locked{std::move(session).value(), std::move(lock).value()};
  RefreshFacts(locked.session, connectors.login_check);
  return locked;
}

std::string Indented(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += "  " + line + "\n";
  return text;
}

bool IsSavedPlanFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  return LooksLikeSavedPlan(text.str());
}

// One run of `apply`. With --json, what people read goes to stderr and the
// report (engine/cli/apply_report.h) to stdout once the run ends, whatever
// its outcome.
class ApplyRun {
 public:
  ApplyRun(const PairCommandOptions& options, const Connectors& connectors)
      : options_(options), connectors_(connectors), out_(options.json ? std::cerr : std::cout) {}

  int Run() {
    if (IsSavedPlanFile(options_.manifest_path)) return ApplySaved(options_.manifest_path);
    return ApplyManifest();
  }

 private:
  // Ends the run: `message` (empty for success) on stderr, the report on
  // stdout with --json.
  int Finish(int status, const std::string& result, const std::string& message) {
    if (!message.empty()) std::cerr << message << "\n";
    if (options_.json) std::cout << ToJsonText(report_.Finish(result, message)) << "\n";
    return status;
  }
  int Refuse(const std::string& message) { return Finish(kExitError, "refused", message); }

  bool Confirm(size_t change_count) {
    out_ << "\nApply " << (change_count == 1 ? "this change" : "these changes")
         << "? Only 'yes' is accepted: " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "yes";
  }

  nlohmann::json Document(const Plan& plan) {
    nlohmann::json document = PlanToJson(plan);
    document["pair"] = locked_->session.manifest.pair;
    document["apply_in_progress"] = nlohmann::json::array();
    return document;
  }

  int ApplyManifest() {
    Result<LockedSession> locked = OpenLocked(options_.manifest_path, connectors_);
    if (!locked.ok()) return Refuse(locked.status().message());
    locked_ = std::move(locked).value();
    PairSession& session = locked_->session;
    const Manifest& manifest = session.manifest;
    report_.SetPair(manifest.pair);
    PlanInput input = MakePlanInput(session, options_.allow_overwrite_primary, UtcTimestamp());
    Plan plan = MakePlan(input);
    report_.AddPlan(Document(plan));
    out_ << "pgpair apply: pair " << manifest.pair << "\n\n" << FormatPlan(plan, manifest, colour_);
    if (!plan.blockers.empty()) {
      return Refuse("pgpair: nothing was changed: the plan has blockers");
    }
    if (plan.changes.empty()) return Finish(kExitOk, "no_changes", "");
    if (!options_.auto_approve) {
      if (options_.json || !isatty(STDIN_FILENO)) {
        return Refuse(
            "pgpair: no terminal to confirm on; pass --auto-approve to apply without asking "
            "(scripts, CI, --json), or apply a plan saved by `pgpair plan -o`");
      }
      if (!Confirm(plan.changes.size())) return Refuse("pgpair: not applied");
    }
    return Perform(plan, input);
  }

  // `apply PLAN`: the saved plan, made again from the facts as they are
  // now, performed only if it is the same plan from the same facts and
  // manifest.
  int ApplySaved(const std::string& plan_path) {
    report_.SetSavedPlan(plan_path);
    Result<SavedPlan> saved = ReadSavedPlan(plan_path);
    if (!saved.ok()) return Refuse("pgpair: " + saved.status().message());
    report_.SetPair(saved->pair);
    const std::string stale =
        "pgpair: the saved plan " + plan_path + " (made " + saved->created_at + ") is stale: ";
    const std::string remedy = "nothing was changed; make a new plan: pgpair plan " +
                               saved->manifest_path + " -o " + plan_path;
    // Before any host is contacted.
    if (Status same = CheckManifestUnchanged(*saved); !same.ok()) {
      return Refuse(stale + same.message() + "; " + remedy);
    }
    Result<LockedSession> locked = OpenLocked(saved->manifest_path, connectors_);
    if (!locked.ok()) return Refuse(locked.status().message());
    locked_ = std::move(locked).value();
    PairSession& session = locked_->session;
    // The saved plan's time and options, so that the same facts give the
    // same plan, moved-aside names included.
    PlanInput input = MakePlanInput(session, saved->allow_overwrite_primary, saved->timestamp);
    std::vector<std::string> changed = FingerprintDifferences(
        saved->fingerprint,
        FingerprintFacts(session.manifest, *input.primary, *input.standby, input.login_check));
    if (!changed.empty()) {
      return Refuse(stale + "the hosts changed since it was made:\n" + Indented(changed) + remedy);
    }
    Plan plan = MakePlan(input);
    std::vector<std::string> differs = PlanDocumentDifferences(saved->plan, PlanToJson(plan));
    if (!differs.empty()) {
      return Refuse(stale + "the plan made from the hosts now differs from it:\n" +
                    Indented(differs) + remedy);
    }
    report_.AddPlan(Document(plan));
    out_ << "pgpair apply: saved plan " << plan_path << " (made " << saved->created_at << "), pair "
         << session.manifest.pair << "; the hosts and the manifest are as they were\n\n"
         << FormatPlan(plan, session.manifest, colour_);
    if (!plan.blockers.empty()) {
      return Refuse("pgpair: nothing was changed: the plan has blockers");
    }
    if (plan.changes.empty()) return Finish(kExitOk, "no_changes", "");
    // The saved plan is what was approved: no question.
    return Perform(plan, input);
  }

  Status ApplyRound(const Plan& plan, const PlanInput& facts_before) {
    PairSession& session = locked_->session;
    const ApplyLock& held = *locked_->lock;
    ApplyTimings timings;
    timings.streaming_wait = std::chrono::seconds(options_.wait_seconds);
    ApplyContext context;
    context.manifest = &session.manifest;
    context.plan_input = &facts_before;
    context.primary = session.primary_transport();
    context.standby = session.standby_transport();
    context.replication_password = session.replication_password;
    // Flushed line by line: a log of a run that is killed keeps its last step.
    context.progress = [this](const std::string& message) {
      out_ << "  -> " << message << std::endl;
      report_.Progress(message);
    };
    context.step_started = [this](const std::string& kind, const std::string& name,
                                  const std::string& host) {
      report_.StepStarted(kind, name, host);
    };
    context.step_finished = [this](const Status& result) { report_.StepFinished(result); };
    context.lock_held = [&held] {
      return held.Held() ? Status::Ok() : Status::Error(held.LostReason());
    };
    context.lease_pids = held.LeasePids();
    out_ << "\n";
    return ApplyPlan(plan, context, timings);
  }

  // A step that failed because a host went away fails for that reason.
  int Failed(const Status& failed) {
    const ApplyLock& held = *locked_->lock;
    std::string message = "pgpair: apply failed: " + failed.message();
    if (!held.Held() && failed.message().find(held.LostReason()) == std::string::npos) {
      message += "\npgpair: " + held.LostReason();
    }
    return Finish(kExitError, "failed", message);
  }

  // Makes `plan` (approved, made from `input`'s facts), then what it
  // deferred, then proves the result by planning again.
  int Perform(const Plan& plan, const PlanInput& input) {
    PairSession& session = locked_->session;
    const Manifest& manifest = session.manifest;
    Status applied = ApplyRound(plan, input);
    if (!applied.ok()) return Failed(applied);
    report_.AddChangesMade(plan.changes.size());
    size_t made = plan.changes.size();

    // What waited for the changes above (the standby's clone while the
    // primary was stopped) is planned now and made in the same run; the
    // operator approved it with the first plan, which named it.
    if (!plan.deferred.empty()) {
      RefreshFacts(session, connectors_.login_check);
      // The run's one time: the names of what it moves aside share it.
      PlanInput next_input =
          MakePlanInput(session, options_.allow_overwrite_primary, input.timestamp);
      Plan next = MakePlan(next_input);
      report_.AddPlan(Document(next));
      out_ << "\nPlanned now, after the changes above:\n\n" << FormatPlan(next, manifest, colour_);
      if (!next.blockers.empty() || !next.deferred.empty()) {
        return Finish(kExitError, "failed",
                      "pgpair: apply stopped: what waited cannot be planned yet (see above)");
      }
      Status second = ApplyRound(next, next_input);
      if (!second.ok()) return Failed(second);
      report_.AddChangesMade(next.changes.size());
      made += next.changes.size();
    }

    // Prove the result: the facts gathered again must give an empty plan.
    RefreshFacts(session, connectors_.login_check);
    Plan after = MakePlan(MakePlanInput(session, false, UtcTimestamp()));
    double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    if (!after.empty()) {
      return Finish(kExitError, "failed",
                    "pgpair: BUG: the plan after apply is not empty; remaining:\n" +
                        FormatPlan(after, manifest));
    }
    out_ << "\nApplied " << made << (made == 1 ? " change" : " changes") << " in " << std::fixed
         << std::setprecision(1) << seconds
         << " s; facts gathered again: the pair matches the manifest.\n";
    return Finish(kExitOk, "applied", "");
  }

  const PairCommandOptions& options_;
  const Connectors& connectors_;
  std::ostream& out_;
  // Colour where people read: stdout, or stderr with --json.
  bool colour_ = UseColour(options_.json ? STDERR_FILENO : STDOUT_FILENO);
  Clock::time_point start_ = Clock::now();
  ApplyReport report_;
  std::optional<LockedSession> locked_;
};

}  // namespace

int RunApplyCommand(const PairCommandOptions& options, const Connectors& connectors) {
  return ApplyRun(options, connectors).Run();
}

}  // namespace pgpair
