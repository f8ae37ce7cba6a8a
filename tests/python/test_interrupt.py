"""Ctrl-C in Python: a long scsim.run (the national baseline, ~8 s a
replication) or scsim.trace stops within a second with KeyboardInterrupt, and
the interpreter and the module keep working afterwards. The run happens in a
child interpreter that gets a real SIGINT."""
import os
import signal
import subprocess
import sys
import textwrap
import time
import unittest

from _common import ROOT

NATIONAL = ROOT / "scenarios" / "historical" / "us_2008_2011.yaml"
COUNTY = ROOT / "scenarios" / "counties" / "cook.yaml"

CHILD = textwrap.dedent("""
    import signal, sys, time
    import scsim
    # As in an interactive session or a notebook (a test runner may have SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    national = scsim.load(sys.argv[1])
    print("started", flush=True)
    try:
        if sys.argv[3] == "run":
            scsim.run(national, replications=2, threads=2)
        else:
            scsim.trace(national, people=10**8, filter="held,!removed")
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("KeyboardInterrupt", time.monotonic(), flush=True)
    print("afterwards", scsim.run(sys.argv[2], replications=1).value("bookings") > 0, flush=True)
""")


class InterruptTest(unittest.TestCase):
    def interrupt(self, what):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(NATIONAL), str(COUNTY), what],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ)
        try:
            self.assertEqual(child.stdout.readline().strip(), "started")
            time.sleep(1.5)  # well inside the simulation
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            out, err = child.communicate(timeout=120)
        finally:
            child.kill()
        lines = out.split("\n")
        self.assertTrue(lines[0].startswith("KeyboardInterrupt"), out + err)
        stopped = float(lines[0].split()[1])
        self.assertLess(stopped - sent, 1.0, "took more than a second to stop")
        self.assertEqual(lines[1], "afterwards True", out + err)
        self.assertEqual(child.returncode, 0, err)

    def test_ctrl_c_stops_a_long_run_with_keyboard_interrupt(self):
        self.interrupt("run")

    def test_ctrl_c_stops_a_long_trace_with_keyboard_interrupt(self):
        self.interrupt("trace")


if __name__ == "__main__":
    unittest.main()
