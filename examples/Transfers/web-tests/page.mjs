// Uses the Transfers page in headless chromium as a person does: pick an account, read the private
// balance, deposit, transfer to another account, check both balances and the history.
// Usage: node page.mjs <page url> <chromium path> <scenario json>
//   scenario: {"from":"name","to":"name","recipientDeposit":N,"deposit":N,"transfer":N,"timeoutMs":N}
// Prints one JSON line per step and a final {"ok":true|false,...}; exits 0 only when every check held.
import { chromium } from "playwright-core";

const [url, executablePath, scenarioJson] = process.argv.slice(2);
const scenario = JSON.parse(scenarioJson);
const timeout = scenario.timeoutMs ?? 120000;
const log = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
let ok = false;
const consoleErrors = [];
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeout);
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(url);
  await page.locator('body[data-ready="true"]').waitFor();

  // The session panel shows an established, attested session before anything is sent.
  await page.waitForFunction(() => /established/.test(document.getElementById("status-session").textContent)
    && /^current/.test(document.getElementById("status-attestation").textContent));
  log({ step: "status", session: await page.locator("#status-session").textContent(), mode: await page.locator("#status-mode").textContent(),
    attestation: await page.locator("#status-attestation").textContent(), queue: await page.locator("#status-queue").textContent() });

  const choose = async (name) => {
    const label = (await page.getByLabel("Account", { exact: true }).locator("option").allTextContents()).find((t) => t.startsWith(`${name} (`));
    if (!label) throw new Error(`no account ${name} in the chooser`);
    await page.getByLabel("Account", { exact: true }).selectOption({ label });
  };
  // Waits for the balance to read `expected`; a refused request or an error in the activity list fails at once.
  const balanceIs = async (expected) => {
    const handle = await page.waitForFunction((v) => {
      if (document.getElementById("balance").textContent === v) return "ok";
      const latest = document.querySelector("#activity li");
      return latest && /refused|error/.test(latest.textContent) ? latest.textContent : null;
    }, String(expected));
    const outcome = await handle.jsonValue();
    if (outcome !== "ok") throw new Error(`expected a balance of ${expected}, the page says: ${outcome}`);
  };
  const readBalance = async () => {
    await page.getByRole("button", { name: "Refresh balance" }).click();
    await page.waitForFunction(() => document.getElementById("balance").textContent !== "unknown");
    await page.getByRole("button", { name: "Refresh balance" }).and(page.locator(":enabled")).waitFor();
    return BigInt(await page.locator("#balance").textContent());
  };

  // The recipient deposits first: a transfer to an address that never deposited is refused.
  await choose(scenario.to);
  const toStart = await readBalance();
  await page.getByLabel("Deposit amount").fill(String(scenario.recipientDeposit));
  await page.getByRole("button", { name: "Deposit", exact: true }).click();
  const toBefore = toStart + BigInt(scenario.recipientDeposit);
  await balanceIs(toBefore);
  await choose(scenario.from);
  const fromBefore = await readBalance();
  log({ step: "before", from: fromBefore.toString(), to: toBefore.toString() });

  await page.getByLabel("Deposit amount").fill(String(scenario.deposit));
  await page.getByRole("button", { name: "Deposit", exact: true }).click();
  await balanceIs(fromBefore + BigInt(scenario.deposit));
  log({ step: "deposit", balance: await page.locator("#balance").textContent() });

  const recipient = (await page.getByLabel("Recipient").locator("option").allTextContents()).find((t) => t.startsWith(`${scenario.to} (`));
  await page.getByLabel("Recipient").selectOption({ label: recipient });
  await page.getByLabel("Transfer amount").fill(String(scenario.transfer));
  await page.getByRole("button", { name: "Transfer", exact: true }).click();
  const fromAfter = fromBefore + BigInt(scenario.deposit) - BigInt(scenario.transfer);
  await balanceIs(fromAfter);
  const lastRow = await page.locator("#history tbody tr").last().locator("td").allTextContents();
  log({ step: "transfer", balance: await page.locator("#balance").textContent(), history: lastRow });
  if (lastRow[1] !== "transfer" || lastRow[2] !== scenario.to || lastRow[3] !== `-${scenario.transfer}`) {
    throw new Error(`the last history row is ${JSON.stringify(lastRow)}, expected a transfer of -${scenario.transfer} to ${scenario.to}`);
  }

  await choose(scenario.to);
  const toAfter = await readBalance();
  log({ step: "recipient", balance: toAfter.toString() });
  if (toAfter !== toBefore + BigInt(scenario.transfer)) {
    throw new Error(`${scenario.to} has ${toAfter}, expected ${toBefore + BigInt(scenario.transfer)}`);
  }
  const activity = await page.locator("#activity li").allTextContents();
  log({ step: "activity", activity });
  if (activity.some((t) => /refused|error/.test(t))) throw new Error(`a request was refused: ${activity.join(" | ")}`);
  ok = true;
} catch (e) {
  log({ step: "failed", error: String(e && e.stack ? e.stack : e) });
  // What the page showed when it failed: its activity list, status error and balance.
  try {
    const page = browser.contexts()[0]?.pages()[0];
    if (page) {
      log({ step: "page", activity: await page.locator("#activity li").allTextContents({ timeout: 5000 }),
        statusError: await page.locator("#status-error").textContent({ timeout: 5000 }), balance: await page.locator("#balance").textContent({ timeout: 5000 }) });
    }
  } catch (inner) {
    log({ step: "page", error: String(inner) });
  }
} finally {
  await browser.close();
}
log({ ok, consoleErrors });
process.exit(ok && consoleErrors.length === 0 ? 0 : 1);
