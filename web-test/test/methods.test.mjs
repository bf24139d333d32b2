// Every payment method on the embedded page, with the test data from the emulator's catalog
// (GET /_emulator/catalog, key payment_methods): Vipps, Swish, Walley invoice (ON_HOLD, then
// decided), Klarna (with an authorization update), and which methods a session offers.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  Api,
  checkoutFrame,
  launchBrowser,
  openEmbedded,
  settle,
  shots,
  startEmulator,
  startShop,
  type,
  waitForEvent,
} from "../lib/env.mjs";

let emu, shop, api, browser, closeBrowser, catalog;

before(async () => {
  emu = await startEmulator();
  shop = await startShop(emu.base_url);
  api = new Api(emu);
  catalog = await api.catalog();
  ({ browser, close: closeBrowser } = await launchBrowser());
});

after(async () => {
  await closeBrowser?.();
  emu?.stop();
  await shop?.stop();
});

/** The catalog's test number of `method` with outcome `outcome`. */
function testInput(method, outcome) {
  const m = catalog.payment_methods.find((m) => m.payment_product_type === method);
  assert.ok(m, `${method} is in the catalog`);
  const t = m.test_inputs.find((t) => t.outcome === outcome);
  assert.ok(t, `${method} has a ${outcome} input`);
  return t.value;
}

const SEK = { order: { currency: "SEK" } };

async function payPhone(frame, method, outcome) {
  await frame.click(`input[value='${method}']`);
  const field = `#phone-${method.replace(/\./g, "-")}`;
  await type(frame, field, testInput(method, outcome));
  await frame.click("#pay-button");
}

async function offered(frame) {
  return frame.$$eval("input[name=payment_product_type]", (els) => els.map((e) => e.value));
}

async function waitForCallbacks(pred, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const list = shop.callbacks.filter(pred);
    if (list.length) return list;
    if (Date.now() > end) throw new Error("no matching callback");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("payment methods", () => {
  test("the catalog lists every method with test inputs for success and failure", () => {
    const types = catalog.payment_methods.map((m) => m.payment_product_type);
    assert.deepEqual(types, ["dintero_psp.creditcard", "vipps", "swish.swish", "collector.invoice", "klarna.klarna"]);
    for (const m of catalog.payment_methods) {
      const outcomes = new Set(m.test_inputs.map((t) => t.outcome));
      assert.ok(outcomes.has("approve"), m.payment_product_type);
      assert.ok(outcomes.has("fail") || outcomes.has("reject"), m.payment_product_type);
    }
    // The cards key others code against is still there.
    assert.ok(catalog.cards.some((c) => c.number === "4000000000000002"));
  });

  test("a payment profile offers what fits the currency; configuration narrows it", async () => {
    const page = await browser.newPage();
    let frame = await openEmbedded(page, shop, await api.session(shop));
    assert.deepEqual(await offered(frame), ["dintero_psp.creditcard", "vipps", "collector.invoice", "klarna.klarna"]);
    await shots(page, "methods-nok");
    frame = await openEmbedded(page, shop, await api.session(shop, SEK));
    assert.deepEqual(await offered(frame), ["dintero_psp.creditcard", "swish.swish", "collector.invoice", "klarna.klarna"]);
    // A plain session (no profile) with only Vipps switched on: Vipps alone, preselected.
    const body = (await import("../lib/env.mjs")).sessionBody(shop, { configuration: { vipps: { enabled: true } } });
    delete body.profile_id;
    const r = await api.call("POST", "/v1/sessions", body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    frame = await openEmbedded(page, shop, r.body.id);
    assert.deepEqual(await offered(frame), ["vipps"]);
    assert.equal(await frame.$eval("[data-method='vipps'].fields", (f) => f.hidden), false);
    assert.equal(await frame.$eval("#phone-vipps", (i) => i.placeholder), "Mobile number");
    await shots(page, "methods-vipps-only");
    // Cards are refused for that session, on the page's JSON path too.
    const refused = await fetch(`${emu.base_url}/v1/view/${r.body.id}/pay`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ payment_product_type: "dintero_psp.creditcard", card_number: "4000000000000002" }),
    });
    assert.equal(refused.status, 400);
    assert.match((await refused.json()).error.message, /not enabled/);
    await page.close();
  });

  test("Vipps: a rejection in the app is shown, then the customer confirms: AUTHORIZED", async () => {
    const sid = await api.session(shop);
    const page = await browser.newPage();
    const frame = await openEmbedded(page, shop, sid);
    await payPhone(frame, "vipps", "reject");
    await frame.waitForSelector("#error:not([hidden])");
    assert.match(await frame.$eval("#error", (e) => e.textContent), /not confirmed in Vipps/);
    await settle(page, 500);
    await shots(page, "vipps-rejected");
    await payPhone(frame, "vipps", "approve");
    const ev = await waitForEvent(page, "onPaymentAuthorized");
    const tx = await api.tx(ev.transaction_id);
    assert.equal(tx.payment_product, "vipps");
    assert.equal(tx.payment_product_type, "vipps");
    assert.equal(tx.status, "AUTHORIZED");
    assert.equal(tx.card, undefined);
    await waitForCallbacks((c) => c.transaction_id === ev.transaction_id);
    const errors = await waitForCallbacks((c) => c.session_id === sid && c.error);
    assert.equal(errors[0].error, "authorization");
    await page.close();
  });

  test("Swish: paid and captured at once, one callback once CAPTURED", async () => {
    const sid = await api.session(shop, SEK);
    const page = await browser.newPage();
    const frame = await openEmbedded(page, shop, sid);
    await frame.click("input[value='swish.swish']");
    await type(frame, "#phone-swish-swish", "070 000 00 01");
    await settle(page, 200);
    await shots(page, "swish-selected");
    await frame.click("#pay-button");
    const ev = await waitForEvent(page, "onPaymentAuthorized");
    const tx = await api.tx(ev.transaction_id);
    assert.equal(tx.status, "CAPTURED");
    assert.deepEqual(tx.events.map((e) => e.event), ["INITIALIZE", "AUTHORIZE", "CAPTURE"]);
    const cbs = await waitForCallbacks((c) => c.transaction_id === ev.transaction_id);
    assert.equal(cbs.length, 1);
    await page.close();
  });

  test("Walley invoice: ON_HOLD first (SessionPaymentOnHold), approved later with a second callback", async () => {
    const sid = await api.session(shop);
    const page = await browser.newPage();
    const frame = await openEmbedded(page, shop, sid, "&on_hold=1");
    await payPhone(frame, "collector.invoice", "on_hold");
    const ev = await waitForEvent(page, "onPayment");
    assert.equal(ev.type, "SessionPaymentOnHold");
    assert.ok(ev.transaction_id);
    assert.equal(new URL(ev.href).searchParams.get("transaction_id"), ev.transaction_id);
    assert.equal((await api.tx(ev.transaction_id)).status, "ON_HOLD");
    const result = await checkoutFrame(page);
    await result.waitForFunction(() => location.pathname === "/embedResult/" && document.querySelector("h2"));
    assert.equal(await result.$eval("h2", (h) => h.textContent), "Order received");
    await settle(page, 200);
    await shots(page, "invoice-on-hold");
    await waitForCallbacks((c) => c.transaction_id === ev.transaction_id);
    const decided = await api.control("POST", `/transactions/${ev.transaction_id}/decide`, { approve: true });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    assert.equal(decided.body.status, "AUTHORIZED");
    const end = Date.now() + 5000;
    while (shop.callbacks.filter((c) => c.transaction_id === ev.transaction_id).length < 2 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(shop.callbacks.filter((c) => c.transaction_id === ev.transaction_id).length, 2);
    const names = (await api.getSession(sid)).events.map((e) => e.name);
    assert.ok(names.includes("ON_HOLD_CALLBACK_SENT"), names.join());
    await page.close();
  });

  test("Walley invoice: a refused credit check is shown and card payment still works", async () => {
    const sid = await api.session(shop);
    const page = await browser.newPage();
    const frame = await openEmbedded(page, shop, sid);
    await payPhone(frame, "collector.invoice", "fail");
    await frame.waitForSelector("#error:not([hidden])");
    assert.match(await frame.$eval("#error", (e) => e.textContent), /could not accept/);
    await settle(page, 500);
    await frame.click("input[value='dintero_psp.creditcard']");
    await type(frame, "#card_number", "4000 0000 0000 0002");
    await frame.click("#pay-button");
    const ev = await waitForEvent(page, "onPaymentAuthorized");
    assert.equal((await api.tx(ev.transaction_id)).payment_product_type, "dintero_psp.creditcard");
    await page.close();
  });

  test("Klarna: authorized on the page, then the shop updates the authorization", async () => {
    const sid = await api.session(shop);
    const page = await browser.newPage();
    const frame = await openEmbedded(page, shop, sid);
    await payPhone(frame, "klarna.klarna", "approve");
    const ev = await waitForEvent(page, "onPaymentAuthorized");
    const id = ev.transaction_id;
    assert.equal((await api.tx(id)).payment_product_type, "klarna.klarna");
    // Extend the authorization (no amount), then lower the order amount with new lines.
    let r = await api.call("POST", `/v1/transactions/${id}/authorization`, { reason: "delivery delayed", reference: "ext-1" });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await api.call("POST", `/v1/transactions/${id}/authorization`, {
      amount: 33890,
      items: [
        { line_id: "1", amount: 29990, quantity: 1, description: "Stacking chair" },
        { line_id: "shipping-1", amount: 3900, quantity: 1, description: "Pick-up point" },
      ],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.amount, 33890);
    assert.deepEqual(r.body.items.map((i) => i.line_id), ["1", "shipping-1"]);
    r = await api.call("POST", `/v1/transactions/${id}/capture`, { amount: 33890 });
    assert.equal(r.body.status, "CAPTURED");
    await page.close();
  });

  test("Klarna: a denied purchase is shown on the page", async () => {
    const sid = await api.session(shop);
    const page = await browser.newPage();
    const frame = await openEmbedded(page, shop, sid);
    await payPhone(frame, "klarna.klarna", "fail");
    await frame.waitForSelector("#error:not([hidden])");
    assert.match(await frame.$eval("#error", (e) => e.textContent), /Klarna could not accept/);
    assert.equal((await api.getSession(sid)).transaction_id, undefined);
    await page.close();
  });
});
