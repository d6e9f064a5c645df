"""A Python zygote: one process per interpreter that has already imported the runtime interface
client, and forks a new execution environment on request, so a cold start costs a fork instead
of an interpreter start-up (the machine's two cores start a hundred environments in well under a
second). Runs inside the interpreter (Python 3.9+, standard library only).

Protocol on the Unix socket given as argv[1]: fogbank sends a JSON request {"env", "cwd",
"limit"} with the environment's stdout pipe attached (SCM_RIGHTS); the zygote answers the child's
pid (4 bytes, big-endian), and later its exit code (4 bytes, negative for a signal), then closes.
The zygote exits when its stdin closes (fogbank ended).
"""

import contextlib
import json
import os
import resource
import selectors
import signal
import socket
import struct
import sys
import time

import bootstrap

RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))
BASE_PATH = [path for path in sys.path[1:] if path != RUNTIME_DIR]
_open_fds: list[int] = []


def child(request, output):
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for fd in _open_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    os.close(devnull)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()  # TZ=:UTC, as an interpreter started with this environment would read it
    if request.get("limit"):
        resource.setrlimit(resource.RLIMIT_AS, (request["limit"], request["limit"]))
    sys.path[:] = ["", RUNTIME_DIR] + BASE_PATH
    sys.argv = [os.path.join(RUNTIME_DIR, "bootstrap.py")]
    bootstrap.main()


def run_child(request, output):
    code = 1
    try:
        child(request, output)
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported like an interpreter would, then exit
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def spawn(connection, children):
    message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 1)
    if not fds:
        connection.close()
        return
    request = json.loads(message)
    _open_fds.append(connection.fileno())
    pid = os.fork()
    if pid == 0:
        run_child(request, fds[0])
    os.close(fds[0])
    children[pid] = connection
    connection.sendall(struct.pack(">i", pid))


def reap(children):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = children.pop(pid, None)
        if connection is None:
            continue
        _open_fds.remove(connection.fileno())
        with contextlib.suppress(OSError):
            connection.sendall(struct.pack(">i", os.waitstatus_to_exitcode(status)))
        connection.close()


def main():
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sys.argv[1])
    server.listen(128)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    _open_fds.extend([server.fileno(), wake_read, wake_write])
    selector = selectors.DefaultSelector()
    selector.register(server, selectors.EVENT_READ, "spawn")
    selector.register(wake_read, selectors.EVENT_READ, "reap")
    selector.register(sys.stdin, selectors.EVENT_READ, "stop")
    children = {}
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        for key, _ in selector.select():
            if key.data == "spawn":
                connection, _ = server.accept()
                spawn(connection, children)
            elif key.data == "reap":
                os.read(wake_read, 4096)
                reap(children)
            elif not os.read(sys.stdin.fileno(), 4096):
                return


if __name__ == "__main__":
    main()
