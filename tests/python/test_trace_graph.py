"""scsim.trace and scsim.graph."""
import json
import re
import unittest

from _common import COUNTY
import scsim


class TraceTest(unittest.TestCase):
    def test_a_trace_is_one_row_per_step_of_complete_journeys(self):
        df = scsim.trace(COUNTY, people=4, filter="removed")
        self.assertEqual(sorted(df.journey.unique()), [1, 2, 3, 4])
        self.assertTrue((df.end == "removed").all())
        for _, steps in df.groupby("journey"):
            self.assertEqual(steps["from"].iloc[0], "booking")
            self.assertEqual(steps["to"].iloc[-1], "removed")
            self.assertTrue(steps.time.is_monotonic_increasing)
            self.assertTrue(steps.what.str.len().gt(0).all())
            self.assertTrue(steps["to"].isin(["lesc", "detainer", "ice_custody"]).sum() >= 3)

    def test_the_text_timeline_shows_date_weekday_time_stage_and_why(self):
        text = scsim.trace(COUNTY, people=2, filter="held", as_text=True)
        self.assertEqual(text.count("Journey "), 2)
        steps = re.findall(r"^  (\d{4}-\d\d-\d\d) (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d  (\w+) +(.+)$", text, re.M)
        self.assertGreater(len(steps), 10)
        self.assertIn("8 CFR 287.7(d)", text)

    def test_jsonl_is_one_json_object_per_journey(self):
        lines = scsim.trace(COUNTY, people=3, format="jsonl", jurisdiction="otherco").splitlines()
        self.assertEqual(len(lines), 3)
        for line in lines:
            j = json.loads(line)
            self.assertEqual(j["jurisdiction"], "otherco")
            self.assertEqual(j["steps"][0]["from"], "booking")

    def test_filters_combine_and_the_seed_changes_who_is_traced(self):
        df = scsim.trace(COUNTY, people=3, filter="matched,!citizen,level1")
        self.assertTrue((df.level == "level1").all())
        self.assertFalse(df.group.isin(["us_born", "naturalized"]).any())
        a = scsim.trace(COUNTY, people=1, seed=1).person.iloc[0]
        b = scsim.trace(COUNTY, people=1, seed=1).person.iloc[0]
        self.assertEqual(a, b)
        self.assertIn("holiday", scsim.trace_filters())

    def test_since_starts_the_trace_at_a_date(self):
        df = scsim.trace(COUNTY, people=2, since="2011-04-01")
        self.assertTrue((df.groupby("journey").time.min() >= "2011-04-01").all())


class GraphTest(unittest.TestCase):
    def test_the_diagram_is_dot_or_svg_of_the_pipeline(self):
        dot = scsim.graph(format="dot")
        self.assertTrue(dot.startswith("digraph"))
        for stage in ["booking", "ident", "lesc", "detainer_hold", "removed"]:
            self.assertIn(stage, dot)
        svg = scsim.graph(format="svg")
        self.assertIn("<svg", svg)
        self.assertEqual(svg._repr_svg_(), svg)
        self.assertIsNone(dot._repr_svg_())

    def test_results_label_edges_with_probabilities_and_counts(self):
        res = scsim.run(COUNTY, replications=2, seed=3)
        dot = scsim.graph(results=res, format="dot")
        self.assertIn("p=", dot)
        bookings = f"{int(res.flows.mean_count.iloc[0] + 0.5):,}"  # booking -> iafis, rounded half up as labels are
        self.assertIn(bookings, dot)
        self.assertIn("two test counties", dot)
        self.assertEqual(len(scsim.edges()), len(res.flows))

    def test_a_scenario_labels_edges_with_its_analytic_branching_probabilities(self):
        dot = scsim.graph(COUNTY, format="dot", title="")
        self.assertGreater(len(re.findall(r'label="p[=<]0\.\d{3}"', dot)), 10)
        probs = scsim.branching_probabilities(COUNTY, from_date="2011-01-03", to_date="2011-01-31")
        for stage, group in probs.groupby("from"):
            total = group.probability.sum()
            if total > 0:  # a stage the cohort reaches: its exits share all of it
                self.assertAlmostEqual(total, 1.0, places=6, msg=stage)
        # The chain agrees with a simulation of the same bookings where both are sharp (the match rate).
        res = scsim.run(COUNTY, replications=2, seed=3)
        edge = lambda df: df[(df["from"] == "ident") & (df["to"] == "lesc")].probability.iloc[0]
        self.assertAlmostEqual(edge(probs), edge(res.flows), delta=0.03)
        one = scsim.branching_probabilities(COUNTY, jurisdiction="otherco")
        self.assertEqual(len(one), len(probs))
        with self.assertRaises(ValueError):
            scsim.branching_probabilities(COUNTY, jurisdiction="nowhere")


if __name__ == "__main__":
    unittest.main()
