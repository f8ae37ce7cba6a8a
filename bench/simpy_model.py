#!/usr/bin/python3
"""The bench/ booking pipeline in SimPy 2.3.1 (Debian's python3-simpy, classic API).

Same model as bench/kernel_model.cpp and bench/bare_loop.cpp (see bench/README.md);
time is in minutes here, as SimPy models are usually written. Each booking is a
Process whose run() reads like the narrative; the three server pools are SimPy
Resources (FIFO, not monitored); every kind of draw has its own random.Random
stream, seeded from the master seed and the stream name.

Prints one CSV line: impl,bookings,events,wall_s,bookings_per_s,peak_rss_mib
(events = event notices SimPy posted, all of which it executed: holds, resource
grants and the reactivation after each request/release). Exits 1 if the end
states do not account for every booking exactly once.

Run it with /usr/bin/python3 (the pyenv `python3` on PATH has no SimPy).
"""
import argparse
import random
import resource
import sys
import time
import zlib

from SimPy.Simulation import (Process, Resource, activate, hold, initialize,
                              release, request, simulate)
import SimPy.Globals as Globals

BOOKINGS_PER_DAY = 30000
DAY = 1440.0    # minutes
HOUR = 60.0

LEVELS = ("level1", "level2", "level3", "noncriminal")
LEVEL_CUM = (0.3, 0.5, 0.75, 1.0)
DETAINER_P = (0.9, 0.7, 0.5, 0.4)
END_STATES = ("released_no_match", "released_no_detainer", "released_not_picked_up",
              "removed", "relief")


class Model:
    def __init__(self, seed):
        def stream(name):
            return random.Random(zlib.crc32(name.encode()) ^ (seed * 0x9E3779B1))
        self.arrivals = stream("arrivals")
        self.iafis_service = stream("iafis.service")
        self.ident_service = stream("ident.service")
        self.ident_match = stream("ident.match")
        self.lesc_service = stream("lesc.service")
        self.lesc_level = stream("lesc.level")
        self.lesc_detainer = stream("lesc.detainer")
        self.jail_stay = stream("jail.stay")
        self.detainer_hold = stream("detainer.hold")
        self.ice_pickup = stream("ice.pickup")
        self.ice_custody = stream("ice.custody")
        self.ice_outcome = stream("ice.outcome")
        self.iafis = Resource(capacity=64, name="iafis")
        self.ident = Resource(capacity=32, name="ident")
        self.lesc = Resource(capacity=64, name="lesc")
        self.ends = [0] * len(END_STATES)
        self.booked = 0


class Booking(Process):
    def run(self, m):
        yield request, self, m.iafis
        yield hold, self, m.iafis_service.expovariate(1.0 / 2.0)
        yield release, self, m.iafis

        yield request, self, m.ident
        yield hold, self, m.ident_service.expovariate(1.0 / 1.0)
        yield release, self, m.ident

        if m.ident_match.random() >= 0.067:
            yield hold, self, m.jail_stay.expovariate(1.0 / (3 * DAY))
            m.ends[0] += 1                                   # released, no match
            return

        yield request, self, m.lesc
        yield hold, self, m.lesc_service.expovariate(1.0 / 30.0)
        yield release, self, m.lesc
        u = m.lesc_level.random()
        level = 0
        while u >= LEVEL_CUM[level]:
            level += 1
        detainer = m.lesc_detainer.random() < DETAINER_P[level]

        yield hold, self, m.jail_stay.expovariate(1.0 / (3 * DAY))
        if not detainer:
            m.ends[1] += 1                                   # released, no detainer
            return
        yield hold, self, m.detainer_hold.uniform(0.0, 48 * HOUR)
        if m.ice_pickup.random() >= 0.8:
            m.ends[2] += 1                                   # hold lapsed, released
            return
        yield hold, self, m.ice_custody.expovariate(1.0 / (40 * DAY))
        if m.ice_outcome.random() < 0.7:
            m.ends[3] += 1                                   # removed
        else:
            m.ends[4] += 1                                   # relief


class Arrivals(Process):
    def run(self, m, n):
        rate = BOOKINGS_PER_DAY / DAY
        for _ in range(n):
            yield hold, self, m.arrivals.expovariate(rate)
            b = Booking()
            activate(b, b.run(m))
            m.booked += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=float, default=54.0)
    ap.add_argument("--bookings", type=int, default=0,
                    help="bookings to simulate (default: 30,000 x days)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    n = args.bookings or int(round(BOOKINGS_PER_DAY * args.days))

    t0 = time.perf_counter()
    initialize()
    m = Model(args.seed)
    a = Arrivals()
    activate(a, a.run(m, n))
    simulate(until=float("inf"))                             # arrivals, then drain until empty
    wall = time.perf_counter() - t0

    events = -Globals.sim._sortpr                            # every notice ever posted (none cancelled)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("# simpy end states: " + " ".join("%s=%d" % kv for kv in zip(END_STATES, m.ends)),
          file=sys.stderr)
    if m.booked != n or sum(m.ends) != n:
        print("simpy: end states sum to %d, bookings %d (expected %d)" % (sum(m.ends), m.booked, n),
              file=sys.stderr)
        return 1
    print("simpy,%d,%d,%.3f,%.0f,%.1f" % (n, events, wall, n / wall, rss))
    return 0


if __name__ == "__main__":
    sys.exit(main())
