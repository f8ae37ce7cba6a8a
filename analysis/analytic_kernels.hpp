#pragma once
/// Internal to analysis/: the durations of the analytic chain (analytic.hpp).
/// Every scenario duration (Boost.Math CDFs) is put on a 15-minute lattice and
/// turned into day kernels "P(the step lands k days after its start day)",
/// including the races the journey runs (the federal delays against the
/// remaining jail stay, a lost bail against the stay) and the 48-business-hour
/// hold on the civil calendar. They depend on durations only, so calibration
/// reuses them while probabilities change (AnalyticCache).
#include <Eigen/Dense>
#include <array>
#include <complex>
#include <map>
#include <memory>
#include <string>
#include <unsupported/Eigen/FFT>
#include <vector>

#include "analysis/analytic.hpp"
#include "models/pipeline/branches.hpp"

namespace scsim::chain {

inline constexpr double kDaySeconds = 86400.0;
/// Lattice resolution for durations: 15 minutes. Fine enough that the races
/// between hour-scale federal delays and day-scale jail stays are resolved to
/// well under the simulator's sampling noise (midpoint masses, half-weight ties).
inline constexpr int kStepsPerDay = 96;
inline constexpr double kStep = 1.0 / kStepsPerDay;
/// Quadrature nodes within a release day for the calendar of the 48-hour hold.
inline constexpr int kHoldNodes = 48;

using Spec = std::vector<std::complex<double>>;

/// CDF of a scenario duration at x days (the same parameterisation as Dist::sample).
double cdf_days(const Dist& d, double x);

/// A duration as point masses on {0, h, 2h, ...} (h = kStep days): point i
/// carries P([(i - 1/2) h, (i + 1/2) h)), so sums of lattices stay on the
/// lattice and comparisons of two lattices are second-order accurate.
struct Lattice {
  std::vector<double> p;
  double tail = 0;  // mass beyond the last point (later than anything the grid follows)
  double mean = 0;  // days: the distribution's own mean
};

/// "P(a step that starts on day d lands on day d + m)", for a start time
/// uniform within its day: a lattice point at y days lands on floor(U + y),
/// i.e. on floor(y) with weight 1 - frac(y) and the next day with frac(y).
struct Kernel {
  std::vector<double> k;  // m = 0 .. G-1
  double total = 0;       // including what lands on or after day G
  mutable Spec spec;      // FFT of k for the convolver size below
  mutable std::size_t spec_n = 0;
};

/// Race of the federal delay F against a remaining stay at lattice point i:
/// q[i] = P(F < y_i) + P(F = y_i)/2 (the lattice stands for continuous times).
/// pe[i] = E[F; F < y_i] with the same half weight.
struct Race {
  std::vector<double> q, pe;
  double at(const std::vector<double>& v, std::size_t i, double last) const { return i < v.size() ? v[i] : last; }
  double q_end = 1, pe_end = 0;
};

/// Kernels of one remaining criminal stay (from the ident day) against F.
struct StayKernels {
  Kernel stay;      // release day, unconditional
  Kernel before;    // release day, released before ICE's decision arrives (F >= stay)
  Kernel released;  // release day, the detainer arrived first (F < stay)
  Kernel released_bail;  // same when the detainer also costs the bail: release = max(stay, disposition)
  bool has_bail = false;
  double mean = 0;        // E[stay]
  double time_held = 0;   // E[(stay - F); F < stay]: days in `detainer` / `notification_request`
  double time_held_bail = 0;
};

/// Duration kernels of the federal side of the pipeline.
struct PipelineKernels {
  Lattice iafis, lesc, decision, pickup, A, F;
  Race race;
  Kernel to_match, to_iar, to_decision;
  std::array<Lattice, kCustodyPaths> path;   // ICE custody paths (branches.hpp, path_duration)
  std::array<Kernel, kCustodyPaths> path_k;
  Lattice at_large;                          // release -> at-large arrest
  Kernel at_large_k;
};

/// Kernels of one jail configuration (the four stay distributions of a charge class).
struct JailKernels {
  std::array<StayKernels, kJailPaths> normal;  // from booking, by path
  StayKernels post;                            // post-conviction-only: remaining stay after the conviction
  Kernel conviction;                           // booking -> conviction
  double mean_conviction = 0;
};

/// The 48-business-hour hold for releases on one day, averaged over the time of day.
struct HoldDay {
  double p_in_time = 0;      // E[P(pickup delay <= hold length)]
  double e_len = 0;          // E[hold length] (days)
  double e_len_in_time = 0;  // E[hold length x P(pickup <= length)]
  double e_pickup_in_time = 0;  // E[pickup delay; pickup <= length]
  std::vector<double> custody;  // [m]: P(pickup <= length, ICE custody on day + m)
  std::vector<double> end_all;  // [m]: P(hold ends on day + m)
  std::vector<double> end_in_time;  // [m]: E[P(pickup <= length); hold ends on day + m]
};

struct HoldTable {
  std::vector<HoldDay> days;  // 0 .. G-1
  HoldDay average;            // over the last year of the grid, for releases after it
};

/// Linear convolutions on the day grid by FFT, the kernels' spectra cached.
class Convolver {
 public:
  explicit Convolver(std::size_t n) : n_(n), buf_(n, 0.0) { fft_.SetFlag(Eigen::FFT<double>::HalfSpectrum); }
  std::size_t size() const { return n_; }
  std::size_t bins() const { return n_ / 2 + 1; }
  void forward(const std::vector<double>& x, Spec& out) {
    std::fill(buf_.begin(), buf_.end(), 0.0);
    std::copy_n(x.begin(), std::min(x.size(), n_ / 2), buf_.begin());
    out.resize(bins());
    fft_.fwd(out.data(), buf_.data(), static_cast<Eigen::Index>(n_));
  }
  const Spec& kernel(const Kernel& K) {
    if (K.spec_n != n_) {
      forward(K.k, K.spec);
      K.spec_n = n_;
    }
    return K.spec;
  }
  /// The first `len` points of the inverse transform of s (s is not changed).
  void inverse(const Spec& s, std::vector<double>& out, std::size_t len) {
    fft_.inv(buf_.data(), s.data(), static_cast<Eigen::Index>(n_));
    out.assign(len, 0.0);
    for (std::size_t i = 0; i < len && i < n_; ++i) out[i] = std::max(0.0, buf_[i]);
  }

 private:
  std::size_t n_;
  Eigen::FFT<double> fft_;
  std::vector<double> buf_;
};

/// Kernels of the federal delays (cached per distribution parameters and grid length G).
std::shared_ptr<PipelineKernels> pipeline_kernels(AnalyticCache::Impl& cache, const PipelineParams& pp, std::size_t G);
/// Kernels of one charge class's jail stays against the federal delays.
std::shared_ptr<JailKernels> jail_kernels(AnalyticCache::Impl& cache, const JailStay& js, const PipelineParams& pp,
                                          const PipelineKernels& pk, std::size_t G);
/// The hold of `max_hold` business time for releases on each grid day.
std::shared_ptr<HoldTable> hold_table(AnalyticCache::Impl& cache, const sim::Calendar& cal, sim::Duration max_hold,
                                      const Dist& pickup, const Lattice& pickup_lattice, std::size_t G);

}  // namespace scsim::chain

namespace scsim {

/// Durations-only precomputation, keyed by the distributions' parameters.
struct AnalyticCache::Impl {
  std::map<std::string, std::shared_ptr<chain::PipelineKernels>> pipelines;
  std::map<std::string, std::shared_ptr<chain::JailKernels>> jails;
  std::map<std::string, std::shared_ptr<chain::HoldTable>> holds;
};

}  // namespace scsim
