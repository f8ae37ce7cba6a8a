"""scsim.run and scsim.load: results arrive as DataFrames that agree with the
model's invariants, a seed fixes them, and overrides reach the model."""
import threading
import time
import unittest

import pandas as pd

from _common import COUNTY, ROOT
import scsim


class RunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.res = scsim.run(COUNTY, replications=3, seed=7)

    def test_results_are_dataframes_with_the_documented_columns(self):
        r = self.res
        self.assertEqual(list(r.summary.columns),
                         ["scope", "metric", "mean", "stddev", "ci95_low", "ci95_high", "replications"])
        self.assertEqual(list(r.monthly.columns), ["month", "scope", "metric", "mean", "ci95_low", "ci95_high"])
        self.assertEqual(list(r.flows.columns), ["from", "to", "why", "mean_count", "probability"])
        self.assertEqual(list(r.costs.columns),
                         ["scope", "period", "section", "key", "label", "unit", "mean", "ci95_low", "ci95_high"])
        self.assertTrue(r.costs.empty)  # January to April covers no whole calendar or fiscal year
        self.assertEqual(sorted(r.summary.scope.unique()), ["national", "otherco", "testco"])
        self.assertTrue(pd.api.types.is_datetime64_any_dtype(r.monthly.month))
        self.assertEqual(r.monthly.month.dt.strftime("%Y-%m").unique().tolist(),
                         ["2011-01", "2011-02", "2011-03", "2011-04"])
        self.assertTrue((r.summary.replications == 3).all())

    def test_every_booking_ends_in_exactly_one_end_state(self):
        t = self.res.table("national")
        ends = t[t.index.str.startswith("end_")]["mean"].sum()
        self.assertAlmostEqual(ends, t.loc["bookings", "mean"], places=6)
        # ~500 bookings a day for 118 days.
        self.assertAlmostEqual(t.loc["bookings", "mean"] / (500 * 118), 1.0, delta=0.03)

    def test_national_is_the_sum_of_the_counties(self):
        s = self.res.summary.pivot(index="metric", columns="scope", values="mean")
        for m in ["bookings", "ident_matches", "detainers_issued", "removals"]:
            self.assertAlmostEqual(s.loc[m, "national"], s.loc[m, "testco"] + s.loc[m, "otherco"], places=6)

    def test_monthly_sums_to_the_summary_and_per_replication_means_to_it(self):
        r = self.res
        monthly = r.series("ident_matches")["mean"].sum()
        self.assertAlmostEqual(monthly, r.value("ident_matches"), places=6)
        per = r.per_replication
        reps = per[(per.scope == "national") & (per.metric == "removals")]
        self.assertEqual(sorted(reps.replication), [0, 1, 2])
        self.assertAlmostEqual(reps.value.mean(), r.value("removals"), places=9)

    def test_flows_out_of_booking_equal_bookings_and_probabilities_sum_to_one(self):
        f = self.res.flows
        self.assertAlmostEqual(f[f["from"] == "booking"].mean_count.sum(), self.res.value("bookings"), places=6)
        for stage, group in f.groupby("from"):
            if group.mean_count.sum() > 0:
                self.assertAlmostEqual(group.probability.sum(), 1.0, places=9, msg=stage)

    def test_the_same_seed_gives_the_same_numbers_and_another_seed_others(self):
        again = scsim.run(COUNTY, replications=3, seed=7, threads=1)
        pd.testing.assert_frame_equal(again.summary, self.res.summary)
        other = scsim.run(COUNTY, replications=3, seed=8)
        self.assertNotEqual(other.value("bookings"), self.res.value("bookings"))

    def test_overrides_reach_the_model(self):
        half = scsim.run(COUNTY, replications=2, seed=7, overrides={"volume_scale": 0.5})
        self.assertAlmostEqual(half.value("bookings") / self.res.value("bookings"), 0.5, delta=0.03)
        sc = scsim.load(COUNTY, overrides=["jurisdictions[testco].jail_cost_per_day=200"])
        self.assertEqual(sc.jurisdictions.set_index("id").loc["testco", "jail_cost_per_day"], 200)

    def test_a_scenario_file_loads_with_extends_and_reports_its_budget_years(self):
        # 2012's costs come only from detainers lodged before Cook's Sept 2011 ordinance (people
        # still in custody), and Cook's detainers come from ICE's jail screening alone (no SC in
        # the period): a few hundred people in 2011, so the full volume is run.
        sc = scsim.load(ROOT / "scenarios" / "counties" / "cook.yaml")
        self.assertEqual(sc.jurisdictions.id.tolist(), ["cook_il"])
        self.assertGreater(len(sc.policies), 0)
        r = scsim.run(sc, replications=2, seed=3)
        periods = set(r.costs.period)
        self.assertTrue({"2011", "2012"} <= periods, periods)
        net = r.costs[(r.costs.scope == "cook_il") & (r.costs.key == "net_detainer_cost_usd")]
        self.assertEqual(len(net), len(periods))
        self.assertTrue((net["mean"] > 0).all())

    def test_the_gil_is_released_while_simulating(self):
        # While a run is going on in another thread, this thread keeps running Python.
        ticks = 0
        worker = threading.Thread(target=lambda: scsim.run(COUNTY, replications=6, seed=1, threads=1))
        worker.start()
        while worker.is_alive():
            ticks += 1
            time.sleep(0.005)
        worker.join()
        self.assertGreater(ticks, 10)


if __name__ == "__main__":
    unittest.main()
