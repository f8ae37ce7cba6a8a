"""scsim.compare: paired differences with common random numbers."""
import unittest

from _common import COUNTY, NO_SHARING_IN_TESTCO
import scsim


class CompareTest(unittest.TestCase):
    def test_a_scenario_compared_with_itself_differs_by_exactly_zero(self):
        df = scsim.compare(COUNTY, {"same": COUNTY}, replications=3, seed=5)
        self.assertEqual(set(df.alternative), {"same"})
        self.assertTrue((df["diff"] == 0).all())
        self.assertTrue((df["diff_ci95_low"] == 0).all() and (df["diff_ci95_high"] == 0).all())

    def test_no_sharing_lowers_submissions_with_an_interval_below_zero(self):
        df = scsim.compare(COUNTY, {"no sharing": NO_SHARING_IN_TESTCO}, replications=4, seed=5,
                           metrics=["fingerprints_submitted", "bookings"], scopes=["testco", "otherco"])
        row = df[(df.scope == "testco") & (df.metric == "fingerprints_submitted")].iloc[0]
        self.assertLess(row["diff_ci95_high"], 0)
        self.assertLess(row["rel_change"], -0.2)
        # Common random numbers: what the policy does not touch is identical.
        same = df[(df.metric == "bookings") | (df.scope == "otherco")]
        self.assertTrue((same["diff"] == 0).all())
        self.assertEqual(df.attrs["replications"], 4)

    def test_the_runs_behind_a_comparison_can_be_returned(self):
        df, runs = scsim.compare(COUNTY, {"no sharing": NO_SHARING_IN_TESTCO}, replications=3, seed=5,
                                 metrics=["ident_matches"], scopes="testco", return_results=True)
        self.assertEqual(list(runs), ["baseline", "no sharing"])
        self.assertEqual(runs["no sharing"].seed, 5)
        diff = runs["no sharing"].value("ident_matches", "testco") - runs["baseline"].value("ident_matches", "testco")
        self.assertAlmostEqual(df["diff"].iloc[0], diff, places=6)
        self.assertEqual(len(runs["baseline"].monthly.month.unique()), 4)

    def test_every_alternative_runs_with_the_baselines_seed(self):
        # Without a seed argument the alternative's own seed (99) is ignored: pairs stay paired.
        alt = COUNTY.replace("seed: 7", "seed: 99")
        df = scsim.compare(COUNTY, [alt], replications=2, metrics=["bookings"])
        self.assertTrue((df["diff"] == 0).all())
        self.assertEqual(df.attrs["seed"], 7)

    def test_scenarios_with_different_jurisdictions_are_refused(self):
        other = COUNTY.replace("id: otherco", "id: elsewhere")
        with self.assertRaises(ValueError) as ctx:
            scsim.compare(COUNTY, other, replications=2)
        self.assertIn("elsewhere", str(ctx.exception))


if __name__ == "__main__":
    unittest.main()
