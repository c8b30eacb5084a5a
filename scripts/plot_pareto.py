#!/usr/bin/python3
"""Plots one tinyskip run: score vs latency and per-layer skip fractions.

Usage: plot_pareto.py RUN_DIR [--out DIR]

Reads RUN_DIR/run.json, points.csv, pareto.json and winners/*.json (formats:
results/README.md) and writes, to DIR (default RUN_DIR/plots):
  pareto.png / pareto.svg
      the run's score (top-1 accuracy or agreement, output MAE or SNR: the
      config's "score") vs latency (ms) on the run's primary board: every
      evaluated point (search split), the Pareto front on the search split and,
      where measured, on the held-out report split, the exact baseline and the
      winners of each budget.
  skip_fractions.png / skip_fractions.svg
      fraction of each approximated layer's MACs skipped, for the front points
      (by latency) and for the winners.
Needs only python3, numpy and matplotlib (Agg backend: no display).
"""

import argparse
import csv
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402


class RunDirError(Exception):
    """The run directory is missing a file or holds one this script cannot read."""


def read_json(path):
    if not os.path.isfile(path):
        raise RunDirError(f"{path}: missing (is this a tinyskip run directory?)")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as error:
        raise RunDirError(f"{path}: not valid JSON: {error}") from error


def read_points(path):
    """Complete rows of points.csv as dicts; a trailing partial row (a crash
    while writing it) is ignored, and a key's last row wins, as in tinyskip."""
    if not os.path.isfile(path):
        raise RunDirError(f"{path}: missing (is this a tinyskip run directory?)")
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    complete = text[: text.rfind("\n") + 1]
    rows = list(csv.DictReader(complete.splitlines()))
    by_key = {}
    for row in rows:
        by_key[row["key"]] = row
    return list(by_key.values())


def number(text):
    return float(text) if text not in ("", None) else math.nan


# Per score kind (pareto.json "score"): the points.csv column, the key of a
# point's value in the JSON files, the axis title, the winners' budget key,
# how a budget reads, and whether budgets get looser upwards (SNR: downwards).
SCORES = {
    "top1": ("accuracy_pct", "percent", "top-1 accuracy (%)", "accuracy_loss_budget_pp", "≤{:g} pp", True),
    "agreement": ("accuracy_pct", "percent", "top-1 agreement with the exact model (%)",
                  "accuracy_loss_budget_pp", "≤{:g} pp", True),
    "output_mae": ("mae", "mae", "output MAE vs the exact model (real units)", "mae_budget", "MAE ≤{:g}", True),
    "output_snr": ("snr_db", "snr_db", "output SNR vs the exact model (dB)", "snr_db_budget", "SNR ≥{:g} dB", False),
}
SCORE = SCORES["top1"]  # set by load_run


def score_of(point, split):
    """The score of a pareto/winner point on a split, in the run's unit, or NaN."""
    scores = point["accuracy"] if "accuracy" in point else point["score"]
    value = scores.get(split)
    return value[SCORE[1]] if value else math.nan


def budget_of(winner):
    return winner[SCORE[3]]


def budget_label(winner):
    return SCORE[4].format(budget_of(winner))


def load_run(run_dir):
    run = read_json(os.path.join(run_dir, "run.json"))
    pareto = read_json(os.path.join(run_dir, "pareto.json"))
    points = read_points(os.path.join(run_dir, "points.csv"))
    winners = []
    winners_dir = os.path.join(run_dir, "winners")
    if os.path.isdir(winners_dir):
        for name in os.listdir(winners_dir):
            if name.endswith(".json") and not name.startswith("."):
                winners.append(read_json(os.path.join(winners_dir, name)))
    global SCORE
    kind = pareto.get("score", "top1")
    if kind not in SCORES:
        raise RunDirError(f"{run_dir}/pareto.json: unknown score {kind!r}")
    SCORE = SCORES[kind]
    winners.sort(key=budget_of, reverse=not SCORE[5])
    board = run.get("primary_board") or pareto.get("primary_board")
    if not board:
        raise RunDirError(f"{run_dir}/run.json: no primary_board")
    if points and f"{board}_ms" not in points[0]:
        raise RunDirError(f"{run_dir}/points.csv: no column {board}_ms for the primary board")
    return run, pareto, points, winners, board


def latency_label(run, board):
    """The latency axis title, naming where the cycles come from (run.json "latency")."""
    source = run.get("latency", {}).get("source", "model")
    what = "measured: compiled code, timing engine" if source == "measured" else "analytic cost model"
    return f"latency on {board} (ms, {what})"


def plot_accuracy_latency(run, pareto, points, winners, board, out_dir):
    fig, ax = plt.subplots(figsize=(8, 5.5))
    ms = np.array([number(p[f"{board}_ms"]) for p in points])
    acc = np.array([number(p[f"search_{SCORE[0]}"]) for p in points])
    ax.scatter(ms, acc, s=10, color="0.7", label=f"all points ({len(points)}, search split)", zorder=1)

    front = sorted(pareto["front"], key=lambda p: p["boards"][board]["ms"])
    front_ms = [p["boards"][board]["ms"] for p in front]
    ax.plot(front_ms, [score_of(p, "search") for p in front], "o-", color="tab:blue", markersize=4,
            label="Pareto front (search split)", zorder=3)
    report = [(p["boards"][board]["ms"], score_of(p, "report")) for p in front]
    report = [(x, y) for x, y in report if not math.isnan(y)]
    if report:
        ax.plot(*zip(*report), "s--", color="tab:orange", markerfacecolor="none", markersize=5,
                label="front, held-out report split", zorder=3)

    # The all-zero design point: exact weights, approximated layers unpacked.
    base = pareto["baseline"]
    base_ms = base["boards"][board]["ms"]
    ax.scatter([base_ms], [score_of(base, "search")], marker="*", s=180, color="black",
               label="exact, unpacked (search)", zorder=4)
    if not math.isnan(score_of(base, "report")):
        ax.scatter([base_ms], [score_of(base, "report")], marker="*", s=180, facecolor="none",
                   edgecolor="black", label="exact, unpacked (report)", zorder=4)
    # The exact model with CMSIS-NN-style kernels everywhere (run.json "exact"),
    # the reference every speed-up is quoted against.
    exact = run.get("exact")
    if exact and board in exact.get("boards", {}):
        kernels = exact.get("kernels", "CMSIS-NN")
        ax.axvline(exact["boards"][board]["ms"], color="black", linestyle=":", linewidth=1,
                   label=f"exact model on {kernels} ({exact['boards'][board]['ms']:.1f} ms)", zorder=2)

    held_out_labelled = False
    for i, winner in enumerate(winners):
        point = winner["point"]
        x, y = point["boards"][board]["ms"], score_of(point, "search")
        ax.scatter([x], [y], marker="D", s=60, color="tab:red", zorder=5,
                   label="winners (budget)" if i == 0 else None)
        held_out = score_of(point, "report")
        if not math.isnan(held_out):
            ax.scatter([x], [held_out], marker="D", s=60, facecolor="none", edgecolor="tab:red", zorder=5,
                       label=None if held_out_labelled else "winners, held-out report split")
            held_out_labelled = True
    # One label per distinct winning point: several budgets often pick the same one.
    reference_ms = exact["boards"][board]["ms"] if exact and board in exact.get("boards", {}) else base_ms
    by_point = {}
    for winner in winners:
        by_point.setdefault(winner["point"]["key"], []).append(winner)
    # Nearby winners would print their labels on top of each other: each
    # label gets its own text row below the previous one, with a thin leader
    # line back to its point.
    for row, same in enumerate(sorted(by_point.values(), key=lambda ws: -score_of(ws[0]["point"], "search"))):
        point = same[0]["point"]
        x, y = point["boards"][board]["ms"], score_of(point, "search")
        budgets = ", ".join(budget_label(w) for w in same)
        saving = 100 * (1 - x / reference_ms) if reference_ms > 0 else 0
        ax.annotate(f"{budgets}: -{saving:.1f} %", (x, y), textcoords="offset points",
                    xytext=(14, -14 - 13 * row), fontsize=8, color="tab:red",
                    arrowprops=dict(arrowstyle="-", color="tab:red", linewidth=0.5, shrinkA=0, shrinkB=3))

    ax.set_xlabel(latency_label(run, board))
    ax.set_ylabel(SCORE[2])
    ax.set_title(f"{run.get('experiment', '')} / {run.get('run_id', '')}: "
                 f"{pareto.get('evaluations', len(points))} points evaluated")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    save(fig, out_dir, "pareto")


def skip_fractions(point, layers):
    return [point["skipped_macs"][layer["name"]] / layer["macs"] if layer["macs"] else 0.0 for layer in layers]


def plot_skip_fractions(run, pareto, winners, board, out_dir):
    layers = pareto["layers"]
    names = [layer["name"] for layer in layers]
    front = sorted(pareto["front"], key=lambda p: p["boards"][board]["ms"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))

    front_ms = [p["boards"][board]["ms"] for p in front]
    fractions = np.array([skip_fractions(p, layers) for p in front]).reshape(len(front), len(layers))
    for j, name in enumerate(names):
        left.plot(front_ms, fractions[:, j], "o-", markersize=4, label=name)
    left.set_xlabel(latency_label(run, board))
    left.set_ylabel("fraction of layer MACs skipped")
    left.set_title("Pareto front points")
    left.set_ylim(0, 1)
    left.grid(True, alpha=0.3)
    left.legend(fontsize=8)

    if winners:
        width = 0.8 / max(1, len(layers))
        x = np.arange(len(winners))
        for j, name in enumerate(names):
            right.bar(x + j * width, [skip_fractions(w["point"], layers)[j] for w in winners], width, label=name)
        right.set_xticks(x + width * (len(layers) - 1) / 2)
        right.set_xticklabels([budget_label(w) for w in winners])
        right.legend(fontsize=8)
    else:
        right.text(0.5, 0.5, "no winners", ha="center", va="center", transform=right.transAxes)
    right.set_ylim(0, 1)
    right.set_xlabel("budget")
    right.set_title("winners")
    right.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    save(fig, out_dir, "skip_fractions")


def save(fig, out_dir, stem):
    for extension in ("png", "svg"):
        fig.savefig(os.path.join(out_dir, f"{stem}.{extension}"), dpi=150)
    plt.close(fig)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", help="a run directory: results/<experiment>/<run-id>")
    parser.add_argument("--out", help="output directory (default: RUN_DIR/plots)")
    args = parser.parse_args(argv)
    try:
        if not os.path.isdir(args.run_dir):
            raise RunDirError(f"{args.run_dir}: not a directory")
        run, pareto, points, winners, board = load_run(args.run_dir)
        out_dir = args.out or os.path.join(args.run_dir, "plots")
        os.makedirs(out_dir, exist_ok=True)
        plot_accuracy_latency(run, pareto, points, winners, board, out_dir)
        plot_skip_fractions(run, pareto, winners, board, out_dir)
    except (RunDirError, KeyError) as error:
        what = f"missing field {error}" if isinstance(error, KeyError) else str(error)
        print(f"plot_pareto.py: {what}", file=sys.stderr)
        return 1
    print(f"plot_pareto.py: wrote pareto.{{png,svg}} and skip_fractions.{{png,svg}} to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
