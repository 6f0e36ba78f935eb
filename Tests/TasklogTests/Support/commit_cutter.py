#!/usr/bin/env python3
"""A TCP proxy to PostgreSQL that cuts one write's connection at its COMMIT, for the in-doubt tests.

Usage: commit_cutter.py TARGET_PORT MODE ARM_FILE
  MODE before: the COMMIT is never sent; the server rolls the transaction back.
  MODE after:  the COMMIT is sent and the server commits, but its answer never reaches the client.
The proxy listens on a free loopback port and prints it; it cuts only once the file ARM_FILE exists,
and only a connection that has sent an INSERT since it connected (a write, not a read); it then
prints "cut" and passes everything through from then on. It ends when its stdin closes.
"""
import os
import socket
import sys
import threading
import time

target_port, mode, arm_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cut = threading.Event()
lock = threading.Lock()


def close(*sockets):
    for s in sockets:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


def client_to_server(client, server, muted):
    wrote = False
    try:
        while True:
            data = client.recv(65536)
            if not data:
                break
            wrote = wrote or b"INSERT INTO" in data
            if wrote and b"COMMIT\x00" in data and os.path.exists(arm_file):
                with lock:
                    mine = not cut.is_set()
                    cut.set()
                if mine:
                    if mode == "after":
                        muted.set()  # from now on the server's answers are dropped
                        server.sendall(data)
                        time.sleep(0.5)  # the server commits; its answer is not passed on
                    print("cut", flush=True)
                    break
            server.sendall(data)
    except OSError:
        pass
    close(client, server)


def server_to_client(server, client, muted):
    try:
        while True:
            data = server.recv(65536)
            if not data:
                break
            if not muted.is_set():
                client.sendall(data)
    except OSError:
        pass
    close(client, server)


def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print(listener.getsockname()[1], flush=True)
while True:
    client, _ = listener.accept()
    server = socket.create_connection(("127.0.0.1", target_port))
    muted = threading.Event()
    threading.Thread(target=client_to_server, args=(client, server, muted), daemon=True).start()
    threading.Thread(target=server_to_client, args=(server, client, muted), daemon=True).start()
