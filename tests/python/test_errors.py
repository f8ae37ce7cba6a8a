"""Bad input raises Python exceptions with the file:line message; nothing
crashes the interpreter. Every broken fixture of tests/fixtures/broken gives,
through Python, the message its .expect file names for the command line."""
import os
import unittest

import yaml

from _common import COUNTY, ROOT
import scsim


class ErrorTest(unittest.TestCase):
    def test_a_broken_scenario_raises_scenario_error_with_its_location(self):
        path = ROOT / "tests" / "fixtures" / "broken" / "bad_date.yaml"
        with self.assertRaises(scsim.ScenarioError) as ctx:
            scsim.validate(path)
        e = ctx.exception
        self.assertIsInstance(e, ValueError)
        self.assertTrue(e.file.endswith("bad_date.yaml"))
        self.assertGreater(e.line, 0)
        self.assertGreater(e.column, 0)
        self.assertTrue(e.key_path)
        self.assertTrue(str(e).startswith(f"{e.file}:{e.line}:{e.column}: {e.key_path}: "))
        self.assertEqual(type(e).__name__, "ScenarioError")
        self.assertEqual(type(e).__module__, "scsim")

    def test_every_broken_fixture_gives_its_expected_message(self):
        # The same sidecar .expect files the C++ loader test reads (tests/models/test_scenario_loader.cpp).
        broken = ROOT / "tests" / "fixtures" / "broken"
        fixtures = sorted(broken.glob("*.yaml"))
        self.assertGreater(len(fixtures), 10)
        for f in fixtures:
            expect = yaml.safe_load(f.with_suffix(".expect").read_text())
            with self.subTest(fixture=f.name):
                with self.assertRaises(scsim.ScenarioError) as ctx:
                    scsim.validate(f)
                e = ctx.exception
                wanted_file = os.path.normpath(f.parent / expect.get("file", f.name))
                self.assertEqual(os.path.normpath(e.file), wanted_file)
                self.assertEqual((e.line, e.column, e.key_path), (expect["line"], expect["column"], expect["key_path"]))
                self.assertIn(expect["message"], e.message)

    def test_yaml_text_errors_name_the_text_and_line(self):
        with self.assertRaises(scsim.ScenarioError) as ctx:
            scsim.run(COUNTY.replace("bookings_per_day: 300", "bookings_per_day: lots"))
        self.assertEqual(ctx.exception.file, "<text>")
        self.assertEqual(ctx.exception.line, 10)

    def test_a_missing_file_and_a_bad_override_are_scenario_errors(self):
        with self.assertRaises(scsim.ScenarioError):
            scsim.load(ROOT / "scenarios" / "no_such_file.yaml")
        with self.assertRaises(scsim.ScenarioError) as ctx:
            scsim.load(COUNTY, overrides={"pipeline.lesc_analystz": 3})
        self.assertIn("lesc_analyst", str(ctx.exception))

    def test_bad_arguments_raise_value_or_type_errors(self):
        with self.assertRaises(ValueError):
            scsim.trace(COUNTY, filter="levl3")
        with self.assertRaises(ValueError):
            scsim.trace(COUNTY, jurisdiction="nowhere")
        with self.assertRaises(ValueError):
            scsim.trace(COUNTY, since="2011-02-30")
        with self.assertRaises(ValueError):
            scsim.run(COUNTY, replications=0)
        with self.assertRaises(ValueError):
            scsim.trace(COUNTY, people=0)
        with self.assertRaises(TypeError):
            scsim.run(COUNTY, replications="many")
        with self.assertRaises(TypeError):
            scsim.load(42)
        with self.assertRaises(ValueError):
            scsim.graph(format="png")

    def test_the_interpreter_survives_a_burst_of_errors(self):
        for _ in range(50):
            with self.assertRaises(scsim.ScenarioError):
                scsim.load("name: x\n")
        self.assertGreater(scsim.run(COUNTY, replications=1).value("bookings"), 0)


if __name__ == "__main__":
    unittest.main()
