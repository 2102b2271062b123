"""A syslog socket for the PAM sandbox: appends each datagram to a file.

Usage: syslog_sink.py SOCKET LOGFILE.  Bound before it forks into the
background, so the socket exists when the caller continues.
"""
import os
import socket
import sys

sock_path, log_path = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sock_path)
os.chmod(sock_path, 0o666)
if os.fork() != 0:
    os._exit(0)
os.setsid()
devnull = os.open(os.devnull, os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(devnull, fd)
with open(log_path, "ab", buffering=0) as log:
    while True:
        data = sock.recv(8192)
        log.write(data.rstrip(b"\0\n") + b"\n")
