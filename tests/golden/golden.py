#!/usr/bin/env python3
"""Golden outputs: a small fixed set of runs whose outputs must not change unnoticed.

For each case the built `scsim` runs with a fixed seed; the check hashes summary.csv,
monthly.csv, flows.csv (or the trace text) and records the kernel's event-sequence
fingerprint (time and kind of every event, `scsim run --event-digest`), and compares
them with tests/golden/<case>.golden. Each .golden file also keeps a short excerpt
(the national means of every metric, the trace's first lines), so a failure says
which metric moved and by how much, not only that a hash differs.

    golden.py SCSIM ROOT WORKDIR            check (exit 0 identical, 4 changed)
    golden.py SCSIM ROOT WORKDIR --update   rewrite the .golden files, print what changed

A behaviour change shows here; regenerate (scripts/update-golden) only in a commit
that says why.
"""
import csv
import hashlib
import os
import shutil
import subprocess
import sys

# name -> (command after the binary, files to hash). Small enough to run in seconds.
CASES = {
    "county_cook": (["run", "scenarios/counties/cook.yaml", "-r", "2", "-s", "1"], "run"),
    "national_small": (["run", "scenarios/historical/us_2008_2011.yaml", "--set", "volume_scale=0.02",
                        "-r", "2", "-s", "1"], "run"),
    "whatif_post_conviction": (["run", "scenarios/whatif/post_conviction_only.yaml", "--set", "volume_scale=0.02",
                                "-r", "2", "-s", "1"], "run"),
    "trace_los_angeles": (["trace", "scenarios/counties/los_angeles.yaml", "-n", "20", "-s", "1"], "trace"),
}
RUN_FILES = ["summary.csv", "monthly.csv", "flows.csv"]
TRACE_EXCERPT_LINES = 12


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run_case(scsim, root, work, name, args, kind):
    """Runs one case; returns the list of lines of its .golden record."""
    out = os.path.join(work, name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(work, exist_ok=True)
    cmd = [scsim, "--quiet"] + args
    if kind == "run":
        cmd += ["--event-digest", "--format", "csv", "-o", out]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"golden: '{' '.join(cmd)}' exited {proc.returncode}")
    lines = ["# scsim " + " ".join(args)]
    if kind == "trace":
        text = proc.stdout
        lines.append("sha256 trace.txt " + hashlib.sha256(text.encode()).hexdigest())
        lines += ["excerpt " + l for l in text.splitlines()[:TRACE_EXCERPT_LINES]]
        return lines
    for f in RUN_FILES:
        lines.append(f"sha256 {f} {sha256(os.path.join(out, f))}")
    with open(os.path.join(out, "kernel_events.csv")) as f:
        for row in csv.DictReader(f):
            lines.append(f"kernel replication={row['replication']} events={row['events']} digest={row['digest']}")
    with open(os.path.join(out, "summary.csv")) as f:
        for row in csv.DictReader(f):
            if row["scope"] == "national":
                lines.append(f"metric {row['metric']} {row['mean']}")
    return lines


def parse(lines):
    """Splits a record into (hash and kernel lines by key, metric means, excerpt lines)."""
    keyed, metrics, excerpt = {}, {}, []
    for l in lines:
        if l.startswith("sha256 "):
            _, f, h = l.split(" ", 2)
            keyed["sha256 " + f] = h
        elif l.startswith("kernel "):
            rep = l.split()[1]
            keyed["kernel " + rep] = l
        elif l.startswith("metric "):
            _, m, v = l.split(" ", 2)
            metrics[m] = v
        elif l.startswith("excerpt "):
            excerpt.append(l[len("excerpt "):])
    return keyed, metrics, excerpt


def describe_changes(name, old, new):
    """Human-readable differences between two records (empty if identical)."""
    out = []
    ok, om, oe = parse(old)
    nk, nm, ne = parse(new)
    for k in sorted(set(ok) | set(nk)):
        if ok.get(k) != nk.get(k):
            out.append(f"{name}: {k} changed: {ok.get(k, '(none)')} -> {nk.get(k, '(none)')}")
    for m in sorted(set(om) | set(nm)):
        a, b = om.get(m), nm.get(m)
        if a == b:
            continue
        if a is None or b is None:
            out.append(f"{name}: metric {m}: {a} -> {b}")
            continue
        x, y = float(a), float(b)
        rel = f" ({(y - x) / abs(x):+.4%})" if x != 0 else ""
        out.append(f"{name}: metric {m}: {a} -> {b}{rel}")
    for i, (a, b) in enumerate(zip(oe, ne)):
        if a != b:
            out.append(f"{name}: trace line {i + 1}: '{a}' -> '{b}'")
    if len(oe) != len(ne):
        out.append(f"{name}: trace excerpt has {len(ne)} lines, expected {len(oe)}")
    return out


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    scsim, root, work = (os.path.abspath(a) for a in sys.argv[1:4])
    update = "--update" in sys.argv[4:]
    golden_dir = os.path.join(root, "tests", "golden")
    changes, missing = [], []
    for name, (args, kind) in CASES.items():
        new = run_case(scsim, root, work, name, args, kind)
        path = os.path.join(golden_dir, name + ".golden")
        old = open(path).read().splitlines() if os.path.exists(path) else None
        if old is None:
            missing.append(name)
        elif old != new:
            diff = describe_changes(name, old, new)
            changes += diff or [f"{name}: the record differs (command line or format)"]
        else:
            print(f"golden: {name}: identical")
        if update and old != new:
            tmp = path + ".tmp"
            with open(tmp, "w") as f:
                f.write("\n".join(new) + "\n")
            os.replace(tmp, path)
    for c in changes:
        print(c)
    for m in missing:
        print(f"golden: {m}: no expected record" + (" (written)" if update else ""))
    if update:
        print(f"golden: {len(changes)} difference(s), {len(missing)} new record(s); commit with the reason")
        return 0
    if changes or missing:
        print("golden: outputs changed. If intended, run scripts/update-golden and say why in the commit.")
        return 4
    print(f"golden: all {len(CASES)} cases identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
