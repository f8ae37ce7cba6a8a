"""Fails if a notebook is committed with outputs or execution counts (they
belong to a run, not to the source), or is not valid nbformat 4.

    python3 check_notebooks.py notebooks/*.ipynb
"""
import json
import sys


def problems(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    if nb.get("nbformat") != 4:
        yield "not nbformat 4"
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            yield f"cell {i} has outputs"
        if cell.get("execution_count") is not None:
            yield f"cell {i} has an execution count"


def main(paths):
    bad = 0
    for p in paths:
        for msg in problems(p):
            print(f"{p}: {msg} (clear outputs before committing)")
            bad += 1
    if not paths:
        print("no notebooks given")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
