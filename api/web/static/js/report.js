// Verifies a report's evidence, as the page received it, against the log keys pinned in it.
// Every check is recomputed here; the server's claims (entry hashes, links) are only compared.
//   1. the pinned keys parse (log keys are named after the log's origin);
//   2. the checkpoint note carries a valid Ed25519 signature by a pinned log key;
//   3. per entry, in version order: its bytes are re-encoded from its fields and hashed
//      (SHA-256(0x00 || bytes)); the hash equals the recorded one; the entry belongs to the
//      report with the next version; its previous-hash field links to the hash just computed
//      for the entry before it (zeros for version 1); its inclusion proof leads from that hash
//      to the checkpoint's root (RFC 9162);
//   4. the tlog-proof (receipt pages): its entry bytes hash to a leaf whose inclusion proof
//      leads to the same checkpoint's root, and they are the bytes of that version above.
// The result lists each check with a message key and its facts; nothing here throws.
import { VerificationError, equal, fromBase64, fromHex, toHex } from "./bytes.js";
import { decodeEntry, encodeEntry } from "./entry.js";
import { leafHash, verifyInclusion } from "./merkle.js";
import { parseVkey, verifyCheckpoint } from "./note.js";
import { parseTlogProof } from "./tlogproof.js";

const ZERO = new Uint8Array(32);
const shortType = (topic) => String(topic || "?").split(/[.:]/).pop();

/** Why a check failed, in the verifier's own words (kept in English, like lapor-verify). */
const detail = (error) => (error instanceof VerificationError ? error.message : String(error));

function entryFields(e, origin) {
  return {
    origin,
    leafIndex: BigInt(e.leaf_index),
    streamId: e.stream_id,
    streamVersion: BigInt(e.stream_version),
    eventType: e.event_type,
    recordedAtUs: BigInt(e.recorded_at_us),
    prevHash: fromHex(e.prev_hash || "", "prev_hash"),
    payload: e.payload == null ? null : fromBase64(e.payload, "payload"),
  };
}

/** One entry: [message key, hash computed from its bytes or null]. */
async function checkEntry(e, expected, previous, checkpoint, evidence) {
  if (e.stream_id !== evidence.report_id) return ["entry_other_report", null];
  if (e.stream_version !== expected) return ["entry_missing", null];
  const leaf = await leafHash(encodeEntry(entryFields(e, evidence.origin)));
  if (toHex(leaf) !== e.entry_hash) return ["entry_altered", leaf];
  if (!equal(fromHex(e.prev_hash), previous)) return ["chain_broken", leaf];
  const proof = e.inclusion.map((h, n) => fromBase64(h, `inclusion hash ${n}`));
  await verifyInclusion(BigInt(e.leaf_index), checkpoint.size, leaf, proof, checkpoint.root);
  return ["entry_ok", leaf];
}

async function checkReceipt(text, checkpoint, evidence, leaves) {
  const receipt = parseTlogProof(text);
  if (!receipt.extra) return ["receipt_no_entry", {}];
  const entry = decodeEntry(receipt.extra);
  const facts = { version: Number(entry.streamVersion), leaf: String(receipt.index) };
  const mismatch = entry.streamId !== evidence.report_id || entry.origin !== evidence.origin ||
    entry.leafIndex !== receipt.index;
  if (mismatch) return ["receipt_other_entry", facts];
  const leaf = await leafHash(receipt.extra);
  await verifyInclusion(receipt.index, checkpoint.size, leaf, receipt.proof, checkpoint.root);
  const same = leaves.get(facts.version);
  if (same && !equal(same, leaf)) return ["receipt_other_entry", facts];
  return ["receipt_ok", facts];
}

export async function verifyEvidence(evidence) {
  const checks = [];
  const add = (ok, key, facts = {}) => checks.push({ ok, key, facts });
  let checkpoint;
  try {
    const logKeys = await Promise.all(evidence.log_vkeys.map(parseVkey));
    const witnessKeys = await Promise.all(evidence.witness_vkeys.map(parseVkey));
    const note = evidence.checkpoint ?? parseTlogProof(evidence.tlog_proof).note;
    checkpoint = await verifyCheckpoint(note, logKeys, witnessKeys, evidence.origin);
    add(true, "checkpoint_ok", {
      size: String(checkpoint.size), witnesses: checkpoint.witnesses,
      quorum: evidence.witness_quorum, root: toHex(checkpoint.root).slice(0, 16),
    });
  } catch (error) {
    add(false, "checkpoint_bad", { detail: detail(error) });
    return { ok: false, checks, failed: [] };
  }
  const failed = [];
  const leaves = new Map();
  let previous = ZERO;
  let expected = 1;
  const entries = [...evidence.entries].sort((a, b) => a.stream_version - b.stream_version);
  for (const e of entries) {
    const facts = { version: e.stream_version, event: shortType(e.event_type), leaf: e.leaf_index };
    let key;
    let leaf = null;
    try {
      [key, leaf] = await checkEntry(e, expected, previous, checkpoint, evidence);
    } catch (error) {
      [key, facts.detail] = ["entry_not_included", detail(error)];
    }
    if (key === "entry_missing") facts.expected = expected;
    add(key === "entry_ok", key, facts);
    if (key !== "entry_ok") failed.push(facts);
    if (leaf) leaves.set(e.stream_version, leaf);
    // go on from the recorded hash, so that one altered entry does not hide the next ones
    previous = e.entry_hash ? fromHex(e.entry_hash) : ZERO;
    expected = e.stream_version + 1;
  }
  if (!entries.length) add(false, "no_entries");
  if (evidence.tlog_proof) {
    try {
      const [key, facts] = await checkReceipt(evidence.tlog_proof, checkpoint, evidence, leaves);
      add(key === "receipt_ok", key, facts);
    } catch (error) {
      add(false, "receipt_bad", { detail: detail(error) });
    }
  }
  if (evidence.pending) add(true, "pending", { count: evidence.pending });
  return { ok: checks.every((c) => c.ok) && entries.length > 0, checks, failed };
}
