// Dintero's Web SDK embed() against the emulator, in Chromium: pay, decline then retry,
// cancel, lockSession/refreshSession, client-side validation, the iframe height.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  Api,
  SDK_VERSION,
  checkoutFrame,
  iframeHeight,
  launchBrowser,
  openEmbedded,
  pageMessages,
  settle,
  shots,
  startEmulator,
  startShop,
  type,
  waitForEvent,
} from "../lib/env.mjs";

let emu, shop, api, browser, closeBrowser;

before(async () => {
  emu = await startEmulator();
  shop = await startShop(emu.base_url);
  api = new Api(emu);
  ({ browser, close: closeBrowser } = await launchBrowser());
});

after(async () => {
  await closeBrowser?.();
  emu?.stop();
  await shop?.stop();
});

async function newPage() {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.errors = errors;
  return page;
}

async function payCard(frame, number) {
  await type(frame, "#card_number", number);
  await type(frame, "#expiry", "12/34");
  await type(frame, "#cvc", "123");
  await frame.click("#pay-button");
}

/** The query of an href as an object. */
const query = (href) => Object.fromEntries(new URL(href).searchParams);

describe("embed", () => {
  test("loads /?sid= inline, posts SessionLoaded and the SDK acks every message", async () => {
    const sid = await api.session(shop);
    const page = await newPage();
    const frame = await openEmbedded(page, shop, sid);
    const loaded = await waitForEvent(page, "onSession");
    assert.equal(loaded.type, "SessionLoaded");
    assert.equal(loaded.session.id, sid);
    assert.equal(loaded.session.order.amount, 43880);
    assert.equal(loaded.session.url.callback_url, undefined, "the callback URL stays server-side");
    const src = new URL(frame.url());
    assert.equal(src.origin, emu.base_url);
    assert.equal(src.pathname, "/");
    assert.equal(src.searchParams.get("sid"), sid);
    assert.equal(src.searchParams.get("ui"), "inline");
    assert.equal(src.searchParams.get("sdk"), SDK_VERSION);
    // ui=inline looks inline: transparent page, no padding, no card shadow.
    const look = await frame.evaluate(() => {
      const b = getComputedStyle(document.body);
      const m = getComputedStyle(document.getElementById("checkout"));
      return { bg: b.backgroundColor, pad: b.padding, shadow: m.boxShadow, mainPad: m.padding };
    });
    assert.deepEqual(look, { bg: "rgba(0, 0, 0, 0)", pad: "0px", shadow: "none", mainPad: "0px" });
    await settle(page, 300);
    const { sent, acks } = await pageMessages(frame);
    assert.ok(sent.length >= 3, JSON.stringify(sent));
    for (const m of sent) assert.ok(acks.includes(m.mid), `no ack for ${m.type}`);
    const active = await waitForEvent(page, "onActivePaymentType");
    assert.equal(active.payment_product_type, "dintero_psp.creditcard");
    await shots(page, "embed-loaded");
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("pays: SessionPaymentAuthorized with ids and href, embedResult, callback, no navigation", async () => {
    const sid = await api.session(shop);
    const page = await newPage();
    const frame = await openEmbedded(page, shop, sid);
    const shopUrl = page.url();
    await payCard(frame, "4000 0000 0000 0002");
    const ev = await waitForEvent(page, "onPaymentAuthorized");
    assert.equal(ev.type, "SessionPaymentAuthorized");
    assert.match(ev.transaction_id, /^T12345678\./);
    const s = await api.getSession(sid);
    assert.equal(ev.merchant_reference, s.order.merchant_reference);
    const href = query(ev.href);
    assert.equal(new URL(ev.href).origin + new URL(ev.href).pathname, `${shop.base}/return`);
    assert.equal(href.transaction_id, ev.transaction_id);
    assert.equal(href.merchant_reference, s.order.merchant_reference);
    assert.equal(href.error, undefined);
    // The SDK points the iframe at /embedResult/ and the page answers a short result.
    const result = await checkoutFrame(page);
    await result.waitForFunction(() => location.pathname === "/embedResult/" && document.querySelector("h2"));
    assert.equal(await result.$eval("h2", (h) => h.textContent), "Payment received");
    const rq = new URL(result.url()).searchParams;
    assert.equal(rq.get("sid"), sid);
    assert.equal(rq.get("transaction_id"), ev.transaction_id);
    // The shop's page was not navigated, and the iframe never showed return_url.
    assert.equal(page.url(), shopUrl);
    assert.equal((await api.tx(ev.transaction_id)).status, "AUTHORIZED");
    await waitUntil(() => shop.callbacks.some((c) => c.transaction_id === ev.transaction_id));
    await settle(page, 200);
    assert.ok((await iframeHeight(page)) > 100, "the result is visible");
    await shots(page, "embed-paid-result");
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("a declined card shows on the page, another card can be tried; three declines end in SessionPaymentError", async () => {
    const sid = await api.session(shop);
    const page = await newPage();
    const frame = await openEmbedded(page, shop, sid);
    await settle(page, 200);
    const before = await iframeHeight(page);
    await payCard(frame, "4100 0000 0000 0076");
    await frame.waitForSelector("#error:not([hidden])");
    await settle(page, 500);
    const text = await frame.$eval("#error", (e) => e.textContent);
    assert.match(text, /declined/i);
    await settle(page, 200);
    const withError = await iframeHeight(page);
    assert.ok(withError > before + 20, `HeightChanged followed the error box: ${before} -> ${withError}`);
    assert.equal(await page.evaluate(() => window.events.some((e) => e.name === "onPaymentError")), false);
    await shots(page, "embed-declined");
    // try another card: approved
    await payCard(frame, "5200 0000 0000 0007");
    const ev = await waitForEvent(page, "onPaymentAuthorized");
    assert.equal((await api.tx(ev.transaction_id)).card.brand, "Mastercard");
    const names = (await api.getSession(sid)).events.map((e) => e.name);
    assert.deepEqual(names.filter((n) => n === "DECLINED" || n === "AUTHORIZED"), ["DECLINED", "AUTHORIZED"]);
    await page.close();

    // Giving up: three declines in a row end the checkout with SessionPaymentError.
    const sid2 = await api.session(shop);
    const page2 = await newPage();
    const frame2 = await openEmbedded(page2, shop, sid2);
    for (let i = 0; i < 3; i++) {
      await payCard(frame2, "4100 0000 0000 0076");
      if (i < 2) {
        await frame2.waitForFunction((n) => window.dinteroSent.filter((m) => m.type === "ScrollToTop").length >= n, {}, i + 1);
        await settle(page2, 500); // the SDK scrolls the iframe into view (smoothly) on ScrollToTop
      }
    }
    const err = await waitForEvent(page2, "onPaymentError");
    assert.equal(err.type, "SessionPaymentError");
    assert.equal(err.error, "failed");
    assert.equal(query(err.href).error, "failed");
    const result = await checkoutFrame(page2);
    await result.waitForFunction(() => location.pathname === "/embedResult/" && document.querySelector("h2"));
    assert.equal(await result.$eval("h2", (h) => h.textContent), "Payment failed");
    await shots(page2, "embed-failed-result");
    await page2.close();
  });

  test("cancel: SessionCancel with href error=cancelled, the session is cancelled", async () => {
    const sid = await api.session(shop);
    const page = await newPage();
    const frame = await openEmbedded(page, shop, sid);
    await frame.click("#cancel-form button");
    const ev = await waitForEvent(page, "onSessionCancel");
    assert.equal(ev.type, "SessionCancel");
    assert.equal(query(ev.href).error, "cancelled");
    assert.equal(query(ev.href).transaction_id, undefined);
    assert.equal((await api.getSession(sid)).cancelled_by, "customer");
    const result = await checkoutFrame(page);
    await result.waitForFunction(() => location.pathname === "/embedResult/" && document.querySelector("h2"));
    assert.equal(await result.$eval("h2", (h) => h.textContent), "Payment cancelled");
    assert.equal(new URL(result.url()).searchParams.get("error"), "cancelled");
    await shots(page, "embed-cancelled-result");
    await page.close();
  });

  test("without handlers the SDK follows href: the top window lands on return_url", async () => {
    const sid = await api.session(shop);
    const page = await newPage();
    const frame = await openEmbedded(page, shop, sid, "&handlers=none");
    await Promise.all([page.waitForNavigation(), payCard(frame, "4000 0000 0000 0002")]);
    const landed = new URL(page.url());
    assert.equal(landed.origin + landed.pathname, `${shop.base}/return`);
    assert.match(landed.searchParams.get("transaction_id"), /^T12345678\./);
    await page.close();
  });

  test("lockSession and refreshSession: the shop changes the order while the customer is on the page", async () => {
    const sid = await api.session(shop);
    const page = await newPage();
    const frame = await openEmbedded(page, shop, sid);
    await waitForEvent(page, "onSession");
    const locked = await page.evaluate(() => window.checkout.lockSession());
    assert.equal(locked.type, "SessionLocked");
    assert.ok(locked.pay_lock_id);
    await waitForEvent(page, "onSessionLocked");
    assert.equal(await frame.$eval("#pay-button", (b) => b.disabled), true);
    assert.match(await frame.$eval("#notice", (n) => n.textContent), /updating your order/);
    const lockEvent = (await api.getSession(sid)).events.find((e) => e.name === "PAY_LOCK_START");
    assert.equal(lockEvent.id, locked.pay_lock_id);
    await shots(page, "embed-locked");

    // The shop's backend updates the order (the session is locked, so no update_without_lock).
    const order = (await api.getSession(sid)).order;
    order.items.push({ id: "table-3", line_id: "3", description: "Oak table", quantity: 1, amount: 150000, vat_amount: 30000, vat: 25 });
    order.amount += 150000;
    order.vat_amount += 30000;
    const put = await api.call("PUT", `/v1/sessions/${sid}`, { order });
    assert.equal(put.status, 200, JSON.stringify(put.body));

    await settle(page, 100);
    const heightBefore = await iframeHeight(page);
    const updated = await page.evaluate(() => window.checkout.refreshSession());
    assert.equal(updated.type, "SessionUpdated");
    assert.equal(updated.session.order.amount, 193880);
    assert.equal(await frame.$eval("#pay-button", (b) => b.textContent), "Pay 1 938,80 NOK");
    assert.equal(await frame.$eval("#pay-button", (b) => b.disabled), false);
    assert.match(await frame.$eval("#summary", (s) => s.textContent), /Oak table/);
    await settle(page, 200);
    const heightAfter = await iframeHeight(page);
    const contentAfter = await frame.evaluate(() => Math.ceil(document.getElementById("checkout").getBoundingClientRect().height));
    assert.notEqual(heightAfter, heightBefore, "the iframe followed the new content");
    assert.ok(Math.abs(heightAfter - contentAfter) <= 2, `iframe ${heightAfter} vs content ${contentAfter}`);
    await shots(page, "embed-refreshed");
    await payCard(frame, "4000 0000 0000 0002");
    const ev = await waitForEvent(page, "onPaymentAuthorized");
    assert.equal((await api.tx(ev.transaction_id)).amount, 193880);
    await page.close();
  });

  test("lockSession on a paid session fails with SessionLockFailed; refresh of a gone session: SessionNotFound", async () => {
    const sid = await api.session(shop);
    const page = await newPage();
    await openEmbedded(page, shop, sid);
    await waitForEvent(page, "onSession");
    await api.control("POST", `/sessions/${sid}/pay`, { card_number: "4000 0000 0000 0002" });
    await assert.rejects(page.evaluate(() => window.checkout.lockSession()), /SessionLockFailed/);
    await waitForEvent(page, "onSessionLockFailed");
    await api.control("POST", "/reset");
    await assert.rejects(page.evaluate(() => window.checkout.refreshSession()), /SessionNotFound/);
    api._token = undefined;
    await page.close();
  });

  test("an unknown session: SessionNotFound", async () => {
    const page = await newPage();
    await openEmbedded(page, shop, "T12345678.doesnotexist0000000000");
    const ev = await waitForEvent(page, "onSessionNotFound");
    assert.equal(ev.type, "SessionNotFound");
    await settle(page, 200);
    await shots(page, "embed-not-found");
    await page.close();
  });

  test("client-side validation: ValidateSession before paying, a refusal is shown and nothing is paid", async () => {
    const sid = await api.session(shop);
    const page = await newPage();
    const frame = await openEmbedded(page, shop, sid, "&validate=1");
    assert.equal(new URL(frame.url()).searchParams.get("client_side_validation"), "true");
    await page.evaluate(() => {
      window.verdict = { success: false, clientValidationError: "Choose a delivery date first." };
    });
    await payCard(frame, "4000 0000 0000 0002");
    await frame.waitForSelector("#error:not([hidden])");
    assert.equal(await frame.$eval("#error", (e) => e.textContent), "Choose a delivery date first.");
    const asked = await waitForEvent(page, "onValidateSession");
    assert.equal(asked.session_id, sid);
    assert.equal((await api.getSession(sid)).transaction_id, undefined);
    await shots(page, "embed-validation-refused");
    await page.evaluate(() => {
      window.verdict = { success: true };
    });
    await frame.click("#pay-button");
    const ev = await waitForEvent(page, "onPaymentAuthorized");
    assert.ok(ev.transaction_id);
    assert.equal(await page.evaluate(() => window.events.filter((e) => e.name === "onValidateSession").length), 2);
    await page.close();
  });

  test("height: HeightChanged follows the content, never the iframe, and stays put", async () => {
    const sid = await api.session(shop);
    const page = await newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const frame = await openEmbedded(page, shop, sid);
    await settle(page, 300);
    const h1 = await iframeHeight(page);
    const content = await frame.evaluate(() => Math.ceil(document.getElementById("checkout").getBoundingClientRect().height));
    assert.ok(Math.abs(h1 - content) <= 2, `iframe ${h1} vs content ${content}`);
    // The page does not feed back on its own height: nothing more is posted while idle.
    const count = async () => (await pageMessages(frame)).sent.filter((m) => m.type === "HeightChanged").length;
    const n1 = await count();
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await count(), n1, "no HeightChanged while nothing changes");
    assert.equal(await iframeHeight(page), h1);
    // The shop makes the container (and so the iframe's document) much taller: still the content's height.
    await page.$eval("#checkout-container iframe", (f) => (f.style.height = "3000px"));
    await settle(page, 300);
    const reported = (await pageMessages(frame)).sent.filter((m) => m.type === "HeightChanged").at(-1).height;
    assert.ok(Math.abs(reported - content) <= 2, `still the content height, got ${reported}`);
    // Narrow (phone): the content wraps, the iframe follows it, bounded.
    await page.setViewport({ width: 390, height: 844 });
    await settle(page, 300);
    const h2 = await iframeHeight(page);
    const content2 = await frame.evaluate(() => Math.ceil(document.getElementById("checkout").getBoundingClientRect().height));
    assert.ok(Math.abs(h2 - content2) <= 2, `phone: iframe ${h2} vs content ${content2}`);
    assert.ok(h2 < 2500, `bounded: ${h2}`);
    assert.ok((await count()) < 12, `a handful of HeightChanged, got ${await count()}`);
    // The method changes the content: invoice fields are shorter than card fields.
    await frame.click("input[value='collector.invoice']");
    await settle(page, 300);
    const h3 = await iframeHeight(page);
    assert.notEqual(h3, h2);
    await page.close();
  });

  test("SetActivePaymentProductType selects a method; choosing one posts ActivePaymentProductType", async () => {
    const sid = await api.session(shop);
    const page = await newPage();
    const frame = await openEmbedded(page, shop, sid);
    await waitForEvent(page, "onSession");
    await page.evaluate(() => window.checkout.setActivePaymentProductType("vipps"));
    await frame.waitForFunction(() => document.querySelector("input[value='vipps']").checked);
    assert.equal(await frame.$eval("[data-method='vipps'].fields", (f) => f.hidden), false);
    await frame.click("input[value='klarna.klarna']");
    await page.waitForFunction(() => window.events.some((e) => e.name === "onActivePaymentType" && e.payment_product_type === "klarna.klarna"));
    await page.close();
  });
});

async function waitUntil(pred, ms = 5000) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}
