"""tests/sources/servers.py — throwaway Redis and PostgreSQL servers for the sources tests and bench.

Each server runs on 127.0.0.1, on a free port picked at start (never 6379 or 5432), with all its
files in a temporary directory that is removed when it stops. Redis keeps nothing on disk (no RDB,
no AOF). PostgreSQL gets a fresh cluster (initdb, trust authentication on loopback and a unix
socket in the temporary directory); initdb refuses to run as root, so as root the cluster is made
and run as an unprivileged user (postgres if it exists, else nobody) and the directory is chowned
to it.

Used three ways, all with the same code:
  * as a module: `with servers(redis=True, pg=True) as s: s.redis.port, s.pg.dsn` (pytest fixtures
    and bench_sources.py);
  * as a command that runs another one between start and stop (the C tests):
        python3 tests/sources/servers.py [--redis] [--pg] -- PROGRAM ARGS...
    PROGRAM finds the servers in SLOTS_TEST_REDIS_PORT / SLOTS_TEST_REDIS_PID and SLOTS_TEST_PG_HOST
    (the socket directory) / SLOTS_TEST_PG_PORT / SLOTS_TEST_PG_PID / SLOTS_TEST_PG_CONNINFO;
  * the servers are stopped on the way out whatever happens: an exception, a failed test, SIGTERM,
    SIGINT or SIGHUP (turned into exceptions so the finally clauses run).
Only the standard library: it runs under any Python, with or without the client packages.
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

START_TIMEOUT = 30.0  # seconds a server gets to answer (initdb is not counted)


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    """A TCP port nothing listens on now (the kernel picks it, so never a default one by chance)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(ready, proc, what: str, log: str | None = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if ready():
            return
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.02)
    tail = ""
    if log and os.path.exists(log):
        with open(log, errors="replace") as f:
            tail = f.read()[-2000:]
    raise ServerError(f"{what} did not start{': ' + tail if tail else ''}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_and_wait(pid: int, sig: int = signal.SIGKILL, timeout: float = 10.0) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        time.sleep(0.01)


def _children(ppid: int) -> list[int]:
    """The processes whose parent is ppid (from /proc: no procps needed)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                with open(f"/proc/{entry}/stat") as f:
                    # "pid (comm) state ppid ...": comm may hold spaces, so split after its ')'
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == ppid:
                        out.append(int(entry))
    return out


class Redis:
    """redis-server --port N --bind 127.0.0.1 --save '' --appendonly no --dir TMP."""

    def __init__(self, binary: str | None = None):
        self.binary = binary or os.environ.get("SLOTS_REDIS_SERVER") or shutil.which("redis-server") \
            or "/usr/bin/redis-server"
        self.dir = tempfile.mkdtemp(prefix="slots-redis-")
        self.port = 0
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else 0

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> "Redis":
        for _ in range(5):  # a port taken between free_port() and the bind: try another
            self.port = free_port()
            log = os.path.join(self.dir, "redis.log")
            self.proc = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", self.dir, "--logfile", log, "--daemonize", "no",
                 "--protected-mode", "yes"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                _wait(self._ping, self.proc, f"redis-server on port {self.port}", log)
                return self
            except ServerError:
                self.kill()
                if not os.path.exists(log) or "Address already in use" not in open(log).read():
                    raise
        raise ServerError("redis-server: no free port after 5 tries")

    def kill(self) -> None:
        """Makes the server go away at once (SIGKILL), as a crash or a lost host would."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def _pg_bindir() -> str:
    if os.environ.get("SLOTS_PG_BIN"):
        return os.environ["SLOTS_PG_BIN"]
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    for d in reversed(dirs):
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(os.path.realpath(initdb))
    raise ServerError("PostgreSQL server binaries not found (make deps installs them; "
                      "or set SLOTS_PG_BIN to the directory of initdb and pg_ctl)")


def _unprivileged_user() -> str | None:
    """None when not root; else the user to run PostgreSQL as."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise ServerError("running as root and neither a 'postgres' nor a 'nobody' user exists")


class Postgres:
    """A fresh cluster: initdb into TMP/data, pg_ctl start on 127.0.0.1:N with its socket in TMP."""

    DBNAME = "postgres"
    USER = "postgres"

    def __init__(self):
        self.bindir = _pg_bindir()
        self.runas = _unprivileged_user()
        self.dir = tempfile.mkdtemp(prefix="slots-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "server.log")
        self.port = 0
        self.pid = 0
        if self.runas:
            pw = pwd.getpwnam(self.runas)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    @property
    def host(self) -> str:
        """The unix socket directory (libpq takes a path as host)."""
        return self.dir

    @property
    def conninfo(self) -> str:
        return f"host={self.dir} port={self.port} user={self.USER} dbname={self.DBNAME}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.runas:
            cmd = ["runuser", "-u", self.runas, "--"] + cmd
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=self.dir)
        if check and r.returncode != 0:
            raise ServerError(f"{' '.join(args[:2])} failed ({r.returncode}): {r.stderr.strip() or r.stdout.strip()}")
        return r

    def _ready(self) -> bool:
        r = self._run(os.path.join(self.bindir, "pg_isready"), "-q", "-h", self.dir, "-p", str(self.port),
                      check=False)
        return r.returncode == 0

    def start(self) -> "Postgres":
        # --no-sync and fsync=off: a throwaway cluster need not survive a power cut, and tests run faster
        self._run(os.path.join(self.bindir, "initdb"), "-D", self.data, "-U", self.USER, "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
        for _ in range(5):
            self.port = free_port()
            opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off")
            r = self._run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-l", self.log, "-o", opts,
                          "-w", "-t", str(int(START_TIMEOUT)), "start", check=False)
            if r.returncode == 0:
                _wait(self._ready, None, f"PostgreSQL on port {self.port}", self.log)
                with open(os.path.join(self.data, "postmaster.pid")) as f:
                    self.pid = int(f.readline())
                return self
            with open(self.log, errors="replace") as f:
                text = f.read()
            if "Address already in use" not in text:
                raise ServerError(f"pg_ctl start failed: {r.stderr.strip()} {text[-2000:]}")
        raise ServerError("PostgreSQL: no free port after 5 tries")

    def kill(self) -> None:
        """Makes the server go away at once: SIGKILL to the postmaster, then its backends (which
        would otherwise finish the statement they run)."""
        if not self.pid:
            return
        children = _children(self.pid)
        _kill_and_wait(self.pid)
        # the backends of a killed postmaster would finish the statement they run: not these
        for pid in children:
            _kill_and_wait(pid)

    def stop(self) -> None:
        if self.pid and _alive(self.pid):
            r = self._run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w",
                          "stop", check=False)
            if r.returncode != 0 or _alive(self.pid):
                _kill_and_wait(self.pid)
        shutil.rmtree(self.dir, ignore_errors=True)


class Servers:
    def __init__(self):
        self.redis: Redis | None = None
        self.pg: Postgres | None = None

    def env(self) -> dict[str, str]:
        e: dict[str, str] = {}
        if self.redis:
            e.update(SLOTS_TEST_REDIS_PORT=str(self.redis.port), SLOTS_TEST_REDIS_PID=str(self.redis.pid))
        if self.pg:
            e.update(SLOTS_TEST_PG_HOST=self.pg.host, SLOTS_TEST_PG_PORT=str(self.pg.port),
                     SLOTS_TEST_PG_PID=str(self.pg.pid), SLOTS_TEST_PG_CONNINFO=self.pg.conninfo)
        return e


class _Stopped(KeyboardInterrupt):
    """A signal that asks to stop: raised so that every finally clause on the stack runs (a
    KeyboardInterrupt, so that pytest still tears its fixtures down)."""


def _raise_on_signals():
    def handler(signum, frame):
        raise _Stopped(signum)
    old = {}
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
            old[sig] = signal.signal(sig, handler)
    return old


@contextlib.contextmanager
def servers(redis: bool = True, pg: bool = True):
    """Starts the servers asked for; stops them (and removes their files) on the way out, always."""
    old = _raise_on_signals()
    s = Servers()
    try:
        if redis:
            s.redis = Redis()
            s.redis.start()
        if pg:
            s.pg = Postgres()
            s.pg.start()
        yield s
    finally:
        for server in (s.pg, s.redis):
            if server:
                with contextlib.suppress(Exception):
                    server.stop()
        for sig, h in old.items():
            signal.signal(sig, h)


def main(argv: list[str]) -> int:
    want_redis = "--redis" in argv[: argv.index("--")] if "--" in argv else False
    want_pg = "--pg" in argv[: argv.index("--")] if "--" in argv else False
    if "--" not in argv or not argv[argv.index("--") + 1:]:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[argv.index("--") + 1:]
    try:
        with servers(redis=want_redis, pg=want_pg) as s:
            env = dict(os.environ, **s.env())
            proc = subprocess.Popen(cmd, env=env)
            try:
                return proc.wait()
            finally:
                if proc.poll() is None:
                    proc.terminate()
                    proc.wait()
    except _Stopped as e:
        return 128 + int(e.args[0])
    except ServerError as e:
        print(f"servers.py: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
