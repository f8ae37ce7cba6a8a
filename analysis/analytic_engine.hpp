#pragma once
/// Internal to analysis/: the engine of the analytic chain (analytic.hpp).
///   analytic_engine.cpp   the cohort, the sums over jurisdictions and scopes,
///                         the absorbing chain;
///   analytic_custody.cpp  holds, notified releases, follow-ups, custody paths,
///                         records and profiles (after the jail's answer);
///   analytic_stages.cpp   one jurisdiction's bookings through the stages, day
///                         by day, every decision taken from
///                         models/pipeline/branches.hpp with the rules of its day;
///   analytic_kernels.*    the durations as day kernels.
/// Expected masses move between stages as daily series ("grids" of G days,
/// the period plus the days journeys are followed, and a last entry for what
/// falls beyond); a duration moves a series by convolution with its kernel.
#include <array>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analysis/analytic_kernels.hpp"
#include "models/pipeline/branches.hpp"
#include "models/pipeline/timeline.hpp"

namespace scsim::chain {

// ------------------------------------------------------------ metrics with an analytic expectation

inline constexpr std::array<Metric, 54> kCountMetrics{
    Metric::bookings,           Metric::fingerprints_submitted, Metric::ident_matches,
    Metric::ident_matches_level1, Metric::ident_matches_level2, Metric::ident_matches_level3,
    Metric::ident_matches_noncriminal, Metric::local_notifications, Metric::detainers_issued,
    Metric::detainers_honored,  Metric::detainers_declined,     Metric::notification_requests,
    Metric::ice_bookings,       Metric::ice_bookings_level1,    Metric::ice_bookings_level2,
    Metric::ice_bookings_level3, Metric::ice_bookings_noncriminal, Metric::removals,
    Metric::removals_level1,    Metric::removals_level2,        Metric::removals_level3,
    Metric::removals_noncriminal, Metric::us_citizens_detained, Metric::ice_detained,
    Metric::ice_released_pending, Metric::removals_reinstated, Metric::removals_stipulated, Metric::removals_court,
    Metric::followed_up_at_large, Metric::ice_arrests_at_large, Metric::ice_transfers_from_jail,
    Metric::detainers_issued_sc, Metric::detainers_issued_287g, Metric::detainers_issued_cap,
    Metric::ice_bookings_sc, Metric::ice_bookings_sc_level1, Metric::ice_bookings_sc_level2,
    Metric::ice_bookings_sc_level3, Metric::ice_bookings_sc_noncriminal,
    Metric::ice_bookings_287g, Metric::ice_bookings_287g_level1, Metric::ice_bookings_287g_level2,
    Metric::ice_bookings_287g_level3, Metric::ice_bookings_287g_noncriminal,
    Metric::ice_bookings_cap, Metric::ice_bookings_cap_level1, Metric::ice_bookings_cap_level2,
    Metric::ice_bookings_cap_level3, Metric::ice_bookings_cap_noncriminal, Metric::removals_sc,
    Metric::removals_sc_level1, Metric::removals_sc_level2, Metric::removals_sc_level3, Metric::removals_sc_noncriminal};
inline constexpr std::size_t kCountSlots = kCountMetrics.size();
inline constexpr std::size_t kSlots = kCountSlots + kEndStates;

/// Series slot of a metric (its counts, then the end states); -1 if it has none.
int slot_of(Metric m);
inline int slot(Metric m) { return slot_of(m); }
inline int end_slot(EndState e) { return static_cast<int>(kCountSlots + static_cast<std::size_t>(e)); }

/// Mean over a day of min(v0 + (v1 - v0) x, cap), x in [0, 1).
double mean_min_linear(double v0, double v1, double cap);

// ------------------------------------------------------------ series

using Grid = std::vector<double>;
/// Masses by (group, level), each a grid of ident days (index G: beyond the grid).
using ByClass = std::array<std::array<Grid, kLevels>, kGroups>;

/// A series that will come out of convolutions: contributions accumulate in
/// the frequency domain, one inverse transform at the end.
struct Target {
  Spec acc;
  bool used = false;
  double total = 0;  // expected mass including what falls beyond the grid
};

struct Emit {
  Target* target;
  double factor;
};

/// Masses summed by the value of what splits them (a probability, an
/// outcome table), in the order added: when the value is the same on every
/// day, the one sum is the sum of the masses and mass x share is exact.
template <class V>
struct ByValue {
  std::vector<std::pair<V, double>> groups;
  void add(const V& v, double mass) {
    for (auto& [value, sum] : groups)
      if (value == v) {
        sum += mass;
        return;
      }
    groups.emplace_back(v, mass);
  }
  double sum() const {
    double s = 0;
    for (const auto& g : groups) s += g.second;
    return s;
  }
};

// ------------------------------------------------------------ one jurisdiction's masses

/// How a detainer's release is reached: honoured at lodging and the bail lost,
/// honoured at lodging and the bail kept (or not pretrial), declined at
/// lodging; no_bail when the path has no bail to lose (the lodging answer
/// then does not change the release time).
enum Variant : std::size_t { lodge_bail, lodge_kept, lodge_declined, no_bail };

/// The jail stays of one jurisdiction: charge classes with identical stays
/// share kernels, so their masses share one set of convolutions (their
/// records differ: the masses stay apart by charge until after ICE decides).
struct StayClasses {
  std::array<std::shared_ptr<JailKernels>, kCharges> of_charge;
  std::array<std::size_t, kCharges> class_of_charge{};  // index into `classes`
  std::vector<std::shared_ptr<JailKernels>> classes;
};

/// Where booking, coverage and sharing leave the bookings, by stay class and
/// jail path, per booking day.
struct Booked {
  /// Journeys that end before IDENT: not activated, not shared, never convicted.
  enum Unchecked : std::size_t { not_activated, not_shared, not_convicted };
  // by charge: prints reach IDENT on the booking day
  std::array<std::array<ByClass, kJailPaths>, kCharges> at_ident;
  std::array<ByClass, kCharges> awaiting;  // convicted; prints held until the conviction, by level at conviction
  std::array<PerGroup<std::array<ProfileMix, kLevels>>, kCharges> awaiting_mix{};  // their profiles (summed masses)
  std::array<std::array<std::array<Grid, 3>, kJailPaths>, kCharges> unchecked;  // by stay class
  std::array<std::array<bool, kJailPaths>, kCharges> any_at_ident{};
  std::array<bool, kCharges> any_awaiting{};
  // by charge: found by a 287(g) officer or CAP instead (Route::p287g, Route::cap), by booking day
  std::array<std::array<std::array<ByClass, kRoutes>, kJailPaths>, kCharges> routed;
  std::array<std::array<std::array<bool, kRoutes>, kJailPaths>, kCharges> any_routed{};
};

/// Kinds of matched masses kept apart after IDENT, so that each keeps its own
/// profile mix (whose convictions differ most by jail path, whose timing
/// differs too): citizen or not, by jail path, or checked at conviction; by
/// the route to the detainer; and by charge class (records differ by charge,
/// and the charge mix moves with the rollout's concentration and arrest biases).
inline constexpr std::size_t kKinds = 8 * kRoutes * kCharges;
inline std::size_t kind_of(bool citizen, JailPath path, bool post, Route route, Charge c) {
  return (citizen ? 1 : 0) + 2 * (post ? kJailPaths : std::size_t(path)) + 8 * std::size_t(route) +
         8 * kRoutes * std::size_t(c);
}
inline Route route_of_kind(std::size_t kind) { return Route((kind / 8) % kRoutes); }

/// What one stay's ident-day masses become: release-day inputs (convolved
/// with the stay's kernels afterwards), per ident day or beyond the grid.
struct AfterIdent {
  Grid no_match, no_action, before, not_shared;
  double no_match_beyond = 0, no_action_beyond = 0, before_beyond = 0, not_shared_beyond = 0;
  struct Detained {
    Grid by_day;
    double beyond = 0;
    double lodge_share = 1;  // P(honoured at lodging)
    ProfileMix mix{};        // masses by profile at ICE custody (level by convictions, status)
    PerGroup<double> pending{};  // masses of the current source not yet folded into `mix`
  };
  std::map<std::array<std::size_t, 4>, Detained> detained;  // [level, citizen, variant, lodge-share class]
  /// The entry of `detained` for a key, found without a map search (the
  /// entries are looked up once per day and cell; map nodes do not move).
  Detained& detained_at(std::size_t l, std::size_t kind, std::size_t variant, std::size_t lodge) {
    auto& row = detained_index[(l * kKinds + kind) * 4 + variant];
    for (const auto& [cls, in] : row)
      if (cls == lodge) return *in;
    Detained* in = &detained[{l, kind, variant, lodge}];
    row.emplace_back(lodge, in);
    return *in;
  }
  std::vector<std::vector<std::pair<std::size_t, Detained*>>> detained_index =
      std::vector<std::vector<std::pair<std::size_t, Detained*>>>(kLevels * kKinds * 4);
  std::array<std::array<Grid, kKinds>, kLevels> notified;           // by level, kind
  std::array<std::array<double, kKinds>, kLevels> notified_beyond{};
  std::array<std::array<ProfileMix, kKinds>, kLevels> notified_mix{};
  std::array<std::array<PerGroup<double>, kKinds>, kLevels> notified_pending{};
  // detainers that arrive after the release, by kind and level (ICE may follow them up)
  std::array<std::array<Grid, kLevels>, kKinds> before_detainer;
  std::array<std::array<double, kLevels>, kKinds> before_detainer_beyond{};
  std::array<std::array<ProfileMix, kLevels>, kKinds> before_detainer_mix{};
  std::array<std::array<PerGroup<double>, kLevels>, kKinds> before_detainer_pending{};

  explicit AfterIdent(std::size_t G);
};

/// Starts of ICE custody by profile (level by convictions, status), per grid
/// day and beyond it. A release key's masses split over profiles in the
/// proportions of everything that entered it (its mix): exact when the mix is
/// the same on every day, as it is unless a policy changes who is booked
/// (arrest biases) mid-period.
struct CustodyStarts {
  /// Masses of one source (a release key) by day, split over profiles at the end.
  struct Part {
    Route route;
    ProfileMix mix;  // shares
    Grid by_day;
    double beyond = 0;
  };
  std::size_t G;
  std::vector<Part> parts;
  explicit CustodyStarts(std::size_t g) : G(g) {}
  std::size_t part(Route r, const ProfileMix& share) {
    parts.push_back({r, share, Grid(G, 0.0), 0.0});
    return parts.size() - 1;
  }
  void add(std::size_t p, std::size_t day, double mass) { (day < G ? parts[p].by_day[day] : parts[p].beyond) += mass; }
  /// By route and profile.
  void split(std::array<std::array<Grid, Profile::kCount>, kRoutes>& by_day,
             std::array<std::array<double, Profile::kCount>, kRoutes>& beyond) const;
};
/// A mix of masses as shares (all zero if empty).
inline ProfileMix shares_of(const ProfileMix& m) {
  double s = 0;
  for (double x : m) s += x;
  ProfileMix out{};
  if (s > 0)
    for (std::size_t i = 0; i < m.size(); ++i) out[i] = m[i] / s;
  return out;
}

struct Flows {
  std::vector<double> edge;
  std::array<double, kStages> time{};  // person-days spent in each stage (journeys followed to the end)
  explicit Flows(std::size_t edges) : edge(edges, 0.0) {}
};

// ------------------------------------------------------------ the engine

class Engine {
 public:
  Engine(const Scenario& sc, const AnalyticOptions& opt, AnalyticCache::Impl& cache)
      : sc_(sc), opt_(opt), cache_(cache), cal_(sc.start), topo_(Topology::pipeline()),
        flows_(topo_.transitions().size()) {}

  AnalyticResult run();

 private:
  // the cohort and the results (analytic_engine.cpp)
  void set_cohort();
  void add_to_scopes(std::size_t j, AnalyticResult& res) const;
  void shares(AnalyticResult& res) const;
  void absorbing_chain(AnalyticResult& res) const;

  // one jurisdiction, stage by stage (analytic_stages.cpp)
  void jurisdiction(std::size_t j);
  void start_jurisdiction(const Jurisdiction& jur, const Rollout& rollout);
  StayClasses stay_classes(const Jurisdiction& jur) const;
  void book(const Jurisdiction& jur, const Rollout& rollout, const StayClasses& stays, Booked& booked);
  PerGroup<PerCharge<double>> covered_on(std::size_t day, const Rollout& rollout, const RolloutOrder& order,
                                         const RuleSegment& seg) const;
  void book_cell(const Jurisdiction& jur, const StayClasses& stays, std::size_t day, double booked_per_day, Group g,
                 Charge c, double covered, Booked& booked);
  void emit_unchecked(const StayClasses& stays, const Booked& booked);
  void reach_ident(const StayClasses& stays, Booked& booked);
  /// Where the masses reaching IDENT come from: their charge, jail path and,
  /// for post-conviction checks, the profile mixes of the waiting masses.
  /// Per (group, level) of a source: the share LESC can screen out (lawful,
  /// no ground) and the profile shares at custody of the rest, by release
  /// variant (Variant; index 4: a notified release).
  struct SourceMix {
    double no_ground = 0;
    std::array<ProfileMix, 5> by_variant{};
  };
  using SourceMixes = PerGroup<PerLevel<SourceMix>>;
  struct Source {
    Charge charge;
    JailPath path;
    const SourceMixes* mixes;
    bool post = false;  // checked at conviction
    Route route = Route::sc;
    Booked* booked = nullptr;  // where bookings without an IDENT record found by other routes go
  };
  SourceMixes source_mixes(Charge c, JailPath path, const PerGroup<std::array<ProfileMix, kLevels>>* post);
  void after_ident(const StayKernels& stay, const Source& src, bool check_sharing, Node from, const ByClass& at_ident,
                   AfterIdent& out);
  void matched(const StayKernels& stay, const Source& src, const RuleSet& r, std::size_t k, Group g, Level l,
               double mass, AfterIdent& out);
  void detained(const StayKernels& stay, const Source& src, const RuleSet& r, std::size_t k, Group g, Level l,
                double detainers, AfterIdent& out);
  /// Post-conviction-only sharing: levels at conviction and profiles, cached.
  const PostConviction& post_of(Group g, Charge c, Level l);
  void emit_after_ident(const StayKernels& stay, AfterIdent& out);
  void emit_federal_counts();
  void release_detained(CustodyStarts& custody);
  void hold(std::size_t k, std::size_t kind, Level l, const ProfileMix& mix, std::size_t part, double honored,
            const RuleSet& r, CustodyStarts& custody, Grid& expired);
  /// Moves the pending masses of one source into the profile mixes of `out`.
  void fold(AfterIdent& out, const Source& src) const;
  /// Failed detainers ICE follows up: released on day k (k == G: beyond),
  /// `mass` of level l with profile shares `mix`, followed with P(at large).
  void to_at_large(std::size_t k, std::size_t kind, Level l, double mass, const ProfileMix& mix);
  void follow_ups(CustodyStarts& custody);
  void release_notified(CustodyStarts& custody);
  void custody_outcomes(const CustodyStarts& custody);

  // series and flows (analytic_engine.cpp)
  void emit(const Grid& x, const Kernel& K, std::initializer_list<Emit> outs);
  void emit_beyond(double x, const Kernel& K, std::initializer_list<Emit> outs);
  Grid finish(Target& t, double* beyond = nullptr);
  void flow(Node from, Node to, double m) {
    if (m == 0) return;
    const int e = topo_.edge(from, to);
    if (e < 0) [[unlikely]] undeclared(from, to);
    flows_.edge[static_cast<std::size_t>(e)] += m;
  }
  [[noreturn]] static void undeclared(Node from, Node to);
  void spend(Stage s, double person_days) { flows_.time[static_cast<std::size_t>(s)] += person_days; }
  void add_series(int slot, std::size_t day, double v) {
    if (day < days_ && v != 0) local_[static_cast<std::size_t>(slot)][day] += v;
  }
  void add_series(int slot, const Grid& g) {
    auto& dst = local_[static_cast<std::size_t>(slot)];
    for (std::size_t d = 0; d < days_ && d < g.size(); ++d) dst[d] += g[d];
  }
  void ensure(Grid& g) const {
    if (g.empty()) g.assign(G_ + 1, 0.0);  // index G_: beyond the grid
  }
  const RuleSegment& seg_on(std::size_t day) const { return segs_[seg_day_[std::min(day, G_ - 1)]]; }
  const HoldTable& hold_table_for(sim::Duration max_hold);
  /// Index of a lodge share among those seen so far (keys of AfterIdent::detained).
  std::size_t lodge_class(double share);

  const Scenario& sc_;
  const AnalyticOptions& opt_;
  AnalyticCache::Impl& cache_;
  sim::Calendar cal_;
  const Topology& topo_;
  Flows flows_;
  std::size_t days_ = 0, G_ = 0, first_day_ = 0, last_day_ = 0;  // cohort booking days [first, last]
  std::shared_ptr<PipelineKernels> pk_;
  std::unique_ptr<Convolver> conv_;
  Spec spec_;  // emit's transform of its input
  std::map<sim::Duration, std::shared_ptr<HoldTable>> holds_;
  const HoldTable* last_hold_ = nullptr;  // hold_table_for's last answer
  sim::Duration last_hold_max_ = 0;
  double bookings_ = 0;
  std::vector<double> lodge_classes_;  // kept across jurisdictions: class indices order the release map

  // per jurisdiction
  std::vector<RuleSegment> segs_;
  std::vector<std::size_t> seg_day_;  // segment index of each grid day
  std::vector<Grid> local_;           // [slot][day]: this jurisdiction's daily counts
  struct ReleaseInput {  // detained releases: [level][citizen][variant][lodge-share class] by release day
    Target target;
    double beyond = 0;
    double lodge_share = 1;
    ProfileMix mix{};
  };
  std::map<std::array<std::size_t, 4>, ReleaseInput> release_;
  std::array<std::array<Target, kKinds>, kLevels> notified_{};  // notification-request releases by level, kind
  std::array<std::array<double, kKinds>, kLevels> notified_beyond_{};
  std::array<std::array<ProfileMix, kKinds>, kLevels> notified_mix_{};
  // ICE's follow-up: detainers too late (release day), at-large arrests by release day
  std::array<std::array<Target, kLevels>, kKinds> before_detainer_{};
  std::array<std::array<ProfileMix, kLevels>, kKinds> before_detainer_mix_{};
  std::array<std::array<Grid, kLevels>, kKinds> at_large_in_{};
  std::array<std::array<double, kLevels>, kKinds> at_large_beyond_{};
  std::array<std::array<ProfileMix, kLevels>, kKinds> at_large_mix_{};
  std::array<Grid, kRoutes> issued_by_route_;
  RecordTable records_;  // this jurisdiction's
  const Jurisdiction* jur_ = nullptr;
  std::map<std::size_t, PostConviction> posts_;  // post_of() cache
  std::array<Target, kSlots> out_{};  // this jurisdiction's convolved metric series
  const Population* pop_ = nullptr;
  // ident-day series whose kernels do not depend on the jail stay
  Grid notices_, issued_, requested_;
  std::array<Grid, kLevels> matches_;
};

}  // namespace scsim::chain
