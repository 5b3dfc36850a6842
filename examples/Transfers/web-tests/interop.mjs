// Runs the page's own protocol module (../web/js/protocol.js, with the pinned @hpke packages) as a
// line-oriented peer for the C# interop test (tests/Citrine.Transfers.Tests/Web/HpkeInteropTests.cs):
// one JSON command per stdin line, one JSON answer per stdout line.
import { createInterface } from "node:readline";
import * as p from "../web/js/protocol.js";

const keys = new Map();

async function run(c) {
  switch (c.op) {
    case "encode": {
      const plaintext =
        c.kind === "transfer" ? p.encodeTransfer(c.to, BigInt(c.amount))
        : c.kind === "withdraw" ? p.encodeWithdraw(BigInt(c.amount))
        : p.encodeBalance(p.hexToBytes(c.key, 32));
      return { plaintext: p.bytesToHex(plaintext) };
    }
    case "seal_request": {
      const args = { encryptionKey: c.encryption_key, chainId: c.chain_id, contract: c.contract, sender: c.sender, sessionId: BigInt(c.session_id), kind: c.kind };
      const sealed = await p.sealRequest({ ...args, plaintext: p.hexToBytes(c.plaintext) });
      return { enc: p.bytesToHex(sealed.enc), ciphertext: p.bytesToHex(sealed.ciphertext), aad: p.bytesToHex(p.requestAad(args)) };
    }
    case "keygen": {
      const { keyPair, publicKey } = await p.newResponseKey();
      const id = String(keys.size + 1);
      keys.set(id, keyPair);
      return { id, public_key: p.bytesToHex(publicKey) };
    }
    case "open_report": {
      const report = await p.openBalanceReport({
        keyPair: keys.get(c.id), payload: p.base64ToBytes(c.payload), chainId: c.chain_id, contract: c.contract,
        sessionId: BigInt(c.session_id), seq: BigInt(c.seq), owner: c.owner,
      });
      return {
        balance: report.balance.toString(),
        history: report.history.map((e) => ({ seq: e.seq.toString(), kind: e.kind, counterparty: e.counterparty, amount: e.amount.toString(), direction: e.direction })),
      };
    }
    default:
      throw new Error(`unknown op ${c.op}`);
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    answer = await run(JSON.parse(line));
  } catch (e) {
    answer = { error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
