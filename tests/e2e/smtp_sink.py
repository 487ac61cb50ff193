#!/usr/bin/python3
# smtp_sink.py - a real SMTP server for the tests (Debian's python3-aiosmtpd).
#
# usage: smtp_sink.py [--reject] [--starttls CERT KEY] [--auth USER:PASS]
#                     FOLDER [PORT]
#
# Binds 127.0.0.1 on PORT (default: a free port), prints the port on the
# first line of stdout, and writes each message it receives to
# FOLDER/NNNN.eml (the data exactly as received), with the envelope sender
# and recipients in FOLDER/NNNN.env.  Written to a temporary name and
# renamed, so a reader never sees half a message.  Runs until killed.
# With --reject it refuses every recipient (550), as a server that does not
# know the address would.  With --starttls it offers STARTTLS with that
# certificate; with --auth it requires a login (only over TLS) and refuses
# any other user or password.
import os
import socket
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, folder, reject):
        self.folder = folder
        self.reject = reject
        self.lock = threading.Lock()
        self.n = 0

    def _write(self, name, data):
        tmp = os.path.join(self.folder, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.folder, name))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            n = self.n
        env = "from %s\nto %s\n" % (envelope.mail_from, " ".join(envelope.rcpt_tos))
        self._write("%04d.env" % n, env.encode())
        self._write("%04d.eml" % n, envelope.original_content or envelope.content)
        return "250 OK"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def authenticator_for(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (getattr(auth_data, "login", None) == user.encode() and
              getattr(auth_data, "password", None) == password.encode())
        return AuthResult(success=ok, handled=False)
    return check


def main():
    args = sys.argv[1:]
    reject, params = False, {}
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--reject":
            reject = True
        elif opt == "--starttls" and len(args) >= 2:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(args.pop(0), args.pop(0))
            params["tls_context"] = ctx
        elif opt == "--auth" and args and ":" in args[0]:
            user, password = args.pop(0).split(":", 1)
            params["authenticator"] = authenticator_for(user, password)
            params["auth_required"] = True
        else:
            args = []
            break
    if len(args) not in (1, 2):
        sys.stderr.write("usage: smtp_sink.py [--reject] [--starttls CERT KEY] "
                         "[--auth USER:PASS] FOLDER [PORT]\n")
        sys.exit(2)
    folder = args[0]
    os.makedirs(folder, exist_ok=True)
    port = int(args[1]) if len(args) == 2 else free_port()
    ctl = Controller(Sink(folder, reject), hostname="127.0.0.1", port=port,
                     decode_data=False, **params)
    ctl.start()
    print(port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        ctl.stop()


if __name__ == "__main__":
    main()
