#!/usr/bin/env python3
# Listens on an AF_UNIX datagram socket as systemd does for NOTIFY_SOCKET and writes every
# assignment of every datagram as one line "EPOCH_SECONDS ASSIGNMENT" to OUT (flushed at
# once), so that tests/daemon/run.sh can check the sd_notify protocol and its timing.
#
#   notify_listen.py SOCKET_PATH OUT
#
# The socket is created mode 0777 (a daemon under another user may send) and removed when
# the listener is terminated.
import os
import signal
import socket
import sys
import time

path, out_path = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
os.chmod(path, 0o777)


def bye(*_):
    try:
        os.unlink(path)
    finally:
        os._exit(0)


signal.signal(signal.SIGTERM, bye)
signal.signal(signal.SIGINT, bye)

with open(out_path, "a", encoding="utf-8", buffering=1) as out:
    out.write("%.6f LISTENING\n" % time.time())
    while True:
        data = sock.recv(65536)
        stamp = time.time()
        for line in data.decode("utf-8", "replace").split("\n"):
            if line:
                out.write("%.6f %s\n" % (stamp, line))
