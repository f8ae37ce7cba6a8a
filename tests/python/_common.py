"""Shared by the Python tests: where the source tree is, and a small county
scenario (as tests/models/test_pipeline.cpp's) that runs in a fraction of a second."""
import os
import sys
from pathlib import Path

ROOT = Path(os.environ.get("SCSIM_ROOT", Path(__file__).resolve().parents[2]))
if os.environ.get("SCSIM_PYTHONPATH"):
    sys.path.insert(0, os.environ["SCSIM_PYTHONPATH"])

COUNTY = """
name: two test counties
period: {start: 2011-01-03, end: 2011-04-30}
seed: 7
replications: 3
defaults:
  population:
    group_mix: {us_born: 0.5, naturalized: 0.05, lpr: 0.1, other_lawful: 0.05, removable_known: 0.2, removable_unknown: 0.1}
jurisdictions:
  - {id: testco, name: Test County, state: CA, bookings_per_day: 300, activation: 2010-01-01}
  - {id: otherco, name: Other County, state: TX, bookings_per_day: 200, activation: 2010-01-01}
"""

NO_SHARING_IN_TESTCO = COUNTY + """
policies:
  - {type: opt_out, mode: no_sharing, from: 2011-03-01, scope: {jurisdictions: [testco]}}
"""
