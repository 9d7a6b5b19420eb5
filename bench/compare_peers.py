#!/usr/bin/env python3
"""Compare `einsumcl bench` with the einsum implementations installed next to it (the peers).

This script owns the side-by-side comparison: it runs `einsumcl bench --json` (all options it does
not know, e.g. --suite, --dtype, --backend, --device, --repeat, --warmup, --threads, --only,
--case, are passed through), reads the JSON, and runs every case again with each installed peer on
the same equation, shapes and dtype (inputs random uniform in [-1, 1)):

  numpy       numpy.einsum(eq, *ops, optimize=True), as users call it
  numpy_out   the same with out= a preallocated array (materialises the result like einsumcl)
  opt_einsum  opt_einsum.contract(eq, *ops)
  torch_cpu   torch.einsum on CPU tensors
  torch_cuda  torch.einsum on the GPU, when torch.cuda.is_available() (timed with CUDA events,
              TF32 off)

For pure transposes and diagonals ('ij->ji', 'ii->i') numpy, opt_einsum and torch return a *view*
(no data moves); such times are marked "(view)" and the geometric means are also given without
them.

Each peer is timed like einsumcl times itself: warm-up runs (at least the case's "warmup" count
and at least 0.25 s, none when it is 0), then the median of the case's "repeat" runs. Case kinds:
absent or "einsum" (one einsum, multi-operand networks included) and "attention_core" (shapes
[[B, N, H, D]]: q, k, v; S = einsum('bqhd,bkhd->bhqk', q, k) / sqrt(D), softmax over the last axis,
O = einsum('bhqk,bkhd->bqhd', S, v)); other kinds are skipped with a note. Each peer's result is
checked against numpy's once per case.

By default each case is run by its own `einsumcl bench --only NAME`, right before its peers, so
both sides of a case are measured close together in time; --trials T repeats everything T times
and uses each side's median over the trials. Prints one row per case (einsumcl ms, each peer's ms
and the ratio peer / einsumcl: above 1, einsumcl is faster) and the geometric mean of the ratios
per peer; --markdown prints the table in markdown; --json-out FILE writes the environment, every
time and every ratio.

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE: when set they can slow numpy's OpenBLAS. By default the script
removes them for its own (peer) process by re-executing itself, and gives the einsumcl binary the
environment it was started with; --keep-blas-env keeps them for the peers too.

usage: compare_peers.py [BINARY | --binary PATH] [--trials T] [--peers LIST] [--markdown]
                        [--json-out FILE] [--einsumcl-json FILE] [--keep-blas-env]
                        [einsumcl bench options...]

  --peers LIST          comma-separated subset of numpy,numpy_out,opt_einsum,torch_cpu,torch_cuda
                        (default: all that are installed)
  --einsumcl-json FILE  take einsumcl's side from an existing `einsumcl bench --json` file instead
                        of running the binary (then only the peers are timed here)
"""
import datetime
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
ALL_PEERS = ("numpy", "numpy_out", "opt_einsum", "torch_cpu", "torch_cuda")
ENV_PREFIXES = ("OPENBLAS_", "OMP_", "GOMP_", "MKL_", "KMP_", "ECL_", "CUDA_VISIBLE")
MIN_WARMUP_S = 0.25
ATTENTION_SCORES = "bqhd,bkhd->bhqk"
ATTENTION_OUTPUT = "bhqk,bkhd->bqhd"


# --------------------------------------------------------------------------- options, environment

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
    """Own options into a dict; everything else goes to `einsumcl bench`."""
    opts = {"binary": "build/einsumcl", "trials": 1, "peers": None, "markdown": False,
            "json_out": None, "einsumcl_json": None, "passthrough": []}
    valued = {"--binary": "binary", "--trials": "trials", "--peers": "peers",
              "--json-out": "json_out", "--einsumcl-json": "einsumcl_json"}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in valued and i + 1 < len(argv):
            opts[valued[a]] = argv[i + 1]
            i += 2
            continue
        if a in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        if a == "--markdown":
            opts["markdown"] = True
        elif a == "--keep-blas-env":
            pass  # read by reexec_without_blas_env
        elif i == 0 and not a.startswith("-"):
            opts["binary"] = a  # positional binary path: `compare_peers.py build/einsumcl`
        else:
            opts["passthrough"].append(a)
        i += 1
    opts["trials"] = max(1, int(opts["trials"]))
    if opts["peers"] is not None:
        opts["peers"] = [p for p in opts["peers"].split(",") if p]
        unknown = [p for p in opts["peers"] if p not in ALL_PEERS]
        if unknown:
            sys.exit(f"compare_peers: unknown peer(s) {', '.join(unknown)} "
                     f"(known: {', '.join(ALL_PEERS)})")
    return opts


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def thread_pools():
    try:
        import threadpoolctl
    except ImportError:
        return None
    keys = ("internal_api", "version", "num_threads", "threading_layer", "architecture", "filepath")
    return [{k: pool.get(k) for k in keys} for pool in threadpoolctl.threadpool_info()]


def environment(modules):
    """What the peers ran on: versions, thread pools, the BLAS/OpenMP environment variables."""
    saved = json.loads(os.environ.get(SAVED_ENV, "{}"))
    env = {"date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
           "python": platform.python_version(), "platform": platform.platform(),
           "cpu": cpu_model(), "cpu_count": os.cpu_count(),
           "versions": {name: getattr(m, "__version__", "?") for name, m in modules.items() if m},
           "env": {k: v for k, v in sorted(os.environ.items())
                   if k.startswith(ENV_PREFIXES) and k != SAVED_ENV},
           "unset_for_peers": saved, "thread_pools": thread_pools()}
    torch = modules.get("torch")
    if torch is not None:
        env["torch"] = {"num_threads": torch.get_num_threads(),
                        "cuda_available": torch.cuda.is_available(),
                        "cuda_version": torch.version.cuda}
        if torch.cuda.is_available():
            env["torch"]["cuda_device"] = torch.cuda.get_device_name(0)
            env["torch"]["tf32"] = {"matmul": torch.backends.cuda.matmul.allow_tf32,
                                    "cudnn": torch.backends.cudnn.allow_tf32}
    return env


def print_environment(env, notes):
    v = env["versions"]
    print(f"{env['date_utc']} UTC; python {env['python']}; {env['cpu']} ({env['cpu_count']} CPUs)")
    print("  " + ", ".join(f"{k} {ver}" for k, ver in v.items()))
    for k in BLAS_ENV:
        if k in env["unset_for_peers"]:
            print(f"  {k}={env['unset_for_peers'][k]!r}: unset for the peers, kept for einsumcl")
    shown = env["env"] or {"(none of OPENBLAS_*, OMP_*, GOMP_*, MKL_*, KMP_* set)": ""}
    print("  environment: " + ", ".join(f"{k}={val}" if val else k for k, val in shown.items()))
    if env["thread_pools"] is None:
        print("  threadpoolctl not installed: thread pools unknown")
    for pool in env["thread_pools"] or []:
        print("  threadpool: " + ", ".join(f"{k}={pool[k]}" for k in pool if k != "filepath"))
    if "torch" in env:
        print("  torch: " + ", ".join(f"{k}={val}" for k, val in env["torch"].items()))
    for note in notes:
        print(f"  note: {note}")


# --------------------------------------------------------------------------- peers

def import_optional(name):
    try:
        return __import__(name)
    except Exception as e:  # torch without its CUDA libraries raises OSError/ImportError
        return e


def load_modules(wanted):
    """The modules the wanted peers need; missing ones become notes."""
    import numpy
    modules, notes = {"numpy": numpy, "opt_einsum": None, "torch": None}, []
    if "opt_einsum" in wanted:
        m = import_optional("opt_einsum")
        if isinstance(m, Exception):
            notes.append(f"opt_einsum not importable ({m}): skipped (pip install opt_einsum)")
        else:
            modules["opt_einsum"] = m
    if "torch_cpu" in wanted or "torch_cuda" in wanted:
        m = import_optional("torch")
        if isinstance(m, Exception):
            notes.append(f"torch not importable ({m}): torch_cpu and torch_cuda skipped")
        else:
            m.backends.cuda.matmul.allow_tf32 = False
            m.backends.cudnn.allow_tf32 = False
            modules["torch"] = m
    return modules, notes


def available_peers(wanted, modules, notes):
    have = {"numpy": True, "numpy_out": True, "opt_einsum": modules["opt_einsum"] is not None,
            "torch_cpu": modules["torch"] is not None,
            "torch_cuda": modules["torch"] is not None and modules["torch"].cuda.is_available()}
    if modules["torch"] is not None and not have["torch_cuda"] and "torch_cuda" in wanted:
        notes.append("torch.cuda.is_available() is False: torch_cuda skipped")
    return [p for p in wanted if have[p]]


def numpy_attention(np, einsum, q, k, v):
    s = einsum(ATTENTION_SCORES, q, k)
    s *= s.dtype.type(1.0 / math.sqrt(q.shape[-1]))
    s -= s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=-1, keepdims=True)
    return einsum(ATTENTION_OUTPUT, s, v)


def torch_attention(torch, q, k, v):
    s = torch.einsum(ATTENTION_SCORES, q, k).mul_(1.0 / math.sqrt(q.shape[-1]))
    return torch.einsum(ATTENTION_OUTPUT, torch.softmax(s, dim=-1), v)


def numpy_run(peer, modules, kind, eq, ops):
    """A callable running the case once with a numpy-based peer (None: not meaningful)."""
    np, oe = modules["numpy"], modules["opt_einsum"]
    if peer == "opt_einsum":
        einsum = oe.contract
    else:
        def einsum(e, *xs):
            return np.einsum(e, *xs, optimize=True)
    if kind == "attention_core":
        if peer == "numpy_out":
            return None
        return lambda: numpy_attention(np, einsum, *ops)
    if peer == "numpy_out":
        out = np.empty_like(np.einsum(eq, *ops, optimize=True))
        return lambda: np.einsum(eq, *ops, optimize=True, out=out)
    return lambda: einsum(eq, *ops)


def torch_run(torch, kind, eq, tensors):
    if kind == "attention_core":
        return lambda: torch_attention(torch, *tensors)
    return lambda: torch.einsum(eq, *tensors)


def make_run(peer, modules, kind, eq, ops):
    """(callable running the case once, the operands it reads), or (None, None)."""
    if peer.startswith("torch_"):
        torch = modules["torch"]
        device = "cuda" if peer == "torch_cuda" else "cpu"
        tensors = [torch.from_numpy(op).to(device) for op in ops]
        return torch_run(torch, kind, eq, tensors), tensors
    run = numpy_run(peer, modules, kind, eq, ops)
    return run, (ops if run else None)


def is_view(np, result, operands):
    """True when the result shares memory with an operand (numpy and torch return views for pure
    transposes and diagonals: no data moves)."""
    if isinstance(result, np.ndarray):
        return any(np.shares_memory(result, op) for op in operands)
    if hasattr(result, "untyped_storage"):
        ptr = result.untyped_storage().data_ptr()
        return any(t.untyped_storage().data_ptr() == ptr for t in operands)
    return False


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else 0.5 * (values[n // 2 - 1] + values[n // 2])


def warm_up(run, sync, warmup):
    """At least `warmup` runs and at least MIN_WARMUP_S seconds, as einsumcl bench does."""
    if warmup <= 0:
        return
    t0, n = time.perf_counter(), 0
    while n < warmup or time.perf_counter() - t0 < MIN_WARMUP_S:
        run()
        sync()
        n += 1


def time_host(run, warmup, repeat):
    warm_up(run, lambda: None, warmup)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return median(times)


def time_cuda(torch, run, warmup, repeat):
    sync = torch.cuda.synchronize
    warm_up(run, sync, warmup)
    sync()
    times = []
    for _ in range(repeat):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        run()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) * 1e-3)
    return median(times)


# --------------------------------------------------------------------------- one case

def case_kind(case):
    return case.get("kind") or "einsum"


def make_inputs(np, case):
    rng = np.random.default_rng(1234)
    shapes = case["shapes"]
    if case_kind(case) == "attention_core":
        shapes = [shapes[0]] * 3  # q, k, v
    return [np.asarray(rng.uniform(-1.0, 1.0, size=tuple(s))).astype(case["dtype"])
            for s in shapes]


def to_numpy(result):
    return result.cpu().numpy() if hasattr(result, "cpu") else result


def check(np, ref, result, dtype):
    """'ok', or the largest error relative to the largest reference magnitude."""
    got = np.asarray(to_numpy(result), dtype=np.float64)
    if got.shape != ref.shape:
        return f"shape {got.shape} != {ref.shape}"
    scale = max(float(np.max(np.abs(ref))) if ref.size else 0.0, 1e-30)
    err = float(np.max(np.abs(got - ref))) / scale if ref.size else 0.0
    tol = 1e-3 if np.dtype(dtype) == np.float32 else 1e-9
    return "ok" if err <= tol else f"rel. error {err:.1e}"


def time_case(case, peers, modules):
    """{peer: {"s": seconds, "check": ..., "view": bool}} for one einsumcl case."""
    np, torch = modules["numpy"], modules["torch"]
    kind, eq = case_kind(case), case.get("equation", "")
    warmup, repeat = case.get("warmup", 2), case.get("repeat", 10)
    ops = make_inputs(np, case)
    ref = None
    out = {}
    for peer in peers:
        run, operands = make_run(peer, modules, kind, eq, ops)
        if run is None:
            continue
        result = run()
        if ref is None:  # numpy when selected, else the first peer
            ref = np.asarray(to_numpy(result), dtype=np.float64)
        entry = {"check": check(np, ref, result, case["dtype"])}
        entry["view"] = is_view(np, result, operands)
        del result
        if peer == "torch_cuda":
            entry["s"] = time_cuda(torch, run, warmup, repeat)
        else:
            entry["s"] = time_host(run, warmup, repeat)
        out[peer] = entry
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()
    return out


# --------------------------------------------------------------------------- einsumcl side

def run_einsumcl(binary, args, env):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.json")
        cmd = [binary, "bench", "--json", path] + args
        print("$ " + " ".join(cmd), flush=True)
        proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL)
        if not os.path.exists(path):
            sys.exit(f"compare_peers: {binary} bench failed (exit {proc.returncode}), no JSON")
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
    """Case names to run one at a time, or [None] to run the selection in one go."""
    if "--case" in passthrough:
        return [None]
    listing = subprocess.run([binary, "bench", "--list"] + passthrough, env=env,
                             capture_output=True, text=True)
    if listing.returncode != 0:
        sys.exit(f"compare_peers: {binary} bench --list failed: {listing.stderr.strip()}")
    return [line.split()[0] for line in listing.stdout.splitlines() if line.strip()]


def einsumcl_reports(opts, env):
    """Yields (trial, einsumcl JSON report) with one or all cases each."""
    if opts["einsumcl_json"]:
        with open(opts["einsumcl_json"]) as f:
            report = json.load(f)
        for trial in range(opts["trials"]):
            yield trial, report
        return
    names = selected_cases(opts["binary"], opts["passthrough"], env)
    for trial in range(opts["trials"]):
        for name in names:
            args = opts["passthrough"] if name is None else \
                without_only(opts["passthrough"]) + ["--only", name, "--no-ceilings"]
            yield trial, run_einsumcl(opts["binary"], args, env)


def measure(opts, env, peers, modules):
    """Per case: the einsumcl entry, its times per trial, and each peer's per-trial results."""
    results, header, skipped = {}, {}, {}
    for trial, report in einsumcl_reports(opts, env):
        header = {k: v for k, v in report.items() if k != "cases"}
        for case in report["cases"]:
            key = case["name"]
            entry = results.setdefault(key, {"case": case, "einsumcl": [], "peers": {}})
            # einsumcl bench records the warm-up count for the run and the timed runs it took
            # per case (up to --repeat, fewer for slow cases): the peers get the same.
            case.setdefault("warmup", report.get("warmup", 2))
            case.setdefault("repeat", case.get("runs", report.get("repeat", 10)))
            entry["case"] = case
            if "error" in case:
                skipped[key] = f"einsumcl failed: {case['error']}"
                continue
            if case_kind(case) not in ("einsum", "attention_core"):
                skipped[key] = f"unknown case kind '{case_kind(case)}'"
                continue
            print(f"  trial {trial + 1}/{opts['trials']}: {key}", flush=True)
            entry["einsumcl"].append(case["median_s"])
            for peer, r in time_case(case, peers, modules).items():
                entry["peers"].setdefault(peer, []).append(r)
    return header, results, skipped


# --------------------------------------------------------------------------- report

def geomean(values):
    values = [v for v in values if v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def summarise(results, peers):
    """One summary per case: medians over the trials, ratios, checks."""
    rows = []
    for name, entry in results.items():
        if not entry["einsumcl"]:
            continue
        ecl = median(entry["einsumcl"])
        row = {"name": name, "case": entry["case"], "einsumcl_s": ecl,
               "einsumcl_trials_s": entry["einsumcl"], "peers": {}}
        for peer in peers:
            trials = entry["peers"].get(peer)
            if not trials:
                continue
            t = median([r["s"] for r in trials])
            checks = sorted({r["check"] for r in trials})
            row["peers"][peer] = {"median_s": t, "trials_s": [r["s"] for r in trials],
                                  "ratio": t / ecl if ecl > 0 else float("nan"),
                                  "view": any(r["view"] for r in trials),
                                  "check": "ok" if checks == ["ok"] else "; ".join(checks)}
        rows.append(row)
    return rows


def describe(case):
    if case_kind(case) == "attention_core":
        return "attention core " + "x".join(str(d) for d in case["shapes"][0])
    return case.get("equation", "")


def table(rows, peers, with_check):
    columns = ["case", "equation", "einsumcl ms"] + (["check"] if with_check else [])
    for peer in peers:
        columns += [f"{peer} ms", f"{peer}/ecl"]
    lines = []
    for row in rows:
        line = [row["name"], describe(row["case"]), f"{row['einsumcl_s'] * 1e3:.3f}"]
        if with_check:
            line.append(str(row["case"].get("check", "")))
        for peer in peers:
            p = row["peers"].get(peer)
            if p is None:
                line += ["-", "-"]
                continue
            note = " (view)" if p["view"] else ""
            note += "" if p["check"] == "ok" else f" [{p['check']}]"
            line += [f"{p['median_s'] * 1e3:.3f}{note}", f"{p['ratio']:.2f}"]
        lines.append(line)
    return columns, lines


def print_table(columns, lines, markdown):
    if markdown:
        print("| " + " | ".join(columns) + " |")
        print("|" + "|".join("---" for _ in columns) + "|")
        for r in lines:
            print("| " + " | ".join(r) + " |")
        return
    widths = [max(len(c), *(len(r[i]) for r in lines)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for r in lines:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)))


def geomeans(rows, peers):
    out = {}
    for peer in peers:
        ratios = [r["peers"][peer]["ratio"] for r in rows if peer in r["peers"]]
        if not ratios:
            continue
        out[peer] = {"all": geomean(ratios), "cases": len(ratios)}
        no_views = [r["peers"][peer]["ratio"] for r in rows
                    if peer in r["peers"] and not r["peers"][peer]["view"]]
        if no_views and len(no_views) != len(ratios):
            out[peer]["without_views"] = geomean(no_views)
    return out


def print_summary(rows, peers, means):
    print("\ngeometric mean of peer_time / einsumcl_time (above 1: einsumcl faster):")
    for peer, g in means.items():
        extra = f" ({g['without_views']:.2f} without the view cases)" if "without_views" in g else ""
        faster = [r["name"] for r in rows if peer in r["peers"] and r["peers"][peer]["ratio"] < 1]
        print(f"  {peer:<11} {g['all']:.2f} over {g['cases']} cases{extra}; "
              f"faster than einsumcl on: {', '.join(faster) if faster else 'none'}")
    bad = [(r["name"], p, v["check"]) for r in rows for p, v in r["peers"].items()
           if v["check"] != "ok"]
    for name, peer, what in bad:
        print(f"  check: {peer} on {name} disagrees with the reference: {what}")


def main():
    reexec_without_blas_env()
    opts = parse_args(sys.argv[1:])
    wanted = opts["peers"] or list(ALL_PEERS)
    modules, notes = load_modules(wanted)
    peers = available_peers(wanted, modules, notes)
    env_info = environment(modules)
    print_environment(env_info, notes)
    env = dict(os.environ)  # the einsumcl binary gets the environment the script was started with
    env.pop(SAVED_ENV, None)
    env.update(json.loads(os.environ.get(SAVED_ENV, "{}")))
    header, results, skipped = measure(opts, env, peers, modules)
    rows = summarise(results, peers)
    print(f"\neinsumcl {header.get('version', '?')}: device {header.get('device')} "
          f"(backend {header.get('backend')}), dtype {header.get('dtype')}; "
          f"each time is the median over {opts['trials']} trial(s) of a median of each case's "
          f"repeat count; ratio = peer ms / einsumcl ms")
    for name, why in skipped.items():
        print(f"skipped {name}: {why}")
    for note in notes:
        print(f"note: {note}")
    if not rows:
        sys.exit("compare_peers: no case to compare")
    print()
    with_check = any("check" in r["case"] for r in rows)
    print_table(*table(rows, peers, with_check), opts["markdown"])
    means = geomeans(rows, peers)
    print_summary(rows, peers, means)
    if opts["json_out"]:
        doc = {"environment": env_info, "notes": notes, "einsumcl": header,
               "trials": opts["trials"], "peers": peers, "skipped": skipped,
               "cases": rows, "geomean": means}
        with open(opts["json_out"], "w") as f:
            json.dump(doc, f, indent=1)
        print(f"wrote {opts['json_out']}")


if __name__ == "__main__":
    main()
