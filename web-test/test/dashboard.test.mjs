// The emulator's dashboard (/_emulator/ui, and / without sid) in Chromium: each view shows
// what a test made through the API, each button changes what the API then returns, the page
// updates without a reload, and it never shows a secret. A webhook receiver here checks the
// event-signature (HMAC-SHA1 of the raw body) with node:crypto.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { Api, launchBrowser, settle, shots, startEmulator, startShop } from "../lib/env.mjs";

const HOOK_SECRET = "whsec-browser-5d21";
let emu, shop, api, browser, closeBrowser, hooks, page;

/** A webhook receiver: records every delivery with whether its signature verified. */
async function startHookReceiver() {
  const got = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const expected = createHmac("sha1", HOOK_SECRET).update(raw).digest("hex");
      got.push({ headers: req.headers, body: JSON.parse(raw.toString("utf8")), verified: req.headers["event-signature"] === expected });
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}/hooks`, got, stop: () => new Promise((r) => server.close(r)) };
}

async function until(pred, what, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the live part of the page shows `selector` (no reload: the marker survives). */
async function liveShows(selector, timeout = 5000) {
  await page.waitForSelector(selector, { timeout });
  assert.equal(await page.evaluate(() => window.__noReload), true, "the page was not reloaded");
}

/** Fills a field as a user would (select all, type), in the page so a refresh cannot interfere. */
async function fill(selector, text) {
  await page.waitForSelector(selector);
  await page.$eval(selector, (el) => { el.scrollIntoView({ block: "center" }); el.focus(); el.select(); });
  await page.keyboard.type(text);
  assert.equal(await page.$eval(selector, (el) => el.value), text);
}

/** Clicks in the page itself (one step, so a live refresh cannot swap the element between
 *  finding and clicking it). */
async function click(selector) {
  await page.waitForSelector(selector);
  await page.$eval(selector, (el) => {
    el.scrollIntoView({ block: "center" });
    el.click();
  });
}

/** The text the page shows, and its HTML: neither may contain a secret. */
async function assertNoSecrets() {
  const html = await page.content();
  const secrets = [emu.client_secret, emu.signature_secret, HOOK_SECRET, await api.token()];
  const signature = await api.call("GET", "/v1/admin/signature");
  secrets.push(signature.body.signature.secret);
  for (const s of secrets) assert.ok(!html.includes(s), `the dashboard shows a secret (${s.slice(0, 4)}…)`);
}

before(async () => {
  emu = await startEmulator();
  shop = await startShop(emu.base_url);
  hooks = await startHookReceiver();
  api = new Api(emu);
  ({ browser, close: closeBrowser } = await launchBrowser());
  page = await browser.newPage();
  page.on("dialog", (d) => d.accept());
  await page.setViewport({ width: 1280, height: 900 });
});

after(async () => {
  await closeBrowser?.();
  emu?.stop();
  await shop?.stop();
  await hooks?.stop();
});

describe("dashboard", () => {
  let sid, txId;

  test("views render what the API made; / without sid is the dashboard, /?sid= the checkout", async () => {
    const sub = await api.call("POST", `/v1/accounts/${emu.account_id}/hooks/subscriptions`, {
      config: { url: hooks.url, content_type: "application/json", secret: HOOK_SECRET },
      events: ["checkout_transaction", "checkout_authorization"],
    });
    assert.equal(sub.status, 200);
    await until(() => hooks.got.length === 1, "the ping");
    assert.equal(hooks.got[0].body.event, "ping");
    assert.ok(hooks.got[0].verified, "the ping's event-signature verifies");

    sid = await api.session(shop);
    const open = await api.session(shop);
    await page.goto(`${emu.base_url}/`);
    await page.waitForSelector(`[id="session-${sid}"]`);
    assert.equal(await page.title(), "Dintero emulator · dashboard");
    const rows = await page.$$eval("tr.session", (els) => els.map((e) => e.id));
    assert.ok(rows.includes(`session-${sid}`) && rows.includes(`session-${open}`));
    assert.equal(await page.$eval("#count-sessions", (e) => e.textContent), "2");
    assert.match(await page.$eval(`#sub-${sub.body.id}`, (e) => e.textContent), /checkout_transaction, checkout_authorization/);
    assert.match(await page.$eval("#signature", (e) => e.textContent), /Set/);
    assert.ok(await page.$(`[id="wh-${hooks.got[0].headers["event-delivery"]}"][data-event="ping"]`), "the ping delivery is listed");
    await assertNoSecrets();

    // /?sid= still serves the hosted checkout.
    const checkout = await browser.newPage();
    await checkout.goto(`${emu.base_url}/?sid=${encodeURIComponent(open)}`);
    await checkout.waitForSelector("#pay-button");
    await checkout.close();
  });

  test("pay from the dashboard with a test card; the transaction appears live", async () => {
    await page.goto(`${emu.base_url}/_emulator/ui`);
    await page.evaluate(() => { window.__noReload = true; });
    const esc = sid.replace(/\./g, "\\.");
    const cards = (await api.catalog()).cards;
    const approve = cards.find((c) => c.name === "approve").number;
    await page.select(`#pay-${esc}`, `dintero_psp.creditcard|${approve}`);
    await click(`button[data-action=pay][data-session="${sid}"]`);
    const s = await until(async () => { const x = await api.getSession(sid); return x.transaction_id ? x : null; }, "the session paid");
    txId = s.transaction_id;
    await liveShows(`article.tx[id="tx-${txId}"][data-status="AUTHORIZED"]`);
    assert.equal((await api.tx(txId)).status, "AUTHORIZED");
    // The callback the shop got, and the webhook receiver's transaction + authorization events.
    await until(() => shop.callbacks.some((c) => c.transaction_id === txId), "the callback");
    await until(() => hooks.got.filter((h) => h.body.transaction && h.body.transaction.id === txId).length === 2, "two webhooks");
    assert.ok(hooks.got.every((h) => h.verified));
  });

  test("capture and refund from the dashboard change what GET /v1/transactions returns", async () => {
    const amount = `#amount-${txId.replace(/\./g, "\\.")}`;
    await fill(amount, "100.00");
    await click(`button[data-action=capture][data-tx="${txId}"]`);
    await liveShows(`article.tx[id="tx-${txId}"][data-status="PARTIALLY_CAPTURED"]`);
    let tx = await api.tx(txId);
    assert.equal(tx.status, "PARTIALLY_CAPTURED");
    assert.equal(tx.events.at(-1).event, "CAPTURE");
    assert.equal(tx.events.at(-1).amount, 10000);
    const shown = await page.$eval(`[id="tx-${txId}"] .amount-captured`, (e) => e.textContent);
    assert.equal(shown.replace(/\s/g, " "), "100,00 NOK");
    assert.equal(await page.$eval(`[id="tx-${txId}"] .amount-remaining`, (e) => e.textContent.replace(/\s/g, " ")), "338,80 NOK");

    await fill(amount, "25");
    await click(`button[data-action=refund][data-tx="${txId}"]`);
    await liveShows(`article.tx[id="tx-${txId}"][data-status="PARTIALLY_CAPTURED_REFUNDED"]`);
    tx = await api.tx(txId);
    assert.equal(tx.events.at(-1).event, "REFUND");
    assert.equal(tx.events.at(-1).amount, 2500);
    await until(() => hooks.got.some((h) => h.body.transaction && h.body.transaction.status === "PARTIALLY_CAPTURED_REFUNDED"), "the refund webhook");
  });

  test("changes made through the API show up without a reload", async () => {
    const before = await page.$eval("#count-sessions", (e) => Number(e.textContent));
    const fresh = await api.session(shop);
    await liveShows(`tr[id="session-${fresh}"]`);
    assert.equal(await page.$eval("#count-sessions", (e) => Number(e.textContent)), before + 1);
    // A capture through the API appears on the page.
    const r = await api.call("POST", `/v1/transactions/${txId}/capture`, { amount: 1000 });
    assert.equal(r.status, 200);
    await page.waitForFunction((id) => document.querySelector(`[id="tx-${id}"] .amount-captured`).textContent.replace(/\s/g, " ") === "110,00 NOK", {}, txId);
    assert.equal(await page.evaluate(() => window.__noReload), true);
  });

  test("a redelivered callback reaches the shop again and is counted", async () => {
    const cbs = (await api.callbacks()).filter((c) => c.url.includes(`transaction_id=${encodeURIComponent(txId)}`));
    assert.equal(cbs.length, 1);
    const cb = cbs[0];
    const gotBefore = shop.callbacks.filter((c) => c.transaction_id === txId).length;
    await click(`button[data-action=redeliver-callback][data-id="${cb.id}"]`);
    await until(() => shop.callbacks.filter((c) => c.transaction_id === txId).length === gotBefore + 1, "the redelivered callback");
    await liveShows(`article[id="cb-${cb.id}"][data-attempts="${cb.attempts + 1}"]`);
    const after = (await api.callbacks()).find((c) => c.id === cb.id);
    assert.equal(after.redeliveries, 1);
    assert.equal(after.attempt_log.at(-1).trigger, "redeliver");
    // Its attempts, with the signature sent, open on click.
    await click(`[id="cb-attempts-${cb.id}"] summary`);
    const rows = await page.$$eval(`[id="cb-attempts-${cb.id}"] tr.attempt`, (els) => els.map((e) => e.textContent));
    assert.equal(rows.length, cb.attempts + 1);
    assert.match(rows.at(-1), /redelivered/);
    assert.match(rows.at(-1), /v0-hmac-sha256=/);
    // The webhook delivery of the capture, opened to show its attempt and body.
    const wh = hooks.got.find((h) => h.body.event === "checkout_transaction" && h.body.transaction.status === "PARTIALLY_CAPTURED");
    const whId = wh.headers["event-delivery"];
    await click(`[id="wh-attempts-${whId}"] summary`);
    const sig = await page.$eval(`[id="wh-attempts-${whId}"] code.sig`, (e) => e.textContent);
    assert.equal(sig, wh.headers["event-signature"]);
    await settle(page, 1200); // one more live refresh: what was opened stays open
    assert.equal(await page.$eval(`[id="cb-attempts-${cb.id}"]`, (e) => e.open), true);
    await assertNoSecrets();
    await page.$eval("#transactions", (e) => e.scrollIntoView());
    await shots(page, "dashboard");
  });

  test("tools: a fault for the next N requests, the clock, the signature secret, reset", async () => {
    await page.select("#fault-route", "capture");
    await page.select("#fault-kind", "status_503");
    await fill("#fault-times", "2");
    await click("#arm-fault");
    await liveShows("#faults li.fault");
    const faults = (await api.control("GET", "/faults")).body.faults;
    assert.deepEqual(faults.map((f) => [f.route, f.fault, f.times]), [["capture", "status_503", 2]]);
    assert.equal((await api.call("POST", `/v1/transactions/${txId}/capture`, { amount: 100 })).status, 503);
    assert.equal((await api.call("POST", `/v1/transactions/${txId}/capture`, { amount: 100 })).status, 503);
    assert.equal((await api.call("POST", `/v1/transactions/${txId}/capture`, { amount: 100 })).status, 200);

    const nowBefore = Date.parse((await api.control("GET", "/ui/state")).body.now);
    await fill("#clock-seconds", "7200");
    await click("#advance-clock");
    const nowAfter = await until(async () => {
      const n = Date.parse((await api.control("GET", "/ui/state")).body.now);
      return n - nowBefore >= 7200 * 1000 ? n : null;
    }, "the clock to move");
    assert.ok(nowAfter - nowBefore < 7260 * 1000);

    const secretBefore = (await api.call("GET", "/v1/admin/signature")).body.signature.secret;
    await click("#rotate-signature");
    // The rotation goes through a confirm() dialog; on a loaded machine that round trip has
    // taken longer than 5 s once (CI, 2026-12-02), so this wait is longer than the others.
    await until(async () => (await api.call("GET", "/v1/admin/signature")).body.signature.secret !== secretBefore, "a new secret", 20000);
    await assertNoSecrets();

    await shots(page, "dashboard-tools");
    await click("#reset");
    await liveShows("#sessions p.empty");
    api._token = undefined; // reset forgets the tokens it issued
    assert.equal((await api.call("GET", `/v1/sessions/${sid}`)).status, 404);
    assert.equal((await api.control("GET", "/ui/state")).body.transactions.length, 0);
  });

  test("390 px: nothing is wider than the screen", async () => {
    // Some state to show: a paid session with a callback and a webhook subscription again.
    await api.call("POST", `/v1/accounts/${emu.account_id}/hooks/subscriptions`, { config: { url: hooks.url, secret: HOOK_SECRET }, events: ["checkout_transaction"] });
    const s = await api.session(shop);
    await api.control("POST", `/sessions/${s}/pay`, { card_number: "4000000000000002" });
    await api.session(shop);
    await page.setViewport({ width: 390, height: 844 });
    await page.goto(`${emu.base_url}/_emulator/ui`);
    await page.waitForSelector("article.tx");
    await settle(page);
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, "no horizontal scroll at 390 px");
    await shots(page, "dashboard-paid");
  });
});
