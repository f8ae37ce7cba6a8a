#include "app/output.hpp"

#include <spdlog/fmt/fmt.h>
#include <unistd.h>

#include <fstream>
#include <ostream>
#include <sstream>

#include "app/format.hpp"
#include "app/json.hpp"

namespace scsim_app {

namespace fs = std::filesystem;
using namespace scsim;

void write_file_atomic(const fs::path& path, const std::string& content) {
  fs::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) throw UsageError("cannot write '" + path.string() + "'");
    f << content;
    f.flush();
    if (!f) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw UsageError("cannot write '" + path.string() + "' (disk full?)");
    }
  }
  fs::rename(tmp, path);
}

void write_summary_csv(std::ostream& os, const Results& r) {
  os << "scope,metric,mean,ci95_low,ci95_high,replications\n";
  for (std::size_t s = 0; s < r.scopes.size(); ++s)
    for (std::size_t m = 0; m < kMetrics; ++m) {
      const auto& e = r.summary[s * kMetrics + m];
      os << csv_field(r.scopes.names[s]) << ',' << metric_name(m) << ',' << num(e.mean) << ',' << num(e.ci95_low)
         << ',' << num(e.ci95_high) << ',' << r.replications << '\n';
    }
}

void write_monthly_csv(std::ostream& os, const Results& r) {
  os << "month,scope,metric,mean,ci95_low,ci95_high\n";
  const std::size_t S = r.scopes.size();
  for (std::size_t mo = 0; mo < r.months.size(); ++mo)
    for (std::size_t s = 0; s < S; ++s)
      for (std::size_t m = 0; m < kMetrics; ++m) {
        const auto& e = r.monthly[(mo * S + s) * kMetrics + m];
        os << r.months.labels[mo] << ',' << csv_field(r.scopes.names[s]) << ',' << metric_name(m) << ','
           << num(e.mean) << ',' << num(e.ci95_low) << ',' << num(e.ci95_high) << '\n';
      }
}

void write_flows_csv(std::ostream& os, const Results& r) {
  os << "from,to,mean_count\n";
  const auto& tr = Topology::pipeline().transitions();
  for (std::size_t e = 0; e < tr.size(); ++e)
    os << tr[e].from.name() << ',' << tr[e].to.name() << ',' << num(r.flows[e]) << '\n';
}

void write_summary_json(std::ostream& os, const Scenario& sc, const Results& r) {
  Json scopes = Json::object();
  for (std::size_t s = 0; s < r.scopes.size(); ++s) {
    Json metrics = Json::object();
    for (std::size_t m = 0; m < kMetrics; ++m) {
      const auto& e = r.summary[s * kMetrics + m];
      metrics[metric_name(m)] = {{"mean", e.mean}, {"ci95_low", e.ci95_low}, {"ci95_high", e.ci95_high}};
    }
    scopes[r.scopes.names[s]] = std::move(metrics);
  }
  const Json doc = {
      {"scenario", sc.name}, {"seed", sc.seed}, {"replications", r.replications}, {"scopes", std::move(scopes)}};
  os << json_text(doc) << "\n";
}

void print_summary_table(std::ostream& os, const Scenario& sc, const Results& r, std::size_t scope) {
  const auto& e0 = r.at(scope, Metric::bookings);
  os << "\n  " << sc.name << "\n";
  os << "  " << sim::format_date(sc.start) << " to " << sim::format_date(sc.end) << ", "
     << sc.jurisdictions.size() << (sc.jurisdictions.size() == 1 ? " jurisdiction" : " jurisdictions") << ", scope "
     << r.scopes.names[scope] << ", " << r.replications << " replication" << (r.replications == 1 ? "" : "s")
     << ", seed " << sc.seed << "\n\n";
  auto row = [&](std::string_view label, Metric m, int decimals = 0) {
    const auto& e = r.at(scope, m);
    const std::string ci = r.replications > 1 ? "[" + grouped_number(e.ci95_low, decimals) + " – " +
                                                    grouped_number(e.ci95_high, decimals) + "]"
                                              : "";
    os << fmt::format("  {:<36}{:>16}  {}\n", label, grouped_number(e.mean, decimals), ci);
  };
  os << fmt::format("  {:<36}{:>16}  {}\n", "PIPELINE", "mean", r.replications > 1 ? "95% CI" : "");
  row("bookings", Metric::bookings);
  row("fingerprints submitted to IDENT", Metric::fingerprints_submitted);
  row("IDENT matches", Metric::ident_matches);
  for (std::size_t l = 0; l < kLevels; ++l)
    row("  " + std::string(kLevelNames[l]), by_level(Metric::ident_matches_level1, static_cast<Level>(l)));
  row("local notifications (IAR to jail)", Metric::local_notifications);
  row("detainers issued", Metric::detainers_issued);
  row("  honored", Metric::detainers_honored);
  row("  declined", Metric::detainers_declined);
  row("notification requests", Metric::notification_requests);
  row("ICE bookings (custody)", Metric::ice_bookings);
  for (std::size_t l = 0; l < kLevels; ++l)
    row("  " + std::string(kLevelNames[l]), by_level(Metric::ice_bookings_level1, static_cast<Level>(l)));
  row("removals", Metric::removals);
  for (std::size_t l = 0; l < kLevels; ++l)
    row("  " + std::string(kLevelNames[l]), by_level(Metric::removals_level1, static_cast<Level>(l)));
  row("US citizens detained", Metric::us_citizens_detained);
  os << "\n" << fmt::format("  {:<36}{:>16}\n", "CUSTODY (days)", "");
  row("detainer hold days", Metric::detainer_hold_days, 1);
  row("extra jail days from detainers", Metric::extra_jail_days_detainer, 1);
  row("ICE detention days", Metric::ice_detention_days, 1);
  row("jail bed-days (all bookings)", Metric::jail_bed_days);
  os << "\n" << fmt::format("  {:<36}{:>16}\n", "COSTS (US$, each county's prices)", "");
  row("extra jail bed-days (hold + extra)", Metric::extra_jail_bed_days, 1);
  row("county detainer cost", Metric::detainer_cost_usd);
  row("  SCAAP offset", Metric::scaap_offset_usd);
  row("  net county detainer cost", Metric::net_detainer_cost_usd);
  row("ICE detention cost (federal)", Metric::ice_detention_cost_usd);
  os << "\n" << fmt::format("  {:<36}{:>16}  {:>7}\n", "END STATES", "mean", "share");
  for (std::size_t e = 0; e < kEndStates; ++e) {
    const auto& est = r.at(scope, end_metric(static_cast<EndState>(e)));
    double share = e0.mean > 0 ? est.mean / e0.mean : 0;
    os << fmt::format("  {:<36}{:>16}  {:>6.2f}%\n", kEndStateNames[e], grouped_number(est.mean), 100 * share);
  }
  os << "\n  conservation: bookings = sum of end states in every scope and replication (checked)\n";
  os << fmt::format("  LESC utilisation {:.1f}%, {} events per replication\n\n", 100 * r.lesc_utilization,
                    grouped_number(r.events_per_replication));
}

}  // namespace scsim_app
