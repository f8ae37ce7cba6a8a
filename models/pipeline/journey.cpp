// Bookings arriving and the journey of each (DOMAIN.md §1), one coroutine per
// person. Every decision comes from branches.hpp: the journey only compares
// the uniforms drawn at booking (make_person) with what a decision declares.
// Steps that need no waiting for anyone else (people never matched, released
// on schedule) are settled at once with their known end time, so most
// bookings cost no event beyond their arrival.
#include <algorithm>
#include <limits>
#include <stdexcept>

#include "models/pipeline/branches.hpp"
#include "models/pipeline/model.hpp"

namespace scsim::detail {

namespace {
using S = Stage;
using E = EndState;
constexpr Node st(Stage s) { return Node::stage(s); }
}  // namespace

// ------------------------------------------------------------ booking people
// Here, with the journey they start and the books it keeps, so the hot path is
// one translation unit; the functions of that path that only this file calls
// are defined `inline` so that the compiler folds them in as it would a static
// function (one national replication costs the same instructions as when all
// of the model was one file).

inline Person Model::make_person(std::size_t j, sim::Stream& s, bool extra, const Segment& seg, bool& booked) {
  JurisdictionRun& local = jurisdictions_[j];
  Person p{};
  p.info.jurisdiction = j;
  p.info.booked = sim_.now();
  if (extra) {
    std::size_t cell = seg.extra_mix.sample(s);
    p.info.group = static_cast<Group>(cell / kCharges);
    p.info.charge = static_cast<Charge>(cell % kCharges);
  } else {
    p.info.group = static_cast<Group>(local.group.sample(s));
    p.info.charge = static_cast<Charge>(local.charge.sample(s));
  }
  const auto g = static_cast<std::size_t>(p.info.group);
  const auto c = static_cast<std::size_t>(p.info.charge);
  double u_keep = s.uniform();
  booked = extra || u_keep < seg.keep[g][c];
  const sim::AliasTable* levels = &local.level[c];
  if (extra && seg.extra_level[g * kCharges + c]) levels = &*seg.extra_level[g * kCharges + c];
  p.info.level = static_cast<Level>(levels->sample(s));
  p.info.in_ident = s.uniform() < p_match(local.spec->population, p.info.group);
  p.u_activation = s.uniform();
  p.info.path = static_cast<JailPath>(local.path[c].sample(s));
  draw_stay(p, local.spec->jail[c], s);
  const bool foreign = screenable(p.info.group);
  if (foreign) p.u_route = s.uniform();
  if (p.info.in_ident || foreign || p.info.path == JailPath::convicted)
    p.offense = static_cast<Offense>(local.offense[c].sample(s));
  if (p.info.in_ident || foreign) draw_federal(p, local, s);
  p.info.id = (std::uint64_t(j) << 40) | (extra ? (std::uint64_t(1) << 39) : 0) | local.next_id++;
  return p;
}

inline void Model::draw_stay(Person& p, const JailStay& stay, sim::Stream& s) const {
  switch (p.info.path) {
    case JailPath::pretrial_release:
      p.release = p.info.booked + stay.pretrial_release.sample(s);
      // A case is not disposed of while its defendant waits for release.
      p.disposition = std::max(stay.to_conviction.sample(s), p.release - p.info.booked);
      break;
    case JailPath::dismissed:
      p.release = p.info.booked + stay.dismissed.sample(s);
      p.disposition = p.release - p.info.booked;
      break;
    case JailPath::convicted:
      p.conviction = p.info.booked + stay.to_conviction.sample(s);
      p.release = p.conviction + stay.sentence_served.sample(s);
      p.disposition = p.release - p.info.booked;
      break;
  }
}

// Drawn only for people whose prints are in IDENT, whatever the policies.
inline void Model::draw_federal(Person& p, const JurisdictionRun& local, sim::Stream& s) const {
  const PipelineParams& pp = sc_.pipeline;
  const FederalDelays delay = federal_delays(pp);
  p.x_iafis = dist_draw(delay.iafis, s);
  p.x_lesc = dist_draw(delay.lesc, s);
  p.x_decision = dist_draw(delay.decision, s);
  p.x_pickup = dist_draw(delay.pickup, s);
  for (std::size_t k = 0; k < kCustodyPaths; ++k) p.x_path[k] = dist_draw(path_duration(pp, CustodyPath(k)), s);
  const auto c = std::size_t(p.info.charge);
  p.record = Record::from_index(local.record[c][std::size_t(p.info.level)][std::size_t(p.offense)].sample(s));
  p.case_convicted = p.info.path == JailPath::convicted ||
                     (p.info.path == JailPath::pretrial_release && s.uniform() < local.spec->jail[c].pretrial_convicted);
  p.grounds.prior = s.uniform() < p_removable_record(pp, p.record);
  p.grounds.charged = s.uniform() < pp.removable_conviction[std::size_t(p.offense)];
  p.grounds.status = p.info.group == Group::other_lawful && s.uniform() < pp.status_violation;
  p.grounds.order = s.uniform() < pp.prior_order[std::size_t(p.info.group)];
  p.convicted_in_custody = p.info.path == JailPath::convicted;
  p.u_court = s.uniform();
  p.u_at_large = s.uniform();
  p.x_at_large = dist_draw(pp.at_large_delay, s);
  p.u_citizen = s.uniform();
  p.u_decision = s.uniform();
  p.u_bail = s.uniform();
  p.u_honor = s.uniform();
  p.u_pickup = s.uniform();
  p.u_outcome = s.uniform();
}

// Bookings arrive as a Poisson process whose rate is constant within a day
// (day-of-week pattern) and a policy segment; at each change the exponential
// gap is redrawn, which is exact because the process is memoryless.
sim::Process Model::arrivals(std::size_t j, bool extra) {
  JurisdictionRun& local = jurisdictions_[j];
  sim::Stream& gaps = extra ? extra_arrival_streams_[j] : arrival_streams_[j];
  sim::Stream& people = extra ? extra_person_streams_[j] : person_streams_[j];
  // No new bookings after period.bookings_until (the run itself goes on to the horizon).
  const sim::Time last_booking = sc_.bookings_until ? cal_.to_time(*sc_.bookings_until) + sim::kDay : horizon_;
  const sim::Time stop = std::min(horizon_, last_booking);
  // The rate and the next change are the same until that change (t only grows).
  sim::Time change = std::numeric_limits<sim::Time>::min();
  double rate = 0;
  double t = 0;
  for (;;) {
    auto now = static_cast<sim::Time>(t);
    if (now >= change) {
      const Segment& seg = segment_at(local, now);
      change = cal_.start_of_day(now) + sim::kDay;
      auto next_seg = std::upper_bound(local.segments.begin(), local.segments.end(), now,
                                       [](sim::Time x, const Segment& s) { return x < s.from; });
      if (next_seg != local.segments.end()) change = std::min(change, next_seg->from);
      change = std::min(change, stop);
      const unsigned dow = cal_.weekday_of(now).iso_encoding() - 1;
      rate = local.rate_per_second * local.dow[dow] * (extra ? seg.extra_weight : 1.0);
    }
    double next = rate > 0 ? t + gaps.exponential(1.0 / rate) : std::numeric_limits<double>::infinity();
    if (next >= double(change)) {
      if (change >= stop) co_return;
      t = double(change);
      continue;
    }
    t = next;
    co_await sim_.until(static_cast<sim::Time>(t));
    bool booked = false;
    Person p = make_person(j, people, extra, segment_at(local, sim_.now()), booked);
    if (booked) sim_.start(journey(std::move(p)));
    if (tracer_ && !tracer_->keep_going()) [[unlikely]] {
      sim_.stop();
    }
  }
}

// ------------------------------------------------------------ the journey

sim::Process Model::journey(Person p) {
  OpenJourney open(this, p.info.jurisdiction);
  book(p);

  // IAFIS: is the booking covered, and when do its prints go on to IDENT?
  // Bookings SC does not identify at booking may be found by a 287(g)
  // officer or ICE's jail screening instead (p.route).
  const Sharing shared = at_iafis(p, open.ended);
  const RuleSet* decided_under = nullptr;
  if (p.route == Route::sc) {
    if (shared == Sharing::never) co_return;
    if (shared == Sharing::at_conviction) {
      co_await sim_.until(p.conviction);
      if (!shared_at_conviction(p, open.ended)) co_return;
    }
    const Node to_ident_from = st(shared == Sharing::at_booking ? S::iafis : S::awaiting_conviction);
    move(p, to_ident_from, st(S::ident), explain([&] { return to_ident_text(to_ident_from); }));
    add(p, Metric::fingerprints_submitted, sim_.now());

    // IDENT: only people DHS has met before can match.
    if (!p.info.in_ident) {
      if (shared == Sharing::at_booking && screened(p, st(S::ident))) goto screened_instead;
      finish(p, st(S::ident), E::released_no_match, p.release, open.ended, explain([&] { return no_match_text(p); }));
      co_return;
    }
    co_await sim_.timeout(d_iafis(p));
    matched(p);

    // LESC: an analyst checks the databases and answers with an IAR.
    const sim::Duration waited = co_await lesc_.request();
    co_await sim_.timeout(d_lesc(p));
    lesc_.release();
    decided_under = &iar_answered(p, waited);
  } else {
  screened_instead:
    // A 287(g) officer or CAP: the field office hears after the time an IAQ takes.
    co_await sim_.until(p.info.booked + d_iafis(p) + d_lesc(p));
    decided_under = &screening_reported(p);
  }
  const RuleSet& rules = *decided_under;

  // The field office decides, by level and the priorities in force.
  const IceAction::Outcome action =
      ice_action(sc_.pipeline, rules, p.info.level, status_of(p.info.group, p.grounds, false))
          .draw(p.u_citizen, p.u_decision);
  if (action == IceAction::recognised_citizen || action == IceAction::none) {
    no_ice_action(p, rules, action, open.ended);
    co_return;
  }
  co_await sim_.timeout(d_decision(p));

  Node custody_from = st(S::notification_request);
  sim::Time at_large = -1;  // when ICE arrests the person at large after a failed detainer
  if (action == IceAction::detainer) {
    if (!lodge_detainer(p, rules, open.ended, at_large)) {
      if (at_large < 0) co_return;
    } else {
      const sim::Time release = release_under_detainer(p);
      co_await sim_.until(release);
      const HoldAtRelease hold = answer_at_release(p, release, open.ended, at_large);
      if (!hold.honored) {
        if (at_large < 0) co_return;
      } else {
        co_await sim_.until(hold.ends);
        if (hold.picked) {
          custody_from = st(S::detainer_hold);
        } else {
          at_large = follow_up(p, st(S::detainer_hold), E::released_hold_expired, release, sim_.now(), open.ended,
                               explain([&] { return hold_expired_text(p, hold.pickup); }));
          if (at_large < 0) co_return;
        }
      }
    }
  } else {
    if (!request_notification(p, rules, open.ended)) co_return;
    co_await sim_.until(p.release);
    if (!met_at_release(p, open.ended)) co_return;
  }

  if (at_large >= 0) {  // ICE's follow-up: an at-large arrest
    co_await sim_.until(at_large);
    custody_from = st(S::at_large);
  }

  // ICE custody and removal proceedings.
  const Custody custody = enter_custody(p, custody_from);
  co_await sim_.timeout(custody.held);
  leave_custody(p, custody, open.ended);
}

/// Booked: prints taken and sent to the State Identification Bureau and IAFIS.
inline void Model::book(const Person& p) {
  ++open_at_[static_cast<std::size_t>(S::booking)];
  add(p, Metric::bookings, p.info.booked);
  add_days(p, Metric::jail_bed_days, p.info.booked, p.release);
  if (tracer_) [[unlikely]]
    tracer_->step(p.info, sim_.now(), st(S::booking), st(S::booking), booked_text(p));
  move(p, st(S::booking), st(S::iafis),
       explain([] { return "prints sent to the State Identification Bureau and on to FBI IAFIS"; }));
}

/// IAFIS: a covered booking's prints go on to IDENT now, at conviction
/// (post-conviction-only sharing; the person waits in awaiting_conviction) or
/// never (the journey has ended).
inline Sharing Model::at_iafis(Person& p, bool& ended) {
  const JurisdictionRun& local = jurisdictions_[p.info.jurisdiction];
  const Segment& seg = segment_at(local, sim_.now());
  if (!covered(local, seg, p, sim_.now())) {
    if (screened(p, st(S::iafis))) return Sharing::never;
    finish(p, st(S::iafis), E::released_not_activated, p.release, ended,
           explain([&] { return not_activated_text(p, seg); }));
    return Sharing::never;
  }
  const Sharing shared = sharing(seg.rules);
  if (shared != Sharing::at_booking && screened(p, st(S::iafis))) return shared;
  if (shared == Sharing::never) {
    finish(p, st(S::iafis), E::released_not_shared, p.release, ended,
           explain([&] { return not_shared_text(p, "prints not forwarded to IDENT"); }));
  } else if (shared == Sharing::at_conviction) {
    move(p, st(S::iafis), st(S::awaiting_conviction), explain([&] {
           return "prints held until a conviction under " +
                  policy_in_force(p, sim_.now(), RulePart::post_conviction, "post-conviction-only sharing");
         }));
    if (!reaches_conviction(p.info.path, p.offense)) {
      finish(p, st(S::awaiting_conviction), E::released_not_convicted, p.release, ended,
             explain([&] { return "never convicted, so the prints never reach IDENT; " + released_text(p); }));
      return Sharing::never;
    }
  }
  return shared;
}

/// A booking SC does not identify at booking: a 287(g) officer or CAP finds
/// it (rules of the booking day), or not. Sets p.route.
bool Model::screened(Person& p, Node from) {
  const RuleSet& at_booking = segment_at(jurisdictions_[p.info.jurisdiction], p.info.booked).rules;
  const RouteScreen rs = route_screen(sc_.pipeline, at_booking, p.info.group);
  const Route r = rs.draw(p.u_route);
  if (r == Route::sc) return false;
  p.route = r;
  move(p, from, st(S::jail_screening), explain([&] {
         return r == Route::p287g
                    ? "a 287(g) officer screens the booking (" +
                          policy_in_force(p, p.info.booked, RulePart::agreements, "287(g) agreement") + ")"
                    : std::string("ICE's Criminal Alien Program finds the booking by interview or foreign-born list");
       }));
  return true;
}

/// The screening reaches the field office; returns the rules in force then.
const RuleSet& Model::screening_reported(const Person& p) {
  const RuleSet& rules = segment_at(jurisdictions_[p.info.jurisdiction], sim_.now()).rules;
  move(p, st(S::jail_screening), st(S::ice_decision), explain([&] {
         return std::string(p.route == Route::p287g ? "the 287(g) officer" : "CAP") +
                " reports the booking to the ICE field office, " + hours_text(d_iafis(p) + d_lesc(p)) +
                " after booking";
       }));
  return rules;
}

/// Convicted under post-conviction-only sharing: the prints go on unless sharing stopped since.
bool Model::shared_at_conviction(Person& p, bool& ended) {
  if (shares_at_conviction(segment_at(jurisdictions_[p.info.jurisdiction], sim_.now()).rules)) {
    // Checked after the conviction: the level counts it.
    if (p.info.in_ident) p.info.level = level_of(p.record.with(p.offense));
    return true;
  }
  finish(p, st(S::awaiting_conviction), E::released_not_shared, p.release, ended,
         explain([&] { return not_shared_text(p, "convicted, but sharing has stopped"); }));
  return false;
}

void Model::matched(const Person& p) {
  add(p, Metric::ident_matches, sim_.now());
  add(p, by_level(Metric::ident_matches_level1, p.info.level), sim_.now());
  move(p, st(S::ident), st(S::lesc), explain([&] {
         return "IDENT match, " + hours_text(d_iafis(p)) +
                " after submission: an Immigration Alien Query (IAQ) goes to ICE's LESC";
       }));
}

/// LESC's IAR reaches the field office (and the jail, unless local
/// notification is off); returns the rules in force when it arrives.
const RuleSet& Model::iar_answered(const Person& p, sim::Duration waited) {
  add(p, Metric::lesc_wait_hours, sim_.now(), double(waited) / 3600.0);
  const RuleSet& rules = segment_at(jurisdictions_[p.info.jurisdiction], sim_.now()).rules;
  const bool notify_jail = notifies_jail(rules);
  if (notify_jail) add(p, Metric::local_notifications, sim_.now());
  move(p, st(S::lesc), st(S::ice_decision), explain([&] { return iar_text(p, waited, notify_jail); }));
  return rules;
}

void Model::no_ice_action(Person& p, const RuleSet& rules, IceAction::Outcome action, bool& ended) {
  finish(p, st(S::ice_decision), E::released_no_action, std::max(sim_.now(), p.release), ended, explain([&] {
           return action == IceAction::recognised_citizen
                      ? "LESC's checks show a US citizen: no ICE action; " + released_text(p)
                      : "ICE takes no action (" + priorities_text(p, rules) + "); " + released_text(p);
         }));
}

/// The detainer reaches the jail; false if the person was already released.
bool Model::lodge_detainer(Person& p, const RuleSet& decided_under, bool& ended, sim::Time& at_large) {
  move(p, st(S::ice_decision), st(S::detainer), explain([&] {
         return "ICE lodges a detainer (Form I-247) with the jail: " + priorities_text(p, decided_under);
       }));
  add(p, Metric::detainers_issued, sim_.now());
  add(p, detainers_by_route(p.route), sim_.now());
  if (!released_first(sim_.now(), p.release)) return true;
  at_large = follow_up(p, st(S::detainer), E::released_before_ice_action, p.release, p.release, ended,
                       explain([&] { return "already " + released_text(p) + ", before the detainer arrived"; }));
  return false;
}

/// A detainer honoured at lodging costs a pretrial booking its bail: custody
/// lasts until the case is disposed of. Returns the end of criminal custody.
sim::Time Model::release_under_detainer(Person& p) {
  sim::Time release = p.release;
  const JurisdictionRun& local = jurisdictions_[p.info.jurisdiction];
  const RuleSet& at_lodging = segment_at(local, sim_.now()).rules;
  const JailStay& stay = local.spec->jail[std::size_t(p.info.charge)];
  if (loses_bail(sc_.pipeline, at_lodging, stay, p.info.path, p.info.level, p.u_honor, p.u_bail)) {
    release = std::max(p.release, p.info.booked + p.disposition);
    p.convicted_in_custody = p.case_convicted;  // the case closes before the release
  }
  if (release > p.release) {
    add_days(p, Metric::extra_jail_days_detainer, p.release, release);
    add_days(p, Metric::jail_bed_days, p.release, release);
    if (tracer_) [[unlikely]]
      tracer_->step(p.info, sim_.now(), st(S::detainer), st(S::detainer),
                    no_bail_text(p, p_bail_lost(sc_.pipeline, at_lodging, stay), release));
  }
  return release;
}

/// At release the jail honours or declines the hold, under the rules of that
/// day; an honoured hold lasts until ICE picks up or the hold ends.
HoldAtRelease Model::answer_at_release(Person& p, sim::Time release, bool& ended, sim::Time& at_large) {
  const RuleSet& at_release = segment_at(jurisdictions_[p.info.jurisdiction], sim_.now()).rules;
  if (!honors(at_release, p.info.level, p.u_honor)) {
    if (release > p.release && scaap_eligible(p, release - p.info.booked))
      add_days(p, Metric::scaap_eligible_days, p.release, release);
    add(p, Metric::detainers_declined, sim_.now());
    at_large = follow_up(p, st(S::detainer), E::released_detainer_declined, release, sim_.now(), ended, explain([&] {
                           return "the jail declines the detainer under " +
                                  policy_in_force(p, sim_.now(), RulePart::detainer_response,
                                                  "the scenario's detainer rule") +
                                  "; released at the end of criminal custody";
                         }));
    return {};
  }
  add(p, Metric::detainers_honored, sim_.now());
  const PickupInHold pickup = pickup_in_hold(sc_.pipeline, at_release);
  const sim::Time hold_end = pickup.hold_end(cal_, sim_.now());
  const sim::Duration delay = d_pickup(p);
  const bool picked = pickup.picked(p.u_pickup, sim_.now(), delay, hold_end);
  const sim::Time out = picked ? sim_.now() + delay : hold_end;
  move(p, st(S::detainer), st(S::detainer_hold), explain([&] { return hold_text(pickup.max_hold, hold_end); }));
  add_days(p, Metric::detainer_hold_days, sim_.now(), out);
  add_days(p, Metric::jail_bed_days, sim_.now(), out);
  if (scaap_eligible(p, out - p.info.booked)) add_days(p, Metric::scaap_eligible_days, p.release, out);
  return {true, pickup, picked, out};
}

/// A detainer failed (declined, expired, or too late) and the person left
/// criminal custody at `released`: ICE follows the release up with an
/// at-large arrest (rules of that day, the level at identification) or the
/// journey ends in `e` at `ends`. Returns the arrest time, or -1.
sim::Time Model::follow_up(Person& p, Node from, EndState e, sim::Time released, sim::Time ends, bool& ended,
                           const std::string& why) {
  const RuleSet& at_release = segment_at(jurisdictions_[p.info.jurisdiction], released).rules;
  const double pa = p_at_large(at_release, p.info.level);
  if (!(p.u_at_large < pa)) {
    finish(p, from, e, ends, ended, why);
    return -1;
  }
  const sim::Time arrest = std::max(sim_.now(), ends + d_at_large(p));
  if (tracer_ && !why.empty()) [[unlikely]]
    tracer_->step(p.info, ends, from, from, why);
  move(p, from, st(S::at_large), explain([&] {
         return "ICE follows the release up (P(at large)=" + share_text(pa) + "): an at-large arrest " +
                hours_text(arrest - ends) + " later";
       }));
  add(p, Metric::followed_up_at_large, ends);
  return arrest;
}

/// The request reaches the jail; false if the person was already released.
bool Model::request_notification(Person& p, const RuleSet& decided_under, bool& ended) {
  move(p, st(S::ice_decision), st(S::notification_request), explain([&] {
         return "ICE asks to be notified of the release, without a hold (I-247N): " +
                priorities_text(p, decided_under);
       }));
  add(p, Metric::notification_requests, sim_.now());
  if (!released_first(sim_.now(), p.release)) return true;
  finish(p, st(S::notification_request), E::released_before_ice_action, p.release, ended,
         explain([&] { return "already " + released_text(p) + ", before the request arrived"; }));
  return false;
}

/// At a notified release ICE comes or it does not.
bool Model::met_at_release(Person& p, bool& ended) {
  const RuleSet& at_release = segment_at(jurisdictions_[p.info.jurisdiction], sim_.now()).rules;
  const double p_met = p_met_at_release(sc_.pipeline, at_release);
  if (p.u_pickup < p_met) return true;
  finish(p, st(S::notification_request), E::released_no_action, sim_.now(), ended, explain([&] {
           return "released; ICE does not come to the notified release (P(comes)=" + share_text(p_met) + ")";
         }));
  return false;
}

Custody Model::enter_custody(const Person& p, Node from) {
  move(p, from, st(S::ice_custody), explain([&] {
         return from == st(S::detainer_hold)
                    ? "ICE picks the person up " + hours_text(d_pickup(p)) +
                          " into the hold: transferred to ICE detention"
                : from == st(S::at_large) ? std::string("ICE arrests the person at large: booked into ICE custody")
                                          : std::string("ICE meets the release: transferred to ICE detention");
       }));
  // ICE book-ins count convictions at book-in: the record, and the case if it
  // closed with a conviction before the person left criminal custody.
  const Status status = status_of(p.info.group, p.grounds, p.convicted_in_custody);
  const Level level = convicted_level(p.record, p.offense, p.convicted_in_custody);
  add(p, Metric::ice_bookings, sim_.now());
  add(p, by_level(Metric::ice_bookings_level1, level), sim_.now());
  add(p, ice_bookings_by_route(p.route), sim_.now());
  add(p, ice_bookings_by_route(p.route, level), sim_.now());
  add(p, from == st(S::at_large) ? Metric::ice_arrests_at_large : Metric::ice_transfers_from_jail, sim_.now());
  if (status == Status::citizen) add(p, Metric::us_citizens_detained, sim_.now());
  const RuleSet& at_custody = segment_at(jurisdictions_[p.info.jurisdiction], sim_.now()).rules;
  const CustodyPlan plan = custody_plan(sc_.pipeline, at_custody, status);
  const CustodyPath path = plan.draw(p.u_outcome);
  add(p, path == CustodyPath::released_pending ? Metric::ice_released_pending : Metric::ice_detained, sim_.now());
  const Custody c{path, status, level, path_end(path, status, p.u_court, plan), d_path(p, path)};
  add_days(p, Metric::ice_detention_days, sim_.now(), sim_.now() + c.held);
  return c;
}

void Model::leave_custody(Person& p, const Custody& c, bool& ended) {
  if (c.outcome == E::removed) {
    add(p, Metric::removals, sim_.now());
    add(p, by_level(Metric::removals_level1, c.level), sim_.now());
    if (p.route == Route::sc) {
      add(p, Metric::removals_sc, sim_.now());
      add(p, by_level(Metric::removals_sc_level1, c.level), sim_.now());
    }
    add(p, c.path == CustodyPath::reinstated   ? Metric::removals_reinstated
           : c.path == CustodyPath::stipulated ? Metric::removals_stipulated
                                               : Metric::removals_court,
        sim_.now());
  }
  finish(p, st(S::ice_custody), c.outcome, sim_.now(), ended, explain([&] { return outcome_text(c); }));
}

// ------------------------------------------------------------ the books

void Model::add(const Person& p, Metric m, sim::Time t, double v) {
  if (t >= horizon_ || t < 0) return;
  const JurisdictionRun& local = jurisdictions_[p.info.jurisdiction];
  std::size_t base = months_.of(t) * scopes_.size();
  auto mi = static_cast<std::size_t>(m);
  monthly_[(base + 0) * kMetrics + mi] += v;
  monthly_[(base + local.scope) * kMetrics + mi] += v;
  if (local.state_scope != std::string::npos) monthly_[(base + local.state_scope) * kMetrics + mi] += v;
}

inline void Model::add_days(const Person& p, Metric m, sim::Time t0, sim::Time t1) {
  t0 = std::max<sim::Time>(t0, 0);
  t1 = std::min(t1, horizon_);
  while (t0 < t1) {
    std::size_t mo = months_.of(t0);
    sim::Time cut = mo + 1 < months_.size() ? std::min(t1, months_.starts[mo + 1]) : t1;
    add(p, m, t0, double(cut - t0) / kSecondsPerDay);
    t0 = cut;
  }
}

inline void Model::move(const Person& p, Node from, Node to, const std::string& what) {
  int e = topo_.edge(from, to);
  if (e < 0)
    throw std::logic_error("journey took an undeclared transition " + std::string(from.name()) + " -> " +
                           std::string(to.name()));
  ++flows_[static_cast<std::size_t>(e)];
  --open_at_[from.index];
  if (!to.is_end) ++open_at_[to.index];
  if (tracer_) [[unlikely]]
    tracer_->step(p.info, sim_.now(), from, to, what.empty() ? std::string(topo_.transitions()[e].why) : what);
}

inline void Model::finish(Person& p, Node from, EndState e, sim::Time t, bool& ended, const std::string& why) {
  if (ended) {
    ++double_finish_;
    return;
  }
  ended = true;
  --open_[p.info.jurisdiction];
  --open_at_[from.index];
  // An end reached after the horizon is not an end yet: the person is still in the system.
  EndState recorded = t > horizon_ ? EndState::in_system_at_horizon : e;
  int edge = topo_.edge(from, Node::end(recorded));
  if (edge < 0)
    throw std::logic_error("journey ended through an undeclared transition " + std::string(from.name()) + " -> " +
                           std::string(kEndStateNames[static_cast<std::size_t>(recorded)]));
  ++flows_[static_cast<std::size_t>(edge)];
  add(p, end_metric(recorded), std::min(t, horizon_ - 1));
  if (tracer_) [[unlikely]] {
    if (recorded == e)
      tracer_->step(p.info, t, from, Node::end(e), why.empty() ? std::string(topo_.transitions()[edge].why) : why);
    tracer_->finish(p.info, std::min(t, horizon_), recorded);
  }
}

inline bool Model::covered(const JurisdictionRun& local, const Segment& seg, const Person& p, sim::Time t) const {
  return p.u_activation < p_covered(local.order, p.info.group, p.info.charge, coverage_level(*local.rollout, seg, t));
}

}  // namespace scsim::detail
