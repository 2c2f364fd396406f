// Ledger entry format version 1 (docs/ledger-format.md), as verify/entry.py: the bytes every
// entry hash covers. 0x01; origin (u16 length + UTF-8); leaf index (u64); stream id (16 bytes);
// stream version (u64); event type (u16 length + UTF-8); recorded at, microseconds (i64);
// previous entry hash (32 bytes); payload (u32 length + bytes). Big-endian throughout.
import { MalformedInput, concat, utf8 } from "./bytes.js";

const FORMAT_VERSION = 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function integer(size, write, value, name) {
  const out = new Uint8Array(size);
  try {
    write(new DataView(out.buffer), BigInt(value));
  } catch {
    throw new MalformedInput(`${name} ${value} does not fit in ${size * 8} bits`);
  }
  return out;
}

const u16 = (v, name) => {
  if (v > 0xffff) throw new MalformedInput(`${name} ${v} does not fit in 16 bits`);
  return Uint8Array.of(v >> 8, v & 0xff);
};
const u32 = (v) => integer(4, (d, x) => d.setUint32(0, Number(x)), v, "payload length");
const u64 = (v, name) => {
  if (BigInt(v) < 0n || BigInt(v) >= 1n << 64n) throw new MalformedInput(`${name} ${v} out of range`);
  return integer(8, (d, x) => d.setBigUint64(0, x), v, name);
};
const i64 = (v, name) => {
  if (BigInt(v) < -(1n << 63n) || BigInt(v) >= 1n << 63n) throw new MalformedInput(`${name} ${v}`);
  return integer(8, (d, x) => d.setBigInt64(0, x), v, name);
};
const text = (value, name) => {
  const raw = utf8.encode(value);
  return concat(u16(raw.length, `${name} length`), raw);
};

/** A report id (UUID text) as its 16 bytes, RFC 9562 order. */
export function uuidBytes(id) {
  if (typeof id !== "string" || !UUID.test(id)) throw new MalformedInput(`not a UUID: ${id}`);
  return Uint8Array.from(id.replaceAll("-", "").match(/../g), (h) => parseInt(h, 16));
}

export function uuidText(bytes) {
  const h = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The version 1 bytes of an entry: {origin, leafIndex, streamId, streamVersion, eventType,
 *  recordedAtUs, prevHash (32 bytes), payload (bytes)}; integers as BigInt or number. */
export function encodeEntry(f) {
  if (!(f.prevHash instanceof Uint8Array) || f.prevHash.length !== 32) {
    throw new MalformedInput("prev_hash must be 32 bytes");
  }
  if (typeof f.eventType !== "string" || !(f.payload instanceof Uint8Array)) {
    throw new MalformedInput("the stored event is missing (no event type or payload)");
  }
  return concat(
    Uint8Array.of(FORMAT_VERSION),
    text(f.origin, "origin"),
    u64(f.leafIndex, "leaf index"),
    uuidBytes(f.streamId),
    u64(f.streamVersion, "stream version"),
    text(f.eventType, "event type"),
    i64(f.recordedAtUs, "recorded_at_us"),
    f.prevHash,
    u32(f.payload.length),
    f.payload,
  );
}

/** Parse version 1 entry bytes back into their fields; refuses trailing bytes. */
export function decodeEntry(bytes) {
  let offset = 0;
  const take = (n) => {
    if (offset + n > bytes.length) throw new MalformedInput(`entry truncated at byte ${offset}`);
    offset += n;
    return bytes.slice(offset - n, offset);
  };
  const view = (n) => new DataView(take(n).buffer);
  const readText = () => new TextDecoder("utf-8", { fatal: true }).decode(take(view(2).getUint16(0)));
  if (take(1)[0] !== FORMAT_VERSION) throw new MalformedInput("entry format version is not 1");
  const fields = {
    origin: readText(),
    leafIndex: view(8).getBigUint64(0),
    streamId: uuidText(take(16)),
    streamVersion: view(8).getBigUint64(0),
    eventType: readText(),
    recordedAtUs: view(8).getBigInt64(0),
    prevHash: take(32),
  };
  fields.payload = take(view(4).getUint32(0));
  if (offset !== bytes.length) throw new MalformedInput("bytes after the end of the entry");
  return fields;
}
