#!/usr/bin/env python3
"""Compare `einsumcl bench` with numpy.einsum(optimize=True) and opt_einsum.contract.

Kept for the command lines recorded in RESULTS.md: this is compare_peers.py restricted to the peers
numpy, numpy_out (numpy with out=) and opt_einsum; it takes the same options (see compare_peers.py).

usage: compare_numpy.py [BINARY | --binary PATH] [--trials T] [--keep-blas-env] [--markdown]
                        [--json-out FILE] [einsumcl bench options...]
"""
import os
import sys

if __name__ == "__main__":
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compare_peers.py")
    os.execv(sys.executable, [sys.executable, script] + sys.argv[1:]
             + ["--peers", "numpy,numpy_out,opt_einsum"])
