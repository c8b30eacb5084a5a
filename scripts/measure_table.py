#!/usr/bin/env python3
"""Markdown table of `tinyskip measure --json` reports: one row per variant,
one column group per board (cycles, ms, cycles per MAC).

    /usr/bin/python3 scripts/measure_table.py REPORT.json [REPORT.json ...]
"""
import json
import sys


def main(paths):
    rows, boards = [], []
    for path in paths:
        with open(path) as f:
            report = json.load(f)
        for variant in report["variants"]:
            rows.append(variant)
            for board in variant["boards"]:
                if board["board"] not in boards:
                    boards.append(board["board"])
    header = "| model | variant | exact kernels | flash | " + " | ".join(boards) + " |"
    print(header)
    print("|" + "---|" * (4 + len(boards)))
    for variant in rows:
        cells = []
        by_board = {b["board"]: b for b in variant["boards"]}
        for name in boards:
            b = by_board.get(name)
            if b is None:
                cells.append("")
            elif not b.get("fits", True):
                cells.append("does not fit")
            else:
                ok = "" if b["output_matches_simulator"] else " (OUTPUT DIFFERS)"
                cells.append(f"{b['ms']:.1f} ms, {b['cycles'] / 1e6:.2f} M cycles, {b['cycles_per_mac']:.2f} c/MAC{ok}")
        flash = f"{variant['flash_bytes']:,} B" if variant["flash_bytes"] is not None else "-"
        print(f"| {variant['model_name']} | {variant['variant']} | {variant['exact_kernels']} | {flash} | "
              + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
