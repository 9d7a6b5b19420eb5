#!/usr/bin/env python3
"""Compare einsumcl's contraction paths with opt_einsum's: FLOPs and planning time.

For every case (the equations of opt_einsum's own tests with its default test sizes, plus seeded
random tensor networks of 8 to 64 operands) and every algorithm family (optimal, greedy, branch,
auto), it plans the case with einsumcl (bench/plan_paths: ecl_plan_create timed in-process, so no
process start-up is counted) and with opt_einsum.contract_path, then prints per family:

* FLOPs in einsumcl's cost model (what the lowering executes: a multiply-add is 2, labels only one
  operand has are summed before the pair), for our order and for opt_einsum's order replayed through
  einsumcl as an explicit path; ratio ours / theirs (<= 1 means our order is at least as good).
* FLOPs in opt_einsum's own model (PathInfo.opt_cost) for both orders; same ratio.
* Median planning time of each and the speedup theirs / ours.

usage: compare_paths.py [--build DIR] [--repeat N] [--families optimal,greedy,branch,auto] [--quick]
Needs numpy and opt_einsum (pip install opt_einsum); exits with status 0 and a note when absent.
Exit status 1 when some order of ours costs more FLOPs than opt_einsum's, 2 when a case failed.
"""

import argparse
import json
import math
import os
import random
import statistics
import string
import subprocess
import sys
import time

try:
    import opt_einsum as oe
except ImportError:  # pragma: no cover
    print("compare_paths.py: opt_einsum is not installed (pip install opt_einsum); nothing to compare")
    sys.exit(0)

# opt_einsum.testing's default test sizes (that module needs pytest, so they are copied here).
TEST_SIZES = dict(zip("abcdefghijklmopqABC", [2, 3, 4, 5, 4, 3, 2, 6, 5, 4, 3, 2, 5, 7, 4, 3, 2, 3, 4]))


def build_shapes(eq):
    return [tuple(TEST_SIZES[c] for c in term) for term in eq.split("->")[0].split(",")]

# opt_einsum/tests/test_contract.py, the `tests` list (opt_einsum 3.4.0), single-operand and
# duplicate entries left out.
OPT_EINSUM_TESTS = [
    "a,->a", "ab,->ab", ",ab,->ab", ",,->",
    "a,ab,abc->abc", "a,b,ab->ab",
    "ea,fb,gc,hd,abcd->efgh", "ea,fb,abcd,gc,hd->efgh", "abcd,ea,fb,gc,hd->efgh",
    "acdf,jbje,gihb,hfac,gfac,gifabc,hfac", "cd,bdhe,aidb,hgca,gc,hgibcd,hgac",
    "abhe,hidj,jgba,hiab,gab", "bde,cdh,agdb,hica,ibd,hgicd,hiac",
    "chd,bde,agbc,hiad,hgc,hgi,hiad", "chd,bde,agbc,hiad,bdi,cgh,agdb", "bdhe,acad,hiab,agac,hibd",
    "ab,ab,c->", "ab,ab,c->c", "ab,ab,cd,cd->", "ab,ab,cd,cd->ac", "ab,ab,cd,cd->cd",
    "ab,ab,cd,cd,ef,ef->",
    "ab,cd,ef->abcdef", "ab,cd,ef->acdf", "ab,cd,de->abcde", "ab,cd,de->be", "ab,bcd,cd->abcd",
    "ab,bcd,cd->abd",
    "eb,cb,fb->cef", "dd,fb,be,cdb->cef", "bca,cdb,dbf,afc->", "dcc,fce,ea,dbf->ab",
    "fdf,cdd,ccd,afe->ae", "abcd,ad", "ed,fcd,ff,bcf->be", "baa,dcf,af,cde->be", "bd,db,eac->ace",
    "fff,fae,bef,def->abd", "efc,dbc,acf,fd->abe",
    "ab,ab", "ab,ba", "abc,abc", "abc,bac", "abc,cba",
    "ab,bc", "ab,cb", "ba,bc", "ba,cb", "abcd,cd", "abcd,ab", "abcd,cdef", "abcd,cdef->feba",
    "abcd,efdc",
    "aab,bc->ac", "ab,bcc->ac", "aab,bcc->ac", "baa,bcc->ac", "aab,ccb->ac",
    "aab,fa,df,ecc->bde", "ecb,fef,bad,ed->ac", "bcf,bbb,fbf,fc->", "bb,ff,be->e", "bcb,bb,fc,fff->",
    "fbb,dfd,fc,fc->", "afd,ba,cc,dc->bf", "adb,bc,fa,cfc->d", "bbd,bda,fc,db->acf", "dba,ead,cad->bce",
    "aef,fbc,dca->bde",
    # opt_einsum/tests/test_paths.py: test_memory_paths and test_greedy_edge_cases
    "abc,bdef,fghj,cem,mhk,ljk->adgl", "abc,cfd,dbe,efa",
]

FAMILIES = {  # ours -> opt_einsum's optimizer of the same family
    "optimal": "optimal",
    "greedy": "greedy",
    "branch": "branch-2",
    "auto": "auto",
}
THEIR_OPTIMAL_MAX = 8  # opt_einsum's exhaustive 'optimal' is intractable beyond this: 'dp' instead
THEIR_BRANCH_MAX = 20  # opt_einsum's 'branch-2' takes minutes beyond this


def their_optimizer(family, n):
    name = FAMILIES[family]
    if name == "optimal" and n > THEIR_OPTIMAL_MAX:
        return "dp"
    return name


def shape_text(shape):
    return "x".join(str(d) for d in shape) if len(shape) else "scalar"


def random_network(n, seed, letters=string.ascii_letters):
    """A connected random tensor network over at most 52 labels: each operand gets 2-4 labels from
    a window around its position (so labels are shared by neighbours, some by several operands),
    and a few labels that occur once become the output. Sizes 2-7, lowered where needed to keep the
    product of all sizes under 2^62."""
    rng = random.Random(seed)
    nl = min(len(letters), max(4, n * 3 // 2))
    terms = []
    for i in range(n):
        centre = int(i * nl / n)
        k = rng.randint(2, 4)
        picks = {letters[(centre + rng.randint(-3, 3)) % nl] for _ in range(k)}
        terms.append("".join(sorted(picks)))
    counts = {}
    for t in terms:
        for c in t:
            counts[c] = counts.get(c, 0) + 1
    singles = sorted(c for c, k in counts.items() if k == 1)
    out = "".join(singles[:3])
    sizes = {c: rng.randint(2, 7) for c in letters[:nl]}
    # einsumcl's binder rejects equations whose product of all label sizes overflows int64.
    while math.prod(sizes.values()) >= 2 ** 62:
        big = max(sizes, key=sizes.get)
        sizes[big] -= 1
    eq = ",".join(terms) + "->" + out
    shapes = [tuple(sizes[c] for c in t) for t in terms]
    return eq, shapes


def cases(quick):
    out = [(eq, build_shapes(eq)) for eq in OPT_EINSUM_TESTS]
    sizes = [8, 10, 12, 14] if quick else [8, 10, 12, 14, 16, 20, 30, 40, 64]
    for n in sizes:
        for seed in range(2 if quick else 3):
            out.append(random_network(n, 1000 * n + seed))
    return out


def their_path_to_ours(path, nops):
    """opt_einsum's path (which may contain single-operand steps) as pairs over einsumcl's list."""
    theirs, ours, pairs, next_id = list(range(nops)), list(range(nops)), [], nops
    for step in path:
        ids = [theirs[i] for i in step]
        for i in sorted(step, reverse=True):
            del theirs[i]
        if len(ids) == 1:
            theirs.append(ids[0])
            continue
        if len(ids) != 2:
            return None
        pos = [ours.index(x) for x in ids]
        pairs.append(tuple(pos))
        for p in sorted(pos, reverse=True):
            del ours[p]
        ours.append(next_id)
        theirs.append(next_id)
        next_id += 1
    return pairs


def run_ours(build, algorithm, lines, repeat):
    args = [os.path.join(build, "plan_paths"), "--repeat", str(repeat)]
    if algorithm:
        args += ["--optimize", algorithm]
    res = subprocess.run(args, input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    return [json.loads(line) for line in res.stdout.splitlines()]


def time_theirs(eq, shapes, optimize, repeat):
    times = []
    for k in range(repeat):
        if k == 1 and times[0] > 0.2:
            break  # slow enough that one run is a fair measure
        t0 = time.perf_counter()
        path, info = oe.contract_path(eq, *shapes, shapes=True, optimize=optimize)
        times.append(time.perf_counter() - t0)
    return path, info, statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="build directory holding plan_paths")
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--quick", action="store_true", help="fewer random networks")
    opts = ap.parse_args()
    all_cases = [c for c in cases(opts.quick) if len(c[1]) >= 2]
    worst_overall = 0
    for family in opts.families.split(","):
        selected = [c for c in all_cases
                    if not (family == "optimal" and len(c[1]) > 16)
                    and not (family == "branch" and len(c[1]) > THEIR_BRANCH_MAX)]
        lines = [c[0] + " " + " ".join(shape_text(s) for s in c[1]) for c in selected]
        ours = run_ours(opts.build, family, lines, opts.repeat)
        replay_lines, theirs = [], []
        for (eq, shapes), line in zip(selected, lines):
            path, info, t = time_theirs(eq, shapes, their_optimizer(family, len(shapes)), opts.repeat)
            pairs = their_path_to_ours(path, len(shapes))
            theirs.append((info, t, pairs))
            replay_lines.append(line + " path=" + ";".join(f"{i},{j}" for i, j in pairs))
        replay = run_ours(opts.build, None, replay_lines, 1)
        theirs_name = FAMILIES[family] + (" (dp beyond 8 operands)" if family == "optimal" else "")
        print(f"\n== {family} (opt_einsum: {theirs_name}) ==")
        print(f"{'n':>3} {'FLOPs ours/oe':>13} {'(oe model)':>10} {'plan ms':>8} {'path ms':>8} "
              f"{'oe ms':>8} {'x plan':>7} {'x path':>7}  equation")
        ratios_ours, ratios_oe, speedups, path_speedups, listed = [], [], [], [], []
        for (eq, shapes), o, (info, t, _), r in zip(selected, ours, theirs, replay):
            if "error" in o or "error" in r:
                print(f"{len(shapes):>3} error: {o.get('error') or r.get('error')}  {eq}")
                worst_overall = max(worst_overall, 2)
                continue
            our_path_oe = oe.contract_path(eq, *shapes, shapes=True, optimize=[tuple(p) for p in o["path"]])[1]
            ro = o["flops"] / r["flops"] if r["flops"] else 1.0
            roe = float(our_path_oe.opt_cost) / float(info.opt_cost) if info.opt_cost else 1.0
            sp, spp = t / o["median_s"], t / o["path_median_s"]
            listed.append(eq in OPT_EINSUM_TESTS)
            ratios_ours.append(ro)
            ratios_oe.append(roe)
            speedups.append(sp)
            path_speedups.append(spp)
            mark = " <-- worse" if ro > 1 + 1e-9 else ""
            short = eq if len(eq) <= 40 else eq[:37] + "..."
            print(f"{len(shapes):>3} {ro:>13.4f} {roe:>10.4f} {1e3 * o['median_s']:>8.4f} "
                  f"{1e3 * o['path_median_s']:>8.4f} {1e3 * t:>8.4f} {sp:>7.1f} {spp:>7.1f}  {short}{mark}")
        worse = sum(1 for x in ratios_ours if x > 1 + 1e-9)
        def gmean(xs):
            return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else 0
        better = sum(1 for x in ratios_ours if x < 1 - 1e-9)
        print(f"-- {family}: {len(ratios_ours)} cases; FLOPs ours/opt_einsum in our model: max "
              f"{max(ratios_ours):.4f}, better on {better}, worse on {worse}; in opt_einsum's model: max "
              f"{max(ratios_oe):.4f}. Speedup over contract_path: ecl_plan_create min "
              f"{min(speedups):.1f}x, geometric mean {gmean(speedups):.1f}x; path search alone min "
              f"{min(path_speedups):.1f}x, geometric mean {gmean(path_speedups):.1f}x")
        on_list = [(r, sp) for r, sp, l in zip(ratios_ours, path_speedups, listed) if l]
        if on_list:
            print(f"   on opt_einsum's own test equations ({len(on_list)}): FLOPs ratio max "
                  f"{max(r for r, _ in on_list):.4f}, worse on {sum(1 for r, _ in on_list if r > 1 + 1e-9)}; "
                  f"path search speedup min {min(sp for _, sp in on_list):.1f}x, geometric mean "
                  f"{gmean([sp for _, sp in on_list]):.1f}x")
        if worse:
            worst_overall = max(worst_overall, 1)
    return worst_overall


if __name__ == "__main__":
    sys.exit(main())
