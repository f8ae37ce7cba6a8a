#include "models/scenario/policies.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <memory>
#include <stdexcept>

namespace scsim {
namespace {

using schema::fail;
using schema::join;
using schema::Key;
using schema::Node;
using schema::Section;
using schema::Type;

constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();  // "not given" in a partial level map

// ------------------------------------------------------------------ vocabulary

const std::vector<std::string> kStates{"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID",
                                       "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO",
                                       "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
                                       "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"};

// p_detainer and p_notification by level (level1, level2, level3, noncriminal). Starting
// points for calibration: the era's direction (DOMAIN.md §2), not measured rates.
/// Exactly one of a single value (key `name`) and a list (key `name` + "s"): the values given.
std::vector<std::size_t> one_or_list(const Node& entry, const std::string& path, const std::optional<std::size_t>& one,
                                     const std::optional<std::vector<std::size_t>>& list, const std::string& name) {
  const std::string plural = name + "s";
  if (one.has_value() == list.has_value())
    fail(list ? entry.find(plural)->where : entry.where, join(path, list ? plural : name),
         list ? "give either '" + name + "' or '" + plural + "', not both" : "give '" + name + "' or '" + plural + "'");
  return list ? *list : std::vector<std::size_t>{*one};
}

const std::vector<IcePreset> kPresets{
    {"2008_levels",
     "2008-10-27: SC starts; priority by criminal level (Morton memos 2010-06-30, 2011-03-02)",
     {0.95, 0.80, 0.60, 0.50},
     {0, 0, 0, 0}},
    {"2011_discretion",
     "2011-06-17: prosecutorial-discretion memos (Morton); revised detainer form",
     {0.95, 0.75, 0.50, 0.40},
     {0, 0, 0, 0}},
    {"2012_guidance",
     "2012-12-21: ICE detainer guidance: detainers mostly for convicted or serious cases",
     {0.95, 0.70, 0.30, 0.15},
     {0, 0, 0, 0}},
    {"2015_pep",
     "2015-07-02: Priority Enforcement Program (Johnson memo 2014-11-20): mostly requests for notification (I-247N) "
     "instead of holds (I-247D)",
     {0.35, 0.15, 0.02, 0.01},
     {0.55, 0.55, 0.20, 0.05}},
    {"2017_reinstated",
     "2017-01-25: Executive Order 13768 reinstates SC (revoked 2021-01-20)",
     {0.95, 0.85, 0.65, 0.55},
     {0, 0, 0, 0}},
};

std::vector<std::string> preset_names() {
  std::vector<std::string> v;
  for (const auto& p : kPresets) v.emplace_back(p.name);
  return v;
}

std::string preset_help() {
  std::string s = "named ICE priorities (p_detainer L1/L2/L3/NC; p_notification), applied before the explicit maps: ";
  for (const auto& p : kPresets) s += std::string(p.name) + " = " + std::string(p.in_force) + "; ";
  return s.substr(0, s.size() - 2);
}

Scope read_scope(const Node& n, const std::string& path) {
  Scope s;
  if (n.is_scalar() && n.scalar == "all") return s;
  if (!n.is_map() || n.entries.size() != 1)
    fail(n.where, path, "expected all, {states: [..]} or {jurisdictions: [..]}, got " + n.describe());
  const auto& e = n.entries.front();
  static const std::vector<std::string> kinds{"states", "jurisdictions"};
  if (e.key == kinds[0])
    s.kind = Scope::Kind::states;
  else if (e.key == kinds[1])
    s.kind = Scope::Kind::jurisdictions;
  else
    fail(e.key_where, join(path, e.key),
         "unknown key '" + e.key + "' (expected states or jurisdictions)" + schema::did_you_mean(e.key, kinds));
  const std::string p = join(path, e.key);
  if (!e.value.is_sequence() || e.value.items.empty())
    fail(e.value.where, p, "expected a non-empty list, got " + e.value.describe());
  for (std::size_t i = 0; i < e.value.items.size(); ++i) {
    const Node& item = e.value.items[i];
    std::string id = schema::read_string(item, schema::join_index(p, i));
    if (s.kind == Scope::Kind::states && std::find(kStates.begin(), kStates.end(), id) == kStates.end())
      fail(item.where, schema::join_index(p, i),
           "unknown state '" + id + "' (expected a US postal code such as IL)" + schema::did_you_mean(id, kStates));
    s.ids.push_back(std::move(id));
  }
  return s;
}

std::string scope_text(const Scope& s) {
  if (s.kind == Scope::Kind::all) return "all jurisdictions";
  std::string t;
  for (const auto& id : s.ids) t += (t.empty() ? "" : ", ") + id;
  return t;
}

std::string level_list(const std::vector<std::size_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::string(kLevelNames[v[i]]);
  return s + "]";
}

// ------------------------------------------------------------------ shared key sets

struct PolicyCommon {
  std::string type;
  std::string id;
  std::optional<sim::Date> from, to;
  Scope scope;
};

/// ICE's decision rules; used by `ice:` and by ice_priorities.
struct IceKeys {
  std::optional<std::size_t> preset;
  PerLevel<double> detainer{kUnset, kUnset, kUnset, kUnset};
  PerLevel<double> notification{kUnset, kUnset, kUnset, kUnset};
  PerLevel<double> at_large{kUnset, kUnset, kUnset, kUnset};
  void patch(RulePatch& r) const {
    for (std::size_t l = 0; l < kLevels; ++l) {
      if (preset) {
        r.p_detainer[l] = kPresets[*preset].p_detainer[l];
        r.p_notification[l] = kPresets[*preset].p_notification[l];
      }
      if (!std::isnan(detainer[l])) r.p_detainer[l] = detainer[l];
      if (!std::isnan(notification[l])) r.p_notification[l] = notification[l];
      if (!std::isnan(at_large[l])) r.p_at_large[l] = at_large[l];
    }
  }
  void apply(RuleSet& r) const {
    RulePatch p;
    patch(p);
    p.apply(r);
  }
};

/// The jail's response to detainers; used by `detainers:` and by detainer_policy.
struct DetainerKeys {
  enum Rule : std::size_t { honor_all, honor_levels, require_judicial_warrant, decline_all };
  std::optional<std::size_t> rule;
  std::vector<std::size_t> levels;
  double share_honored = 0.05;
  std::optional<sim::Duration> max_hold;
  void patch(RulePatch& r) const {
    if (rule) {
      PerLevel<bool> honored;
      honored.fill(*rule != decline_all && *rule != honor_levels);
      if (*rule == honor_levels)
        for (auto l : levels) honored[l] = true;
      r.honor_level = honored;
      r.honor_share = *rule == require_judicial_warrant ? share_honored : 1.0;
    }
    if (max_hold) r.max_hold_business = *max_hold;
  }
  void apply(RuleSet& r) const {
    RulePatch p;
    patch(p);
    p.apply(r);
  }
};

const std::vector<std::string> kRules{"honor_all", "honor_levels", "require_judicial_warrant", "decline_all"};

/// A `policies:` item: its variant is the section of its type.
class PolicySection : public Section<PolicyCommon> {
 public:
  using Section::Section;
  const schema::SectionBase& variant(const Node& item, const std::string& path) const override;
  std::vector<const schema::SectionBase*> variants() const override;
};

struct PolicyType {
  std::string name;
  const schema::SectionBase* section;
  std::function<ParsedPolicy(const Node& entry, const std::string& path)> parse;
};

struct Registry {
  PolicySection common{"policy",
                       "A dated change of the rules for some jurisdictions. Policies apply in file order to the rules "
                       "in force (the `ice:` and `detainers:` blocks), from `from` until `to` (exclusive). Each type "
                       "below adds its own keys."};
  Section<CoveragePoint> coverage{"coverage_point",
                                  "One point of an activation ramp: from `date` on, `fraction` of the jurisdiction's "
                                  "bookings come from activated areas (linear in between). Dates increase, fractions "
                                  "do not decrease."};
  Section<IceKeys> ice{"ice",
                       "ICE field-office decisions by criminal level: P(detainer) and P(request for "
                       "notification instead). A preset applies first; explicit levels override it."};
  Section<DetainerKeys> detainers{"detainers", "How jails respond to detainers (8 CFR 287.7(d))."};
  std::deque<std::unique_ptr<schema::SectionBase>> sections;  // stable addresses for the variants
  std::vector<PolicyType> types;

  Registry();

  /// Registers one policy type: P derives from PolicyCommon; `declare` adds its keys;
  /// `finish` checks the entry, sets spec.patch (and configure) and returns the summary detail.
  template <class P>
  void add_type(std::string name, std::string help, const std::function<void(Section<P>&)>& declare,
                std::function<std::string(const Node&, const std::string&, const P&, ParsedPolicy&)> finish,
                bool from_optional = false) {
    auto owned = std::make_unique<Section<P>>(name, std::move(help));
    Section<P>& sec = *owned;
    sec.include(common);
    declare(sec);
    sections.push_back(std::move(owned));
    types.push_back({name, &sec, [&sec, name, finish, from_optional](const Node& entry, const std::string& path) {
                       P p{};
                       sec.apply_defaults(p);
                       sec.apply(entry, p, path);
                       ParsedPolicy out;
                       out.spec.type = name;
                       out.spec.id = p.id;
                       out.spec.scope = p.scope;
                       out.spec.origin = entry.where.str();
                       if (p.from)
                         out.spec.from = *p.from;
                       else if (!from_optional)
                         fail(entry.where, join(path, "from"), "required key 'from' is missing");
                       out.from_given = p.from.has_value();
                       const std::string detail = finish(entry, path, p, out);
                       if (p.to && !(std::chrono::sys_days{*p.to} > std::chrono::sys_days{out.spec.from}))
                         fail(entry.find("to")->where, join(path, "to"),
                              "'to' (" + sim::format_date(*p.to) + ") must be after 'from' (" +
                                  sim::format_date(out.spec.from) + ")");
                       out.spec.to = p.to;
                       out.spec.summary =
                           name + (detail.empty() ? "" : " " + detail) + " from " + sim::format_date(out.spec.from) +
                           (p.to ? " until " + sim::format_date(*p.to) : "") + " in " + scope_text(p.scope);
                       return out;
                     }});
  }
};

const Registry& registry() {
  static const Registry r;
  return r;
}

const schema::SectionBase& PolicySection::variant(const Node& item, const std::string&) const {
  if (const Node* t = item.find("type"); t && t->is_scalar())
    for (const auto& pt : registry().types)
      if (pt.name == t->scalar) return *pt.section;
  return *this;
}

std::vector<const schema::SectionBase*> PolicySection::variants() const {
  std::vector<const schema::SectionBase*> v;
  for (const auto& pt : registry().types) v.push_back(pt.section);
  return v;
}

const Node& key_node(const Node& entry, std::string_view key) {
  const Node* n = entry.find(key);
  return n ? *n : entry;
}

Registry::Registry() {
  common
      .field(Key{.name = "type",
                 .type = Type::string,
                 .help = "the policy type: one of the variants below",
                 .required = true},
             &PolicyCommon::type)
      .add(Key{.name = "id",
               .type = Type::string,
               .help = "a name for the policy, unique in the scenario (after extends), so that key paths can "
                       "select it: policies[memo_2011].detainer_probability.level1 in `calibrate:` and --set, "
                       "beside policies[3] by position; a-z, 0-9 and _, not only digits"},
           [](const Node& n, PolicyCommon& p, const std::string& path) {
             p.id = schema::read_string(n, path);
             const bool chars = !p.id.empty() && std::all_of(p.id.begin(), p.id.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
             });
             if (!chars) fail(n.where, path, "ids use only a-z, 0-9 and _, got '" + p.id + "'");
             if (std::all_of(p.id.begin(), p.id.end(), [](char c) { return c >= '0' && c <= '9'; }))
               fail(n.where, path, "an id of digits only would read as a position (policies[" + p.id + "])");
           })
      .field(Key{.name = "from", .type = Type::date, .help = "first day in force (required except for rollout)"},
             &PolicyCommon::from)
      .field(Key{.name = "to",
                 .type = Type::date,
                 .help = "first day no longer in force (exclusive); open-ended when omitted"},
             &PolicyCommon::to)
      .add(
          Key{.name = "scope",
              .type = Type::scope,
              .help = "where it applies: all, {states: [IL, NY]} (postal codes) or {jurisdictions: [ids]}"},
          [](const Node& n, PolicyCommon& p, const std::string& path) { p.scope = read_scope(n, path); },
          [](PolicyCommon&) { return std::string("all"); });

  coverage
      .field(Key{.name = "date", .type = Type::date, .help = "from this day", .required = true}, &CoveragePoint::date)
      .field(Key{.name = "fraction", .type = Type::probability, .help = "share of bookings covered", .required = true},
             &CoveragePoint::fraction);

  const Key levels_map{.name = "", .type = Type::probabilities, .choices = schema::names(kLevelNames)};
  ice.field(Key{.name = "preset", .type = Type::enumeration, .help = preset_help(), .choices = preset_names()},
            &IceKeys::preset)
      .add(Key{.name = "detainer_probability",
               .type = Type::probabilities,
               .help = "P(ICE lodges a detainer) by level; partial maps change only the levels given",
               .choices = levels_map.choices},
           [levels_map](const Node& n, IceKeys& k, const std::string& p) {
             schema::read_value_map(n, p, levels_map, k.detainer);
           })
      .add(Key{.name = "notification_probability",
               .type = Type::probabilities,
               .help = "P(ICE asks only to be notified of release) by level; partial maps allowed",
               .choices = levels_map.choices},
           [levels_map](const Node& n, IceKeys& k, const std::string& p) {
             schema::read_value_map(n, p, levels_map, k.notification);
           })
      .add(Key{.name = "at_large_probability",
               .type = Type::probabilities,
               .help = "P(ICE later arrests at large a person released on a declined detainer, an expired hold or "
                       "before its detainer arrived) by level; partial maps allowed",
               .choices = levels_map.choices},
           [levels_map](const Node& n, IceKeys& k, const std::string& p) {
             schema::read_value_map(n, p, levels_map, k.at_large);
           });

  detainers
      .field(Key{.name = "rule",
                 .type = Type::enumeration,
                 .help = "honor_all; honor_levels (only `levels`); require_judicial_warrant (only `share_honored` of "
                         "detainers come with a warrant); decline_all. Required in detainer_policy; in `detainers:` "
                         "the base is honor_all",
                 .choices = kRules},
             &DetainerKeys::rule)
      .field(Key{.name = "levels",
                 .type = Type::list,
                 .help = "levels honoured (required iff rule is honor_levels)",
                 .choices = schema::names(kLevelNames)},
             &DetainerKeys::levels)
      .field(Key{.name = "share_honored",
                 .type = Type::probability,
                 .help = "share of detainers backed by a judicial warrant (require_judicial_warrant only)"},
             &DetainerKeys::share_honored)
      .field(Key{.name = "max_hold",
                 .type = Type::duration,
                 .help = "longest hold past release, in business time "
                         "(base: 48h, 8 CFR 287.7(d)); unchanged when omitted",
                 .unit = "business time"},
             &DetainerKeys::max_hold)
      .finally([](const Node& map, DetainerKeys& k, const std::string& path) {
        const bool levels = map.find("levels") != nullptr;
        if (k.rule == DetainerKeys::honor_levels && !levels)
          fail(map.where, join(path, "levels"), "rule honor_levels needs 'levels'");
        if (levels && k.rule != DetainerKeys::honor_levels)
          fail(map.find("levels")->where, join(path, "levels"), "'levels' applies only to rule honor_levels");
        if (map.find("share_honored") && k.rule != DetainerKeys::require_judicial_warrant)
          fail(map.find("share_honored")->where, join(path, "share_honored"),
               "'share_honored' applies only to rule require_judicial_warrant");
      });

  // ---- the policy types: one add_type each ----

  struct OptOut : PolicyCommon {
    std::size_t mode = 0;
  };
  add_type<OptOut>(
      "opt_out",
      "A jurisdiction stops sharing prints (no_sharing: DC 2010) or, after ICE's Oct 2010 position that participation "
      "is mandatory, only local notification (no_local_notification: the match still reaches ICE).",
      [](Section<OptOut>& s) {
        s.field(Key{.name = "mode",
                    .type = Type::enumeration,
                    .help = "what stops",
                    .choices = {"no_sharing", "no_local_notification"},
                    .required = true},
                &OptOut::mode);
      },
      [](const Node&, const std::string&, const OptOut& p, ParsedPolicy& out) {
        const bool no_sharing = p.mode == 0;
        (no_sharing ? out.spec.patch.no_sharing : out.spec.patch.no_local_notification) = true;
        out.spec.sets = rule_bit(no_sharing ? RulePart::sharing : RulePart::local_notification);
        return std::string(no_sharing ? "no_sharing" : "no_local_notification");
      });

  struct StateRefuses : PolicyCommon {
    std::size_t effect = 0;
  };
  add_type<StateRefuses>(
      "state_refuses",
      "A state rescinds its SC agreement (IL 2011-05-04, NY 2011-06-01, MA 2011-06-06; DHS voided all agreements "
      "2011-08-05, so scenarios set `to: 2011-08-05`): rollout in the state freezes (coverage held at its level on "
      "`from`; after `to` it follows the activation ramp again), plus `effect`. The national ramps hold activation "
      "only (data/sc_rollout/), so a refusal is always this policy. Scope: states.",
      [](Section<StateRefuses>& s) {
        s.field(Key{.name = "effect",
                    .type = Type::enumeration,
                    .help = "what else stops while in force",
                    .choices = {"none", "no_local_notification", "no_sharing"}},
                &StateRefuses::effect);
      },
      [](const Node& entry, const std::string& path, const StateRefuses& p, ParsedPolicy& out) {
        if (p.scope.kind != Scope::Kind::states)
          fail(key_node(entry, "scope").where, join(path, "scope"), "state_refuses needs scope: {states: [..]}");
        const std::size_t effect = p.effect;
        out.spec.patch.freeze_rollout = true;
        out.spec.patch.no_local_notification = effect == 1;
        out.spec.patch.no_sharing = effect == 2;
        out.spec.sets = rule_bit(RulePart::rollout_freeze) | (effect == 1 ? rule_bit(RulePart::local_notification) : 0) |
                        (effect == 2 ? rule_bit(RulePart::sharing) : 0);
        return effect == 0 ? std::string() : std::string(effect == 1 ? "no_local_notification" : "no_sharing");
      });

  struct PostConviction : PolicyCommon {};
  add_type<PostConviction>(
      "post_conviction_only",
      "Prints reach IDENT only at conviction (technically possible per FBI, Dec 2010): people released uncharged or "
      "acquitted are never checked.",
      [](Section<PostConviction>&) {},
      [](const Node&, const std::string&, const PostConviction&, ParsedPolicy& out) {
        out.spec.patch.post_conviction_only = true;
        out.spec.sets = rule_bit(RulePart::post_conviction);
        return std::string();
      });

  struct DetainerPolicy : PolicyCommon, DetainerKeys {};
  add_type<DetainerPolicy>(
      "detainer_policy",
      "A local limit on honouring detainers: Cook County IL (2011-09-07, decline_all), Santa Clara CA (2011-10-18, "
      "honor_levels), California TRUST Act (2014-01-01), San Francisco (2014-05-29, require_judicial_warrant).",
      [this](Section<DetainerPolicy>& s) { s.include(detainers); },
      [](const Node& entry, const std::string& path, const DetainerPolicy& p, ParsedPolicy& out) {
        if (!p.rule) fail(entry.where, join(path, "rule"), "required key 'rule' is missing");
        static_cast<const DetainerKeys&>(p).patch(out.spec.patch);
        out.spec.sets = rule_bit(RulePart::detainer_response) | (p.max_hold ? rule_bit(RulePart::hold_length) : 0);
        std::string detail = kRules[*p.rule];
        if (*p.rule == DetainerKeys::honor_levels) detail += " " + level_list(p.levels);
        if (*p.rule == DetainerKeys::require_judicial_warrant) detail += " " + schema::render_number(p.share_honored);
        if (p.max_hold) detail += " max_hold " + schema::render_duration(*p.max_hold);
        return detail;
      });

  struct ArrestBias : PolicyCommon {
    std::optional<std::size_t> group;
    std::optional<std::vector<std::size_t>> groups;
    std::optional<std::size_t> charge;
    std::optional<std::vector<std::size_t>> charges;
    double multiplier = 1;
    std::optional<PerLevel<double>> levels;
  };
  add_type<ArrestBias>(
      "arrest_bias",
      "Local arrest practice that books more (or fewer) people of one group for some charge classes, e.g. pretext "
      "traffic stops (the seed's Louisiana and New York figures): multiplies that group's booking rate.",
      [](Section<ArrestBias>& s) {
        s.field(Key{.name = "group",
                    .type = Type::enumeration,
                    .help = "population group (or use `groups`)",
                    .choices = schema::names(kGroupNames)},
                &ArrestBias::group)
            .field(Key{.name = "groups",
                       .type = Type::list,
                       .help = "several population groups (or use `group`): police see traits, not status, so a "
                               "practice aimed at the foreign-born reaches its citizens, residents and "
                               "undocumented people alike",
                       .choices = schema::names(kGroupNames)},
                   &ArrestBias::groups)
            .field(Key{.name = "charge",
                       .type = Type::enumeration,
                       .help = "one charge class (or use `charges`)",
                       .choices = schema::names(kChargeNames)},
                   &ArrestBias::charge)
            .field(Key{.name = "charges",
                       .type = Type::list,
                       .help = "several charge classes (or use `charge`)",
                       .choices = schema::names(kChargeNames)},
                   &ArrestBias::charges)
            .field(Key{.name = "multiplier",
                       .type = Type::number,
                       .help = "factor on the booking rate",
                       .range = schema::at_least(0),
                       .required = true},
                   &ArrestBias::multiplier)
            .field(Key{.name = "levels",
                       .type = Type::shares,
                       .help = "SC levels of the extra bookings a multiplier > 1 adds (default: the jurisdiction's "
                               "level_given_charge): people booked only because of the practice, e.g. after pretext "
                               "stops, mostly have no criminal record",
                       .choices = schema::names(kLevelNames)},
                   &ArrestBias::levels);
      },
      [](const Node& entry, const std::string& path, const ArrestBias& p, ParsedPolicy& out) {
        const std::vector<std::size_t> cs = one_or_list(entry, path, p.charge, p.charges, "charge");
        const std::vector<std::size_t> gs = one_or_list(entry, path, p.group, p.groups, "group");
        const double m = p.multiplier;
        for (auto g : gs)
          for (auto c : cs) {
            out.spec.patch.bias_multiplier[g][c] *= m;
            if (p.levels) out.spec.patch.bias_levels[g][c] = p.levels;
          }
        out.spec.sets = rule_bit(RulePart::arrest_bias);
        std::string detail;
        for (std::size_t i = 0; i < gs.size(); ++i) detail += (i ? "," : "") + std::string(kGroupNames[gs[i]]);
        detail += " ";
        for (std::size_t i = 0; i < cs.size(); ++i) detail += (i ? "," : "") + std::string(kChargeNames[cs[i]]);
        return detail + " x" + schema::render_number(m);
      });

  struct Agreement287g : PolicyCommon {
    double screening = 0;
  };
  add_type<Agreement287g>(
      "agreement_287g",
      "A 287(g) jail agreement (INA 287(g)): deputised jail officers screen a share of foreign-born bookings and "
      "lodge detainers for ICE, with or without an IDENT match (Los Angeles County 2005–2012, Harris County "
      "2008–2017). Bookings SC identifies stay SC's.",
      [](Section<Agreement287g>& s) {
        s.field(Key{.name = "screening",
                    .type = Type::probability,
                    .help = "share of foreign-born bookings the officers screen",
                    .required = true},
                &Agreement287g::screening);
      },
      [](const Node&, const std::string&, const Agreement287g& p, ParsedPolicy& out) {
        out.spec.patch.screening_287g = p.screening;
        out.spec.sets = rule_bit(RulePart::agreements);
        return "screening " + schema::render_number(p.screening);
      });

  struct IcePriorities : PolicyCommon, IceKeys {};
  add_type<IcePriorities>(
      "ice_priorities",
      "A change of ICE's enforcement priorities: a preset for an era (DOMAIN.md §2) and/or explicit probabilities.",
      [this](Section<IcePriorities>& s) { s.include(ice); },
      [](const Node& entry, const std::string& path, const IcePriorities& p, ParsedPolicy& out) {
        if (!p.preset && !entry.find("detainer_probability") && !entry.find("notification_probability") &&
            !entry.find("at_large_probability"))
          fail(entry.where, join(path, "preset"),
               "ice_priorities needs a preset or detainer/notification/at-large probabilities");
        static_cast<const IceKeys&>(p).patch(out.spec.patch);
        out.spec.sets = rule_bit(RulePart::ice_priorities);
        std::string detail = p.preset ? std::string(kPresets[*p.preset].name) : std::string();
        if (entry.find("detainer_probability") || entry.find("notification_probability") ||
            entry.find("at_large_probability"))
          detail += detail.empty() ? "explicit" : " with explicit levels";
        return detail;
      });

  struct Rollout : PolicyCommon {
    std::optional<sim::Date> activation;
    std::optional<std::vector<CoveragePoint>> coverage;
  };
  add_type<Rollout>(
      "rollout",
      "Sets the SC activation of the jurisdictions in scope when the scenario is loaded (rollout is data, not a rule "
      "change: `from` is optional and defaults to the first date).",
      [this](Section<Rollout>& s) {
        s.field(Key{.name = "activation",
                    .type = Type::date,
                    .help = "all bookings covered from this day (or `coverage`)"},
                &Rollout::activation)
            .add(Key{.name = "coverage",
                     .type = Type::list,
                     .help = "a coverage ramp (or `activation`)",
                     .section = &coverage},
                 [](const Node& n, Rollout& r, const std::string& p) { r.coverage = read_coverage(n, p); });
      },
      [](const Node& entry, const std::string& path, const Rollout& p, ParsedPolicy& out) {
        if (p.scope.kind == Scope::Kind::all)
          fail(key_node(entry, "scope").where, join(path, "scope"),
               "rollout needs scope: {jurisdictions: [..]} or {states: [..]}");
        if (p.activation.has_value() == p.coverage.has_value())
          fail(entry.where, join(path, "activation"),
               "give either 'activation' or 'coverage'" + std::string(p.activation ? ", not both" : ""));
        if (!p.from) out.spec.from = p.activation ? *p.activation : p.coverage->front().date;
        const auto activation = p.activation;
        const auto ramp = p.coverage.value_or(std::vector<CoveragePoint>{});
        out.configure = [activation, ramp](Jurisdiction& j) {
          j.activation = activation;
          j.coverage = ramp;
        };
        return activation ? "activation " + sim::format_date(*activation)
                          : "coverage ramp of " + std::to_string(ramp.size()) + " points";
      },
      /*from_optional=*/true);
}

}  // namespace

ParsedPolicy parse_policy(const Node& entry, const std::string& path) {
  if (!entry.is_map())
    fail(entry.where, path, "expected a policy map {type: .., from: .., ...}, got " + entry.describe());
  const Node* t = entry.find("type");
  if (!t) fail(entry.where, join(path, "type"), "required key 'type' is missing");
  const std::string type = schema::read_string(*t, join(path, "type"));
  for (const auto& pt : registry().types)
    if (pt.name == type) return pt.parse(entry, path);
  fail(t->where, join(path, "type"),
       "unknown policy type '" + type + "'" + schema::did_you_mean(type, policy_type_names()));
}

const schema::SectionBase& policy_section() { return registry().common; }

std::vector<std::string> policy_type_names() {
  std::vector<std::string> v;
  for (const auto& pt : registry().types) v.push_back(pt.name);
  return v;
}

const std::vector<IcePreset>& ice_presets() { return kPresets; }

const RuleSet& preset_rules(std::string_view name) {
  static const std::vector<RuleSet> rules = [] {
    std::vector<RuleSet> v;
    for (const auto& p : kPresets) {
      RuleSet r;
      r.p_detainer = p.p_detainer;
      r.p_notification = p.p_notification;
      v.push_back(r);
    }
    return v;
  }();
  for (std::size_t i = 0; i < kPresets.size(); ++i)
    if (kPresets[i].name == name) return rules[i];
  throw std::out_of_range("no ICE preset named '" + std::string(name) + "'");
}

const schema::SectionBase& ice_keys_section() { return registry().ice; }
const schema::SectionBase& detainer_keys_section() { return registry().detainers; }

void apply_ice_block(const Node& block, const std::string& path, RuleSet& rules) {
  IceKeys k;
  registry().ice.apply(block, k, path);
  k.apply(rules);
  for (std::size_t l = 0; l < kLevels; ++l)
    if (rules.p_detainer[l] + rules.p_notification[l] > 1 + 1e-9)
      fail(block.where, path,
           "detainer_probability + notification_probability exceed 1 for " + std::string(kLevelNames[l]) + " (" +
               schema::render_number(rules.p_detainer[l]) + " + " + schema::render_number(rules.p_notification[l]) +
               ")");
}

void apply_detainers_block(const Node& block, const std::string& path, RuleSet& rules) {
  DetainerKeys k;
  registry().detainers.apply(block, k, path);
  k.apply(rules);
}

const std::vector<std::string>& us_state_codes() { return kStates; }

const schema::SectionBase& coverage_section() { return registry().coverage; }

std::vector<CoveragePoint> read_coverage(const Node& n, const std::string& path) {
  std::vector<CoveragePoint> points = registry().coverage.read_list(n, path);
  if (points.empty()) fail(n.where, path, "a coverage ramp needs at least one point");
  for (std::size_t i = 1; i < points.size(); ++i) {
    const std::string p = schema::join_index(path, i);
    if (!(std::chrono::sys_days{points[i].date} > std::chrono::sys_days{points[i - 1].date}))
      fail(n.items[i].find("date")->where, join(p, "date"),
           "coverage dates must increase (" + sim::format_date(points[i].date) + " is not after " +
               sim::format_date(points[i - 1].date) + ")");
    if (points[i].fraction < points[i - 1].fraction)
      fail(n.items[i].find("fraction")->where, join(p, "fraction"),
           "coverage fractions must not decrease (" + schema::render_number(points[i].fraction) + " after " +
               schema::render_number(points[i - 1].fraction) + ")");
  }
  return points;
}

}  // namespace scsim
