/// The practical limit: the bench/ booking model as a hand-tuned, single-file
/// event loop with no resources (every pool has infinitely many servers), no
/// coroutines and no kernel. What is left is the irreducible work: the same
/// draws from the same streams (sim::Stream, boost mt19937_64), one queue
/// event per stage, and the end-state counts.
///
/// Tuning: a booking's whole state is its stage code, carried in the event
/// (what a decision drew is folded into the next stage's code), so there is
/// no per-booking record to fetch; an event that schedules a successor
/// overwrites the queue's top in place (one sift instead of a pop and a
/// push). Two future-event sets, chosen with --queue:
///  * calendar (default, the faster): sim::detail::CalendarQueue, the two-level
///    calendar queue the kernel uses, fed POD entries whose target word is
///    (booking << 4 | stage);
///  * heap4: 16-byte POD events in an implicit 4-ary heap (four children =
///    one cache line) whose key packs (time << 34 | seq), so the (time, FIFO)
///    order is one 64-bit compare.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench_common.hpp"
#include "sim/detail/calendar_queue.hpp"
#include "sim/random.hpp"

namespace {

using bench::secs;

enum Stage : std::uint32_t {
  kArrival,         // the arrival process: book one, schedule the next
  kIafisDone,       // fingerprints compared against IAFIS
  kIdentDone,       // checked against IDENT
  kLescDone,        // LESC analyst finished: level and detainer drawn
  kJailNoMatch,     // jail stay over: released (no match)
  kJailNoDetainer,  // jail stay over: released (match, no detainer)
  kJailDetainer,    // jail stay over: detainer hold starts
  kHoldOver,        // hold over: ICE picks up or not
  kCustodyOver,     // ICE custody over: removed or relief
};

struct Ev {
  sim::Time time;
  std::uint32_t who;  // booking number
  std::uint32_t stage;
};

/// 16-byte events in a 4-ary heap keyed by (time << 34 | seq).
class Heap4 {
 public:
  static constexpr unsigned kSeqBits = 34;  // 1.7e10 events; time below 2^30 s (34 years)
  Heap4() { h_.reserve(1 << 18); }
  bool empty() const { return h_.empty(); }
  bool overflow() const { return overflow_; }
  Ev top() const { return Ev{static_cast<sim::Time>(h_[0].key >> kSeqBits), h_[0].who, h_[0].stage}; }

  void push(Ev e) {
    const Node n = node(e);
    std::size_t i = h_.size();
    h_.push_back(n);
    while (i > 0) {
      std::size_t p = (i - 1) >> 2;
      if (h_[p].key <= n.key) break;
      h_[i] = h_[p];
      i = p;
    }
    h_[i] = n;
  }
  void pop() {
    Node last = h_.back();
    h_.pop_back();
    if (!h_.empty()) sift_down(last);
  }
  void replace_top(Ev e) { sift_down(node(e)); }

 private:
  struct Node {
    std::uint64_t key;
    std::uint32_t who, stage;
  };
  static_assert(sizeof(Node) == 16);

  Node node(Ev e) {
    if (e.time >> (64 - kSeqBits)) overflow_ = true;
    return Node{(static_cast<std::uint64_t>(e.time) << kSeqBits) | (seq_++ & ((std::uint64_t{1} << kSeqBits) - 1)),
                e.who, e.stage};
  }

  void sift_down(Node e) {
    const std::size_t n = h_.size();
    Node* h = h_.data();
    std::size_t i = 0;
    for (;;) {
      std::size_t c = 4 * i + 1;
      if (c + 3 < n) {  // all four children present: branch-light minimum
        std::size_t b = c;
        std::uint64_t bk = h[c].key;
        if (h[c + 1].key < bk) b = c + 1, bk = h[c + 1].key;
        if (h[c + 2].key < bk) b = c + 2, bk = h[c + 2].key;
        if (h[c + 3].key < bk) b = c + 3, bk = h[c + 3].key;
        if (e.key <= bk) break;
        h[i] = h[b];
        i = b;
        continue;
      }
      if (c >= n) break;
      std::size_t b = c;
      for (std::size_t k = c + 1; k < n; ++k)
        if (h[k].key < h[b].key) b = k;
      if (e.key > h[b].key) {
        h[i] = h[b];
        i = b;
      }
      break;  // children of a partial family are leaves
    }
    h[i] = e;
  }

  std::vector<Node> h_;
  std::uint64_t seq_ = 0;
  bool overflow_ = false;
};

/// sim::detail::CalendarQueue (no frame prefetching: there are no frames here).
class Calendar {
 public:
  bool empty() const { return q_.empty(); }
  bool overflow() const { return false; }
  Ev top() const {
    const sim::EventEntry& e = q_.top();
    return Ev{e.time, static_cast<std::uint32_t>(e.target >> 4), static_cast<std::uint32_t>(e.target & 15)};
  }
  void push(Ev e) { q_.push(entry(e)); }
  void pop() { q_.pop(); }
  void replace_top(Ev e) { q_.replace_top(entry(e)); }

 private:
  sim::EventEntry entry(Ev e) { return sim::EventEntry{e.time, seq_++, (std::uintptr_t{e.who} << 4) | e.stage}; }
  sim::detail::CalendarQueue q_;
  std::uint64_t seq_ = 0;
};

template <class Queue>
int run(const bench::Options& opt) {
  const double t0 = bench::now_s();

  sim::RandomStreams rs(opt.seed, 0);
  sim::Stream& arrivals = rs.get("arrivals");
  sim::Stream& iafis_service = rs.get("iafis.service");
  sim::Stream& ident_service = rs.get("ident.service");
  sim::Stream& ident_match = rs.get("ident.match");
  sim::Stream& lesc_service = rs.get("lesc.service");
  sim::Stream& lesc_level = rs.get("lesc.level");
  sim::Stream& lesc_detainer = rs.get("lesc.detainer");
  sim::Stream& jail_stay = rs.get("jail.stay");
  sim::Stream& detainer_hold = rs.get("detainer.hold");
  sim::Stream& ice_pickup = rs.get("ice.pickup");
  sim::Stream& ice_custody = rs.get("ice.custody");
  sim::Stream& ice_outcome = rs.get("ice.outcome");

  Queue q;
  std::uint64_t events = 0, booked = 0;
  std::array<std::uint64_t, bench::kEnds> ends{};

  double arrival_clock = 0.0;  // exact arrival instants; each rounded to a second
  if (opt.bookings > 0) {
    arrival_clock += arrivals.exponential(bench::kMeanInterarrival);
    q.push(Ev{secs(arrival_clock), 0, kArrival});
  }

  while (!q.empty()) {
    const Ev e = q.top();
    const sim::Time now = e.time;
    ++events;
    Ev next{0, e.who, 0};
    switch (e.stage) {
      case kArrival: {
        const auto who = static_cast<std::uint32_t>(booked++);
        const Ev first{now + secs(iafis_service.exponential(bench::kIafisMean)), who, kIafisDone};
        if (booked < opt.bookings) {
          arrival_clock += arrivals.exponential(bench::kMeanInterarrival);
          q.replace_top(Ev{secs(arrival_clock), 0, kArrival});
          q.push(first);
          continue;
        }
        next = first;
        break;
      }
      case kIafisDone:
        next.time = now + secs(ident_service.exponential(bench::kIdentMean));
        next.stage = kIdentDone;
        break;
      case kIdentDone:
        if (ident_match.bernoulli(bench::kMatchP)) {
          next.time = now + secs(lesc_service.exponential(bench::kLescMean));
          next.stage = kLescDone;
        } else {
          next.time = now + secs(jail_stay.exponential(bench::kJailMean));
          next.stage = kJailNoMatch;
        }
        break;
      case kLescDone: {
        const int level = bench::level_of(lesc_level.uniform());
        const bool detainer = lesc_detainer.bernoulli(bench::kDetainerP[level]);
        next.time = now + secs(jail_stay.exponential(bench::kJailMean));
        next.stage = detainer ? kJailDetainer : kJailNoDetainer;
        break;
      }
      case kJailNoMatch:
        ++ends[bench::kReleasedNoMatch];
        q.pop();
        continue;
      case kJailNoDetainer:
        ++ends[bench::kReleasedNoDetainer];
        q.pop();
        continue;
      case kJailDetainer:
        next.time = now + secs(detainer_hold.uniform(0.0, bench::kHoldMax));
        next.stage = kHoldOver;
        break;
      case kHoldOver:
        if (!ice_pickup.bernoulli(bench::kPickupP)) {
          ++ends[bench::kReleasedNotPickedUp];
          q.pop();
          continue;
        }
        next.time = now + secs(ice_custody.exponential(bench::kCustodyMean));
        next.stage = kCustodyOver;
        break;
      case kCustodyOver:
        ++ends[ice_outcome.bernoulli(bench::kRemovedP) ? bench::kRemoved : bench::kRelief];
        q.pop();
        continue;
    }
    q.replace_top(next);
  }
  const double wall = bench::now_s() - t0;
  if (q.overflow()) {
    std::fprintf(stderr, "bare_loop: time beyond 2^30 s, heap key overflow\n");
    return 1;
  }
  return bench::report("bare_loop", opt.bookings, booked, events, wall, ends, opt.quiet);
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Options opt = bench::parse(argc, argv);
  if (opt.queue == "calendar") return run<Calendar>(opt);
  if (opt.queue == "heap4") return run<Heap4>(opt);
  std::fprintf(stderr, "bare_loop: --queue must be calendar or heap4\n");
  return 2;
}
