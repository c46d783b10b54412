"""A private PostgreSQL server for the tests: its own data directory and Unix
socket in a temporary directory, no TCP, stopped and removed at the end. As
root (CI), the server runs as the postgres user, since PostgreSQL refuses to
run as root."""

import glob
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path


class PgServer:
    def __init__(self):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise RuntimeError("PostgreSQL is not installed (scripts/install-deps installs it)")
        self.bin = Path(found[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="lucompat-pg-"))
        self.data = self.dir / "data"
        self.as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            os.chmod(self.dir, 0o755)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args):
        subprocess.run([*self.as_user, *map(str, args)], check=True, capture_output=True, text=True)

    def start(self):
        self._run(self.bin / "initdb", "-D", self.data, "--auth=trust", "-U", "postgres", "--no-sync")
        self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.dir / "log", "-w", "-o",
                  f"-k {self.dir} -c listen_addresses='' -c fsync=off -c max_connections=50", "start")
        return self

    def url(self, db):
        """A fresh database's URL."""
        db = re.sub(r"[^a-z0-9_]", "_", db.lower())
        self._run(self.bin / "dropdb", "-h", self.dir, "-U", "postgres", "--if-exists", db)
        self._run(self.bin / "createdb", "-h", self.dir, "-U", "postgres", db)
        return f"postgresql:///{db}?host={self.dir}&user=postgres"

    def query(self, url, sql):
        db = url.split("///")[1].split("?")[0]
        out = subprocess.run(["psql", "-h", str(self.dir), "-U", "postgres", "-d", db, "-At", "-F", "|", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("|")) for line in out.splitlines()]

    def stop(self):
        try:
            self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
