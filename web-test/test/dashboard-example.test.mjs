// The "done when": start the emulator, run `cargo run --example checkout` against it
// (DINTERO_BASE_URL), and follow the whole flow in the dashboard: the session, the payment, the
// callback, the webhooks the example's own receiver verified, the capture and the refund, and
// every request. scripts/web-test.sh builds the example; DINTERO_EXAMPLE_BIN points at it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT, Api, launchBrowser, shots, startEmulator } from "../lib/env.mjs";

let emu, api, browser, closeBrowser;

before(async () => {
  emu = await startEmulator();
  api = new Api(emu);
  ({ browser, close: closeBrowser } = await launchBrowser());
});

after(async () => {
  await closeBrowser?.();
  emu?.stop();
});

function runExample() {
  const bin = process.env.DINTERO_EXAMPLE_BIN || join(ROOT, "target", "debug", "examples", "checkout");
  return new Promise((resolve, reject) => {
    const out = [];
    const child = spawn(bin, [], {
      env: { ...process.env, DINTERO_BASE_URL: emu.base_url, DINTERO_ACCOUNT_ID: "", DINTERO_CLIENT_ID: "", DINTERO_CLIENT_SECRET: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`the example hung: ${out.join("")}`)); }, 30000);
    child.stdout.on("data", (c) => out.push(String(c)));
    child.stderr.on("data", (c) => out.push(String(c)));
    child.on("error", reject);
    child.on("exit", (code) => { clearTimeout(timer); resolve({ code, text: out.join("") }); });
  });
}

const text = (page, sel) => page.$eval(sel, (e) => e.textContent.replace(/\s+/g, " ").trim());

describe("the Rust example against a running emulator, in the dashboard", () => {
  test("the whole flow is there: session, payment, callback, webhooks, capture, refund, requests", async () => {
    const run = await runExample();
    assert.equal(run.code, 0, run.text);
    assert.match(run.text, /DINTERO_BASE_URL set/);
    assert.match(run.text, /ping received and verified/);
    assert.match(run.text, /webhook checkout_transaction received and verified/);
    const txId = /confirmed: transaction (\S+) is AUTHORIZED/.exec(run.text)[1];

    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`${emu.base_url}/_emulator/ui`);
    const tx = `article.tx[id="tx-${txId}"]`;
    await page.waitForSelector(`${tx}[data-status="PARTIALLY_REFUNDED"]`);
    assert.equal(await text(page, `${tx} .amount-captured`), "338,90 NOK");
    assert.equal(await text(page, `${tx} .amount-refunded`), "39,00 NOK");
    assert.equal(await text(page, `${tx} .amount-remaining`), "0,00 NOK");
    const session = await page.$eval("tr.session", (e) => ({ id: e.id, status: e.dataset.status, text: e.textContent }));
    assert.equal(session.status, "PAID · PARTIALLY_REFUNDED");
    assert.match(session.text, /order-1001/);
    // The events, opened.
    await page.$eval(`[id="tx-events-${txId}"] summary`, (e) => e.click());
    const events = await page.$$eval(`[id="tx-events-${txId}"] tr.event td:nth-child(2)`, (els) => els.map((e) => e.textContent));
    assert.deepEqual(events, ["INITIALIZE", "AUTHORIZE", "CAPTURE", "REFUND"]);
    // The callback, delivered and signed.
    assert.equal(await page.$$eval("article.callback", (els) => els.length), 1);
    assert.match(await text(page, "article.callback"), /delivered GET .*transaction_id=/);
    // Webhooks: the subscription was deleted when the example ended; its deliveries remain.
    assert.match(await text(page, "#webhooks"), /No subscriptions/);
    const hooks = await page.$$eval("article.webhook", (els) => els.map((e) => [e.dataset.event, e.querySelector(".badge").textContent]));
    assert.deepEqual(hooks.map(([e]) => e).sort(), ["checkout_transaction", "checkout_transaction", "checkout_transaction", "ping"]);
    assert.ok(hooks.every(([, state]) => state === "delivered"), JSON.stringify(hooks));
    // The request log has every call the example made.
    const routes = await page.$$eval("details.req", (els) => els.map((e) => e.dataset.route));
    for (const r of ["token", "create_hook", "create_session", "admin_signature", "get_transaction", "capture", "refund", "delete_hook"]) {
      assert.ok(routes.includes(r), `the request log shows ${r}: ${routes}`);
    }
    await shots(page, "dashboard-example");

    // Redeliver the callback: the example's receiver is gone, and the dashboard says so.
    const cb = (await api.callbacks())[0];
    await page.$eval(`button[data-action=redeliver-callback][data-id="${cb.id}"]`, (e) => e.click());
    await page.waitForSelector(`article[id="cb-${cb.id}"][data-attempts="2"]`);
    await page.$eval(`[id="cb-attempts-${cb.id}"] summary`, (e) => e.click());
    assert.match(await text(page, `[id="cb-attempts-${cb.id}"] tr.attempt:last-child`), /redelivered\s*no answer could not connect/);
    await page.close();
  });
});
