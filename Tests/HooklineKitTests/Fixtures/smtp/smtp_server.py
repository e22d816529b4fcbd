"""A scriptable SMTP server for Hookline's delivery tests (aiosmtpd, 127.0.0.1 only).

Prints "READY <port>" once listening. Every accepted message is saved as
<dir>/<n>.eml and described by one JSON line in <dir>/received.jsonl; every
session start (EHLO/HELO), AUTH attempt and RCPT TO is appended to
<dir>/events.jsonl. A RCPT event says whether the client had already sent DATA
behind it ("pipelined"), which only a client using PIPELINING does; a received
message says whether the next MAIL FROM had already arrived behind its content
("next_pipelined").

PIPELINING (RFC 2920) is advertised unless --no-pipelining; aiosmtpd reads
commands one line at a time, so a pipelined group is answered in order.

Faults, chosen by substrings of the recipient address:
  --reject SUB          550 to RCPT TO
  --rcpt-tempfail SUB   450 to RCPT TO
  --idle-close SECONDS  answer 421 and close a session idle this long
  --tempfail SUB        451 to DATA, the first --tempfail-times times per recipient
  --drop SUB            close the connection at the end of DATA without a reply,
                        the first --drop-times times per recipient
  --slow SUB            wait --slow-seconds before the reply to DATA
  --password PW         require AUTH (PLAIN or LOGIN) with this password
  --cert F --key F      offer STARTTLS with this certificate and require it
  --implicit-tls        with --cert/--key: TLS from the first byte (smtps://) instead
"""
import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--reject")
    parser.add_argument("--rcpt-tempfail")
    parser.add_argument("--reject-sender", action="store_true", help="answer 550 to every MAIL FROM")
    parser.add_argument("--no-pipelining", action="store_true")
    parser.add_argument("--idle-close", type=float, default=300)
    parser.add_argument("--tempfail")
    parser.add_argument("--tempfail-times", type=int, default=1)
    parser.add_argument("--drop")
    parser.add_argument("--drop-times", type=int, default=1)
    parser.add_argument("--slow")
    parser.add_argument("--slow-seconds", type=float, default=1.0)
    parser.add_argument("--password")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--implicit-tls", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    state = {"count": 0, "tempfail": {}, "drop": {}}

    def log(name, record):
        with open(os.path.join(args.dir, name), "a") as f:
            f.write(json.dumps(record) + "\n")

    def matches(sub, address):
        return sub is not None and sub in address

    class Handler:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            log("events.jsonl", {"event": "ehlo", "peer": list(session.peer)[:2]})
            session.host_name = hostname
            if not args.no_pipelining:
                responses.insert(len(responses) - 1, "250-PIPELINING")
            return responses

        async def handle_MAIL(self, server, session, envelope, address, mail_options):
            if args.reject_sender:
                return "550 5.7.1 <%s>: sender not allowed to relay" % address
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
            return "250 OK"

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            waiting = bytes(getattr(server._reader, "_buffer", b""))
            log("events.jsonl", {"event": "rcpt", "address": address,
                                 "pipelined": waiting.upper().startswith(b"DATA")})
            if matches(args.reject, address):
                return "550 5.1.1 <%s>: no such user" % address
            if matches(args.rcpt_tempfail, address):
                return "450 4.2.1 <%s>: mailbox busy" % address
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            waiting = bytes(getattr(server._reader, "_buffer", b""))
            if any(matches(args.slow, rcpt) for rcpt in envelope.rcpt_tos):
                await asyncio.sleep(args.slow_seconds)
            for rcpt in envelope.rcpt_tos:
                if matches(args.drop, rcpt) and state["drop"].get(rcpt, 0) < args.drop_times:
                    state["drop"][rcpt] = state["drop"].get(rcpt, 0) + 1
                    server.transport.abort()
                    return "421 dropped"
                if matches(args.tempfail, rcpt) and state["tempfail"].get(rcpt, 0) < args.tempfail_times:
                    state["tempfail"][rcpt] = state["tempfail"].get(rcpt, 0) + 1
                    return "451 4.3.0 try again later"
            state["count"] += 1
            name = "%06d.eml" % state["count"]
            temporary = os.path.join(args.dir, "." + name)
            with open(temporary, "wb") as f:
                f.write(envelope.original_content)
            os.rename(temporary, os.path.join(args.dir, name))
            log("received.jsonl", {"file": name, "from": envelope.mail_from, "rcpt": envelope.rcpt_tos,
                                   "tls": server.transport.get_extra_info("ssl_object") is not None, "auth": session.authenticated,
                                   "next_pipelined": waiting.upper().startswith(b"MAIL FROM")})
            return "250 OK queued as %d" % state["count"]

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password.decode() == args.password
        log("events.jsonl", {"event": "auth", "mechanism": mechanism, "ok": ok})
        return AuthResult(success=ok, handled=False)

    options = {"hostname": "localhost", "timeout": args.idle_close}
    if args.password:
        options.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(args.cert))
    context = None
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if not args.implicit_tls:
            options.update(tls_context=context, require_starttls=True)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    implicit = context if args.implicit_tls else None
    server = loop.run_until_complete(loop.create_server(lambda: SMTP(Handler(), **options), "127.0.0.1", 0,
                                                        ssl=implicit))
    print("READY %d" % server.sockets[0].getsockname()[1], flush=True)
    loop.run_forever()


if __name__ == "__main__":
    sys.exit(main())
