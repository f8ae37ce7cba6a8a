#include "models/pipeline/metrics.hpp"

namespace scsim {

namespace {
constexpr std::array<std::string_view, static_cast<std::size_t>(Metric::end_first)> kBaseNames{
    "bookings",
    "fingerprints_submitted",
    "ident_matches",
    "ident_matches_level1", "ident_matches_level2", "ident_matches_level3", "ident_matches_noncriminal",
    "local_notifications",
    "detainers_issued",
    "detainers_honored",
    "detainers_declined",
    "notification_requests",
    "detainer_hold_days",
    "ice_bookings",
    "ice_bookings_level1", "ice_bookings_level2", "ice_bookings_level3", "ice_bookings_noncriminal",
    "removals",
    "removals_level1", "removals_level2", "removals_level3", "removals_noncriminal",
    "us_citizens_detained",
    "ice_detained",
    "ice_released_pending",
    "removals_reinstated",
    "removals_stipulated",
    "removals_court",
    "followed_up_at_large",
    "ice_arrests_at_large",
    "ice_transfers_from_jail",
    "detainers_issued_sc", "detainers_issued_287g", "detainers_issued_cap",
    "ice_bookings_sc",
    "ice_bookings_sc_level1", "ice_bookings_sc_level2", "ice_bookings_sc_level3", "ice_bookings_sc_noncriminal",
    "ice_bookings_287g",
    "ice_bookings_287g_level1", "ice_bookings_287g_level2", "ice_bookings_287g_level3", "ice_bookings_287g_noncriminal",
    "ice_bookings_cap",
    "ice_bookings_cap_level1", "ice_bookings_cap_level2", "ice_bookings_cap_level3", "ice_bookings_cap_noncriminal",
    "removals_sc",
    "removals_sc_level1", "removals_sc_level2", "removals_sc_level3", "removals_sc_noncriminal",
    "ice_detention_days",
    "extra_jail_days_detainer",
    "jail_bed_days",
    "scaap_eligible_days",
    "lesc_wait_hours",
    "extra_jail_bed_days",
    "hold_cost_usd",
    "extra_jail_cost_usd",
    "staff_cost_usd",
    "detainer_cost_usd",
    "scaap_offset_usd",
    "net_detainer_cost_usd",
    "ice_detention_cost_usd",
};
}  // namespace

std::string metric_name(Metric m) {
  auto i = static_cast<std::size_t>(m);
  if (i < kBaseNames.size()) return std::string(kBaseNames[i]);
  return "end_" + std::string(kEndStateNames[i - kBaseNames.size()]);
}

bool is_day_metric(Metric m) {
  return m == Metric::detainer_hold_days || m == Metric::ice_detention_days ||
         m == Metric::extra_jail_days_detainer || m == Metric::jail_bed_days || m == Metric::scaap_eligible_days ||
         m == Metric::extra_jail_bed_days;
}

}  // namespace scsim
