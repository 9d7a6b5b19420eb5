#!/usr/bin/env python3
"""Draw `einsumcl bench` results as a roofline chart (PNG, matplotlib).

This script owns the picture of the bench results. It reads one or more `einsumcl bench --json`
files and, optionally, `compare_peers.py --json-out` files, and draws:

  left   the roofline: x = arithmetic intensity (FLOPs per byte moved, log), y = achieved GFLOP/s
         (log); one point per case, labelled with its name, the marker telling the case's suite
         ("suite" field), the colour the input file (cases of equal intensity are spread
         slightly sideways); the roof min(GEMM rate, copy bandwidth x AI)
         from the file's "ceilings": {"gemm_gflops": X, "copy_gbps": Y} (or --gemm-gflops /
         --copy-gbps when the file has none). Peers from a compare_peers file are drawn as small
         open markers at the same intensity, one colour per peer.
  right  cases without arithmetic (flops == 0: transposes, diagonals, copies): achieved GB/s
         against the copy ceiling. (Bytes are the minimum moved, input + output, so a case that
         reads only part of its input, like 'ii->i', can show more than the ceiling.)

usage: plot_roofline.py FILE.json [FILE.json ...] --out FILE.png [--gemm-gflops X]
                        [--copy-gbps Y] [--title TEXT] [--no-peers]
"""
import argparse
import datetime
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the Agg backend)
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

FILE_COLOURS = ("tab:blue", "tab:red", "tab:green", "tab:purple", "tab:brown", "tab:olive")
PEER_COLOURS = {"numpy": "tab:orange", "numpy_out": "gold", "opt_einsum": "tab:cyan",
                "torch_cpu": "tab:pink", "torch_cuda": "tab:gray"}
SUITE_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")


def parse_args(argv):
    p = argparse.ArgumentParser(description="Roofline chart of einsumcl bench JSON files.")
    p.add_argument("files", nargs="+", help="einsumcl bench --json or compare_peers --json-out")
    p.add_argument("--out", required=True, help="PNG file to write")
    p.add_argument("--gemm-gflops", type=float, help="GEMM ceiling when a file has no 'ceilings'")
    p.add_argument("--copy-gbps", type=float, help="copy ceiling when a file has no 'ceilings'")
    p.add_argument("--title", help="chart title (default: device, dtype, date of each file)")
    p.add_argument("--no-peers", action="store_true", help="leave out compare_peers' peer points")
    return p.parse_args(argv)


# --------------------------------------------------------------------------- reading

def case_point(case, seconds=None):
    """(intensity, GFLOP/s, GB/s) of a case, from flops/bytes when present, else gflops/gbps."""
    t = seconds if seconds is not None else case.get("median_s", 0.0)
    flops, nbytes = case.get("flops"), case.get("bytes")
    if flops is None or nbytes is None:
        scale = case.get("median_s", 0.0) * 1e9
        flops, nbytes = case.get("gflops", 0.0) * scale, case.get("gbps", 0.0) * scale
    if t <= 0:
        return None
    return (flops / nbytes if nbytes > 0 else 0.0), flops / t * 1e-9, nbytes / t * 1e-9


def load(path, args):
    """A data set: path, device, dtype, date, ceilings, cases [(case, {peer: seconds})].

    Peer times that are views (no data moved, see compare_peers.py) are left out."""
    with open(path) as f:
        doc = json.load(f)
    date = datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc)
    date = date.strftime("%Y-%m-%d")
    if "environment" in doc:  # compare_peers --json-out
        header = doc.get("einsumcl", {})
        date = doc["environment"].get("date_utc", date)[:10]
        cases = [(dict(row["case"], median_s=row["einsumcl_s"]),
                  {} if args.no_peers else {p: v["median_s"] for p, v in row["peers"].items()
                                            if not v.get("view")})
                 for row in doc["cases"]]
    else:
        header = doc
        cases = [(c, {}) for c in doc.get("cases", []) if "error" not in c]
    ceilings = dict(header.get("ceilings") or {})
    if args.gemm_gflops and "gemm_gflops" not in ceilings:
        ceilings["gemm_gflops"] = args.gemm_gflops
    if args.copy_gbps and "copy_gbps" not in ceilings:
        ceilings["copy_gbps"] = args.copy_gbps
    return {"path": path, "device": header.get("device", "?"), "dtype": header.get("dtype", "?"),
            "backend": header.get("backend", "?"), "date": date, "ceilings": ceilings,
            "cases": cases}


def short(text, width=70):
    return text if len(text) <= width else text[:width - 1] + "…"


# --------------------------------------------------------------------------- labels

def text_box(ann, renderer):
    """The display box of an annotation's text alone (without its line), at its current offset."""
    ann.update_positions(renderer)
    return Text.get_window_extent(ann, renderer)


def place_labels(ax, points, fontsize=7):
    """Annotates (x, y, text) points; a label that would overlap a marker or a label already placed,
    or leave the axes, is moved up or down in steps of its height (nearest free place, within 8 steps)."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    placed = [Bbox.from_bounds(px - 4, py - 4, 8, 8)  # the markers themselves
              for px, py in ax.transData.transform([(x, y) for x, y, _ in points])]
    for x, y, text in sorted(points, key=lambda p: (-p[1], p[0])):
        ann = ax.annotate(text, (x, y), xytext=(6, 3), textcoords="offset points",
                          fontsize=fontsize, va="bottom", ha="left", annotation_clip=False,
                          arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.5})
        ann.set_in_layout(False)
        step = text_box(ann, renderer).height * 72 / fig.dpi  # points
        for k in (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8):
            ann.set_position((6, 3 + k * step))
            box = text_box(ann, renderer)
            if inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1) and \
                    not any(box.overlaps(b) for b in placed):
                break
        else:
            ann.set_position((6, 3))
            box = text_box(ann, renderer)
        placed.append(box)


# --------------------------------------------------------------------------- drawing

def suite_markers(datasets):
    suites = []
    for d in datasets:
        for case, _ in d["cases"]:
            s = case.get("suite", "")
            if s not in suites:
                suites.append(s)
    return {s: SUITE_MARKERS[i % len(SUITE_MARKERS)] for i, s in enumerate(suites)}


def draw_roof(ax, ceilings, x_lo, x_hi, colour, tag):
    gemm, copy = ceilings.get("gemm_gflops"), ceilings.get("copy_gbps")
    if not gemm or not copy:
        return
    ridge = gemm / copy
    xs = [x_lo, max(x_lo, min(ridge, x_hi)), x_hi]
    ax.plot(xs, [min(gemm, copy * x) for x in xs], color=colour, lw=1.2, ls="--", alpha=0.8)
    ax.annotate(f"{tag}GEMM {gemm:.4g} GFLOP/s", (x_hi, gemm), xytext=(-4, 3),
                textcoords="offset points", ha="right", va="bottom", fontsize=7, color=colour)
    ax.annotate(f"{tag}copy {copy:.4g} GB/s", (x_lo, copy * x_lo), xytext=(4, 4),
                textcoords="offset points", ha="left", va="bottom", fontsize=7, color=colour,
                rotation=0)


def draw_peers(ax, x, case, peers, column, seen):
    """Each peer's rate for the case (column 1: GFLOP/s, 2: GB/s) as a coloured dash at x."""
    for peer, seconds in peers.items():
        pt = case_point(case, seconds)
        if pt is None:
            continue
        ax.scatter([x], [pt[column]], marker="_", s=90, linewidths=1.6,
                   color=PEER_COLOURS.get(peer, "black"), zorder=2)
        seen.add(peer)


def spread(xs, factor=1.15):
    """The intensities, those shared by several cases spread slightly apart (log scale)."""
    groups = {}
    for i, x in enumerate(xs):
        groups.setdefault(round(math.log10(x), 2), []).append(i)
    out = list(xs)
    for members in groups.values():
        for j, i in enumerate(members):
            out[i] = xs[i] * factor ** (j - (len(members) - 1) / 2)
    return out


def draw_roofline(ax, datasets, markers, seen_peers):
    arith = [(d, c, p) for d in datasets for c, p in d["cases"] if (case_point(c) or (0,))[0] > 0]
    if not arith:
        ax.text(0.5, 0.5, "no case with arithmetic", ha="center", transform=ax.transAxes)
        return
    xs = [case_point(c)[0] for _, c, _ in arith]
    x_lo, x_hi = min(xs) / 3, max(xs) * 3
    labels, shift = [], spread([case_point(c)[0] for _, c, _ in arith])
    for i, d in enumerate(datasets):
        colour = d["colour"]
        tag = f"[{i + 1}] " if len(datasets) > 1 else ""
        draw_roof(ax, d["ceilings"], x_lo, x_hi, colour, tag)
    for (d, case, peers), x in zip(arith, shift):
        gflops = case_point(case)[1]
        ax.scatter([x], [gflops], marker=markers[case.get("suite", "")], s=36, color=d["colour"],
                   edgecolors="black", linewidths=0.4, zorder=3)
        labels.append((x, gflops, case["name"]))
        draw_peers(ax, x, case, peers, 1, seen_peers)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(x_lo, x_hi)
    ax.set_xlabel("arithmetic intensity (FLOP / byte, minimum bytes moved)")
    ax.set_ylabel("achieved GFLOP/s")
    ax.grid(True, which="both", lw=0.3, alpha=0.5)
    place_labels(ax, labels)


def draw_movement(ax, datasets, markers, seen_peers):
    """Cases without arithmetic: GB/s per case against each data set's copy ceiling."""
    rows = [(d, c, p) for d in datasets for c, p in d["cases"]
            if case_point(c) is not None and case_point(c)[0] == 0]
    ax.set_title("no arithmetic: GB/s", fontsize=9)
    if not rows:
        ax.text(0.5, 0.5, "no data-movement case", ha="center", va="center",
                transform=ax.transAxes, fontsize=8)
        ax.set_xticks([])
        return
    for i, (d, case, peers) in enumerate(rows):
        ax.scatter([i], [case_point(case)[2]], marker=markers[case.get("suite", "")], s=36,
                   color=d["colour"], edgecolors="black", linewidths=0.4, zorder=3)
        draw_peers(ax, i, case, peers, 2, seen_peers)
    for d in datasets:
        copy = d["ceilings"].get("copy_gbps")
        if copy:
            ax.axhline(copy, color=d["colour"], ls="--", lw=1.2, alpha=0.8)
            ax.annotate(f"copy {copy:.4g} GB/s", (-0.4, copy), xytext=(0, 3),
                        textcoords="offset points", fontsize=7, color=d["colour"])
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([c["name"] for _, c, _ in rows], rotation=40, ha="right", fontsize=7)
    ax.set_xlim(-0.6, len(rows) - 0.4)
    ax.set_yscale("log")
    ax.set_ylabel("achieved GB/s (input + output bytes / time)")
    ax.grid(True, which="both", axis="y", lw=0.3, alpha=0.5)


def title(datasets, explicit):
    if explicit:
        return explicit
    lines = []
    for i, d in enumerate(datasets):
        tag = f"[{i + 1}] " if len(datasets) > 1 else ""
        lines.append(f"{tag}{short(d['device'])}, {d['dtype']}, {d['date']}")
    return "einsumcl bench roofline\n" + "\n".join(lines)


def legend(ax, datasets, markers, peers):
    handles = [plt.Line2D([], [], ls="", marker="s", color=d["colour"],
                          label=f"[{i + 1}] {os.path.basename(d['path'])}")
               for i, d in enumerate(datasets)] if len(datasets) > 1 else []
    handles += [plt.Line2D([], [], ls="", marker=m, color="0.4", label=f"suite: {s}")
                for s, m in markers.items() if s]
    handles += [plt.Line2D([], [], ls="", marker="_", markersize=10, markeredgewidth=1.6,
                           color=colour, label=f"peer: {peer}")
                for peer, colour in PEER_COLOURS.items() if peer in peers]
    if handles:
        ax.legend(handles=handles, fontsize=7, loc="lower right", framealpha=0.85)


def main():
    args = parse_args(sys.argv[1:])
    datasets = [load(path, args) for path in args.files]
    for i, d in enumerate(datasets):
        d["colour"] = FILE_COLOURS[i % len(FILE_COLOURS)]
        if not d["ceilings"].get("gemm_gflops") or not d["ceilings"].get("copy_gbps"):
            print(f"plot_roofline: {d['path']}: no ceilings (pass --gemm-gflops and --copy-gbps): "
                  "no roof drawn", file=sys.stderr)
    markers = suite_markers(datasets)
    fig, (roof, move) = plt.subplots(1, 2, figsize=(13, 7.5), dpi=110,
                                     gridspec_kw={"width_ratios": [3.2, 1]})
    fig.suptitle(title(datasets, args.title), fontsize=10)
    seen_peers = set()
    draw_movement(move, datasets, markers, seen_peers)
    draw_roofline(roof, datasets, markers, seen_peers)
    legend(roof, datasets, markers, seen_peers)
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
