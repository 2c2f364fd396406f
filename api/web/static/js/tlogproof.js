// c2sp.org/tlog-proof@v1, as verify/receipt.py parses it: the header line, "extra <base64>"
// (this ledger: the entry bytes), "index <n>", the inclusion proof one base64 hash a line,
// an empty line, then the checkpoint note verbatim.
import { MalformedInput, fromBase64 } from "./bytes.js";

const HEADER = "c2sp.org/tlog-proof@v1";

export function parseTlogProof(data) {
  if (/[\x00-\x09\x0b-\x1f]/.test(data)) {
    throw new MalformedInput("receipt has a control character other than newline");
  }
  const split = data.indexOf("\n\n");
  if (split < 0) throw new MalformedInput("receipt has no empty line before its checkpoint");
  const lines = data.slice(0, split).split("\n");
  if (lines[0] !== HEADER) throw new MalformedInput(`receipt first line expected ${HEADER}`);
  let position = 1;
  let extra = null;
  if (lines.length > 1 && lines[1].startsWith("extra ")) {
    extra = fromBase64(lines[1].slice("extra ".length), "extra");
    position = 2;
  }
  const index = /^index (0|[1-9][0-9]{0,19})$/.exec(lines[position] || "");
  if (!index) throw new MalformedInput("receipt index line expected 'index <decimal>'");
  const proof = lines.slice(position + 1).map((line, n) => {
    const hash = fromBase64(line, `receipt proof hash ${n}`);
    if (hash.length !== 32) throw new MalformedInput(`receipt proof hash ${n} is not 32 bytes`);
    return hash;
  });
  return { extra, index: BigInt(index[1]), proof, note: data.slice(split + 2) };
}
