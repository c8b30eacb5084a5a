#!/usr/bin/env python3
"""Markdown table of a finished run's winners (the README's headline tables).

    /usr/bin/python3 scripts/winners_table.py results/<experiment>/<run-id>

One row for the exact model (run.json "exact": the baseline, on CMSIS-NN when
the config names a checkout), one for the exact model with the approximated
layers unpacked and nothing skipped (pareto.json "baseline"), then one per
winning point (winners/*.json, with the budgets that chose it). Per board:
latency in ms, the cut against the exact model, and for the winners how much
of that cut unpacking gives and how much skipping adds. Scores (the run's:
top-1 accuracy or agreement, output MAE or SNR) are on the held-out report
split; the latency source (measured or cost model) is printed above the table.
Formats: results/README.md.
"""
import glob
import json
import os
import sys


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# Per score kind (pareto.json "score"): the key of a split's value, how it
# prints, the winners' budget key and how a budget reads, the key of what the
# budget bounds and how that reads, budgets looser upwards.
SCORES = {
    "top1": ("percent", "{:.2f} %", "accuracy_loss_budget_pp", "≤{} pp", "accuracy_loss_pp", "{:+.2f} pp", True),
    "agreement": ("percent", "{:.2f} %", "accuracy_loss_budget_pp", "≤{} pp", "accuracy_loss_pp", "{:+.2f} pp", True),
    "output_mae": ("mae", "MAE {:.4g}", "mae_budget", "MAE ≤{}", None, None, True),
    "output_snr": ("snr_db", "{:.1f} dB", "snr_db_budget", "SNR ≥{} dB", None, None, False),
}


def scores_of(point):
    """A pareto/winner point's split scores: under "accuracy" (count scores) or "score"."""
    return point["accuracy"] if "accuracy" in point else point["score"]


def score_text(kind, scores, split):
    value = scores.get(split)
    return SCORES[kind][1].format(value[SCORES[kind][0]]) if value else "—"


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    run_dir = argv[1]
    try:
        run = read_json(os.path.join(run_dir, "run.json"))
        pareto = read_json(os.path.join(run_dir, "pareto.json"))
        winners = [read_json(path) for path in glob.glob(os.path.join(run_dir, "winners", "*.json"))]
    except (OSError, ValueError) as error:
        print(f"winners_table.py: {error}", file=sys.stderr)
        return 1
    kind = pareto.get("score", "top1")
    if kind not in SCORES:
        print(f"winners_table.py: {run_dir}/pareto.json: unknown score {kind!r}", file=sys.stderr)
        return 1
    _, _, budget_key, budget_format, loss_key, loss_format, ascending = SCORES[kind]
    winners.sort(key=lambda w: w[budget_key], reverse=not ascending)
    boards = run["boards"]
    exact, unpacked = run["exact"], pareto["baseline"]
    source = run.get("latency", {}).get("source", "model")

    print(f"{run['experiment']} / {run['run_id']}: latency {source}"
          f" ({'compiled code, timing engine' if source == 'measured' else 'analytic cost model'}),"
          f" exact baseline on {exact.get('kernels', '?')}, score ({kind}) on the report split\n")
    header = ["point", "report score" + (" (loss)" if loss_key else ""), "flash"] + boards
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    print("| exact model | " + score_text(kind, exact, "report") + f" | {exact['boards'][boards[0]]['flash_bytes']:,} B | " +
          " | ".join(f"{exact['boards'][b]['ms']:.1f} ms" for b in boards) + " |")

    def cut(cost, board):
        return 100.0 * (1.0 - cost["cycles"] / exact["boards"][board]["cycles"])

    print(f"| unpacked, nothing skipped ({unpacked['key']}) | {score_text(kind, scores_of(unpacked), 'report')} | "
          f"{unpacked['boards'][boards[0]]['flash_bytes']:,} B | " +
          " | ".join(f"{unpacked['boards'][b]['ms']:.1f} ms (-{cut(unpacked['boards'][b], b):.1f} %)" for b in boards)
          + " |")
    # Budgets that pick the same point share one row.
    groups = []
    for winner in winners:
        if groups and groups[-1][0]["point"]["key"] == winner["point"]["key"]:
            groups[-1].append(winner)
        else:
            groups.append([winner])
    for same in groups:
        winner = same[0]
        budgets = ", ".join(f"{w[budget_key]:g}" for w in same)
        point = winner["point"]
        cells = []
        for b in boards:
            unpacking = cut(unpacked["boards"][b], b)
            skipping = cut(point["boards"][b], b) - unpacking
            cells.append(f"**{point['boards'][b]['ms']:.1f} ms** (-{cut(point['boards'][b], b):.1f} % = "
                         f"{unpacking:.1f} + {skipping:.1f})")
        loss = f" ({loss_format.format(winner[loss_key])})" if loss_key else ""
        print(f"| {budget_format.format(budgets)}: {point['key']} | {score_text(kind, scores_of(point), 'report')}{loss} | "
              f"{point['boards'][boards[0]]['flash_bytes']:,} B | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
