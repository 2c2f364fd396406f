// RFC 6962 / RFC 9162 Merkle proofs, step for step as verify/merkle.py (and
// transparency-dev/merkle proof/verify.go): leaf and node hashes (section 2.1.1), inclusion
// (2.1.3.2) and consistency (2.1.4.2). Sizes and indexes are BigInt: a tree may hold 2^64
// leaves, more than a JavaScript number counts exactly. A proof of the wrong shape is
// MalformedInput; a proof that leads to another root is VerificationFailed.
import { MalformedInput, VerificationFailed, concat, equal, sha256, toHex } from "./bytes.js";

const HASH_SIZE = 32;
const MAX_SIZE = (1n << 64n) - 1n;

export const leafHash = (data) => sha256(concat(Uint8Array.of(0), data));
export const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));
export const emptyRoot = () => sha256(new Uint8Array(0));

function checkSize(name, value) {
  if (typeof value !== "bigint" || value < 0n || value > MAX_SIZE) {
    throw new MalformedInput(`${name} must be an integer from 0 to 2^64-1, got ${value}`);
  }
}

function checkHash(name, value) {
  if (!(value instanceof Uint8Array) || value.length !== HASH_SIZE) {
    throw new MalformedInput(`${name} must be ${HASH_SIZE} bytes, got ${value && value.length}`);
  }
}

const checkProof = (proof) => proof.forEach((node, i) => checkHash(`proof hash ${i}`, node));
const bitLength = (x) => (x === 0n ? 0 : x.toString(2).length);
const popCount = (x) => [...x.toString(2)].filter((bit) => bit === "1").length;
const trailingZeros = (x) => bitLength(x & -x) - 1;
const bit = (x, level) => (x >> BigInt(level)) & 1n;

/** Where the paths to `index` and to `size - 1` part: [inner length, border length]. */
function decompose(index, size) {
  const inner = bitLength(index ^ (size - 1n));
  return [inner, popCount(index >> BigInt(inner))];
}

async function chainInner(seed, proof, index) {
  for (const [level, sibling] of proof.entries()) {
    seed = bit(index, level) === 0n ? await nodeHash(seed, sibling) : await nodeHash(sibling, seed);
  }
  return seed;
}

// Like chainInner, but only left siblings: the subtree as it was at the smaller size.
async function chainInnerRight(seed, proof, index) {
  for (const [level, sibling] of proof.entries()) {
    if (bit(index, level) === 1n) seed = await nodeHash(sibling, seed);
  }
  return seed;
}

async function chainBorderRight(seed, proof) {
  for (const sibling of proof) seed = await nodeHash(sibling, seed);
  return seed;
}

function checkMatch(what, expected, calculated) {
  if (!equal(expected, calculated)) {
    throw new VerificationFailed(`${what}: expected ${toHex(expected)}, got ${toHex(calculated)}`);
  }
}

/** The root an inclusion proof of leaf `leafIndex` implies (RFC 9162 2.1.3.2). */
export async function rootFromInclusionProof(leafIndex, treeSize, leaf, proof) {
  checkSize("tree size", treeSize);
  checkSize("leaf index", leafIndex);
  if (leafIndex >= treeSize) {
    throw new MalformedInput(`leaf index ${leafIndex} is beyond the tree size ${treeSize}`);
  }
  checkHash("leaf hash", leaf);
  checkProof(proof);
  const [inner, border] = decompose(leafIndex, treeSize);
  if (proof.length !== inner + border) {
    throw new MalformedInput(
      `inclusion proof for leaf ${leafIndex} in a tree of size ${treeSize}: ` +
        `expected ${inner + border} hashes, got ${proof.length}`,
    );
  }
  const node = await chainInner(leaf, proof.slice(0, inner), leafIndex);
  return chainBorderRight(node, proof.slice(inner));
}

export async function verifyInclusion(leafIndex, treeSize, leaf, proof, root) {
  const calculated = await rootFromInclusionProof(leafIndex, treeSize, leaf, proof);
  checkMatch(`inclusion of leaf ${leafIndex} in tree of size ${treeSize}`, root, calculated);
}

/** Check a consistency proof against `root1`; return the size2 root (RFC 9162 2.1.4.2). */
export async function rootFromConsistencyProof(size1, size2, proof, root1) {
  checkSize("size1", size1);
  checkSize("size2", size2);
  checkProof(proof);
  if (size2 < size1) {
    throw new VerificationFailed(`tree size went back from ${size1} to ${size2}`);
  }
  if (size1 === size2) {
    if (proof.length) throw new MalformedInput(`sizes are equal but the proof has hashes`);
    if (size1 === 0n) checkMatch("empty tree", await emptyRoot(), root1);
    return root1;
  }
  if (size1 === 0n) throw new MalformedInput("a consistency proof from the empty tree");
  if (!proof.length) throw new MalformedInput(`consistency proof from ${size1} is empty`);
  let [inner, border] = decompose(size1 - 1n, size2);
  const shift = trailingZeros(size1);
  inner -= shift; // the proof starts at the largest perfect subtree ending at size1
  const [seed, start] = size1 === 1n << BigInt(shift) ? [root1, 0] : [proof[0], 1];
  if (proof.length !== start + inner + border) {
    throw new MalformedInput(
      `consistency proof from size ${size1} to ${size2}: ` +
        `expected ${start + inner + border} hashes, got ${proof.length}`,
    );
  }
  const path = proof.slice(start);
  const mask = (size1 - 1n) >> BigInt(shift);
  const left = await chainInnerRight(seed, path.slice(0, inner), mask);
  checkMatch(`consistency from ${size1} to ${size2}, root of size1`, root1,
    await chainBorderRight(left, path.slice(inner)));
  const right = await chainInner(seed, path.slice(0, inner), mask);
  return chainBorderRight(right, path.slice(inner));
}

export async function verifyConsistency(size1, size2, proof, root1, root2) {
  const calculated = await rootFromConsistencyProof(size1, size2, proof, root1);
  checkMatch(`consistency from ${size1} to ${size2}, root of size2`, root2, calculated);
}
