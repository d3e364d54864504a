"""Start the pipeline's commands warm: one process with patroon and its libraries imported forks a copy of
itself for every `python -m patroon ...` a build's jobs run.

A build of the five studies runs about thirty such commands (validate, tables, analysis, render, publish
for each study, and the index). Each one started cold spends 0.4 to 0.9 s of CPU importing pandas,
pydantic, the models and the report layer before it reads a file: on two cores a quarter of a full build,
and most of a build after one edit. So `make reports` (patroon.pipeline.runner) starts this server for
the Snakemake it runs on this machine and names its socket in PATROON_WARM. A job's command stays
`python -m patroon ARGS` (DESIGN.md: a rule calls one function of patroon); `patroon.__main__` first
offers the command here, with its working folder, environment and standard input, output and error
(passed as file descriptors, so `| tee` and Snakemake's logs see the output as before). The server forks;
the copy runs `patroon.cli.main(ARGS)` and its exit status goes back as the command's. Without the
variable, or when the server cannot be reached, the command runs where it was started, as before.

Every job is a fresh fork of the same imported state (nothing a job does reaches the next one); the
server lives as long as the build (it stops when the runner closes its standard input or dies), in the
build's process group (stopping the build stops the jobs), and when a command's caller goes away
(Snakemake stopping a job), its copy is stopped too.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys

from patroon.pipeline.warmstart import ENV

_LENGTH = struct.Struct("!I")
_STATUS = struct.Struct("!i")


# ------------------------------------------------------------------------------------------ the caller
def hand_over(argv: list[str]) -> int | None:
    """Run `patroon argv` in this build's warm server; its exit status, or None when there is no server
    to take it (then the caller runs the command itself). Imports nothing beyond the standard library."""
    path = os.environ.get(ENV)
    if not path:
        return None
    streams = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:  # a closed standard stream: the copy gets /dev/null there
            continue
        streams.append(fd)
    try:
        cwd = os.getcwd()
    except OSError:  # the folder is gone: let the command say so where it was started
        return None
    request = json.dumps({"argv": argv, "argv0": sys.argv[0], "cwd": cwd, "env": dict(os.environ),
                          "streams": streams}).encode("utf-8")
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
        socket.send_fds(connection, [_LENGTH.pack(len(request)) + request], streams)
    except OSError:
        connection.close()
        return None
    reply = b""
    while len(reply) < _STATUS.size:
        try:
            chunk = connection.recv(_STATUS.size - len(reply))
        except OSError:
            chunk = b""
        if not chunk:
            print("patroon: the build's warm-start process stopped before this command ended", file=sys.stderr)
            return 1
        reply += chunk
    connection.close()
    return _STATUS.unpack(reply)[0]


# ------------------------------------------------------------------------------------------ the server
def warm_up() -> None:
    """Import what the stages import when they run (most of it lazily, so that a cold `patroon validate`
    loads no report layer)."""
    import patroon.cli  # noqa: F401
    import patroon.pipeline.build  # noqa: F401
    import patroon.pipeline.publish  # noqa: F401
    import patroon.pipeline.stages  # noqa: F401
    import patroon.report.site  # noqa: F401
    import patroon.analysis.reconciliation  # noqa: F401
    import patroon.engines.detect  # noqa: F401
    import patroon.output.privacy  # noqa: F401
    for optional in ("openpyxl", "typst", "pypandoc", "babel.dates", "babel.numbers"):
        try:
            __import__(optional)
        except ImportError:  # pragma: no cover - a missing optional engine is reported by the stage itself
            pass


def _receive(connection: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _flags, _address = socket.recv_fds(connection, 1 << 16, 3)
    if len(data) < _LENGTH.size:
        raise OSError("short request")
    size = _LENGTH.unpack(data[:_LENGTH.size])[0]
    data = data[_LENGTH.size:]
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise OSError("short request")
        data += chunk
    return json.loads(data.decode("utf-8")), fds


def _run_copy(request: dict, fds: list[int]) -> int:
    """In the forked copy: become the command (its folder, environment, streams) and run it."""
    import signal
    import time

    # The signal handling a command started cold has (Python ignores SIGPIPE: a closed reader is an error).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    streams = dict(zip(request["streams"], fds))
    for fd in (0, 1, 2):
        source = streams.get(fd)
        if source is None:
            source = os.open(os.devnull, os.O_RDWR)
            fds.append(source)
        os.dup2(source, fd)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    try:
        os.chdir(request["cwd"])
    except OSError as error:
        print(f"patroon: {error}", file=sys.stderr)
        return 1
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    sys.argv = [request["argv0"], *request["argv"]]
    from patroon.cli import main

    try:
        code = main(request["argv"])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        if not isinstance(exit_.code, int) and exit_.code is not None:
            print(exit_.code, file=sys.stderr)
    except BaseException:  # what an uncaught exception does in a process of its own
        import traceback

        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    return code or 0


def serve(path: str) -> int:
    """Listen at `path` until standard input closes (the runner ended), forking a copy per command."""
    import selectors
    import signal

    # Ctrl-C in the terminal reaches the whole build: the commands stop (each as it would cold), and the
    # server ends when the runner does.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(128)  # bound before the imports: a command that comes early waits instead of running cold
    warm_up()
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, ("listener", None))
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ, ("runner", None))
    running: dict[int, tuple[socket.socket, int]] = {}  # pid -> (connection, pidfd)

    def finish(pid: int) -> None:
        connection, pidfd = running.pop(pid)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        selector.unregister(pidfd)
        os.close(pidfd)
        try:  # (unless its caller went away: then it is unregistered already)
            selector.unregister(connection)
        except KeyError:
            pass
        try:
            connection.sendall(_STATUS.pack(code if code >= 0 else 128 - code))
        except OSError:
            pass
        connection.close()

    while True:
        for key, _ in selector.select():
            role, pid = key.data
            if role == "listener":
                connection, _ = listener.accept()
                try:
                    request, fds = _receive(connection)
                except (OSError, ValueError):
                    connection.close()
                    continue
                sys.stdout.flush()
                sys.stderr.flush()
                child = os.fork()
                if child == 0:
                    code = 1
                    try:
                        selector.close()
                        listener.close()
                        connection.close()
                        for other, pidfd in running.values():
                            other.close()
                            os.close(pidfd)
                        code = _run_copy(request, fds)
                    finally:
                        os._exit(code)
                for fd in fds:
                    os.close(fd)
                pidfd = os.pidfd_open(child)
                running[child] = (connection, pidfd)
                selector.register(pidfd, selectors.EVENT_READ, ("exited", child))
                selector.register(connection, selectors.EVENT_READ, ("caller", child))
            elif role in ("exited", "caller") and pid not in running:
                continue  # finished earlier in this round: its pid may be another's now
            elif role == "exited":
                finish(pid)
            elif role == "caller":  # the command's caller went away (or wrote): stop its copy
                selector.unregister(key.fileobj)
                try:
                    gone = not key.fileobj.recv(1, socket.MSG_PEEK)
                except OSError:
                    gone = True
                if gone:
                    try:
                        os.kill(pid, signal.SIGTERM)
                    except ProcessLookupError:
                        pass
            elif role == "runner" and not os.read(key.fd, 4096):
                for pid in list(running):
                    try:
                        os.kill(pid, signal.SIGTERM)
                    except ProcessLookupError:
                        pass
                for pid in list(running):
                    finish(pid)
                listener.close()
                return 0


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1]))
