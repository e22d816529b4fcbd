#!/usr/bin/env python3
"""Hookline preview benchmark: render + all content rules + MIME vs mailmerge.

    python3 Benchmarks/preview_bench.py [--customers 100000] [--work DIR]
        [--hookline PATH] [--mailmerge PATH] [--now 2026-11-20] [--skip-out]
        [--mailmerge-limit N]

Generates the shop (generate_shop.py, 5 order lines and 2 events per customer),
makes a workspace with the example hookline.yml and templates plus a campaign
`everyone` (the newsletter template, no audience filter), then measures each in
its own subprocess (wall time, peak RSS from os.wait4):

  Hookline preview      hookline preview everyone (no --out): audience pass + render
                        pass; the render phase (reading the members again while the
                        workers render them) and the workers' CPU time are read from its
                        report: CPU time / cores is rendering alone (render, rules, MIME)
  Hookline --limit      the same, rendering only the first 1,000 recipients: the peak
                        RSS without the per-recipient work, so the difference to the full
                        run is the memory that grows with the number of recipients rendered
  Hookline --out        the same with --out DIR (one .eml per recipient, the HTML parts
                        256 to a page, index.html); its render phase includes writing
                        every file
  file creation floor   after the --out run: the same number of files of the average
                        .eml size created in a new folder by this script, open-write-close
                        from one thread; what the file system alone costs
  mailmerge             PyPI mailmerge --dry-run --no-limit --output-format raw on the
                        same recipients with an equivalent Markdown template (with
                        --mailmerge-limit N, the first N of them: its per-message rate is
                        what the ratio uses, and the table says how many it rendered)

and prints one table with messages/s and the targets (200,000 msg/s; 20x mailmerge;
--out for 100,000 recipients within 5 s), judged on rendering alone. The render phase
excludes the audience pass over the store, which the whole-command rows include.
"""

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

MAILMERGE_TEMPLATE = """TO: {{email}}
SUBJECT: {{first_name or "Hello"}}, why our December coffee tastes of plums
FROM: Hookline Coffee & Tea <hello@shop.example.com>
CONTENT-TYPE: text/markdown

Hi {{first_name or "there"}},

This month's coffee comes from the Huila region of Colombia, where the Ramírez family dries the cherries slowly on raised beds. The slow drying is why the cup tastes of plums and dark sugar.

We roasted it a touch lighter than usual to keep that fruit. It is lovely as a filter coffee on a cold morning.

[Read the story and try the December coffee](https://shop.example.com/journal/december?utm_source=hookline&utm_medium=email&utm_campaign=newsletter)

-- 
Hookline Coffee & Tea · 12 Roastery Lane, Bristol BS1 4DJ, United Kingdom
"""


def measured(cmd, cwd=None, keep_output=True):
    """Runs cmd; wall time, and peak RSS from GNU time when installed.

    The child's ru_maxrss from os.wait4 starts at this Python process's own peak (Linux
    carries the high-water mark over fork and exec), and Python grows to hundreds of MB
    reading a million-recipient JSON report, so a small child would be reported that large.
    /usr/bin/time forks from a small process and reports the command's own peak.
    """
    gnu_time = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    with tempfile.NamedTemporaryFile(mode="r") as peak:
        full = [gnu_time, "-f", "%M", "-o", peak.name] + cmd if gnu_time else cmd
        start = time.monotonic()
        with open(os.devnull, "wb") as devnull:
            proc = subprocess.Popen(full, cwd=cwd, stdout=subprocess.PIPE if keep_output else devnull, stderr=devnull)
            out = proc.stdout.read() if keep_output else b""
            _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        text = peak.read().strip().splitlines() if gnu_time else []
        rss_kb = int(text[-1]) if text and text[-1].isdigit() else usage.ru_maxrss
    return {"wall": wall, "rss_mb": rss_kb / 1024, "out": out.decode(errors="replace"),
            "status": os.waitstatus_to_exitcode(status)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "hookline-preview-bench"))
    p.add_argument("--hookline", default=os.path.join(REPO, ".build/release/hookline"))
    p.add_argument("--mailmerge", default=shutil.which("mailmerge") or "mailmerge")
    p.add_argument("--now", default="2026-11-20")
    p.add_argument("--skip-out", action="store_true")
    p.add_argument("--mailmerge-limit", type=int, default=0, help="run mailmerge on the first N recipients only")
    a = p.parse_args(argv)

    w = os.path.join(a.work, f"shop-{a.customers}")
    data = os.path.join(w, "data")
    if not os.path.exists(os.path.join(data, "customers.csv")):
        subprocess.run([sys.executable, os.path.join(HERE, "generate_shop.py"), "--out", data,
                        "--customers", str(a.customers), "--order-lines", str(5 * a.customers),
                        "--events", str(2 * a.customers)], check=True)
    for item in ["hookline.yml", "templates", "campaigns"]:
        src, dst = os.path.join(REPO, item), os.path.join(w, item)
        if os.path.isdir(src):
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(src, dst)
        else:
            shutil.copy(src, dst)
    with open(os.path.join(w, "campaigns", "everyone.yml"), "w") as f:
        f.write("name: Everyone (benchmark)\ntemplate: newsletter\n")
    base = [a.hookline, "preview", "everyone", "--workspace", w, "--now", a.now]
    measured(base + ["--json"], keep_output=False)  # warm the store: the import is not what is measured here

    hl = measured(base)
    m = re.search(r"Rendered and checked (\d+) messages .* in ([0-9.]+) s", hl["out"])
    recipients, render_s = (int(m.group(1)), float(m.group(2))) if m else (0, 0.0)
    mw = re.search(r"Render workers: ([0-9.]+) CPU s on (\d+) cores", hl["out"])
    workers_s = float(mw.group(1)) / int(mw.group(2)) if mw else None

    small = measured(base + ["--limit", "1000"])

    out_run = None
    if not a.skip_out:
        out_dir = os.path.join(a.work, "out")
        shutil.rmtree(out_dir, ignore_errors=True)
        out_run = measured(base + ["--out", out_dir])
        mo = re.search(r"in ([0-9.]+) s", out_run["out"])
        out_run["render"] = float(mo.group(1)) if mo else None
        emls = [e for e in os.scandir(out_dir) if e.name.endswith(".eml")]
        size = sum(e.stat().st_size for e in emls) // max(1, len(emls))
        shutil.rmtree(out_dir, ignore_errors=True)
        out_run["floor"] = create_files(out_dir + "-floor", len(emls), size)

    report = json.loads(measured(base + ["--json"])["out"])
    emails = {r["email"] for r in report["recipients"]}
    mm_dir = os.path.join(a.work, "mailmerge")
    os.makedirs(mm_dir, exist_ok=True)
    with open(os.path.join(data, "customers.csv"), newline="") as src, \
            open(os.path.join(mm_dir, "db.csv"), "w", newline="") as dst:
        out = csv.writer(dst)
        out.writerow(["email", "first_name"])
        written = 0
        for row in csv.DictReader(src):
            if row["email"] in emails and (not a.mailmerge_limit or written < a.mailmerge_limit):
                out.writerow([row["email"], row["first_name"]])
                written += 1
    with open(os.path.join(mm_dir, "template.txt"), "w") as f:
        f.write(MAILMERGE_TEMPLATE)
    with open(os.path.join(mm_dir, "server.conf"), "w") as f:
        f.write("[smtp_server]\nhost = localhost\nport = 25\nsecurity = Never\nusername = None\n")
    mm = measured([a.mailmerge, "--dry-run", "--no-limit", "--template", "template.txt", "--database", "db.csv",
                   "--config", "server.conf", "--output-format", "raw"], cwd=mm_dir)

    def rate(n, s):
        return f"{n / s:,.0f}" if s else "-"

    rows = [("Hookline preview (render phase)", recipients, render_s, None)]
    if workers_s:
        rows.append(("Hookline render workers (CPU s / cores)", recipients, workers_s, None))
    rows += [("Hookline preview (whole command)", recipients, hl["wall"], hl["rss_mb"]),
             ("Hookline preview --limit 1000 (whole)", min(1000, recipients), small["wall"], small["rss_mb"])]
    if out_run:
        rows.append(("Hookline preview --out (render+write)", recipients, out_run["render"], None))
        rows.append(("Hookline preview --out (whole command)", recipients, out_run["wall"], out_run["rss_mb"]))
        rows.append(("creating the .eml files alone (floor)", recipients, out_run["floor"], None))
    rows.append(("mailmerge --dry-run", written, mm["wall"], mm["rss_mb"]))
    print(f"{'tool':40} {'messages':>9} {'seconds':>8} {'msg/s':>9} {'peak MB':>8}")
    for name, n, s, rss in rows:
        print(f"{name:40} {n:>9,} {s or 0:>8.2f} {rate(n, s):>9} {(f'{rss:.0f}' if rss else '-'):>8}")
    render_only = workers_s or render_s
    if render_only and mm["wall"]:
        ratio = (recipients / render_only) / (written / mm["wall"])
        print(f"\nHookline rendering vs mailmerge: {ratio:,.0f}x per message "
              f"(target 20x); 200,000 msg/s target: {'PASS' if recipients / render_only >= 200_000 else 'FAIL'}")
    print(f"Peak RSS growth from 1,000 to {recipients:,} recipients rendered (same data loaded): "
          f"{hl['rss_mb'] - small['rss_mb']:,.0f} MB")
    if out_run and out_run["render"]:
        scaled = out_run["render"] * 100_000 / max(1, recipients)
        print(f"--out for 100,000 recipients (scaled): {scaled:.1f} s (target 5 s): {'PASS' if scaled <= 5 else 'FAIL'}; "
              f"creating the files alone: {out_run['floor'] * 100_000 / max(1, recipients):.1f} s")


def create_files(folder, count, size):
    """Seconds to create `count` files of `size` bytes in a new folder, one open-write-close
    each from one thread: what the file system alone costs for --out's .eml files."""
    os.makedirs(folder)
    data = b"x" * size
    start = time.perf_counter()
    directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for n in range(count):
            fd = os.open(f"C{n:07d}.eml", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644, dir_fd=directory)
            os.write(fd, data)
            os.close(fd)
    finally:
        os.close(directory)
    seconds = time.perf_counter() - start
    shutil.rmtree(folder, ignore_errors=True)
    return seconds


if __name__ == "__main__":
    main()
