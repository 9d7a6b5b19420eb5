#!/usr/bin/env python3
"""Compare `einsumcl bench` with numpy.einsum(optimize=True) (and opt_einsum.contract when installed).

For each case of the suite (or the selection made with --only / --case, passed through like
--dtype, --repeat, --warmup, --threads, --backend), runs `einsumcl bench --json --only CASE`, then
times numpy on the same equation, shapes and dtype with the same method (warm-up runs, then the
median of --repeat runs), so both sides of a case are measured close together in time. With
--trials T this is done T times and each side's median over the trials is used. Prints per case
the times and the ratio numpy_time / einsumcl_time (> 1: einsumcl is faster), and the geometric
mean over the cases.

numpy is timed twice: as users call it (np.einsum returns a *view* for pure transposes and
diagonals such as 'ij->ji' and 'ii->i', so no data moves) and with out= (the result written into a
preallocated array, as einsumcl always does).

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE: when set they can slow numpy's OpenBLAS. By default the script
removes them for its own (numpy) process by re-executing itself, and gives the einsumcl binary the
environment it was started with; --keep-blas-env keeps them for numpy too. For a run where both
sides see the same environment, start the whole script under `env -u OPENBLAS_CORETYPE -u
OPENBLAS_L2_SIZE`.

usage: compare_numpy.py [BINARY | --binary PATH] [--trials T] [--keep-blas-env] [--markdown]
                        [einsumcl bench options...]
"""
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time

BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
SAVED_ENV = "ECL_COMPARE_SAVED_BLAS_ENV"


def reexec_without_blas_env():
    """Re-executes this script with BLAS_ENV removed (numpy reads them when it loads OpenBLAS)."""
    if SAVED_ENV in os.environ or "--keep-blas-env" in sys.argv:
        return
    removed = {k: os.environ[k] for k in BLAS_ENV if k in os.environ}
    if not removed:
        return
    env = {k: v for k, v in os.environ.items() if k not in BLAS_ENV}
    env[SAVED_ENV] = json.dumps(removed)
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def parse_args(argv):
    binary, keep, markdown, trials, passthrough = "build/einsumcl", False, False, 1, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--binary", "--trials") and i + 1 < len(argv):
            if a == "--binary":
                binary = argv[i + 1]
            else:
                trials = max(1, int(argv[i + 1]))
            i += 2
            continue
        if a in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        if a == "--keep-blas-env":
            keep = True
        elif a == "--markdown":
            markdown = True
        elif i == 0 and not a.startswith("-"):
            binary = a  # positional binary path, like `compare_numpy.py build/einsumcl`
        else:
            passthrough.append(a)
        i += 1
    return binary, keep, markdown, trials, passthrough


def print_environment(numpy):
    saved = json.loads(os.environ.get(SAVED_ENV, "{}"))
    print(f"python {platform.python_version()}, numpy {numpy.__version__}")
    for k in BLAS_ENV:
        if k in saved:
            print(f"  {k}={saved[k]!r}: unset for numpy, kept for einsumcl")
        else:
            print(f"  {k}={os.environ.get(k, '(not set)')!r} (same for both sides)")
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        print(f"  {k}={os.environ.get(k, '(not set)')}")
    try:
        import threadpoolctl
        for pool in threadpoolctl.threadpool_info():
            keys = ("internal_api", "version", "num_threads", "threading_layer", "architecture")
            print("  threadpool: " + ", ".join(f"{k}={pool.get(k)}" for k in keys))
    except ImportError:
        print("  threadpoolctl not installed: thread pools unknown")


def run_einsumcl(binary, args, env, quiet=False):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.json")
        cmd = [binary, "bench", "--json", path] + args
        print("$ " + " ".join(cmd), flush=True)
        out = subprocess.DEVNULL if quiet else None
        proc = subprocess.run(cmd, env=env, stdout=out)
        if not os.path.exists(path):
            sys.exit(f"compare_numpy: {binary} bench failed (exit {proc.returncode}), no JSON")
        with open(path) as f:
            return json.load(f)


def without_only(args):
    """The pass-through arguments less any --only selection."""
    kept, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a == "--only":
            skip = True
        elif not a.startswith("--only="):
            kept.append(a)
    return kept


def selected_cases(binary, passthrough, env):
    """Case names to run one at a time, or [None] for a --case run."""
    if "--case" in passthrough:
        return [None]
    listing = subprocess.run([binary, "bench", "--list"] + passthrough, env=env, check=True,
                             capture_output=True, text=True).stdout
    return [line.split()[0] for line in listing.splitlines() if line.strip()]


def median_time(fn, warmup, repeat):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    n = len(times)
    return times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])


def time_peers(numpy, case, opt_einsum):
    rng = numpy.random.default_rng(1234)
    ops = [rng.uniform(-1.0, 1.0, size=tuple(s)).astype(case["dtype"]) for s in case["shapes"]]
    eq, warm, rep = case["equation"], case["warmup"], case["repeat"]
    result = numpy.einsum(eq, *ops, optimize=True)
    out = numpy.empty(result.shape, dtype=result.dtype)
    t = {
        "numpy": median_time(lambda: numpy.einsum(eq, *ops, optimize=True), warm, rep),
        "numpy_out": median_time(lambda: numpy.einsum(eq, *ops, optimize=True, out=out), warm, rep),
        "numpy_view": any(numpy.shares_memory(result, op) for op in ops),
    }
    if opt_einsum is not None:
        t["opt_einsum"] = median_time(lambda: opt_einsum.contract(eq, *ops), warm, rep)
    return t


def geomean(values):
    values = [v for v in values if v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def print_table(rows, columns, markdown):
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    if markdown:
        print("| " + " | ".join(columns) + " |")
        print("|" + "|".join("---" for _ in columns) + "|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
        return
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)))


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else 0.5 * (values[n // 2 - 1] + values[n // 2])


def measure(binary, passthrough, env, numpy, opt_einsum, trials):
    """Per case: the einsumcl JSON entry and lists of per-trial times of every side."""
    names, results = selected_cases(binary, passthrough, env), {}
    report = None
    for trial in range(trials):
        print(f"trial {trial + 1} of {trials}", flush=True)
        for name in names:
            args = passthrough if name is None else without_only(passthrough) + ["--only", name]
            report = run_einsumcl(binary, args, env, quiet=True)
            for case in report["cases"]:
                entry = results.setdefault(case["name"], {"case": case, "times": {}})
                if "error" in case:
                    entry["case"] = case
                    continue
                times = entry["times"]
                times.setdefault("einsumcl", []).append(case["median_s"])
                for key, value in time_peers(numpy, case, opt_einsum).items():
                    times.setdefault(key, []).append(value)
    return report, results


def main():
    reexec_without_blas_env()
    binary, _, markdown, trials, passthrough = parse_args(sys.argv[1:])
    import numpy
    try:
        import opt_einsum
    except ImportError:
        opt_einsum = None
    print_environment(numpy)
    env = dict(os.environ)
    env.pop(SAVED_ENV, None)
    env.update(json.loads(os.environ.get(SAVED_ENV, "{}")))
    report, results = measure(binary, passthrough, env, numpy, opt_einsum, trials)
    print(f"\neinsumcl device: {report['device']} (backend {report['backend']}), "
          f"dtype {report['dtype']}; opt_einsum {opt_einsum.__version__ if opt_einsum else 'not installed'}; "
          f"each time is the median over {trials} trial(s) of a median of {report['cases'][0]['repeat']} runs")
    columns = ["case", "equation", "einsumcl ms", "numpy ms", "numpy/ecl", "numpy out= ms",
               "out=/ecl"] + (["opt_einsum ms", "opt/ecl"] if opt_einsum else [])
    rows, ratios = [], {"numpy": [], "numpy_out": [], "opt_einsum": []}
    for name, entry in results.items():
        case, times = entry["case"], entry["times"]
        if "error" in case:
            print(f"skipping {name}: einsumcl failed: {case['error']}")
            continue
        ecl = median(times["einsumcl"])
        row = [name, case["equation"], f"{ecl * 1e3:.3f}"]
        for key in ("numpy", "numpy_out", "opt_einsum"):
            if key in times:
                t = median(times[key])
                ratios[key].append(t / ecl)
                note = " (view)" if key == "numpy" and any(times["numpy_view"]) else ""
                row += [f"{t * 1e3:.3f}{note}", f"{t / ecl:.2f}"]
        rows.append(row)
    print()
    print_table(rows, columns, markdown)
    print("\ngeometric mean of numpy_time / einsumcl_time: " + ", ".join(
        f"{k} {geomean(v):.2f}" for k, v in ratios.items() if v))
    slower = [r[0] for r in rows if float(r[4]) < 1.0]
    print("cases where numpy.einsum is faster: " + (", ".join(slower) if slower else "none"))


if __name__ == "__main__":
    main()
