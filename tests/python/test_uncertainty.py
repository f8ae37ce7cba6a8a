"""scsim.uncertainty: the tables of `scsim uncertainty` as DataFrames."""
import unittest

import numpy as np

from _common import ROOT
import scsim

FIXTURE = str(ROOT / "tests" / "fixtures" / "valid" / "uncertain_county.yaml")
PRICE = "jurisdictions[alpha_ca].jail_cost_per_day"


class UncertaintyTest(unittest.TestCase):
    def test_the_three_tables_and_their_shapes(self):
        u = scsim.uncertainty(FIXTURE, draws=8, replications=2, seed=3)
        unc, draws, sens = u
        self.assertEqual(list(unc.columns),
                         ["scope", "metric", "mean", "p05", "p50", "p95", "mc_half_width", "draws", "replications"])
        self.assertEqual(list(draws.columns[:5]),
                         ["draw", PRICE, "costs.ice_per_diem", "pipeline.pickup_probability", "scope"])
        self.assertEqual(len(draws), 8)
        self.assertEqual(u.parameters, [PRICE, "costs.ice_per_diem", "pipeline.pickup_probability"])
        self.assertTrue(((draws[PRICE] >= 60) & (draws[PRICE] <= 140)).all())
        cost = unc[(unc.scope == "national") & (unc.metric == "net_detainer_cost_usd")].iloc[0]
        self.assertLess(cost.p05, cost.p95)
        self.assertGreater(cost.mc_half_width, 0)
        self.assertEqual(set(sens.method), {"prcc_fisher_z"})
        # The draws' mean is the table's mean.
        self.assertAlmostEqual(draws.net_detainer_cost_usd.mean(), cost["mean"], delta=1e-6 * abs(cost["mean"]))

    def test_the_same_seed_gives_the_same_numbers_on_any_number_of_threads(self):
        a = scsim.uncertainty(FIXTURE, draws=6, replications=2, sampler="sobol", threads=1)
        b = scsim.uncertainty(FIXTURE, draws=6, replications=2, sampler="sobol", threads=2)
        for x, y in zip(a, b):
            self.assertTrue(x.equals(y))

    def test_an_override_fixes_an_uncertain_key_and_sobol_indices_come_from_a_saltelli_design(self):
        u = scsim.uncertainty(FIXTURE, draws=4, replications=1, sensitivity="sobol",
                              overrides={"pipeline.pickup_probability": 0.7})
        self.assertEqual(u.fixed, ["pipeline.pickup_probability"])
        self.assertEqual(len(u.draws), 4 * (2 + 2))
        self.assertEqual(list(u.draws.block[:8]), ["A"] * 4 + ["B"] * 4)
        self.assertEqual(set(u.sensitivity["index"]), {"first_order", "total"})
        self.assertTrue(np.isnan(u.uncertainty.mc_half_width).all())  # one replication: no noise estimate

    def test_bad_input_raises(self):
        with self.assertRaisesRegex(ValueError, "draws must be at least 1"):
            scsim.uncertainty(FIXTURE, draws=0)
        with self.assertRaisesRegex(ValueError, "need at least 6 draws"):
            scsim.uncertainty(FIXTURE, draws=5)
        with self.assertRaisesRegex(ValueError, "sampler"):
            scsim.uncertainty(FIXTURE, draws=8, sampler="grid")
        with self.assertRaisesRegex(ValueError, "no uncertain parameters"):
            scsim.uncertainty(str(ROOT / "tests" / "fixtures" / "valid" / "costs_county.yaml"), draws=8)


if __name__ == "__main__":
    unittest.main()
