// Drives a Citrine devnet through @cosmjs/tendermint-rpc's Comet38Client, whose decoders check
// field names and types strictly, and prints one JSON report line. Exits 1 on any failure.
//
// Usage: node check.mjs <http-url> <ws-url> < fixture.json
// The fixture (written by the C# test) carries pre-signed bank sends as hex:
//   { "chainId", "recipient", "storePath", "storeKeyHex", "txSync", "txAsync", "txCommit", "txWs" }
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { readFileSync } from "node:fs";

const [httpUrl, wsUrl] = process.argv.slice(2);
if (!httpUrl || !wsUrl) {
  console.error("usage: node check.mjs <http-url> <ws-url> < fixture.json");
  process.exit(2);
}
const fixture = JSON.parse(readFileSync(0, "utf8"));
const fromHex = (hex) => Uint8Array.from(Buffer.from(hex, "hex"));
const toHex = (bytes) => Buffer.from(bytes).toString("hex").toUpperCase();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const passed = [];
const failed = [];
const facts = {};

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function check(name, body) {
  try {
    await body();
    passed.push(name);
  } catch (error) {
    failed.push({ method: name, error: String(error?.message ?? error), cause: error?.cause ? JSON.stringify(error.cause).slice(0, 400) : undefined });
  }
}

function within(ms, promise, what) {
  return Promise.race([promise, sleep(ms).then(() => { throw new Error(`timed out after ${ms} ms waiting for ${what}`); })]);
}

function firstEvent(stream, what) {
  return new Promise((resolve, reject) => {
    const subscription = stream.subscribe({
      next: (event) => { subscription.unsubscribe(); resolve(event); },
      error: (error) => reject(error),
      complete: () => reject(new Error(`${what} stream completed without an event`)),
    });
  });
}

async function waitForTx(client, hash) {
  for (let i = 0; i < 100; i++) {
    try {
      return await client.tx({ hash, prove: true });
    } catch (error) {
      if (!String(error?.message).includes("not found")) throw error;
    }
    await sleep(100);
  }
  throw new Error(`tx ${toHex(hash)} was not committed`);
}

const client = await Comet38Client.connect(httpUrl);
let latest = 0;

await check("status", async () => {
  const status = await client.status();
  assert(status.nodeInfo.network === fixture.chainId, `network ${status.nodeInfo.network}`);
  assert(status.syncInfo.latestBlockHeight >= 1, "no blocks");
  latest = status.syncInfo.latestBlockHeight;
  facts.latestBlockHeight = latest;
});
await check("health", async () => {
  assert((await client.health()) === null, "health");
});
await check("genesis", async () => {
  const genesis = await client.genesis();
  assert(genesis.chainId === fixture.chainId, `chain id ${genesis.chainId}`);
  assert(genesis.validators.length >= 1, "no genesis validators");
});
await check("block", async () => {
  const first = await client.block(1);
  assert(first.block.header.height === 1 && first.block.lastCommit === null, "block 1");
  const tip = await client.block();
  assert(tip.block.header.height >= 1 && tip.blockId.hash.length === 32, "latest block");
  assert(tip.block.header.chainId === fixture.chainId, "chain id in header");
});
await check("blockResults", async () => {
  const results = await client.blockResults(1);
  assert(results.height === 1 && Array.isArray(results.results), "block_results 1");
});
await check("blockchain", async () => {
  const chain = await client.blockchain(1, latest);
  assert(chain.lastHeight >= latest && chain.blockMetas.length >= 1, "blockchain");
  assert(chain.blockMetas[0].header.height >= chain.blockMetas.at(-1).header.height, "block metas newest first");
});
await check("commit", async () => {
  const commit = await client.commit(1);
  assert(commit.header.height === 1 && commit.commit.signatures.length >= 1, "commit 1");
});
await check("validators", async () => {
  const validators = await client.validators({ height: 1 });
  assert(validators.total >= 1 && validators.validators[0].pubkey.algorithm === "ed25519", "validators");
});
await check("validatorsAll", async () => {
  const all = await client.validatorsAll(1);
  assert(all.validators.length === all.total && all.total >= 1, "validatorsAll");
});
await check("abciInfo", async () => {
  const info = await client.abciInfo();
  assert(info.lastBlockHeight >= 1 && info.lastBlockAppHash.length === 32, "abci_info");
});
await check("abciQuery", async () => {
  const query = await client.abciQuery({ path: fixture.storePath, data: fromHex(fixture.storeKeyHex), prove: true });
  assert(query.code === 0, `code ${query.code}: ${query.log}`);
  assert(query.value.length > 0, "no value");
  assert(query.proof && query.proof.ops.length === 2, "expected two proof ops (iavl + simple)");
  facts.proofOps = query.proof.ops.map((op) => op.type);
});

const syncTx = fromHex(fixture.txSync);
await check("broadcastTxSync", async () => {
  const result = await client.broadcastTxSync({ tx: syncTx });
  assert(result.code === 0, `code ${result.code}: ${result.log}`);
  facts.syncHash = toHex(result.hash);
});
await check("broadcastTxAsync", async () => {
  const result = await client.broadcastTxAsync({ tx: fromHex(fixture.txAsync) });
  assert(result.hash.length === 32, "hash");
});
await check("broadcastTxCommit", async () => {
  const result = await client.broadcastTxCommit({ tx: fromHex(fixture.txCommit) });
  assert(result.checkTx.code === 0 && result.txResult?.code === 0 && result.height > 0, `commit: ${JSON.stringify({ check: result.checkTx.log, deliver: result.txResult?.log })}`);
});
await check("tx", async () => {
  const hash = fromHex(facts.syncHash ?? "00");
  const tx = await waitForTx(client, hash);
  assert(toHex(tx.hash) === toHex(hash) && tx.result.code === 0, "tx");
  assert(tx.proof && tx.proof.proof.total >= 1, "tx proof");
  const block = await client.block(tx.height);
  assert(toHex(tx.proof.rootHash) === toHex(block.block.header.dataHash), "proof root is not the data hash");
});
await check("txSearch", async () => {
  const query = `transfer.recipient='${fixture.recipient}'`;
  const found = await client.txSearch({ query, prove: true, per_page: 2, page: 1, order_by: "asc" });
  assert(found.totalCount >= 2 && found.txs.length === 2, `txSearch found ${found.totalCount}`);
  const all = await client.txSearchAll({ query, per_page: 1 });
  assert(all.txs.length === found.totalCount, "txSearchAll pages");
  const byHeight = await client.txSearch({ query: `tx.height >= 1 AND tx.height <= ${found.txs[0].height}` });
  assert(byHeight.totalCount >= 1, "height range");
  facts.txSearchTotal = found.totalCount;
});
await check("blockSearch", async () => {
  const found = await client.blockSearch({ query: "block.height >= 1", per_page: 5 });
  assert(found.totalCount >= 1 && found.blocks.length >= 1, "blockSearch");
  const all = await client.blockSearchAll({ query: "block.height <= 3", per_page: 2 });
  assert(all.blocks.length === Math.min(3, all.totalCount) && all.blocks[0].block.header.height === 1, "blockSearchAll");
});
await check("numUnconfirmedTxs", async () => {
  const n = await client.numUnconfirmedTxs();
  assert(n.total >= 0 && n.totalBytes >= 0, "num_unconfirmed_txs");
});
await check("rpcError", async () => {
  // An RPC error must reach the caller as the JSON-RPC error, not as an HTTP failure.
  try {
    await client.tx({ hash: new Uint8Array(32) });
  } catch (error) {
    assert(String(error.message).includes("not found"), `unexpected error shape: ${error.message}`);
    return;
  }
  throw new Error("expected an error");
});
client.disconnect();

const ws = await Comet38Client.connect(wsUrl);
await check("subscribeNewBlock", async () => {
  const block = await within(15000, firstEvent(ws.subscribeNewBlock(), "NewBlock"), "a NewBlock event");
  assert(block.header.height >= 1 && block.header.chainId === fixture.chainId, "NewBlock");
});
await check("subscribeNewBlockHeader", async () => {
  const header = await within(15000, firstEvent(ws.subscribeNewBlockHeader(), "NewBlockHeader"), "a NewBlockHeader event");
  assert(header.height >= 1 && header.chainId === fixture.chainId && header.appHash.length === 32, "NewBlockHeader");
});
await check("subscribeTx", async () => {
  const event = firstEvent(ws.subscribeTx(`transfer.recipient='${fixture.recipient}'`), "Tx");
  await sleep(200);
  const sender = await Comet38Client.connect(httpUrl);
  const sent = await sender.broadcastTxSync({ tx: fromHex(fixture.txWs) });
  sender.disconnect();
  assert(sent.code === 0, `code ${sent.code}: ${sent.log}`);
  const tx = await within(15000, event, "a Tx event");
  assert(toHex(tx.hash) === toHex(sent.hash) && tx.result.code === 0 && tx.height >= 1, "Tx event");
});
await check("wsCall", async () => {
  const status = await ws.status();
  assert(status.nodeInfo.network === fixture.chainId, "status over websocket");
});
ws.disconnect();

const version = JSON.parse(readFileSync(new URL("./node_modules/@cosmjs/tendermint-rpc/package.json", import.meta.url), "utf8")).version;
console.log(JSON.stringify({ ok: failed.length === 0, cosmjs: `@cosmjs/tendermint-rpc ${version}`, passed, failed, facts }));
process.exit(failed.length === 0 ? 0 : 1);
