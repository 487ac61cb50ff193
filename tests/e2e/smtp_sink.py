#!/usr/bin/python3
# smtp_sink.py - a real SMTP server for the tests (Debian's python3-aiosmtpd).
#
# usage: smtp_sink.py FOLDER [PORT]
#
# Binds 127.0.0.1 on PORT (default: a free port), prints the port on the
# first line of stdout, and writes each message it receives to
# FOLDER/NNNN.eml (the data exactly as received), with the envelope sender
# and recipients in FOLDER/NNNN.env.  Written to a temporary name and
# renamed, so a reader never sees half a message.  Runs until killed.
import os
import socket
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.lock = threading.Lock()
        self.n = 0

    def _write(self, name, data):
        tmp = os.path.join(self.folder, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.folder, name))

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


def main():
    if len(sys.argv) not in (2, 3):
        sys.stderr.write("usage: smtp_sink.py FOLDER [PORT]\n")
        sys.exit(2)
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    port = int(sys.argv[2]) if len(sys.argv) == 3 else free_port()
    ctl = Controller(Sink(folder), hostname="127.0.0.1", port=port,
                     decode_data=False)
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
