// The Transfers formats for the browser (docs/transfers.md, docs/execution.md "Requests"): request
// plaintexts, the request AAD, HPKE sealing to the session key and opening of a sealed balance
// report. The one JS implementation: the page imports it, and the C# interop test runs it in node
// against Citrine.Crypto's HPKE, so what the page sends is what the enclave opens.
import { CipherSuite, HkdfSha256 } from "@hpke/core";
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";

export const SUITE_NAME = "x25519-sha256-chacha20poly1305";
export const REQUEST_INFO = "citrine/v1/request";
export const BALANCE_INFO = "citrine/transfers/v1/balance";
export const KINDS = ["deposit", "transfer", "withdraw", "balance"];
export const REFUSAL_REASONS = ["overdraft", "unknown recipient", "malformed", "undecryptable", "zero amount", "overflow", "unsupported_suite"];
const U64_MAX = (1n << 64n) - 1n;
const utf8 = new TextEncoder();

/** RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305. */
export function suite() {
  return new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
}

// ---- bytes ----

export function hexToBytes(hex, length) {
  if (typeof hex !== "string" || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new Error(`not hex: ${hex}`);
  }
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(2 * i, 2), 16);
  if (length !== undefined && bytes.length !== length) throw new Error(`expected ${length} bytes, got ${bytes.length}`);
  return bytes;
}

export function bytesToHex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function bytesToBase64(bytes) {
  let s = "";
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s);
}

export function base64ToBytes(b64) {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u32(n) {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}

function u64(value) {
  const n = BigInt(value);
  if (n < 0n || n > U64_MAX) throw new Error(`${value} is not a u64`);
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, false);
  return b;
}

function lp(bytes) {
  return concat(u32(bytes.length), bytes);
}

/** Parses a decimal amount the user typed into a BigInt in 1..2^64-1 (0 is allowed through: the enclave refuses it as "zero amount"). */
export function parseAmount(text) {
  if (!/^[0-9]{1,20}$/.test(String(text).trim())) throw new Error("an amount is a whole number of tokens");
  const n = BigInt(String(text).trim());
  if (n > U64_MAX) throw new Error("an amount is at most 2^64 - 1");
  return n;
}

// ---- request plaintexts (docs/transfers.md, "Requests") ----

export function encodeTransfer(toHex, amount) {
  return concat(Uint8Array.of(1), hexToBytes(toHex, 20), u64(amount));
}

export function encodeWithdraw(amount) {
  return concat(Uint8Array.of(1), u64(amount));
}

export function encodeBalance(responsePublicKey) {
  const key = new Uint8Array(responsePublicKey);
  if (key.length !== 32) throw new Error("a response key is 32 bytes");
  return concat(Uint8Array.of(1), key);
}

// ---- request AAD and sealing (docs/execution.md, "Requests") ----

/** LP("citrine/v1/request") ‖ LP(chain_id) ‖ LP(contract[20]) ‖ LP(sender[20]) ‖ u64 session_id ‖ LP(kind). */
export function requestAad({ chainId, contract, sender, sessionId, kind }) {
  if (!KINDS.includes(kind)) throw new Error(`unknown kind ${kind}`);
  return concat(
    lp(utf8.encode(REQUEST_INFO)),
    lp(utf8.encode(chainId)),
    lp(hexToBytes(contract, 20)),
    lp(hexToBytes(sender, 20)),
    u64(sessionId),
    lp(utf8.encode(kind)),
  );
}

/** Seals a request plaintext to the session's X25519 encryption key; returns enc (32 bytes) and ciphertext (plaintext + 16-byte tag). */
export async function sealRequest({ encryptionKey, chainId, contract, sender, sessionId, kind, plaintext }) {
  const s = suite();
  const recipientPublicKey = await s.kem.deserializePublicKey(hexToBytes(encryptionKey, 32));
  const aad = requestAad({ chainId, contract, sender, sessionId, kind });
  const sealed = await s.seal({ recipientPublicKey, info: utf8.encode(REQUEST_INFO) }, plaintext, aad);
  return { enc: new Uint8Array(sealed.enc), ciphertext: new Uint8Array(sealed.ct) };
}

// ---- balance report (docs/transfers.md, "Balance report") ----

/** A fresh X25519 key pair for one balance request: { keyPair, publicKey: Uint8Array(32) }. */
export async function newResponseKey() {
  const s = suite();
  const keyPair = await s.kem.generateKeyPair();
  const publicKey = new Uint8Array(await s.kem.serializePublicKey(keyPair.publicKey));
  return { keyPair, publicKey };
}

/** LP(info) ‖ LP(chain_id) ‖ LP(contract[20]) ‖ u64 session_id ‖ u64 seq ‖ LP(owner[20]). */
export function balanceAad({ chainId, contract, sessionId, seq, owner }) {
  return concat(lp(utf8.encode(BALANCE_INFO)), lp(utf8.encode(chainId)), lp(hexToBytes(contract, 20)), u64(sessionId), u64(seq), lp(hexToBytes(owner, 20)));
}

/** Opens the payload (enc[32] ‖ ciphertext) of an ok balance response and decodes the report. */
export async function openBalanceReport({ keyPair, payload, chainId, contract, sessionId, seq, owner }) {
  const bytes = new Uint8Array(payload);
  if (bytes.length < 32 + 16) throw new Error(`a sealed report is at least 48 bytes, got ${bytes.length}`);
  const s = suite();
  const plaintext = await s.open(
    { recipientKey: keyPair, enc: bytes.slice(0, 32), info: utf8.encode(BALANCE_INFO) },
    bytes.slice(32),
    balanceAad({ chainId, contract, sessionId, seq, owner }),
  );
  return decodeBalanceReport(new Uint8Array(plaintext));
}

const HISTORY_KINDS = { 1: "deposit", 2: "transfer", 3: "withdraw" };
const DIRECTIONS = { 1: "+", 2: "-" };

/** u8 version = 1 ‖ u64 balance ‖ u32 n ‖ n × (u64 seq ‖ u8 kind ‖ [20] counterparty ‖ u64 amount ‖ u8 direction). */
export function decodeBalanceReport(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 13 || bytes[0] !== 1) throw new Error("not a version 1 balance report");
  const balance = view.getBigUint64(1, false);
  const n = view.getUint32(9, false);
  if (n > 64 || bytes.length !== 13 + n * 38) throw new Error(`a report with ${n} entries is ${13 + n * 38} bytes, got ${bytes.length}`);
  const history = [];
  for (let i = 0; i < n; i++) {
    const at = 13 + i * 38;
    const kind = HISTORY_KINDS[bytes[at + 8]];
    const direction = DIRECTIONS[bytes[at + 37]];
    if (!kind || !direction) throw new Error(`entry ${i}: bad kind or direction`);
    history.push({
      seq: view.getBigUint64(at, false),
      kind,
      counterparty: bytesToHex(bytes.slice(at + 9, at + 29)),
      amount: view.getBigUint64(at + 29, false),
      direction,
    });
  }
  return { balance, history };
}
