// Bytes for the verifier: strict base64 and hex, concatenation, comparison and SHA-256.
// Every decoder refuses what the Python verifier (verify/) refuses: non-canonical base64,
// odd or upper-case hex. Errors are MalformedInput, never a silent "false".

/** The one error family: malformed input differs from input that fails a check. */
export class VerificationError extends Error {}
export class MalformedInput extends VerificationError {}
export class VerificationFailed extends VerificationError {}

export const utf8 = new TextEncoder();

/** Standard, canonical base64 to bytes (what Python's b64decode(validate=True) accepts). */
export function fromBase64(text, what = "base64") {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4) {
    throw new MalformedInput(`${what}: not standard base64`);
  }
  const binary = atob(text);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  if (toBase64(bytes) !== text) throw new MalformedInput(`${what}: not canonical base64`);
  return bytes;
}

export function toBase64(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Lower-case hex, as the ledger writes hashes. */
export function fromHex(text, what = "hex") {
  if (typeof text !== "string" || !/^([0-9a-f]{2})*$/.test(text)) {
    throw new MalformedInput(`${what}: not lower-case hex`);
  }
  return Uint8Array.from(text.match(/../g) || [], (pair) => parseInt(pair, 16));
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function equal(a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** SHA-256 through WebCrypto (needs a secure context: https, or http on a loopback host). */
export async function sha256(bytes) {
  if (!globalThis.crypto || !crypto.subtle) {
    throw new VerificationError("WebCrypto is not available: open the page over https");
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}
