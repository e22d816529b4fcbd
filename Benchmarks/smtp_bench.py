#!/usr/bin/env python3
"""SMTP delivery benchmark: Hookline (1 and 4 connections) against Postfix's
smtp-source at the same concurrency, all into Postfix's smtp-sink on 127.0.0.1.

    python3 Benchmarks/smtp_bench.py [--customers 20000] [--hookline PATH]

Needs Debian's postfix package (smtp-sink, smtp-source); installs it if missing.
Only 127.0.0.1 is ever contacted.
"""
import argparse, os, re, shutil, socket, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_postfix():
    if shutil.which("smtp-sink") or os.path.exists("/usr/sbin/smtp-sink"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-qq", "postfix"], check=True, env=env)


def start_sink(port):
    sink = subprocess.Popen(["/usr/sbin/smtp-sink", "-u", "nobody", f"127.0.0.1:{port}", "256"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return sink
        except OSError:
            time.sleep(0.05)
    raise SystemExit("smtp-sink did not start")


def timed(cmd, **kw):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    out, err = proc.communicate()
    return time.perf_counter() - start, proc.returncode, out.decode(), err.decode()


def hookline_workspace(work, customers, port, connections):
    w = os.path.join(work, f"ws-{connections}")
    shutil.rmtree(w, ignore_errors=True)
    os.makedirs(os.path.join(w, "campaigns"))
    shutil.copytree(os.path.join(work, "data"), os.path.join(w, "data"))
    shutil.copytree(os.path.join(REPO, "templates"), os.path.join(w, "templates"))
    config = open(os.path.join(REPO, "hookline.yml")).read()
    config += f"""
smtp:
  url: smtp://127.0.0.1:{port}
  starttls: false
  connections: {connections}
"""
    open(os.path.join(w, "hookline.yml"), "w").write(config)
    open(os.path.join(w, "campaigns", "bench.yml"), "w").write(
        "name: Benchmark newsletter\ntemplate: newsletter\naudience:\n  include: []\n")
    return w


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--customers", type=int, default=20000)
    p.add_argument("--hookline", default=os.path.join(REPO, ".build", "release", "hookline"))
    p.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "hookline-smtp-bench"))
    a = p.parse_args()
    ensure_postfix()
    os.makedirs(a.work, exist_ok=True)
    data = os.path.join(a.work, "data")
    if not os.path.exists(os.path.join(data, "customers.csv")):
        subprocess.run([sys.executable, os.path.join(HERE, "generate_shop.py"), "--out", data,
                        "--customers", str(a.customers), "--order-lines", str(a.customers * 5),
                        "--events", str(a.customers * 10)], check=True)
    rows = []
    size = 4000
    count = None
    for connections in (1, 4):
        port = free_port()
        sink = start_sink(port)
        w = hookline_workspace(a.work, a.customers, port, connections)
        # Import and render outside the timed part, like smtp-source's pre-built message.
        subprocess.run([a.hookline, "--workspace", w, "preview", "bench", "--now", "2026-11-20", "--json"],
                       stdout=subprocess.DEVNULL, check=True)
        secs, rc, out, err = timed([a.hookline, "--workspace", w, "send", "bench", "--yes", "--json",
                                    "--now", "2026-11-20T10:00:00Z"])
        sink.terminate(); sink.wait()
        m = re.search(r'"sent"\s*:\s*(\d+)', out)
        sent = int(m.group(1)) if m else 0
        count = sent
        rows.append((f"Hookline, {connections} connection(s)", sent, secs, rc))
    for sessions in (1, 4):
        port = free_port()
        sink = start_sink(port)
        cmd = ["/usr/sbin/smtp-source", "-s", str(sessions), "-m", str(count), "-l", str(size),
               "-f", "hello@shop.example.com", "-t", "someone@example.com"]
        if sessions == 1:
            cmd.append("-d")
        cmd.append(f"127.0.0.1:{port}")
        secs, rc, out, err = timed(cmd)
        sink.terminate(); sink.wait()
        rows.append((f"smtp-source -s {sessions}" + (" -d" if sessions == 1 else ""), count, secs, rc))
    print(f"SMTP delivery into smtp-sink on 127.0.0.1, {count} messages of ~{size} bytes, {os.cpu_count()} CPUs")
    print(f"{'sender':32} {'messages':>9} {'wall s':>8} {'msg/s':>9}")
    for name, n, secs, rc in rows:
        print(f"{name:32} {n:>9} {secs:>8.2f} {n / secs if secs else 0:>9.0f}" + ("" if rc == 0 else f"  (exit {rc})"))
    rate = {r[0]: r[1] / r[2] for r in rows if r[2]}
    h1, h4 = rate.get("Hookline, 1 connection(s)", 0), rate.get("Hookline, 4 connection(s)", 0)
    s1, s4 = rate.get("smtp-source -s 1 -d", 1), rate.get("smtp-source -s 4", 1)
    print(f"targets: 1 connection {h1 / s1:.2f}x smtp-source -d (target >= 0.9); "
          f"4 connections {h4 / s4:.2f}x smtp-source -s 4 (target >= 0.8)")


if __name__ == "__main__":
    main()
