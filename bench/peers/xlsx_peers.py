#!/usr/bin/env python3
"""Times python-calamine and openpyxl reading a workbook (every cell of the first sheet visited),
for BENCHMARKS.md's "Workbooks" section. Each reader runs in a child process so its peak RSS is
its own.

    pip install python-calamine openpyxl xlsxwriter
    python3 bench/peers/gen.py xlsx 100000 /tmp/customers_100k.xlsx
    python3 bench/peers/xlsx_peers.py /tmp/customers_100k.xlsx [--samples 3] [--intake .build/release/intake]

With --intake, `intake import` of the same file (read, map, validate, write results) is timed
the same way, with bench/peers/intake_schema.json.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

READERS = {
    "python-calamine": """
import sys
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
rows = wb.get_sheet_by_index(0).to_python()
print(sum(len(r) for r in rows))
""",
    "openpyxl (read_only)": """
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
n = 0
for row in wb.worksheets[0].iter_rows(values_only=True):
    n += len(row)
print(n)
""",
}


def run(argv):
    """Wall time, the child's own peak RSS (MB, from wait4) and its last line of output."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 3):
            sys.exit(f"{argv[0]} failed with exit code {proc.returncode}")
        out.seek(0)
        lines = out.read().strip().splitlines()
    return elapsed, usage.ru_maxrss / 1024, lines[-1] if lines else ""


def cpu():
    """The CPU model and the vector extensions that matter: figures differ by CPU (BENCHMARKS.md keeps one table each)."""
    info = {}
    for line in open("/proc/cpuinfo"):
        key, _, value = line.partition(":")
        info.setdefault(key.strip(), value.strip())
    flags = set(info.get("flags", "").split())
    vector = [f for f in ("sse4_2", "avx", "avx2", "bmi2", "avx512f", "avx512bw", "avx512vl") if f in flags]
    return f"{info.get('model name', '?')} (family {info.get('cpu family', '?')}, model {info.get('model', '?')}); flags: {' '.join(vector)}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workbook")
    p.add_argument("--samples", type=int, default=3)
    p.add_argument("--intake")
    p.add_argument("--skip", action="append", default=[], help="leave a reader out (e.g. openpyxl)")
    p.add_argument("--schema", default=os.path.join(os.path.dirname(__file__), "intake_schema.json"))
    a = p.parse_args()
    size = os.path.getsize(a.workbook) / 1048576
    print(f"workbook: {a.workbook} ({size:.1f} MB); samples: {a.samples} (median, after one warm-up)")
    print(f"cpu: {cpu()}; load {open('/proc/loadavg').read().split()[:3]}")
    jobs = [(name, [sys.executable, "-c", code, a.workbook]) for name, code in READERS.items()
            if not any(s in name for s in a.skip)]
    if a.intake:
        out = tempfile.mkdtemp()
        jobs.append(("intake import (read+validate+write)", None))
    # Round-robin: every reader runs once per round, so a busy moment of a shared machine falls
    # on all of them alike. The first round is a warm-up.
    times = {name: [] for name, _ in jobs}
    peaks = {name: [] for name, _ in jobs}
    results = {}
    for i in range(a.samples + 1):
        for name, argv in jobs:
            cmd = argv or [a.intake, "import", a.workbook, "--schema-file", a.schema, "--out", os.path.join(out, f"run{i}")]
            t, peak, results[name] = run(cmd)
            if i > 0:
                times[name].append(t)
                peaks[name].append(peak)
    for name, _ in jobs:
        print(f"{name:40s} median {statistics.median(times[name]):7.3f} s   peak RSS {max(peaks[name]):7.0f} MB   ({results[name][:60]})")

if __name__ == "__main__":
    main()
