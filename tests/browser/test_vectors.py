"""The pages' verification code agrees with lapor-verify (verify/) on every shared vector.

RFC 6962 inclusion and consistency vectors (../shared/vectors/rfc6962, from
transparency-dev/merkle), the C2SP signed-note examples and the project's own entry-format
vectors run through the JavaScript modules in Chromium, and each outcome is compared with
the vector's `wantErr` and with the Python verifier's. Missing shared vectors fail under
CI=true and are skipped elsewhere.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.support import Site
from tests.e2e.servers import ROOT
from verify.errors import VerificationError
from verify.merkle import verify_consistency, verify_inclusion
from verify.note import parse_vkey, verify_note

SHARED = ROOT.parent / "shared" / "vectors"
ENTRIES = ROOT / "tests" / "vectors" / "entries.json"

# Runs each case through the page's modules; a throw of any kind counts as "error".
RUN = """async ({kind, cases}) => {
  const js = (name) => import(`/assets/js/${name}.js`);
  const [merkle, note, entry, bytes] = await Promise.all(
    ["merkle", "note", "entry", "bytes"].map(js));
  const raw = (b64) => Uint8Array.from(atob(b64 || ""), (c) => c.charCodeAt(0));
  const proof = (list) => (list || []).map(raw);
  const one = {
    inclusion: (v) => merkle.verifyInclusion(BigInt(v.leafIdx), BigInt(v.treeSize),
      raw(v.leafHash), proof(v.proof), raw(v.root)),
    consistency: (v) => merkle.verifyConsistency(BigInt(v.size1), BigInt(v.size2),
      proof(v.proof), raw(v.root1), raw(v.root2)),
    note: async (v) => note.verifyNote(v.note, [await note.parseVkey(v.vkey)]),
    entry: async (v) => {
      const f = v.fields;
      const encoded = entry.encodeEntry({origin: f.origin, leafIndex: BigInt(f.leaf_index),
        streamId: f.stream_id, streamVersion: BigInt(f.stream_version), eventType: f.event_type,
        recordedAtUs: BigInt(f.recorded_at_us), prevHash: bytes.fromHex(f.prev_hash),
        payload: raw(f.payload)});
      const decoded = entry.decodeEntry(encoded);
      const hash = bytes.toHex(await merkle.leafHash(encoded));
      return [bytes.toHex(encoded), hash, decoded.streamId, String(decoded.recordedAtUs)];
    },
  }[kind];
  const out = [];
  for (const v of cases) {
    try { out.push({error: null, value: await one(v)}); }
    catch (e) { out.push({error: String(e && e.message || e), value: null}); }
  }
  return out;
}"""


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _python_fails(kind: str, v: dict[str, Any]) -> bool:
    proof = [_b64(h) for h in v.get("proof") or []]
    try:
        if kind == "inclusion":
            verify_inclusion(
                v["leafIdx"], v["treeSize"], _b64(v["leafHash"]), proof, _b64(v["root"])
            )
        elif kind == "consistency":
            verify_consistency(v["size1"], v["size2"], proof, _b64(v["root1"]), _b64(v["root2"]))
        else:
            verify_note(v["note"], [parse_vkey(v["vkey"])])
    except VerificationError:
        return True
    return False


def _shared(folder: str) -> list[dict[str, Any]]:
    files = sorted((SHARED / folder).rglob("*.json"))
    if not files:
        message = f"shared test vectors not found: expected them at {SHARED / folder}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: the vectors must be present)")
        pytest.skip(message)
    cases = []
    for path in files:
        vector = json.loads(path.read_text())
        vector["id"] = f"{path.relative_to(SHARED / folder).parent.as_posix()}/{vector['desc']}"
        cases.append(vector)
    return cases


def _as_strings(vector: dict[str, Any]) -> dict[str, Any]:
    """Integers as text: JavaScript numbers lose 2^64-1, BigInt does not."""
    return {
        k: str(v) if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in vector.items()
    }


def _run(page: Page, site: Site, kind: str, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    page.goto(f"{site.base}/")
    results: list[dict[str, Any]] = page.evaluate(
        RUN, {"kind": kind, "cases": [_as_strings(c) for c in cases]}
    )
    return results


@pytest.mark.parametrize("kind", ["inclusion", "consistency"])
def test_merkle_vectors_agree_with_lapor_verify(page: Page, site: Site, kind: str) -> None:
    cases = _shared(f"rfc6962/{kind}")
    results = _run(page, site, kind, cases)
    disagree = [
        (case["id"], case["wantErr"], result["error"])
        for case, result in zip(cases, results, strict=True)
        if (result["error"] is not None) != case["wantErr"]
        or (result["error"] is not None) != _python_fails(kind, case)
    ]
    assert len(cases) > 10
    assert not disagree, disagree


def test_signed_note_vectors_agree_with_lapor_verify(page: Page, site: Site) -> None:
    path = SHARED / "signed-note" / "examples.json"
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared vectors missing at {path} (CI=true)")
        pytest.skip(f"shared vectors missing at {path}")
    cases = json.loads(path.read_text())["vectors"]
    results = _run(page, site, "note", cases)
    for case, result in zip(cases, results, strict=True):
        assert (result["error"] is not None) == case["want_err"], (case["desc"], result)
        assert (result["error"] is not None) == _python_fails("note", case), case["desc"]


def test_entry_vectors_encode_and_hash_like_the_ledger(page: Page, site: Site) -> None:
    cases = json.loads(ENTRIES.read_text())["vectors"]
    results = _run(page, site, "entry", [{**c, "fields": _as_strings(c["fields"])} for c in cases])
    for case, result in zip(cases, results, strict=True):
        assert (result["error"] is not None) == case["want_err"], (case["desc"], result)
        if case["want_err"]:
            continue
        encoded, hashed, stream_id, recorded = result["value"]
        assert encoded == case["entry_bytes"], case["desc"]
        assert hashed == case["entry_hash"], case["desc"]
        assert stream_id == case["fields"]["stream_id"]
        assert recorded == str(case["fields"]["recorded_at_us"])
