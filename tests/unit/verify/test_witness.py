"""verify.witness: a witness round against an in-memory log; verify.witness_key: key files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.unit.verify.bundles import ORDER, A, B
from tests.unit.verify.fakelog import FakeLog
from tests.unit.verify.receipts import LOG_KEYS, OMBUDSMAN
from verify.client import Response
from verify.errors import InputUnavailable, MalformedInput, VerificationFailed
from verify.note import parse_note, verified_signatures
from verify.witness import WitnessRound, witness_round
from verify.witness_key import WitnessKey, read_key_file, write_key_file

T = 1_767_225_600


def log_of(count: int) -> FakeLog:
    log = FakeLog(witnesses={OMBUDSMAN.name: OMBUDSMAN})
    for stream in ORDER[:count]:
        log.append(stream)
    log.publish()
    return log


def run(log: FakeLog, state: Path, at: float = T) -> WitnessRound:
    return witness_round(log.fetch, log.post, state, OMBUDSMAN, LOG_KEYS, clock=lambda: at)


def test_first_round_cosigns_and_saves_the_state(tmp_path: Path) -> None:
    log, state = log_of(4), tmp_path / "state"
    outcome = run(log, state)
    assert outcome.to_dict() == {
        "tree_size": 4,
        "root": outcome.checkpoint.checkpoint.root_hash.hex(),
        "previous_size": None,
        "first_use": True,
        "behind": False,
        "cosigned": True,
        "timestamp": T,
    }
    cosigned = log.cosigned(4)
    assert verified_signatures(parse_note(cosigned), [OMBUDSMAN.verifier])[0].timestamp == T
    assert state.read_text() == log.posted[-1]


def test_growth_is_cosigned_after_a_verified_consistency_proof(tmp_path: Path) -> None:
    log, state = log_of(4), tmp_path / "state"
    run(log, state)
    log.append(A, 3)
    log.publish()
    outcome = run(log, state, T + 60)
    assert outcome.previous is not None
    assert (outcome.previous.tree_size, outcome.cosigned_at) == (4, T + 60)
    assert "\n7\n" in state.read_text()


def test_nothing_new_is_not_cosigned_again(tmp_path: Path) -> None:
    log, state = log_of(4), tmp_path / "state"
    run(log, state)
    posted = len(log.posted)
    assert run(log, state).cosigned_at is None
    assert len(log.posted) == posted


def test_a_split_view_is_never_cosigned(tmp_path: Path) -> None:
    view_a, view_b, state = log_of(4), log_of(4), tmp_path / "state"
    view_a.append(A)
    view_b.append(B)
    for view in (view_a, view_b):
        view.publish()
    run(view_a, state)
    before = state.read_text()
    with pytest.raises(VerificationFailed, match="split view") as raised:
        run(view_b, state)
    assert raised.value.check == 9
    view_b.append(B, 2)
    view_b.publish()
    with pytest.raises(VerificationFailed, match="not consistent with the saved checkpoint"):
        run(view_b, state)
    assert view_b.posted == [] and state.read_text() == before


def test_an_older_view_is_not_cosigned_and_a_rewritten_one_is_refused(tmp_path: Path) -> None:
    log, state = log_of(6), tmp_path / "state"
    run(log, state)
    saved = state.read_text()
    replica = log_of(4)  # a lagging replica: it has the entries, serves an older checkpoint
    for stream in ORDER[4:6]:
        replica.append(stream)
    stale = run(replica, state)
    assert stale.behind and stale.cosigned_at is None and state.read_text() == saved
    rewritten = log_of(3)  # another replica: leaf 3 differs, an older checkpoint
    rewritten.append(B)
    rewritten.publish()
    rewritten.append(A, 2)
    with pytest.raises(VerificationFailed, match="not consistent with the saved checkpoint"):
        run(rewritten, state)
    with pytest.raises(VerificationFailed, match="no trusted log key") as raised:
        witness_round(log.fetch, log.post, tmp_path / "new", OMBUDSMAN, [OMBUDSMAN.verifier])
    assert raised.value.check == 7


def test_refusals_by_the_log_keep_the_state(tmp_path: Path) -> None:
    log, state = log_of(4), tmp_path / "state"
    stranger = WitnessKey.generate("stranger.example/witness")

    def conflict(path: str, body: bytes) -> Response:
        return Response(409, b'{"detail": "inconsistent with size 9"}')

    with pytest.raises(VerificationFailed, match="inconsistent with size 9"):
        witness_round(log.fetch, conflict, state, OMBUDSMAN, LOG_KEYS)
    with pytest.raises(InputUnavailable, match="HTTP 403: unknown witness") as raised:
        witness_round(log.fetch, log.post, state, stranger, LOG_KEYS)
    assert raised.value.status == 403 and not state.exists()
    with pytest.raises(InputUnavailable, match="no checkpoint yet"):
        witness_round(FakeLog().fetch, log.post, state, OMBUDSMAN, LOG_KEYS)


def test_key_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "witness.key"
    write_key_file(path, OMBUDSMAN)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith(f"PRIVATE+KEY+{OMBUDSMAN.name}+")
    assert read_key_file(path).vkey == OMBUDSMAN.vkey
    with pytest.raises(FileExistsError):
        write_key_file(path, OMBUDSMAN)


@pytest.mark.parametrize(
    "text",
    [
        "PRIVATE+KEY+w+00000000+" + "A" * 44,
        "PUBLIC+KEY+w",
        "PRIVATE+KEY+w+deadbeef+notbase64",
    ],
    ids=["wrong-key-id-or-type", "not-a-private-key", "bad-base64"],
)
def test_bad_key_files_are_malformed(text: str) -> None:
    with pytest.raises(MalformedInput, match="witness key"):
        WitnessKey.parse(text)


def test_a_key_name_may_not_hold_spaces_or_plus() -> None:
    with pytest.raises(MalformedInput, match="witness name"):
        WitnessKey.generate("bad name")
