// Signed notes (c2sp.org/signed-note), checkpoints (c2sp.org/tlog-checkpoint) and witness
// cosignatures (c2sp.org/tlog-cosignature), verified with WebCrypto Ed25519, as verify/note.py
// and verify/checkpoint.py do: signatures by unknown keys are ignored, a failing signature of a
// trusted key rejects the note, and a note without a trusted signature is rejected.
import {
  MalformedInput, VerificationFailed, concat, fromBase64, sha256, toHex, utf8,
} from "./bytes.js";

export const ED25519 = 0x01;
export const COSIGNATURE_V1 = 0x04;
const SIGNATURE_SIZE = { [ED25519]: 64, [COSIGNATURE_V1]: 8 + 64 };
const DASH = "\u2014 ";
const KEY_NAME = /^[^\s+]+$/;

/** Key id: SHA-256(name || 0x0A || type || public key)[:4]. */
export async function keyId(name, type, publicKey) {
  const digest = await sha256(concat(utf8.encode(name), Uint8Array.of(0x0a, type), publicKey));
  return digest.slice(0, 4);
}

/** A verifier key "<name>+<hex key id>+<base64(type || key)>", its id checked. */
export async function parseVkey(vkey) {
  const text = vkey.trim();
  const first = text.indexOf("+");
  const second = text.indexOf("+", first + 1); // the base64 key may itself contain "+"
  const [name, hexId, encoded] = [text.slice(0, first), text.slice(first + 1, second),
    text.slice(second + 1)];
  if (first < 0 || second < 0 || !KEY_NAME.test(name) || !/^[0-9a-f]{8}$/.test(hexId)) {
    throw new MalformedInput(`verifier key ${vkey} is not <name>+<8 hex digits>+<base64 key>`);
  }
  const material = fromBase64(encoded, `verifier key ${name}`);
  if (material.length !== 33 || !(material[0] in SIGNATURE_SIZE)) {
    throw new MalformedInput(`verifier key ${name}: expected type 0x01 or 0x04 and 32 bytes`);
  }
  const key = { name, id: hexId, type: material[0], publicKey: material.slice(1) };
  if (toHex(await keyId(name, key.type, key.publicKey)) !== hexId) {
    throw new MalformedInput(`verifier key ${name}: key id does not match the key`);
  }
  return key;
}

/** Split a note into its text (with the final newline) and its signature lines. */
export function parseNote(data) {
  if (/[\x00-\x09\x0b-\x1f]/.test(data)) {
    throw new MalformedInput("note contains a control character other than newline");
  }
  const split = data.lastIndexOf("\n\n");
  if (split < 0 || !data.endsWith("\n")) {
    throw new MalformedInput("note has no blank line before its signatures or no final newline");
  }
  const signatures = data.slice(split + 2, -1).split("\n").map((line) => {
    const fields = line.startsWith(DASH) ? line.slice(DASH.length).split(" ") : [];
    if (fields.length !== 2 || !KEY_NAME.test(fields[0])) {
      throw new MalformedInput(`signature line ${line} is not '\u2014 <name> <base64>'`);
    }
    const raw = fromBase64(fields[1], `signature by ${fields[0]}`);
    if (raw.length < 5) throw new MalformedInput(`signature by ${fields[0]} is too short`);
    return { name: fields[0], id: toHex(raw.slice(0, 4)), signature: raw.slice(4) };
  });
  return { text: data.slice(0, split + 1), signatures };
}

async function ed25519(publicKey, signature, message) {
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false,
    ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
}

/** Verify one signature line under its trusted key; returns the cosignature time, if any. */
async function verifyOne(text, sig, key) {
  const who = `signature by ${key.name} (key id ${key.id})`;
  if (sig.signature.length !== SIGNATURE_SIZE[key.type]) {
    throw new VerificationFailed(`${who}: expected ${SIGNATURE_SIZE[key.type]} bytes`);
  }
  let message = utf8.encode(text);
  let raw = sig.signature;
  let timestamp = null;
  if (key.type === COSIGNATURE_V1) {
    timestamp = new DataView(raw.buffer, raw.byteOffset).getBigUint64(0);
    message = concat(utf8.encode(`cosignature/v1\ntime ${timestamp}\n`), message);
    raw = raw.slice(8);
  }
  if (!(await ed25519(key.publicKey, raw, message))) {
    throw new VerificationFailed(`${who} does not verify over the note text`);
  }
  return { name: key.name, type: key.type, timestamp };
}

/** Every trusted signature of the note, verified; raises if none or if one fails. */
export async function verifyNote(data, keys) {
  const note = parseNote(data);
  const verified = [];
  for (const sig of note.signatures) {
    const key = keys.find((k) => k.name === sig.name && k.id === sig.id);
    if (key) verified.push(await verifyOne(note.text, sig, key));
  }
  if (!verified.length) {
    const names = [...new Set(keys.map((k) => k.name))].join(", ") || "none";
    throw new VerificationFailed(`note has no signature by a trusted key (trusted: ${names})`);
  }
  return { text: note.text, signatures: verified };
}

/** Checkpoint text: origin, tree size (decimal, no leading zeroes), base64 root hash. */
export function parseCheckpoint(text) {
  const lines = text.slice(0, -1).split("\n");
  if (!text.endsWith("\n") || lines.length < 3 || !lines.every(Boolean)) {
    throw new MalformedInput("checkpoint text must be at least three non-empty lines");
  }
  const [origin, size, root] = lines;
  if (!/^(0|[1-9][0-9]{0,19})$/.test(size) || BigInt(size) >= 1n << 64n) {
    throw new MalformedInput(`checkpoint tree size ${size} is not a decimal below 2^64`);
  }
  const rootHash = fromBase64(root, "checkpoint root hash");
  if (rootHash.length !== 32) throw new MalformedInput("checkpoint root hash is not 32 bytes");
  return { origin, size: BigInt(size), root: rootHash };
}

/** A checkpoint signed by a pinned log key (key name = origin), with its witnesses counted. */
export async function verifyCheckpoint(note, logKeys, witnessKeys, origin) {
  const trusted = logKeys.filter((k) => k.name === origin && k.type === ED25519);
  const signed = await verifyNote(note, trusted);
  const checkpoint = parseCheckpoint(signed.text);
  if (checkpoint.origin !== origin) {
    throw new VerificationFailed(`checkpoint origin expected ${origin}, got ${checkpoint.origin}`);
  }
  const parsed = parseNote(note);
  let witnesses = 0;
  for (const key of witnessKeys.filter((k) => k.type === COSIGNATURE_V1)) {
    const sig = parsed.signatures.find((s) => s.name === key.name && s.id === key.id);
    if (sig) {
      await verifyOne(parsed.text, sig, key);
      witnesses += 1;
    }
  }
  return { ...checkpoint, witnesses, logSignatures: signed.signatures.length };
}
