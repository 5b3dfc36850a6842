// The Transfers page: reads the session and accounts from the host's loopback API, encrypts every
// request in the browser (protocol.js) and reads the private balance by asking for a report sealed
// to a key it makes for that one request. The host never sees a plaintext or a private key.
import * as p from "./protocol.js";

const $ = (id) => document.getElementById(id);
let status = null;
let accounts = [];

async function api(path, body) {
  const init = body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(`api/${path}`, init);
  const json = await response.json();
  if (!response.ok) throw new Error(json.error || `${path}: HTTP ${response.status}`);
  return json;
}

function short(hex) {
  return hex.length > 20 ? `${hex.slice(0, 10)}…${hex.slice(-8)}` : hex;
}

function nameOf(address) {
  if (/^0+$/.test(address)) return "contract";
  const account = accounts.find((a) => a.address === address);
  return account ? account.name : short(address);
}

function currentAccount() {
  return accounts.find((a) => a.address === $("account").value);
}

async function refreshStatus() {
  try {
    status = await api("status");
    $("status-error").hidden = true;
  } catch (e) {
    $("status-error").textContent = `status: ${e.message}`;
    $("status-error").hidden = false;
    return;
  }
  const s = status.session;
  $("status-chain").textContent = status.chain_id;
  $("status-height").textContent = status.height;
  $("status-contract").textContent = status.contract_display;
  $("status-mode").textContent = status.mode;
  $("status-session").textContent = s ? `#${s.id} ${s.phase}` : "none";
  $("status-measurement").textContent = s ? s.measurement : "–";
  $("status-attestation").textContent = s ? `${s.attestation}, expires ${new Date(s.attestation_expiry * 1000).toISOString()}` : "–";
  $("status-signing-key").textContent = s ? s.signing_key : "–";
  $("status-encryption-key").textContent = s ? s.encryption_key : "–";
  $("status-verified-height").textContent = s ? s.verified_height : "–";
  $("status-queue").textContent = status.queue ? `${status.queue.length} (head ${status.queue.head}, next ${status.queue.next})` : "–";
}

async function refreshAccounts() {
  accounts = (await api("accounts")).accounts;
  // The choice as it is now, not as it was before the fetch: the person may have chosen another account meanwhile.
  for (const select of [$("account"), $("transfer-to")]) {
    const keep = select.value;
    select.replaceChildren(...accounts.map((a) => new Option(`${a.name} (${short(a.display)})`, a.address)));
    if (keep) select.value = keep;
  }
  showAccount();
}

function showAccount() {
  const a = currentAccount();
  $("account-address").textContent = a ? a.display : "…";
  $("account-bank").textContent = a ? a.bank_balance : "…";
}

function activity(text) {
  const item = document.createElement("li");
  item.textContent = text;
  $("activity").prepend(item);
  return item;
}

/** Seals (unless a deposit), submits, waits for the enclave's response; returns { seq, response }. */
async function submit(kind, plaintext, funds) {
  await refreshStatus();
  const account = currentAccount();
  if (!status || !status.session || status.session.attestation !== "current") {
    throw new Error("no active session: requests are refused until the enclave's session is established and attested");
  }
  if (funds > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error("a deposit is at most 2^53 - 1 tokens from this page");
  let enc = new Uint8Array(0);
  let ciphertext = new Uint8Array(0);
  if (kind !== "deposit") {
    ({ enc, ciphertext } = await p.sealRequest({
      encryptionKey: status.session.encryption_key, chainId: status.chain_id, contract: status.contract,
      sender: account.address, sessionId: BigInt(status.session.id), kind, plaintext,
    }));
  }
  const submitted = await api("requests", {
    account: account.address, kind, suite: p.SUITE_NAME, enc: p.bytesToBase64(enc), ciphertext: p.bytesToBase64(ciphertext), funds: Number(funds),
  });
  const item = activity(`#${submitted.seq} ${kind} by ${account.name}: queued`);
  item.dataset.seq = submitted.seq;
  for (;;) {
    const response = await api(`responses/${submitted.seq}`);
    if (response.status !== "pending") {
      item.textContent = `#${submitted.seq} ${kind} by ${account.name}: ${response.status === "refused" ? `refused (${response.reason})` : response.status}`;
      item.className = response.status === "ok" ? "ok" : "refused";
      return { seq: submitted.seq, response, account, sessionId: status.session.id };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function refreshBalance() {
  const { keyPair, publicKey } = await p.newResponseKey();
  const { seq, response, account, sessionId } = await submit("balance", p.encodeBalance(publicKey), 0n);
  if (response.status !== "ok") return;
  const report = await p.openBalanceReport({
    keyPair, payload: p.base64ToBytes(response.payload), chainId: status.chain_id, contract: status.contract,
    sessionId: BigInt(sessionId), seq: BigInt(seq), owner: account.address,
  });
  // By address: refreshAccounts replaces the account objects while a request is out.
  if (currentAccount()?.address !== account.address) return;
  $("balance").textContent = report.balance.toString();
  $("history").tBodies[0].replaceChildren(...report.history.map((e) => {
    const row = document.createElement("tr");
    for (const text of [e.seq.toString(), e.kind, nameOf(e.counterparty), `${e.direction}${e.amount}`]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  }));
}

function guarded(action) {
  return async (event) => {
    event.preventDefault();
    const buttons = document.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    try {
      await action(event);
    } catch (e) {
      activity(`error: ${e.message}`).className = "refused";
    } finally {
      buttons.forEach((b) => (b.disabled = false));
      refreshAccounts().catch(() => {});
    }
  };
}

async function afterMove({ response }) {
  if (response.status === "ok") await refreshBalance();
}

$("deposit-form").addEventListener("submit", guarded(async () => {
  await afterMove(await submit("deposit", new Uint8Array(0), p.parseAmount($("deposit-amount").value)));
}));
$("transfer-form").addEventListener("submit", guarded(async () => {
  await afterMove(await submit("transfer", p.encodeTransfer($("transfer-to").value, p.parseAmount($("transfer-amount").value)), 0n));
}));
$("withdraw-form").addEventListener("submit", guarded(async () => {
  await afterMove(await submit("withdraw", p.encodeWithdraw(p.parseAmount($("withdraw-amount").value)), 0n));
}));
$("refresh-balance").addEventListener("click", guarded(refreshBalance));
$("account").addEventListener("change", () => {
  showAccount();
  $("balance").textContent = "unknown";
  $("history").tBodies[0].replaceChildren();
});

await refreshStatus();
await refreshAccounts().catch((e) => activity(`accounts: ${e.message}`));
setInterval(refreshStatus, 2000);
document.body.dataset.ready = "true";
