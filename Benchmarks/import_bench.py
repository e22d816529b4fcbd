#!/usr/bin/env python3
"""Hookline import benchmark: cold import + features + segments vs DuckDB and pandas.

    python3 Benchmarks/import_bench.py [--customers 1000000] [--order-lines 10000000]
        [--events N] [--work DIR] [--hookline PATH] [--now 2026-11-20] [--json]

Generates the shop data once (cached in the work dir by size, seed and end date),
then measures, each tool in its own subprocess (wall time and peak RSS from
os.wait4):

  Hookline cold   fresh workspace (data/ + no .hookline/):
                  hookline --workspace W segments --json --now NOW
  Hookline warm   the same command again, nothing changed (median of 5 runs)
  DuckDB          RFM segment counts from orders.csv (read_csv + SQL, ntile(5))
  pandas          the same RFM segment counts (read_csv + groupby + rank/qcut)

and prints one table plus the targets (PASS/FAIL):
  cold <= 3x DuckDB, cold faster than pandas, warm < 0.5 s, peak RSS < 1 GiB.
"""

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
GENERATOR = os.path.join(HERE, "generate_shop.py")

# Hookline's RFM rule table (README, "rfm"); first match wins, anything else is "lost".
# (name, (R lo, hi), (F lo, hi), (M lo, hi))
RFM_RULES = [
    ("champions", (4, 5), (4, 5), (4, 5)),
    ("loyal_customers", (2, 5), (3, 5), (3, 5)),
    ("cant_lose_them", (1, 1), (4, 5), (4, 5)),
    ("at_risk", (1, 2), (2, 5), (2, 5)),
    ("new_customers", (5, 5), (1, 1), (1, 5)),
    ("promising", (4, 4), (1, 1), (1, 5)),
    ("need_attention", (2, 3), (2, 3), (2, 3)),
    ("potential_loyalist", (3, 5), (1, 5), (1, 5)),
    ("about_to_sleep", (2, 2), (1, 2), (1, 2)),
    ("hibernating", (2, 2), (1, 5), (1, 5)),
]
RFM_NAMES = [r[0] for r in RFM_RULES] + ["lost"]

TARGET_COLD_VS_DUCKDB = 3.0
TARGET_WARM_S = 0.5
TARGET_RSS_MIB = 1024.0


# ------------------------------------------------------------------ peers --
def now_epoch(now):
    import datetime as dt
    d = dt.datetime.fromisoformat(now)
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return int(d.timestamp())


def peer_duckdb(orders, now):
    import duckdb
    t0 = time.perf_counter()
    con = duckdb.connect()
    case = " ".join(
        "WHEN r BETWEEN %d AND %d AND f BETWEEN %d AND %d AND m BETWEEN %d AND %d THEN '%s'"
        % (rr[0], rr[1], ff[0], ff[1], mm[0], mm[1], name)
        for name, rr, ff, mm in RFM_RULES)
    sql = f"""
    WITH o AS (
      SELECT customer_id, order_id, epoch(ordered_at) AS t, amount
      FROM read_csv(?, header = true, columns = {{
        'order_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'ordered_at': 'TIMESTAMPTZ',
        'sku': 'VARCHAR', 'product': 'VARCHAR', 'category': 'VARCHAR',
        'quantity': 'INTEGER', 'amount': 'DECIMAL(18,2)', 'currency': 'VARCHAR'}})
    ),
    per AS (
      SELECT customer_id,
             floor(({now_epoch(now)} - max(t)) / 86400)::BIGINT AS recency,
             count(DISTINCT order_id) AS frequency,
             sum(amount) AS monetary
      FROM o GROUP BY customer_id
    ),
    scored AS (
      SELECT customer_id,
             ntile(5) OVER (ORDER BY recency DESC, customer_id) AS r,
             ntile(5) OVER (ORDER BY frequency, customer_id) AS f,
             ntile(5) OVER (ORDER BY monetary, customer_id) AS m
      FROM per
    )
    SELECT CASE {case} ELSE 'lost' END AS segment, count(*) AS n
    FROM scored GROUP BY 1
    """
    rows = con.execute(sql, [orders]).fetchall()
    return {"segments": {k: int(v) for k, v in rows}, "customers": sum(v for _, v in rows),
            "seconds_inside": time.perf_counter() - t0, "version": duckdb.__version__}


def peer_pandas(orders, now):
    import numpy as np
    import pandas as pd
    t0 = time.perf_counter()
    df = pd.read_csv(orders, usecols=["order_id", "customer_id", "ordered_at", "amount"],
                     dtype={"order_id": str, "customer_id": str, "ordered_at": str,
                            "amount": "float64"})
    ts = pd.to_datetime(df["ordered_at"], utc=True, format="ISO8601")
    df["t"] = ts.dt.as_unit("s").astype("int64")
    per = df.groupby("customer_id", sort=False).agg(
        last=("t", "max"), frequency=("order_id", "nunique"), monetary=("amount", "sum"))
    per["recency"] = (now_epoch(now) - per["last"]) // 86400
    labels = [1, 2, 3, 4, 5]
    # rank(method="first") + qcut = equal-size quintiles like SQL ntile(5)
    r = pd.qcut((-per["recency"]).rank(method="first"), 5, labels=labels).astype(int)
    f = pd.qcut(per["frequency"].rank(method="first"), 5, labels=labels).astype(int)
    m = pd.qcut(per["monetary"].rank(method="first"), 5, labels=labels).astype(int)
    conds = [r.between(*rr) & f.between(*ff) & m.between(*mm) for _, rr, ff, mm in RFM_RULES]
    seg = np.select(conds, [n for n, *_ in RFM_RULES], default="lost")
    counts = pd.Series(seg).value_counts()
    return {"segments": {k: int(v) for k, v in counts.items()}, "customers": int(len(per)),
            "seconds_inside": time.perf_counter() - t0, "version": pd.__version__}


# ----------------------------------------------------------- measurement --
def run_measured(cmd, cwd=None, env=None):
    """Run cmd; return (exit code, wall s, peak RSS MiB, stdout, stderr)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err,
                                 stdin=subprocess.DEVNULL)
        except OSError as e:
            return 127, 0.0, 0.0, "", str(e)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        rss = ru.ru_maxrss / (1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0)
        return (p.returncode, wall, rss, out.read().decode("utf-8", "replace"),
                err.read().decode("utf-8", "replace"))


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def ensure_peers():
    missing = []
    for mod in ("duckdb", "pandas"):
        try:
            __import__(mod)
        except ImportError:
            missing.append(mod)
    if missing:
        log("installing %s with pip ..." % " ".join(missing))
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet"] + missing, check=True)


def generator_digest():
    with open(GENERATOR, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def ensure_data(a):
    key = "shop-c%d-l%d-e%d-s%d-%s" % (a.customers, a.order_lines, a.events, a.seed, a.end)
    d = os.path.join(a.work, key)
    stamp = os.path.join(d, ".complete")
    digest = generator_digest()
    if os.path.exists(stamp):
        with open(stamp) as f:
            info = json.load(f)
        if info.get("generator") == digest:
            log("data: cached %s" % d)
            return d, info
        log("data: generator changed, regenerating %s" % d)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    log("data: generating %d customers / %d order lines / %d events into %s ..."
        % (a.customers, a.order_lines, a.events, d))
    cmd = [sys.executable, GENERATOR, "--out", d, "--customers", str(a.customers),
           "--order-lines", str(a.order_lines), "--events", str(a.events),
           "--end", a.end, "--seed", str(a.seed), "--quiet"]
    rc, wall, rss, out, err = run_measured(cmd)
    if rc != 0:
        sys.exit("generator failed:\n" + err)
    sizes = {n: os.path.getsize(os.path.join(d, n))
             for n in ("customers.csv", "orders.csv", "events.csv")}
    info = {"generator": digest, "seconds": round(wall, 2), "peak_rss_mib": round(rss, 1),
            "bytes": sizes}
    with open(stamp, "w") as f:
        json.dump(info, f)
    log("data: generated in %.1f s (peak RSS %.0f MiB)" % (wall, rss))
    return d, info


def find_hookline(a):
    path = os.path.abspath(a.hookline) if a.hookline else os.path.join(REPO, ".build", "release", "hookline")
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path, None
    if a.hookline or a.no_build:
        return None, "not built (%s missing)" % path
    if not shutil.which("swift"):
        return None, "not built (no swift toolchain)"
    log("hookline: building with swift build -c release ...")
    p = subprocess.run(["swift", "build", "-c", "release"], cwd=REPO,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0 or not os.path.isfile(path):
        tail = p.stdout.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return None, "not built (swift build failed: %s)" % tail[0][:120]
    return path, None


def make_workspace(a, data_dir):
    w = os.path.join(a.work, "workspace")
    shutil.rmtree(w, ignore_errors=True)
    os.makedirs(os.path.join(w, "data"))
    for n in ("customers.csv", "orders.csv", "events.csv"):
        os.symlink(os.path.join(os.path.abspath(data_dir), n), os.path.join(w, "data", n))
    cfg = os.path.join(REPO, "hookline.yml")
    if os.path.isfile(cfg) and not a.no_config:
        shutil.copy(cfg, os.path.join(w, "hookline.yml"))
    return w


def hookline_cmds(binary, w, now):
    return [[binary, "--workspace", w, "segments", "--json", "--now", now],
            [binary, "segments", "--json", "--now", now, "--workspace", w]]


def first_line(s):
    for line in s.splitlines():
        if line.strip():
            return line.strip()[:160]
    return ""


def run_hookline(a, binary, w):
    """Cold run then warm runs. Returns dict of results."""
    res = {"cold": None, "warm": None, "segments": None, "error": None}
    shutil.rmtree(os.path.join(w, ".hookline"), ignore_errors=True)
    cmds = hookline_cmds(binary, w, a.now)
    cmd = cmds[0]
    rc, wall, rss, out, err = run_measured(cmd, cwd=w)
    if rc == 2:  # usage error: try the other argument order once, still cold
        shutil.rmtree(os.path.join(w, ".hookline"), ignore_errors=True)
        cmd = cmds[1]
        rc, wall, rss, out, err = run_measured(cmd, cwd=w)
    if rc != 0:
        res["error"] = "failed (exit %d): %s" % (rc, first_line(err) or first_line(out))
        return res
    try:
        doc = json.loads(out)
        res["segments"] = doc["segments"]
    except (ValueError, KeyError, TypeError) as e:
        res["error"] = "bad JSON on stdout (%s): %s" % (e, first_line(out))
        return res
    res["cold"] = {"wall_s": wall, "peak_rss_mib": rss, "cmd": cmd}
    walls, rsss = [], []
    for _ in range(a.warm_runs):
        rc, wall, rss, out, err = run_measured(cmd, cwd=w)
        if rc != 0:
            res["error"] = "warm run failed (exit %d): %s" % (rc, first_line(err))
            return res
        walls.append(wall)
        rsss.append(rss)
    res["warm"] = {"wall_s": statistics.median(walls), "runs_s": walls,
                   "peak_rss_mib": max(rsss)}
    return res


def run_peer(name, orders, now):
    cmd = [sys.executable, os.path.abspath(__file__), "--peer", name, "--orders", orders,
           "--now", now]
    rc, wall, rss, out, err = run_measured(cmd)
    if rc != 0:
        tail = err.strip().splitlines()
        return {"error": "failed (exit %d): %s" % (rc, tail[-1][:160] if tail else "")}
    doc = json.loads(out)
    doc.update({"wall_s": wall, "peak_rss_mib": rss})
    return doc


def norm_segment(name):
    s = name.lower().replace("'", "").replace("’", "")
    for ch in " -/":
        s = s.replace(ch, "_")
    aliases = {"loyal": "loyal_customers", "potential_loyalists": "potential_loyalist",
               "new": "new_customers", "cannot_lose_them": "cant_lose_them",
               "can_not_lose_them": "cant_lose_them", "needs_attention": "need_attention",
               "at_risk_customers": "at_risk"}
    return aliases.get(s, s)


def hookline_rfm(segments):
    """Pick the RFM segments out of Hookline's list: {normalized name: count}."""
    if not segments:
        return {}
    rfm = [s for s in segments if "rfm" in str(s.get("group", "")).lower()]
    if not rfm:  # fall back to matching by name
        rfm = [s for s in segments if norm_segment(str(s.get("name", ""))) in RFM_NAMES]
    return {norm_segment(str(s.get("name", ""))): int(s.get("count", 0)) for s in rfm}


# ------------------------------------------------------------------ report --
def fmt_num(x, spec="%.2f"):
    return "—" if x is None else spec % x


def report(a, data_info, hl, hl_err, duck, pand):
    rows = []
    raw = []
    notes = []
    dw = duck.get("wall_s") if duck and "error" not in duck else None

    def vs(w):
        return "%.2f×" % (w / dw) if (w is not None and dw) else "—"

    def row(tool, what, r, err):
        raw.append({"tool": tool, "what": what,
                    "wall_s": r and round(r["wall_s"], 3),
                    "peak_rss_mib": r and round(r["peak_rss_mib"], 1),
                    "vs_duckdb": (r and dw) and round(r["wall_s"] / dw, 3),
                    "error": None if r else (err or "not run")})
        if r is None:
            rows.append((tool, what, "n/a", "n/a", "—"))
            note = "%s: %s" % (tool.split()[0], err or "not run")
            if note not in notes:
                notes.append(note)
        else:
            rows.append((tool, what, "%.2f" % r["wall_s"], "%.0f" % r["peak_rss_mib"], vs(r["wall_s"])))

    herr = hl_err or (hl or {}).get("error")
    row("Hookline", "cold: import + features + segments", (hl or {}).get("cold"), herr)
    row("Hookline", "warm: segments, nothing changed (median of %d)" % a.warm_runs,
        (hl or {}).get("warm"), herr)
    row("DuckDB %s" % duck.get("version", ""), "RFM segments from orders.csv",
        None if "error" in duck else duck, duck.get("error"))
    row("pandas %s" % pand.get("version", ""), "RFM segments from orders.csv",
        None if "error" in pand else pand, pand.get("error"))

    sizes = data_info["bytes"]
    print("Hookline import benchmark: %d customers, %d order lines, %d events "
          "(%.0f MiB of CSV), now %s, %d CPUs"
          % (a.customers, a.order_lines, a.events, sum(sizes.values()) / 2**20, a.now,
             os.cpu_count() or 0))
    hdr = ("tool", "what", "wall s", "peak RSS MiB", "vs DuckDB")
    widths = [max(len(str(r[i])) for r in rows + [hdr]) for i in range(5)]
    line = "  ".join("%-*s" % (widths[i], hdr[i]) if i < 2 else "%*s" % (widths[i], hdr[i])
                     for i in range(5))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join("%-*s" % (widths[i], r[i]) if i < 2 else "%*s" % (widths[i], r[i])
                        for i in range(5)))
    for n in notes:
        print("  * " + n)

    # targets
    cold = (hl or {}).get("cold")
    warm = (hl or {}).get("warm")
    pw = pand.get("wall_s") if "error" not in pand else None
    targets = []

    def verdict(ok):
        return "n/a" if ok is None else ("PASS" if ok else "FAIL")

    targets.append(("cold path within %.0f× DuckDB" % TARGET_COLD_VS_DUCKDB,
                    verdict(None if not (cold and dw) else cold["wall_s"] <= TARGET_COLD_VS_DUCKDB * dw),
                    "%s s vs %s s" % (fmt_num(cold and cold["wall_s"]), fmt_num(dw and TARGET_COLD_VS_DUCKDB * dw))))
    targets.append(("cold path faster than pandas",
                    verdict(None if not (cold and pw) else cold["wall_s"] < pw),
                    "%s s vs %s s" % (fmt_num(cold and cold["wall_s"]), fmt_num(pw))))
    targets.append(("warm segments under %.1f s" % TARGET_WARM_S,
                    verdict(None if not warm else warm["wall_s"] < TARGET_WARM_S),
                    "%s s" % fmt_num(warm and warm["wall_s"], "%.3f")))
    peak = max([x["peak_rss_mib"] for x in (cold, warm) if x] or [0]) or None
    targets.append(("Hookline peak memory under 1 GiB",
                    verdict(None if peak is None else peak < TARGET_RSS_MIB),
                    "%s MiB" % fmt_num(peak, "%.0f")))
    print()
    print("targets:")
    for name, v, detail in targets:
        print("  %-4s  %-34s %s" % (v, name, detail))

    # segment comparison
    hr = hookline_rfm((hl or {}).get("segments"))
    ds = duck.get("segments", {})
    ps = pand.get("segments", {})
    print()
    print("RFM segments (customers with at least one order; quintile ties make small differences normal):")
    print("  %-20s %10s %10s %10s" % ("segment", "Hookline", "DuckDB", "pandas"))
    for n in RFM_NAMES + sorted(set(hr) - set(RFM_NAMES)):
        print("  %-20s %10s %10s %10s" % (n, hr.get(n, 0) if hr else "—",
                                           ds.get(n, 0) if ds else "—",
                                           ps.get(n, 0) if ps else "—"))
    print("  %-20s %10s %10s %10s" % ("total", sum(hr.values()) if hr else "—",
                                       duck.get("customers", "—"), pand.get("customers", "—")))
    other = [s for s in ((hl or {}).get("segments") or [])
             if norm_segment(str(s.get("name", ""))) not in hr]
    if other:
        print()
        print("other Hookline segments: " + ", ".join(
            "%s/%s=%s" % (s.get("group", "?"), s.get("name", "?"), s.get("count", "?"))
            for s in other))
    print()
    print("data generated in %.1f s; wall = whole subprocess (interpreter start + CSV read + "
          "compute); peak RSS from wait4 per process" % data_info["seconds"])
    return {"rows": raw,
            "notes": notes,
            "targets": [{"target": n, "result": v, "detail": d} for n, v, d in targets],
            "segments": {"hookline": hr, "duckdb": ds, "pandas": ps},
            "hookline": hl, "duckdb": duck, "pandas": pand, "data": data_info}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--order-lines", type=int, default=10_000_000)
    p.add_argument("--events", type=int, default=None,
                   help="engagement events (default: 10 per customer, as in data/)")
    p.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "hookline-bench"),
                   help="work dir for generated data and the workspace (default: %(default)s)")
    p.add_argument("--hookline", help="hookline binary (default: .build/release/hookline, "
                                      "built with swift build -c release if missing)")
    p.add_argument("--no-build", action="store_true", help="never run swift build")
    p.add_argument("--no-config", action="store_true",
                   help="do not copy the repo's hookline.yml into the benchmark workspace")
    p.add_argument("--now", default="2026-11-20")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--warm-runs", type=int, default=5)
    p.add_argument("--skip", action="append", default=[], choices=["hookline", "duckdb", "pandas"])
    p.add_argument("--json", action="store_true", help="print one JSON document instead")
    p.add_argument("--check", action="store_true",
                   help="exit 1 unless every target is PASS (for CI)")
    p.add_argument("--peer", choices=["duckdb", "pandas"], help=argparse.SUPPRESS)
    p.add_argument("--orders", help=argparse.SUPPRESS)
    a = p.parse_args(argv)

    if a.peer:
        fn = peer_duckdb if a.peer == "duckdb" else peer_pandas
        print(json.dumps(fn(a.orders, a.now)))
        return 0

    if a.events is None:
        a.events = 10 * a.customers
    a.end = a.now[:10]
    a.work = os.path.abspath(a.work)
    os.makedirs(a.work, exist_ok=True)
    ensure_peers()
    data_dir, data_info = ensure_data(a)
    orders = os.path.join(data_dir, "orders.csv")

    hl, hl_err = None, None
    if "hookline" in a.skip:
        hl_err = "skipped"
    else:
        binary, hl_err = find_hookline(a)
        if binary:
            w = make_workspace(a, data_dir)
            log("hookline: cold + %d warm runs in %s ..." % (a.warm_runs, w))
            hl = run_hookline(a, binary, w)
    duck = {"error": "skipped"}
    pand = {"error": "skipped"}
    if "duckdb" not in a.skip:
        log("duckdb ...")
        duck = run_peer("duckdb", orders, a.now)
    if "pandas" not in a.skip:
        log("pandas ...")
        pand = run_peer("pandas", orders, a.now)

    if a.json:
        import io
        import contextlib
        with contextlib.redirect_stdout(io.StringIO()):
            doc = report(a, data_info, hl, hl_err, duck, pand)
        print(json.dumps(doc, indent=2, default=str))
    else:
        doc = report(a, data_info, hl, hl_err, duck, pand)
    if a.check and any(t["result"] != "PASS" for t in doc["targets"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
