// What happened to a booking and why, in words (scsim trace). Built only when
// a tracer is set (Model::explain); untraced runs never call these.
#include <cstdio>

#include "models/pipeline/model.hpp"

namespace scsim::detail {

namespace {

std::string_view charge_words(Charge c) {
  constexpr std::array<std::string_view, kCharges> w{"a violent felony", "a non-violent felony", "a misdemeanor",
                                                     "a traffic"};
  return w[static_cast<std::size_t>(c)];
}
std::string_view group_words(Group g) {
  constexpr std::array<std::string_view, kGroups> w{
      "US-born citizen", "naturalised citizen", "lawful permanent resident", "visa holder (other lawful status)",
      "removable non-citizen with a DHS record", "removable non-citizen never encountered by DHS"};
  return w[static_cast<std::size_t>(g)];
}
std::string_view level_words(Level l) {
  constexpr std::array<std::string_view, kLevels> w{
      "Level 1 (aggravated felony or two serious offences)", "Level 2 (a felony or three misdemeanors)",
      "Level 3 (misdemeanors)", "no criminal record (non-criminal)"};
  return w[static_cast<std::size_t>(l)];
}
std::string_view path_words(JailPath j) {
  constexpr std::array<std::string_view, kJailPaths> w{"pretrial release: bail or own recognisance",
                                                       "charges dismissed", "sentence served after conviction"};
  return w[static_cast<std::size_t>(j)];
}

}  // namespace

std::string hours_text(sim::Duration d) {
  char buf[32];
  if (d < 2 * sim::kHour)
    std::snprintf(buf, sizeof buf, "%lld min", static_cast<long long>(d / sim::kMinute));
  else if (d < 2 * sim::kDay)
    std::snprintf(buf, sizeof buf, "%.1f hours", double(d) / double(sim::kHour));
  else
    std::snprintf(buf, sizeof buf, "%.1f days", double(d) / kSecondsPerDay);
  return buf;
}

std::string share_text(double p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", p);
  return buf;
}

std::string Model::policy_in_force(const Person& p, sim::Time t, RulePart part, std::string_view otherwise) const {
  const PolicySpec* last = nullptr;
  for (const auto& pol : sc_.policies) {
    if (!pol.sets_part(part)) continue;
    if (!pol.scope.covers(*jurisdictions_[p.info.jurisdiction].spec)) continue;
    if (cal_.to_time(pol.from) <= t && (!pol.to || t < cal_.to_time(*pol.to))) last = &pol;
  }
  return last ? last->summary + " (" + last->origin + ")" : std::string(otherwise);
}

std::string Model::days_not_counted(sim::Time from, sim::Time until) const {
  std::string out;
  for (sim::Time day = cal_.start_of_day(from); day < until; day += sim::kDay) {
    const sim::Date d = cal_.date_of(day);
    if (cal_.is_business_day(d)) continue;
    const std::string date = when(day).substr(11, 3) + " " + sim::format_date(d);  // "Sat 2011-05-28"
    std::string name;
    for (const auto& h : sim::federal_holidays(int(d.year())))
      if (h.date == d) name = std::string(h.name) + " (" + date + ")";
    out += (out.empty() ? "" : ", ") + (name.empty() ? date : name);
  }
  return out;
}

std::string Model::released_text(const Person& p) const {
  return "released " + when(p.release) + " (" + std::string(path_words(p.info.path)) + ")";
}

std::string Model::booked_text(const Person& p) const {
  return "booked on " + std::string(charge_words(p.info.charge)) + " charge and fingerprinted; " +
         std::string(group_words(p.info.group)) + ", " + std::string(level_words(p.info.level)) +
         "; without ICE, criminal custody ends " + when(p.release) + " (" + std::string(path_words(p.info.path)) + ")";
}

std::string Model::not_activated_text(const Person& p, const Segment& seg) const {
  const JurisdictionRun& local = jurisdictions_[p.info.jurisdiction];
  std::string why = "IAFIS checks criminal history only: Secure Communities ";
  if (local.rollout->activation)
    why += "starts here on " + sim::format_date(*local.spec->activation);
  else if (!local.rollout->ramp.empty())
    why += "has not reached this booking's area yet (rollout ramp)";
  else
    why += "is never activated here in this scenario";
  if (seg.coverage_cap < 1.0)
    why += "; rollout frozen by " + policy_in_force(p, sim_.now(), RulePart::rollout_freeze, "a state refusal");
  return why + "; " + released_text(p);
}

std::string Model::not_shared_text(const Person& p, std::string_view what) const {
  return std::string(what) + " under " + policy_in_force(p, sim_.now(), RulePart::sharing, "a no-sharing rule") +
         "; " + released_text(p);
}

std::string Model::to_ident_text(Node from) const {
  return std::string(from == Node::stage(Stage::iafis) ? "Secure Communities is active here" : "convicted") +
         ": IAFIS also sends the prints to DHS IDENT";
}

std::string Model::no_match_text(const Person& p) const {
  return std::string(p.info.group == Group::removable_unknown
                         ? "no IDENT match: DHS never encountered this person"
                         : "no IDENT match: this person's prints are not in DHS's records") +
         "; " + released_text(p);
}

std::string Model::iar_text(const Person& p, sim::Duration waited, bool notify_jail) const {
  return std::string("LESC answers with an Immigration Alien Response (IAR)") +
         (waited > 0 ? " after waiting " + hours_text(waited) + " for an analyst" : "") +
         (notify_jail ? ", to the ICE field office and the jail"
                      : ", to the ICE field office only: no local notification under " +
                            policy_in_force(p, sim_.now(), RulePart::local_notification, "an opt-out"));
}

std::string Model::priorities_text(const Person& p, const RuleSet& rules) const {
  const auto level = static_cast<std::size_t>(p.info.level);
  return "P(detainer)=" + share_text(rules.p_detainer[level]) + ", P(notification)=" +
         share_text(rules.p_notification[level]) + " for " + std::string(kLevelNames[level]) + " under " +
         policy_in_force(p, sim_.now(), RulePart::ice_priorities, "the scenario's ICE priorities");
}

std::string Model::no_bail_text(const Person& p, double p_lost, sim::Time release) const {
  return "with a detainer there is no bail (P=" + share_text(p_lost) +
         "): custody lasts until the case is disposed of, " + when(release) + " instead of " + when(p.release);
}

std::string Model::hold_text(sim::Duration max_hold, sim::Time hold_end) const {
  const std::string skipped = days_not_counted(sim_.now(), hold_end);
  return "criminal custody is over; the jail holds the person for ICE: at most " +
         std::to_string(max_hold / sim::kHour) +
         " hours excluding weekends and holidays (8 CFR 287.7(d)), so until " + when(hold_end) +
         (skipped.empty() ? std::string() : ", not counting " + skipped);
}

std::string Model::hold_expired_text(const Person& p, const PickupInHold& pickup) const {
  return p.u_pickup < pickup.p_comes
             ? "hold expired: ICE would have come " + hours_text(d_pickup(p)) + " after release, too late; released"
             : "hold expired: ICE did not come (P(pick-up)=" + share_text(pickup.p_comes) + "); released";
}

std::string Model::outcome_text(const Custody& c) const {
  static constexpr std::array<std::string_view, kStatuses> status{
      "a US citizen", "a lawful resident with no removable conviction or violation",
      "a lawful resident charged with, but not convicted of, a removable offence", "removable",
      "removable, with a prior removal order"};
  static constexpr std::array<std::string_view, kCustodyPaths> path{
      "released once status is established", "released pending proceedings (bond, recognisance or supervision)",
      "voluntary return", "stipulated removal order", "prior order reinstated", "detained immigration-court case"};
  const int edge = topo_.edge(Node::stage(Stage::ice_custody), Node::end(c.outcome));
  return std::string(status[std::size_t(c.status)]) + " (" + std::string(kLevelNames[std::size_t(c.level)]) +
         " by convictions at book-in): " + std::string(path[std::size_t(c.path)]) + "; " +
         std::string(topo_.transitions()[static_cast<std::size_t>(edge)].why) + ", after " + hours_text(c.held) +
         (c.path == CustodyPath::released_pending ? " in ICE detention before release" : " in ICE custody");
}

}  // namespace scsim::detail
