// Dintero's Web SDK redirect() against the emulator, in Chromium: the checkout is the top
// window, and after paying (or cancelling) the browser lands on the shop's return_url.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Api, SDK_VERSION, launchBrowser, settle, shots, startEmulator, startShop, type } from "../lib/env.mjs";

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

/** Opens the shop's redirect page; resolves once the checkout is the top document. */
async function redirected(page, sid) {
  await page.goto(`${shop.base}/redirect.html?sid=${encodeURIComponent(sid)}`);
  await page.waitForFunction((base) => location.origin === base && document.getElementById("checkout"), {}, emu.base_url);
}

async function fillCard(page, number) {
  await type(page, "#card_number", number);
  await type(page, "#expiry", "12/34");
  await type(page, "#cvc", "123");
}

describe("redirect", () => {
  test("redirect() opens /?sid= as a full page; paying lands on return_url with Dintero's query", async () => {
    const sid = await api.session(shop);
    const page = await browser.newPage();
    await redirected(page, sid);
    const url = new URL(page.url());
    assert.equal(url.pathname, "/");
    assert.equal(url.searchParams.get("sid"), sid);
    assert.equal(url.searchParams.get("sdk"), SDK_VERSION);
    assert.equal(url.searchParams.get("ui"), null);
    // A full page: background and a card with a shadow (not the inline look).
    const look = await page.evaluate(() => ({
      bg: getComputedStyle(document.body).backgroundColor,
      shadow: getComputedStyle(document.getElementById("checkout")).boxShadow,
    }));
    assert.notEqual(look.bg, "rgba(0, 0, 0, 0)");
    assert.notEqual(look.shadow, "none");
    // Placeholders are words, not values that look typed in.
    const placeholders = await page.$$eval("input.text", (els) => els.filter((e) => !e.disabled).map((e) => e.placeholder));
    assert.deepEqual(placeholders, ["Card number", "MM / YY", "CVC"]);
    assert.equal(await page.evaluate(() => window.dinteroSent.length), 0, "the top window posts no messages");
    await shots(page, "redirect-page");
    // The page is readable on a phone: nothing wider than the screen.
    await page.setViewport({ width: 390, height: 844 });
    await settle(page);
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390);

    await fillCard(page, "4000 0000 0000 0002");
    await Promise.all([page.waitForNavigation(), page.click("#pay-button")]);
    const landed = new URL(page.url());
    assert.equal(landed.origin + landed.pathname, `${shop.base}/return`);
    const q = Object.fromEntries(landed.searchParams);
    const s = await api.getSession(sid);
    assert.equal(q.transaction_id, s.transaction_id);
    assert.equal(q.merchant_reference, s.order.merchant_reference);
    assert.equal(q.session_id, sid);
    assert.equal(q.error, undefined);
    await shots(page, "redirect-returned");

    // Coming back to the checkout: paid, said in plain words, the way back targets the top.
    await page.goto(`${emu.base_url}/?sid=${sid}&sdk=${SDK_VERSION}`);
    assert.equal(await page.$eval("#closed h2", (h) => h.textContent), "Payment received");
    assert.match(await page.$eval("#closed", (h) => h.textContent), /already paid/);
    assert.equal(await page.$eval("#closed a", (a) => a.target), "_top");
    assert.equal(await page.$("#pay-form"), null);
    await shots(page, "redirect-already-paid");
    await page.close();
  });

  test("a declined card stays on the page with the reason; another card pays", async () => {
    const sid = await api.session(shop);
    const page = await browser.newPage();
    await page.setViewport({ width: 390, height: 844 });
    await redirected(page, sid);
    await fillCard(page, "4100 0000 0000 0076");
    await page.click("#pay-button");
    await page.waitForSelector("#error:not([hidden])");
    assert.equal(new URL(page.url()).origin, emu.base_url, "still on the checkout");
    assert.match(await page.$eval("#error", (e) => e.textContent), /declined/);
    await shots(page, "redirect-declined");
    await fillCard(page, "4000 1000 0000 0000");
    await Promise.all([page.waitForNavigation(), page.click("#pay-button")]);
    assert.ok(new URL(page.url()).searchParams.get("transaction_id"));
    await page.close();
  });

  test("an unknown card number is explained and nothing is paid", async () => {
    const sid = await api.session(shop);
    const page = await browser.newPage();
    await redirected(page, sid);
    await fillCard(page, "1234 5678 9012 3456");
    await page.click("#pay-button");
    await page.waitForSelector("#error:not([hidden])");
    assert.match(await page.$eval("#error", (e) => e.textContent), /unknown test card/);
    assert.equal((await api.getSession(sid)).transaction_id, undefined);
    await page.close();
  });

  test("cancel lands on return_url with error=cancelled", async () => {
    const sid = await api.session(shop);
    const page = await browser.newPage();
    await redirected(page, sid);
    await Promise.all([page.waitForNavigation(), page.click("#cancel-form button")]);
    const q = Object.fromEntries(new URL(page.url()).searchParams);
    assert.equal(q.error, "cancelled");
    assert.equal(q.transaction_id, undefined);
    assert.equal(await page.$eval("#title", (h) => h.textContent), "Your order was not paid");
    await page.close();
  });

  test("the session url (/v1/view/{id}) still works without JavaScript: form posts and 303", async () => {
    const sid = await api.session(shop);
    const s = await api.call("GET", `/v1/sessions/${sid}`);
    assert.equal(s.status, 200);
    const page = await browser.newPage();
    await page.setJavaScriptEnabled(false);
    await page.goto(`${emu.base_url}/v1/view/${sid}`);
    await fillCard(page, "4000 0000 0000 0002");
    await Promise.all([page.waitForNavigation(), page.click("#pay-button")]);
    const landed = new URL(page.url());
    assert.equal(landed.origin + landed.pathname, `${shop.base}/return`);
    assert.ok(landed.searchParams.get("transaction_id"));
    await page.close();
  });
});
