"""A PostgreSQL cluster and a Redis server of one's own, on free loopback
ports, for tests and tools that must break them (stop, restart, flush,
terminate backends) without touching anyone else's.

``PrivateRedis`` runs ``redis-server``; ``PrivatePostgres`` runs PostgreSQL
15's ``initdb`` and ``pg_ctl`` (``/usr/lib/postgresql/15/bin`` unless
``KARMAYOGI_PG_BIN`` says otherwise). Both raise when the binary is missing:
a test that needs them fails, it never skips.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("KARMAYOGI_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, up: bool, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            answered = True
        except OSError:
            answered = False
        if answered == up:
            return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} did not go {'up' if up else 'down'} in {timeout:g} s")


class PrivateRedis:
    """``redis-server`` in ``directory``; its dump is ``dump.rdb`` there."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory),
            "--dbfilename", "dump.rdb",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--loglevel", "warning",
        ]  # fmt: skip
        log = open(self.directory / "redis.log", "ab")  # noqa: SIM115 - the child keeps it
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        _wait_for_port(self.port, up=True)

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            ["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True, timeout=30
        )
        return done.stdout.strip()

    def stop(self, *, save: bool = False) -> None:
        """Stop; with ``save``, write the dump first (what a restart loads)."""
        if self.process is None:
            return
        if save:
            self.cli("SAVE")
        self.process.kill()  # no SHUTDOWN: it would save
        self.process.wait()
        self.process = None
        _wait_for_port(self.port, up=False)

    def restart(self, *, keep_data: bool) -> None:
        self.stop(save=keep_data)
        if not keep_data:
            (self.directory / "dump.rdb").unlink(missing_ok=True)
        self.start()


class PrivatePostgres:
    """A PostgreSQL 15 cluster, trust authentication, in a fresh directory
    (``directory`` is only a hint: as root, PostgreSQL runs as the ``postgres``
    user, which cannot enter pytest's private temporary folders)."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(f"PostgreSQL 15 is not installed at {PG_BIN} (set KARMAYOGI_PG_BIN)")
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            import pwd

            owner = pwd.getpwnam("postgres")
            directory = Path(tempfile.mkdtemp(prefix="karmayogi-pg-"))
            os.chown(directory, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        else:
            directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.data = directory / "data"
        self.port = port or free_port()

    def _run(self, *command: str) -> None:
        done = subprocess.run([*self.as_user, *command], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(
                f"{Path(command[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}"
            )

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        settings = (
            f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.directory}'\nfsync = off\n"
            "max_connections = 200\nshared_buffers = 32MB\n"
        )
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(settings)

    def start(self) -> None:
        self._ctl("start", "-w", "-l", str(self.directory / "postgres.log"))

    def stop(self) -> None:
        self._ctl("stop", "-w", "-m", "fast")

    def _ctl(self, *args: str) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args)

    def createdb(self, name: str) -> str:
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)
