#!/usr/bin/env python3
"""Checks that no include runs upward between scsim's layers (docs/architecture.md).

Every project include ("folder/file.hpp") of a source file must point to its own
layer or one below it, and yaml-cpp may be included only by the scenario
language's parser. Exit 0 when the layering holds, 4 with one line per
violation otherwise.

    layering.py ROOT
"""
import os
import re
import sys

# Layers from the bottom up; each may include itself and the layers listed.
# The scenario core (the typed Scenario, its error, the enums) is yaml-free.
CORE = {"models/scenario/scenario.hpp", "models/scenario/scenario.cpp", "models/scenario/types.hpp",
        "models/scenario/error.hpp", "models/scenario/error.cpp", "models/scenario/json.hpp",
        "models/scenario/json.cpp", "models/scenario/parse.hpp", "models/scenario/parse.cpp",
        "models/scenario/limits.hpp", "models/scenario/csv.hpp", "models/scenario/csv.cpp",
        "models/scenario/draw.hpp"}
ALLOWED = {
    "sim": {"sim"},
    "scenario_core": {"sim", "scenario_core"},
    "population": {"sim", "scenario_core", "population"},
    "scenario": {"sim", "scenario_core", "population", "scenario"},
    "pipeline": {"sim", "scenario_core", "population", "pipeline"},
    "costs": {"sim", "scenario_core", "pipeline", "costs"},
    "analysis": {"sim", "scenario_core", "population", "scenario", "pipeline", "costs", "analysis"},
}
YAML_ALLOWED = {"models/scenario/schema.cpp", "models/scenario/yaml_input.cpp", "models/scenario/loader.cpp"}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')


def layer_of(path):
    """The layer a repository path belongs to, or None (app, tests, tools: unchecked)."""
    if path.startswith("sim/"):
        return "sim"
    if path in CORE:
        return "scenario_core"
    for name in ("population", "scenario", "pipeline", "costs"):
        if path.startswith(f"models/{name}/"):
            return name
    if path.startswith("analysis/"):
        return "analysis"
    return None


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    problems, checked = [], 0
    for top in ("sim", "models", "analysis"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if not f.endswith((".hpp", ".cpp", ".h")):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, f), root).replace(os.sep, "/")
                mine = layer_of(rel)
                if mine is None:
                    problems.append(f"{rel}: not in any layer (add it to tests/layering.py)")
                    continue
                checked += 1
                with open(os.path.join(root, rel), encoding="utf-8") as fh:
                    for n, line in enumerate(fh, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        inc = m.group(1)
                        if inc.startswith("yaml-cpp/") and rel not in YAML_ALLOWED:
                            problems.append(f"{rel}:{n}: includes yaml-cpp outside the scenario parser")
                        if not inc.startswith(("sim/", "models/", "analysis/", "app/")):
                            continue
                        theirs = layer_of(inc)
                        if theirs is None or theirs not in ALLOWED[mine]:
                            problems.append(f"{rel}:{n}: the {mine} layer includes {inc} "
                                            f"({theirs or 'app'} layer): includes must point down")
    for p in problems:
        print(p)
    if problems:
        return 4
    print(f"layering: {checked} files, every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
