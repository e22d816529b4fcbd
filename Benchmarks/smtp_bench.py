#!/usr/bin/env python3
"""SMTP delivery benchmark: Hookline (1 and 4 connections) against Postfix's
smtp-source at the same concurrency and PyPI mailmerge, all into Postfix's
smtp-sink on 127.0.0.1, in one run.

    python3 Benchmarks/smtp_bench.py [--customers 5000] [--large-customers 25000]
        [--hookline PATH] [--mailmerge PATH] [--work DIR] [--json] [--speed-only]

Rows (each in its own subprocess, against a fresh smtp-sink; peak RSS from os.wait4):

  Hookline send, whole command   hookline send bench --yes --json: process start,
                                 workspace and data load, audience, plan, ledger,
                                 render and delivery
  Hookline send, delivery phase  the same run's "send_seconds": claim, render,
                                 transfer and record every row (no load, no plan)
  smtp-source -s 1 -d            one session reused for every message (the ceiling)
  smtp-source -s 4               4 parallel sessions, a new session per message
  mailmerge                      mailmerge --no-dry-run --no-limit, same recipients,
                                 an equivalent template, security Never, no auth

smtp-source sends one pre-built message of the average size of Hookline's messages.
The data is imported before the timed runs (a preview run), and every Hookline run
starts from that imported workspace with an empty ledger.

Memory: Hookline (1 connection) also sends the campaign of a larger shop
(--large-customers, about 5x the recipients). Peak RSS is reported for both, and
also the peak reached before the first message goes out (read from /proc when the
first progress line appears): loading and planning grow with the shop; delivery
itself should add the same few MiB at any size.

Needs Debian's postfix package (smtp-sink, smtp-source; installed if missing), PyPI
mailmerge (`pip install mailmerge`) and a release build (`swift build -c release`).
Only 127.0.0.1 is ever contacted.
"""
import argparse, csv, glob, json, os, re, shutil, socket, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
NOW = "2026-11-20T10:00:00Z"

# The same newsletter preview_bench.py gives mailmerge, so the two benchmarks compare alike.
sys.path.insert(0, HERE)
from preview_bench import MAILMERGE_TEMPLATE  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_postfix():
    if os.path.exists("/usr/sbin/smtp-sink") and os.path.exists("/usr/sbin/smtp-source"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-qq", "postfix"], check=True, env=env)


class Sink:
    """A fresh smtp-sink on 127.0.0.1 for one row."""

    def __enter__(self):
        self.port = free_port()
        self.proc = subprocess.Popen(["/usr/sbin/smtp-sink", "-u", "nobody", f"127.0.0.1:{self.port}", "256"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.proc.kill()
        raise SystemExit("smtp-sink did not start")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait()


def peak_rss_now(pid):
    """The process's peak RSS so far (VmHWM), MiB."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def measured(cmd, cwd=None):
    """Runs cmd; wall seconds, exit code, stdout and the child's peak RSS (MiB) from os.wait4.

    For `hookline send`, "rss_before_delivery" is the peak RSS when the first progress
    line ("sent 1/N") appears on stderr: what loading and planning took before delivery.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = {}

    def watch_stderr():
        for line in proc.stderr:
            if "rss_before_delivery" not in seen and re.match(rb"sent \d+/\d+", line):
                seen["rss_before_delivery"] = peak_rss_now(proc.pid)

    watcher = threading.Thread(target=watch_stderr, daemon=True)
    watcher.start()
    out = proc.stdout.read()
    watcher.join()
    _, status, usage = os.wait4(proc.pid, 0)
    return {"wall": time.perf_counter() - start, "rc": os.waitstatus_to_exitcode(status),
            "rss": usage.ru_maxrss / 1024, "out": out.decode(errors="replace"),
            "rss_before_delivery": seen.get("rss_before_delivery")}


def shop(work, customers):
    data = os.path.join(work, f"data-{customers}")
    if not os.path.exists(os.path.join(data, "customers.csv")):
        subprocess.run([sys.executable, os.path.join(HERE, "generate_shop.py"), "--out", data,
                        "--customers", str(customers), "--order-lines", str(customers * 5),
                        "--events", str(customers * 10)], check=True, stdout=subprocess.DEVNULL)
    return data


def prepared_workspace(work, hookline, customers):
    """A workspace with the data imported (by an untimed preview) and an empty ledger."""
    w = os.path.join(work, f"ws-{customers}")
    shutil.rmtree(w, ignore_errors=True)
    os.makedirs(os.path.join(w, "campaigns"))
    shutil.copytree(shop(work, customers), os.path.join(w, "data"))
    shutil.copytree(os.path.join(REPO, "templates"), os.path.join(w, "templates"))
    shutil.copy(os.path.join(REPO, "hookline.yml"), os.path.join(w, "hookline.yml"))
    with open(os.path.join(w, "campaigns", "bench.yml"), "w") as f:
        f.write("name: Benchmark newsletter\ntemplate: newsletter\naudience:\n  include: []\n")
    report = measured([hookline, "--workspace", w, "preview", "bench", "--now", NOW, "--json"])
    if report["rc"] != 0:
        raise SystemExit(f"hookline preview failed in {w}")
    return w, json.loads(report["out"])


def send_copy(work, prepared, port, connections):
    """A copy of the prepared workspace whose hookline.yml points at the sink."""
    w = prepared + f"-send{connections}"
    shutil.rmtree(w, ignore_errors=True)
    shutil.copytree(prepared, w)
    with open(os.path.join(w, "hookline.yml"), "a") as f:
        f.write(f"\nsmtp:\n  url: smtp://127.0.0.1:{port}\n  starttls: false\n  connections: {connections}\n")
    return w


def hookline_send(a, prepared, connections):
    with Sink() as sink:
        w = send_copy(a.work, prepared, sink.port, connections)
        run = measured([a.hookline, "--workspace", w, "send", "bench", "--yes", "--json", "--now", NOW])
    shutil.rmtree(w, ignore_errors=True)
    try:
        report = json.loads(run["out"])
    except ValueError:
        report = {}
    run["sent"], run["send_seconds"] = report.get("sent", 0), report.get("send_seconds", 0)
    return run


def average_message_size(hookline, w):
    out = os.path.join(w, "sample-out")
    shutil.rmtree(out, ignore_errors=True)
    measured([hookline, "--workspace", w, "preview", "bench", "--now", NOW, "--out", out, "--limit", "200"])
    sizes = [os.path.getsize(p) for p in glob.glob(os.path.join(out, "*.eml"))]
    shutil.rmtree(out, ignore_errors=True)
    return sum(sizes) // len(sizes) if sizes else 4000


def smtp_source(sessions, count, size):
    with Sink() as sink:
        cmd = ["/usr/sbin/smtp-source", "-s", str(sessions), "-m", str(count), "-l", str(size),
               "-f", "hello@shop.example.com", "-t", "someone@example.com"]
        if sessions == 1:
            cmd.append("-d")
        return measured(cmd + [f"127.0.0.1:{sink.port}"])


def mailmerge(a, w, preview):
    emails = {r["email"] for r in preview["recipients"]}
    d = os.path.join(a.work, "mailmerge")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(w, "data", "customers.csv"), newline="") as src, \
            open(os.path.join(d, "db.csv"), "w", newline="") as dst:
        out = csv.writer(dst)
        out.writerow(["email", "first_name"])
        for row in csv.DictReader(src):
            if row["email"] in emails:
                out.writerow([row["email"], row["first_name"]])
    with open(os.path.join(d, "template.txt"), "w") as f:
        f.write(MAILMERGE_TEMPLATE)
    with Sink() as sink:
        with open(os.path.join(d, "mailmerge_server.conf"), "w") as f:
            f.write(f"[smtp_server]\nhost = 127.0.0.1\nport = {sink.port}\nsecurity = Never\n")
        run = measured([a.mailmerge, "--no-dry-run", "--no-limit", "--template", "template.txt",
                        "--database", "db.csv", "--config", "mailmerge_server.conf", "--output-format", "raw"], cwd=d)
    run["sent"] = len(emails) if run["rc"] == 0 else 0
    return run


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=5000, help="shop size for the speed rows (~80%% are mailable)")
    p.add_argument("--large-customers", type=int, default=25000, help="the larger shop for the memory check")
    p.add_argument("--hookline", default=os.path.join(REPO, ".build", "release", "hookline"))
    p.add_argument("--mailmerge", default=shutil.which("mailmerge") or "mailmerge")
    p.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "hookline-smtp-bench"))
    p.add_argument("--json", action="store_true", help="print the rows as one JSON document")
    p.add_argument("--speed-only", action="store_true",
                   help="only the Hookline and smtp-source rows (no mailmerge, no larger shop): for quick repeats")
    a = p.parse_args()
    ensure_postfix()
    os.makedirs(a.work, exist_ok=True)

    small, preview = prepared_workspace(a.work, a.hookline, a.customers)
    size = average_message_size(a.hookline, small)
    h1, h4 = hookline_send(a, small, 1), hookline_send(a, small, 4)
    count = h1["sent"] or len(preview["recipients"])
    s1, s4 = smtp_source(1, count, size), smtp_source(4, count, size)
    mm = mailmerge(a, small, preview) if shutil.which(a.mailmerge) and not a.speed_only else None
    if a.speed_only:
        big = {"sent": 0, "wall": 0, "rss": 0, "send_seconds": 0, "rc": 0, "rss_before_delivery": None}
    else:
        large, _ = prepared_workspace(a.work, a.hookline, a.large_customers)
        big = hookline_send(a, large, 1)

    def rate(n, s):
        return n / s if s else 0

    ceiling1, ceiling4 = rate(count, s1["wall"]), rate(count, s4["wall"])
    rows = [  # tool, connections, messages, seconds, peak RSS, ceiling for the ratio, exit code
        ("Hookline send, whole command", 1, h1["sent"], h1["wall"], h1["rss"], ceiling1, h1["rc"]),
        ("Hookline send, delivery phase", 1, h1["sent"], h1["send_seconds"], None, ceiling1, h1["rc"]),
        ("Hookline send, whole command", 4, h4["sent"], h4["wall"], h4["rss"], ceiling4, h4["rc"]),
        ("Hookline send, delivery phase", 4, h4["sent"], h4["send_seconds"], None, ceiling4, h4["rc"]),
        ("smtp-source -s 1 -d", 1, count, s1["wall"], s1["rss"], ceiling1, s1["rc"]),
        ("smtp-source -s 4", 4, count, s4["wall"], s4["rss"], ceiling4, s4["rc"]),
    ]
    if mm:
        rows.append(("mailmerge --no-dry-run", 1, mm["sent"], mm["wall"], mm["rss"], ceiling1, mm["rc"]))
    if not a.speed_only:
        rows.append(("Hookline send, whole command (larger shop)", 1, big["sent"], big["wall"], big["rss"], None,
                     big["rc"]))
        rows.append(("Hookline send, delivery phase (larger shop)", 1, big["sent"], big["send_seconds"], None, None,
                     big["rc"]))

    targets = []
    r1 = rate(h1["sent"], h1["send_seconds"]) / ceiling1 if ceiling1 else 0
    r4 = rate(h4["sent"], h4["send_seconds"]) / ceiling4 if ceiling4 else 0
    targets.append(("1 connection >= 0.9x smtp-source -s 1 -d (delivery phase)", r1 >= 0.9, f"{r1:.2f}x"))
    targets.append(("4 connections >= 0.8x smtp-source -s 4 (delivery phase)", r4 >= 0.8, f"{r4:.2f}x"))
    if mm and mm["sent"]:
        rm = rate(h1["sent"], h1["wall"]) / rate(mm["sent"], mm["wall"])
        targets.append((">= 5x mailmerge (whole commands, 1 connection)", rm >= 5, f"{rm:.1f}x"))
    else:
        targets.append((">= 5x mailmerge (whole commands, 1 connection)", None, "mailmerge not run"))
    # What delivery adds to the peak RSS that loading and planning reached before the first message.
    grow = [run["rss"] - run["rss_before_delivery"] if run["rss_before_delivery"] else None for run in (h1, big)]
    if a.speed_only:
        targets.append(("memory flat in recipients during delivery", None, "not measured (--speed-only)"))
    elif None in grow:
        targets.append(("memory flat in recipients during delivery", None, "no progress line seen"))
    else:
        targets.append(("memory flat in recipients during delivery (growth at 5x the recipients <= +8 MiB)",
                        grow[1] <= grow[0] + 8,
                        f"{grow[0]:+.0f} MiB over {h1['rss_before_delivery']:.0f} at {h1['sent']:,} recipients, "
                        f"{grow[1]:+.0f} MiB over {big['rss_before_delivery']:.0f} at {big['sent']:,}"))

    if a.json:
        print(json.dumps({"rows": [dict(zip(["tool", "connections", "messages", "seconds", "rss_mib", "ceiling", "rc"], r))
                                   for r in rows],
                          "rss_before_delivery_mib": [h1["rss_before_delivery"], big["rss_before_delivery"]],
                          "targets": [{"target": t, "pass": ok, "value": v} for t, ok, v in targets]}, indent=1))
        return
    print(f"SMTP delivery into smtp-sink on 127.0.0.1, {os.cpu_count()} CPUs; smtp-source sends one "
          f"{size}-byte message (Hookline's average), Hookline renders one per recipient")
    print(f"{'tool':44} {'conns':>5} {'messages':>9} {'seconds':>8} {'msg/s':>8} {'vs smtp-source':>14} {'peak MiB':>9}")
    for name, conns, n, secs, rss, ceiling, rc in rows:
        ratio = f"{rate(n, secs) / ceiling:.2f}x" if ceiling and not name.startswith("smtp-source") else "-"
        print(f"{name:44} {conns:>5} {n:>9,} {secs:>8.2f} {rate(n, secs):>8,.0f} {ratio:>14} "
              f"{(f'{rss:.0f}' if rss else '-'):>9}" + ("" if rc == 0 else f"  (exit {rc})"))
    print("ratios: the 1-connection rows and mailmerge against smtp-source -s 1 -d, the 4-connection rows "
          "against smtp-source -s 4")
    for text, ok, value in targets:
        print(f"{'PASS' if ok else 'n/a ' if ok is None else 'FAIL'}  {text}: {value}")


if __name__ == "__main__":
    main()
