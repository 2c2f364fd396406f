"""Verifier rate and memory for bench/log.py: `lapor-verify bundle` against raw SHA-256.

The verifier runs as a child process, as an auditor runs it (`lapor-verify bundle FILE --json`,
through runpy), timed from start to exit (interpreter start and imports included); its peak
resident memory is the high-water mark the child reads from /proc/self/status as it exits.
The baseline, in this process and alternating round by round with the verifier, is one
`hashlib.sha256(entry_bytes).digest()` per entry over the same entry bytes, prebuilt in a
list (reading them from the bundle is not timed).

A synthetic bundle (`write_synthetic_bundle`) has the shape of a real export: entries made
with the ledger's own encoder, reports of eight events about 2,000 of which are open at a
time, payloads of about 560 bytes (entry bytes ~700, as in the demo log), and a checkpoint
signed with a throwaway key over all of them.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import json
import random
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.export_binary import CHECKPOINT, END, ENTRY, HEADER, MAGIC, MISSING, record
from ledger.integrity.entry import ZERO_HASH, Entry, encode_entry, leaf_hash
from ledger.tlog.notes import sign
from verify.merkle import CompactRange

ROOT = Path(__file__).resolve().parents[1]
_FRAME = struct.Struct(">BI")


def entry_bytes_of(bundle: Path) -> list[bytes]:
    """The entry bytes of every entry record of a binary bundle (not timed)."""
    data = bundle.read_bytes()
    if not data.startswith(MAGIC):
        raise ValueError(f"{bundle} is not a binary (v2) bundle")
    out, pos = [], len(MAGIC)
    while pos < len(data):
        kind, length = _FRAME.unpack_from(data, pos)
        if kind == ENTRY:
            out.append(data[pos + 5 + 32 : pos + 5 + length])
        elif kind == MISSING:
            raise ValueError("the bundle has an entry without its stored event")
        pos += 5 + length
    return out


def _payload(rng: random.Random, stream: UUID) -> bytes:
    """A stored payload of the usual size: clear header fields and one sealed envelope."""
    sealed = {"$sealed": 1, "alg": "A256GCM", "kid": str(stream)}
    sealed["ct"] = base64.b64encode(rng.randbytes(330)).decode()
    header = {"actor": {"role": "officer", "agency": "kota-serang"}, "state": "in_process"}
    return json.dumps({**header, "message": sealed}, separators=(",", ":")).encode()


def _synthetic_records(entries: int, origin: str, seed: int, tree: CompactRange) -> Iterator[bytes]:
    """The `E` records of a synthetic log; feeds their hashes to `tree`."""
    rng = random.Random(seed)
    open_reports: dict[UUID, tuple[int, bytes]] = {}
    for index in range(entries):
        if len(open_reports) < 2000:
            open_reports[UUID(int=rng.getrandbits(128))] = (0, ZERO_HASH)
        stream = rng.choice(list(open_reports)) if index % 16 else next(iter(open_reports))
        version, prev = open_reports[stream]
        entry = Entry(
            origin=origin,
            leaf_index=index,
            stream_id=stream,
            stream_version=version + 1,
            event_type="ledger.domain.report:Report.FollowedUp",
            recorded_at_us=1_767_225_600_000_000 + index * 1000,
            prev_hash=prev,
            payload=_payload(rng, stream),
        )
        data = encode_entry(entry)
        digest = leaf_hash(data)
        tree.append(digest)
        yield record(ENTRY, digest + data)
        if version + 1 == 8:
            del open_reports[stream]
        else:
            open_reports[stream] = (version + 1, digest)


def write_synthetic_bundle(path: Path, entries: int, origin: str, seed: int = 6962) -> None:
    """Write a binary bundle of `entries` well-formed, chained entries and one checkpoint."""
    tree = CompactRange()
    spool = path.with_suffix(".entries")  # the checkpoint (over all entries) goes first
    with spool.open("wb") as spooled:
        for chunk in _synthetic_records(entries, origin, seed, tree):
            spooled.write(chunk)
    text = f"{origin}\n{entries}\n{base64.b64encode(tree.root()).decode()}\n"
    note = f"{text}\n{sign(text, origin, Ed25519PrivateKey.generate())}\n"
    header = {"entry_format": 1, "origin": origin, "exported_at": "2026-11-23T00:00:00.000000Z"}
    with path.open("wb") as out:
        out.write(MAGIC)
        out.write(record(HEADER, json.dumps({**header, "tree_size": entries}).encode()))
        out.write(record(CHECKPOINT, note.encode()))
        with spool.open("rb") as spooled:
            while chunk := spooled.read(1 << 22):
                out.write(chunk)
        out.write(record(END, json.dumps({"entries": entries, "unlinked_events": 0}).encode()))
    spool.unlink()


@dataclass
class ChildRun:
    seconds: float
    max_rss_bytes: int
    result: dict[str, object]


# The child's own high-water RSS (VmHWM of its address space). Not ru_maxrss from wait4: Linux
# carries the RSS of the process image before exec into it, i.e. this benchmark's own memory.
_CHILD = """
import atexit, runpy, sys
def high_water():
    with open("/proc/self/status") as status:
        sys.stderr.write(next(l for l in status if l.startswith("VmHWM:")))
atexit.register(high_water)
sys.argv = ["lapor-verify", "bundle", sys.argv[1], "--json"]
runpy.run_module("verify", run_name="__main__")
"""


def run_verifier(bundle: Path) -> ChildRun:
    """`lapor-verify bundle FILE --json` in a child process: wall time and peak RSS."""
    start = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(bundle)], capture_output=True, cwd=ROOT, check=False
    )
    seconds = time.perf_counter() - start
    result = json.loads(child.stdout)
    if child.returncode != 0 or result.get("result") != "pass":
        raise RuntimeError(f"the verifier did not pass: {child.stdout[:500]!r}")
    kib = int(child.stderr.decode().rsplit("VmHWM:", 1)[1].split()[0])
    return ChildRun(seconds, kib * 1024, result)


def sha_rate(datas: list[bytes]) -> float:
    """Entries per second of one SHA-256 per entry over the prebuilt entry bytes."""
    gc.collect()
    sha256 = hashlib.sha256
    start = time.perf_counter()
    for data in datas:
        sha256(data).digest()
    return len(datas) / (time.perf_counter() - start)


@dataclass
class VerifyResult:
    entries: int
    bundle_bytes: int
    entry_bytes: int
    verify_rates: list[float]
    sha_rates: list[float]
    max_rss_bytes: int
    source: str

    @property
    def ratio(self) -> float:
        return statistics.median(self.verify_rates) / statistics.median(self.sha_rates)

    @property
    def ratios(self) -> list[float]:
        return [v / s for v, s in zip(self.verify_rates, self.sha_rates, strict=True)]


def measure(bundle: Path, rounds: int, source: str, say: object = print) -> VerifyResult:
    """Alternate the verifier (child) and SHA-256 (here) for `rounds` rounds."""
    datas = entry_bytes_of(bundle)
    verify_rates: list[float] = []
    sha_rates: list[float] = []
    peak = 0
    for r in range(rounds):
        pair = ("verify", "sha") if r % 2 == 0 else ("sha", "verify")
        for side in pair:
            if side == "sha":
                sha_rates.append(sha_rate(datas))
            else:
                run = run_verifier(bundle)
                if run.result["entries"] != len(datas):
                    raise RuntimeError(f"verified {run.result['entries']}, bundle has {len(datas)}")
                verify_rates.append(len(datas) / run.seconds)
                peak = max(peak, run.max_rss_bytes)
        assert callable(say)
        say(
            f"  round {r + 1}: verify {verify_rates[-1]:,.0f} entries/s, "
            f"sha256 {sha_rates[-1]:,.0f}/s, verifier peak RSS {peak / 2**20:,.0f} MiB"
        )
    return VerifyResult(
        len(datas),
        bundle.stat().st_size,
        sum(map(len, datas)),
        verify_rates,
        sha_rates,
        peak,
        source,
    )
