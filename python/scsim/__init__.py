"""scsim: the Secure Communities fingerprint pipeline simulator, from Python.

A scenario is a YAML file (``scenarios/...``) or YAML text. Everything returns
pandas DataFrames or plain strings::

    import scsim
    res = scsim.run("scenarios/counties/cook.yaml", replications=5, seed=1,
                    overrides={"volume_scale": 0.2})
    res.summary            # scope, metric, mean, stddev, ci95_low, ci95_high, replications
    res.monthly            # month, scope, metric, mean, ci95_low, ci95_high
    res.costs              # budget lines per scope and calendar/fiscal year
    res.flows              # mean count and branching probability per stage-graph edge
    scsim.compare(base, {"no sharing": alt}, replications=10)   # paired (CRN) differences
    u = scsim.uncertainty("scenarios/uncertainty/santa_clara.yaml", draws=50, replications=2)
    u.uncertainty; u.draws; u.sensitivity   # as `scsim uncertainty` writes them
    print(scsim.trace(path, people=2, filter="removed", as_text=True))
    scsim.graph(results=res)   # an SVG that Jupyter displays
    scsim.validate(path)       # raises scsim.ScenarioError("file:line:col: key: message")

The simulation itself runs in C++ (the `_scsim` extension) without holding
the GIL. Bad input raises scsim.ScenarioError (a ValueError) or ValueError;
an internal failure raises RuntimeError; nothing crashes the interpreter.
"""
from __future__ import annotations

import datetime as _dt
import json as _json
import os as _os
from pathlib import Path as _Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import numpy as _np
import pandas as _pd

from . import _scsim

__all__ = [
    "Scenario", "Results", "Uncertainty", "Diagram", "ScenarioError",
    "load", "validate", "run", "compare", "uncertainty", "trace", "graph",
    "scenario_reference", "trace_filters", "edges", "branching_probabilities", "repository_root",
]

ScenarioError = _scsim.ScenarioError

Source = Union["Scenario", str, _os.PathLike]
Overrides = Union[None, Mapping[str, Any], Sequence[str]]


# ---------------------------------------------------------------- scenarios
def _yaml_value(v: Any) -> str:
    """A Python value as the YAML text of an override (JSON is YAML flow)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()[:10]
    if isinstance(v, (int, float, _np.integer, _np.floating)):
        return repr(float(v)) if isinstance(v, (float, _np.floating)) else str(int(v))
    if isinstance(v, str):
        return v
    if isinstance(v, (Mapping, list, tuple)):
        return _json.dumps(v, default=_yaml_value)
    raise TypeError(f"cannot write {type(v).__name__} {v!r} as a scenario value")


def _override_list(overrides: Overrides) -> list:
    if overrides is None:
        return []
    if isinstance(overrides, str):
        return [overrides]
    if isinstance(overrides, Mapping):
        return [f"{k}={_yaml_value(v)}" for k, v in overrides.items()]
    return [str(o) for o in overrides]


def _looks_like_yaml(s: str) -> bool:
    # A path has no newline; one-line YAML ("{name: x, ...}") starts with a brace.
    return "\n" in s or s.lstrip().startswith("{")


class Scenario:
    """A loaded, validated scenario. Attributes: name, description, path,
    start, end (datetime.date), seed, replications, volume_scale, national,
    jurisdictions and policies (DataFrames), scopes (result scope names),
    resolved_yaml (the scenario after `extends` and overrides)."""

    def __init__(self, handle, source: tuple):
        self._handle = handle
        self._source = source  # (path, text, base_dir, overrides): to reload with more overrides
        info = _scsim.scenario_info(handle)
        self.name: str = info["name"]
        self.description: str = info["description"]
        self.path: str = info["path"]
        self.start: _dt.date = info["start"]
        self.end: _dt.date = info["end"]
        self.seed: int = info["seed"]
        self.replications: int = info["replications"]
        self.volume_scale: float = info["volume_scale"]
        self.national: bool = info["national"]
        self.jurisdictions = _pd.DataFrame(
            info["jurisdictions"],
            columns=["id", "name", "state", "bookings_per_day", "jail_cost_per_day", "jail_cost_year", "activation"])
        self.policies = _pd.DataFrame(info["policies"], columns=["type", "summary", "from", "to", "origin"])
        self.scopes: list = info["scopes"]
        self.resolved_yaml: str = info["resolved_yaml"]

    def with_overrides(self, overrides: Overrides) -> "Scenario":
        """The same scenario reloaded with more overrides (later ones win)."""
        path, text, base_dir, old = self._source
        return _load(path, text, base_dir, old + _override_list(overrides))

    def __repr__(self) -> str:
        return (f"<scsim.Scenario {self.name!r}: {self.start}..{self.end}, "
                f"{len(self.jurisdictions)} jurisdictions, {len(self.policies)} policies>")


def _load(path, text, base_dir, overrides: list) -> Scenario:
    handle = _scsim.load(path, text, base_dir, overrides)
    return Scenario(handle, (path, text, base_dir, list(overrides)))


def load(source: Source, overrides: Overrides = None, base_dir: Optional[str] = None) -> Scenario:
    """Loads a scenario from a file path or from YAML text.

    `overrides` sets keys after loading, as `scsim run --set` does:
    ``{"volume_scale": 0.1, "jurisdictions[cook_il].jail_cost_per_day": 150}``.
    `base_dir` is where relative paths in YAML text (``extends``, data files)
    resolve; default the current directory. Raises ScenarioError."""
    if isinstance(source, Scenario):
        return source.with_overrides(overrides) if overrides else source
    if isinstance(source, _os.PathLike):
        return _load(_os.fspath(source), None, ".", _override_list(overrides))
    if not isinstance(source, str):
        raise TypeError(f"a scenario is a path, YAML text or scsim.Scenario, not {type(source).__name__}")
    if _looks_like_yaml(source) and not _os.path.exists(source):
        return _load(None, source, base_dir or ".", _override_list(overrides))
    return _load(source, None, ".", _override_list(overrides))


def validate(source: Source, overrides: Overrides = None, base_dir: Optional[str] = None) -> Scenario:
    """Loads and checks a scenario without running it; returns it, or raises
    ScenarioError whose str() is "FILE:LINE:COL: KEY_PATH: message"."""
    return load(source, overrides, base_dir)


# ---------------------------------------------------------------- results
def _expand(codes, names) -> _np.ndarray:
    return _np.asarray(names, dtype=object)[_np.asarray(codes)]


def _month_starts(labels) -> _np.ndarray:
    return _pd.to_datetime([f"{m}-01" for m in labels]).values


class Results:
    """What `run` returns. DataFrames (long format, one row per number):

    - summary: scope, metric, mean, stddev, ci95_low, ci95_high, replications
    - monthly: month (first day, Timestamp), scope, metric, mean, ci95_low, ci95_high
    - per_replication: replication, scope, metric, value (totals; for your own statistics)
    - flows: from, to, why, mean_count, probability (of leaving `from` by this edge)
    - costs: scope, period ("2011" or "FY2012"), section, key, label, unit, mean, ci95_low, ci95_high

    Means are over replications; intervals are Student-t 95%."""

    def __init__(self, scenario: Scenario, raw: dict):
        self.scenario = scenario
        scopes, metrics = raw["scopes"], raw["metrics"]
        s = raw["summary"]
        self.summary = _pd.DataFrame({
            "scope": _expand(s["scope"], scopes), "metric": _expand(s["metric"], metrics),
            "mean": s["mean"], "stddev": s["stddev"], "ci95_low": s["ci95_low"], "ci95_high": s["ci95_high"],
            "replications": s["replications"]})
        m = raw["monthly"]
        self.monthly = _pd.DataFrame({
            "month": _month_starts(raw["months"])[_np.asarray(m["month"])],
            "scope": _expand(m["scope"], scopes), "metric": _expand(m["metric"], metrics),
            "mean": m["mean"], "ci95_low": m["ci95_low"], "ci95_high": m["ci95_high"]})
        p = raw["per_replication"]
        self.per_replication = _pd.DataFrame({
            "replication": p["replication"], "scope": _expand(p["scope"], scopes),
            "metric": _expand(p["metric"], metrics), "value": p["value"]})
        self.flows = _pd.DataFrame(raw["flows"])[["from", "to", "why", "mean_count", "probability"]]
        self.costs = _pd.DataFrame(raw["costs"])[
            ["scope", "period", "section", "key", "label", "unit", "mean", "ci95_low", "ci95_high"]]
        self.replications: int = raw["replications"]
        self.seed: int = raw["seed"]
        self.events_per_replication: float = raw["events_per_replication"]
        self.lesc_utilization: float = raw["lesc_utilization"]
        self.wall_seconds: float = raw["wall_seconds"]

    def value(self, metric: str, scope: str = "national") -> float:
        """The mean of one metric in one scope."""
        row = self.summary[(self.summary.metric == metric) & (self.summary.scope == scope)]
        if row.empty:
            raise KeyError(f"no metric {metric!r} in scope {scope!r}")
        return float(row["mean"].iloc[0])

    def table(self, scope: str = "national") -> _pd.DataFrame:
        """The summary of one scope, indexed by metric."""
        t = self.summary[self.summary.scope == scope].set_index("metric")
        if t.empty:
            raise KeyError(f"no scope {scope!r}; scopes: {', '.join(self.scenario.scopes)}")
        return t.drop(columns="scope")

    def series(self, metric: str, scope: str = "national") -> _pd.DataFrame:
        """One metric month by month (index: month), with its interval."""
        t = self.monthly[(self.monthly.metric == metric) & (self.monthly.scope == scope)]
        if t.empty:
            raise KeyError(f"no metric {metric!r} in scope {scope!r}")
        return t.set_index("month")[["mean", "ci95_low", "ci95_high"]]

    def __repr__(self) -> str:
        return (f"<scsim.Results {self.scenario.name!r}: {self.replications} replications, seed {self.seed}, "
                f"{self.wall_seconds:.1f} s>")


def run(scenario: Source, replications: Optional[int] = None, seed: Optional[int] = None,
        overrides: Overrides = None, threads: int = 0) -> Results:
    """Runs a scenario's replications (default: the scenario's count and seed).

    Replication i is seeded from (seed, i) only, so results do not depend on
    `threads` (0 = all cores)."""
    sc = load(scenario, overrides)
    raw = _scsim.run(sc._handle, replications, seed, threads)
    return Results(sc, raw)


def compare(base: Source, alternatives: Union[Source, Sequence[Source], Mapping[str, Source]],
            replications: Optional[int] = None, seed: Optional[int] = None, overrides: Overrides = None,
            metrics: Optional[Iterable[str]] = None, scopes: Union[None, str, Iterable[str]] = None,
            threads: int = 0, return_results: bool = False):
    """Paired differences alternative - baseline, with common random numbers.

    Every scenario runs with the baseline's seed and replication count (or the
    ones given), so replication i of each sees the same bookings and delays and
    the 95% interval of the difference is much narrower than comparing two
    separate runs. `alternatives` is a scenario, a list, or {label: scenario}.
    `overrides` apply to every scenario. Rows: alternative, scope, metric,
    base_mean, alt_mean, diff, diff_ci95_low, diff_ci95_high, rel_change,
    replications; `metrics` / `scopes` keep only those.

    With return_results=True, returns (rows, {"baseline": Results, label: Results, ...}):
    the runs behind the comparison, for plots, without simulating them again."""
    b = load(base, overrides)
    if isinstance(alternatives, Mapping):
        labelled = list(alternatives.items())
    elif isinstance(alternatives, (str, _os.PathLike, Scenario)):
        labelled = [(None, alternatives)]
    else:
        labelled = [(None, a) for a in alternatives]
    if not labelled:
        raise ValueError("compare needs at least one alternative scenario")
    alts = [load(a, overrides) for _, a in labelled]
    labels = [lab if lab is not None else a.name for (lab, _), a in zip(labelled, alts)]
    if "baseline" in labels and return_results:
        raise ValueError("'baseline' names the baseline's results; label the alternative otherwise")
    raw = _scsim.compare(b._handle, [a._handle for a in alts], labels, replications, seed, threads, return_results)
    df = _pd.DataFrame(raw["rows"])
    if metrics is not None:
        df = df[df.metric.isin(list(metrics))]
    if scopes is not None:
        df = df[df.scope.isin([scopes] if isinstance(scopes, str) else list(scopes))]
    df = df.reset_index(drop=True)
    df.attrs.update(seed=raw["seed"], replications=raw["replications"], baseline=b.name)
    if not return_results:
        return df
    runs = {"baseline": Results(b, raw["results"][0])}
    for label, a, r in zip(labels, alts, raw["results"][1:]):
        runs[label] = Results(a, r)
    return df, runs


# ---------------------------------------------------------------- parameter uncertainty
class Uncertainty:
    """What `uncertainty` returns: three DataFrames, as `scsim uncertainty` writes them
    (docs/uncertainty.md); ``u, d, s = scsim.uncertainty(...)`` unpacks them.

    - uncertainty: scope, metric, mean, p05, p50, p95, mc_half_width, draws, replications
      (90 % of plausible parameter sets give between p05 and p95; mc_half_width is the
      Monte Carlo noise of one draw's mean, NaN with one replication)
    - draws: one row per draw: draw, block (Saltelli designs only), each drawn parameter's
      value, then every metric of `scope` (the mean over the draw's replications)
    - sensitivity: scope, metric, parameter, index, estimate, ci95_low, ci95_high, method, draws

    Attributes: parameters (drawn paths), fixed (uncertain paths an override fixed),
    factors, seed, replications, scope."""

    def __init__(self, scenario: Scenario, raw: dict):
        self.scenario = scenario
        scopes, metrics = raw["scopes"], raw["metrics"]
        u = raw["uncertainty"]
        self.uncertainty = _pd.DataFrame({
            "scope": _expand(u["scope"], scopes), "metric": _expand(u["metric"], metrics),
            **{k: u[k] for k in ("mean", "p05", "p50", "p95", "mc_half_width", "draws", "replications")}})
        s = raw["sensitivity"]
        self.sensitivity = _pd.DataFrame({
            "scope": _expand(s["scope"], scopes) if len(s["scope"]) else _np.asarray([], dtype=object),
            "metric": _expand(s["metric"], metrics) if len(s["metric"]) else _np.asarray([], dtype=object),
            **{k: s[k] for k in ("parameter", "index", "estimate", "ci95_low", "ci95_high", "method", "draws")}})
        cols = {"draw": _np.arange(raw["draws"], dtype=_np.int64)}
        if raw["blocks"] is not None:
            cols["block"] = raw["blocks"]
        cols.update(raw["values"])
        cols["scope"] = [raw["scope"]] * raw["draws"]
        cols.update(raw["outputs"])
        self.draws = _pd.DataFrame(cols)
        self.parameters: list = raw["params"]
        self.fixed: list = raw["fixed"]
        self.factors: list = raw["factors"]
        self.seed: int = raw["seed"]
        self.replications: int = raw["replications"]
        self.scope: str = raw["scope"]

    def __iter__(self):
        return iter((self.uncertainty, self.draws, self.sensitivity))

    def __repr__(self) -> str:
        return (f"<scsim.Uncertainty {self.scenario.name!r}: {len(self.draws)} draws of "
                f"{len(self.parameters)} parameters x {self.replications} replications, seed {self.seed}>")


def uncertainty(scenario: Source, draws: int, replications: Optional[int] = None, sampler: str = "lhs",
                seed: Optional[int] = None, sensitivity: str = "prcc", overrides: Overrides = None,
                scope: str = "national", bootstrap: int = 500, threads: int = 0) -> Uncertainty:
    """Parameter uncertainty, as `scsim uncertainty` computes it (docs/uncertainty.md).

    Draws the parameters the scenario lists under `uncertain:` (`sampler` "lhs", a
    Latin hypercube, or "sobol", Sobol points), runs `replications` of every draw with
    the same seeds (common random numbers; default: the scenario's count and seed) and
    returns an Uncertainty holding the DataFrames uncertainty, draws and sensitivity
    (`sensitivity` "prcc": partial rank correlations; "sobol": Sobol indices from a
    Saltelli design of draws x (k + 2) runs; for the metrics of `scope`). An override of
    an uncertain path fixes it. The numbers do not depend on `threads` (0 = all cores).
    Ctrl-C stops it with KeyboardInterrupt; bad input raises ScenarioError or ValueError."""
    sc = load(scenario, overrides)
    path, text, base_dir, ovr = sc._source
    raw = _scsim.uncertainty(path, text, base_dir, ovr, draws, replications, sampler, sensitivity, seed,
                             bootstrap, threads, scope)
    return Uncertainty(sc, raw)


# ---------------------------------------------------------------- journeys
def trace(scenario: Source, people: int = 3, filter: Optional[str] = None, jurisdiction: Optional[str] = None,
          since: Union[None, str, _dt.date] = None, seed: Optional[int] = None, overrides: Overrides = None,
          replication: int = 0, as_text: bool = False, format: str = "frame"):
    """The complete journeys of `people` bookings, step by step.

    `filter`: comma-separated terms that must all hold, e.g. "removed,level3"
    or "held,holiday"; "!term" negates (see trace_filters()). `jurisdiction`:
    an id, name or state code. `since`: only people booked on or after it.

    Returns a DataFrame with one row per step (journey, person, jurisdiction,
    group, level, charge, jail_path, time, when, from, to, what, end, end_time),
    or with as_text=True / format="text" the readable timeline that
    `scsim trace` prints, or with format="jsonl" one JSON object per journey."""
    sc = load(scenario, overrides)
    if isinstance(since, (_dt.date, _dt.datetime)):
        since = since.isoformat()[:10]
    if as_text:
        format = "text"
    if format not in ("frame", "text", "jsonl"):
        raise ValueError(f"format must be 'frame', 'text' or 'jsonl', not {format!r}")
    journeys = _scsim.trace(sc._handle, people, filter or "", jurisdiction, since, seed, replication)
    if format == "text":
        return "\n".join(j["text"] for j in journeys)
    if format == "jsonl":
        return "".join(j["json"] for j in journeys)
    start = _pd.Timestamp(sc.start)
    rows = []
    for j in journeys:
        for s in j["steps"]:
            rows.append({
                "journey": j["journey"], "person": j["person"], "jurisdiction": j["jurisdiction"],
                "group": j["group"], "level": j["level"], "charge": j["charge"], "jail_path": j["jail_path"],
                "time": start + _pd.Timedelta(seconds=s["seconds"]), "when": s["time"],
                "from": s["from"], "to": s["to"], "what": s["what"],
                "end": j["end"], "end_time": start + _pd.Timedelta(seconds=j["end_seconds"])})
    cols = ["journey", "person", "jurisdiction", "group", "level", "charge", "jail_path", "time", "when",
            "from", "to", "what", "end", "end_time"]
    return _pd.DataFrame(rows, columns=cols)


def trace_filters() -> str:
    """The terms `trace(filter=...)` understands."""
    return _scsim.filter_help()


# ---------------------------------------------------------------- diagrams
class Diagram(str):
    """DOT or SVG text of the pipeline diagram. Jupyter shows an SVG one as a picture."""

    def is_svg(self) -> bool:
        return self.lstrip().startswith(("<?xml", "<svg"))

    def _repr_svg_(self):
        return str(self) if self.is_svg() else None

    def __repr__(self) -> str:  # the text itself is long: str(d) or print(d) shows it
        return f"<scsim.Diagram {'svg' if self.is_svg() else 'dot'}, {len(self)} characters>"


def graph(scenario: Optional[Source] = None, results: Optional[Results] = None, format: str = "svg",
          probabilities: bool = True, counts: bool = True, title: Optional[str] = None,
          jurisdiction: Optional[str] = None, from_date: Union[None, str, _dt.date] = None,
          to_date: Union[None, str, _dt.date] = None) -> Diagram:
    """The stage graph the simulator follows (Graphviz; SVG needs the graphviz package).

    Edge labels:
      - probabilities: with a `scenario`, its branching probabilities
        P(edge | at the edge's stage) from the analytic chain, for the bookings
        of `jurisdiction` (default all) made from `from_date` to `to_date`
        (default the period); with only `results`, the shares the run realised;
      - counts: with `results`, the mean count per replication of each edge.
    The title is the scenario's name unless given."""
    sc = load(scenario) if scenario is not None else None
    prob = None
    if probabilities and sc is not None:
        iso = lambda d: d.isoformat()[:10] if isinstance(d, (_dt.date, _dt.datetime)) else d
        prob = _scsim.edge_probabilities(sc._handle, jurisdiction, iso(from_date), iso(to_date))
    elif probabilities and results is not None:
        prob = list(results.flows["probability"])
    cnt = list(results.flows["mean_count"]) if results is not None and counts else None
    if title is None:
        title = sc.name if sc is not None else results.scenario.name if results is not None else ""
    return Diagram(_scsim.graph(prob, cnt, title, format))


def branching_probabilities(scenario: Source, jurisdiction: Optional[str] = None,
                            from_date: Union[None, str, _dt.date] = None,
                            to_date: Union[None, str, _dt.date] = None) -> _pd.DataFrame:
    """P(edge | at the edge's stage) for each stage-graph edge, from the
    analytic chain (no simulation): from, to, why, probability."""
    sc = load(scenario)
    iso = lambda d: d.isoformat()[:10] if isinstance(d, (_dt.date, _dt.datetime)) else d
    df = edges()
    df["probability"] = _scsim.edge_probabilities(sc._handle, jurisdiction, iso(from_date), iso(to_date))
    return df


def edges() -> _pd.DataFrame:
    """The stage graph's edges (from, to, why), in the order flows use."""
    return _pd.DataFrame(_scsim.edges(), columns=["from", "to", "why"])


def scenario_reference() -> str:
    """Every scenario key with type, unit, default, range and help (Markdown)."""
    return _scsim.scenario_reference()


def repository_root() -> _Path:
    """The source tree this package was built from, if it can be found (for
    notebooks that open scenarios/...): $SCSIM_ROOT, else the parents of this file."""
    env = _os.environ.get("SCSIM_ROOT")
    if env:
        return _Path(env).resolve()
    for p in _Path(__file__).resolve().parents:
        if (p / "scenarios" / "base.yaml").exists():
            return p
    return _Path.cwd()
