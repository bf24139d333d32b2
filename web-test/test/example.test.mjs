// examples/web end to end: the shop creates the session with our Node SDK, embeds it with the
// Web SDK, the customer pays in Chromium, and the shop's server verifies the signed callback.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT, checkoutFrame, launchBrowser, settle, shots, type } from "../lib/env.mjs";

let server, shopBase, emulatorBase, browser, closeBrowser;
const output = [];

before(async () => {
  server = spawn(process.execPath, ["server.mjs"], {
    cwd: join(ROOT, "examples", "web"),
    env: { ...process.env, PORT: "0", DINTERO_CLIENT_SECRET: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start: ${output.join("")}`)), 30000);
    server.on("exit", (code) => reject(new Error(`the example exited with ${code}: ${output.join("")}`)));
    server.stdout.on("data", (chunk) => {
      output.push(String(chunk));
      const text = output.join("");
      const shop = /shop=(\S+)/.exec(text);
      const emu = /emulator=(\S+)/.exec(text);
      if (shop && emu) {
        shopBase = shop[1];
        emulatorBase = emu[1];
        clearTimeout(timer);
        resolve();
      }
    });
  });
  ({ browser, close: closeBrowser } = await launchBrowser());
});

after(async () => {
  await closeBrowser?.();
  server?.kill("SIGTERM");
});

async function orders() {
  return (await fetch(`${shopBase}/orders.json`)).json();
}

describe("examples/web", () => {
  test("basket, embedded checkout, payment, verified callback, confirmation", async () => {
    const page = await browser.newPage();
    await page.goto(shopBase);
    await Promise.all([page.waitForNavigation(), page.click("#to-checkout")]);
    const frame = await checkoutFrame(page);
    await frame.waitForSelector("#card_number");
    assert.equal(new URL(frame.url()).origin, emulatorBase);
    await settle(page, 300);
    await shots(page, "example-checkout");
    await type(frame, "#card_number", "4000 0000 0000 0002");
    await Promise.all([page.waitForNavigation(), frame.click("#pay-button")]);
    assert.equal(new URL(page.url()).pathname, "/return");
    // The callback arrives on its own: the shop verified its signature and confirmed it.
    const end = Date.now() + 10000;
    let list = await orders();
    while (!list[0]?.callbackVerified && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      list = await orders();
    }
    assert.equal(list.length, 1);
    assert.equal(list[0].callbackVerified, true);
    assert.equal(list[0].status, "paid");
    await page.reload();
    assert.equal(await page.$eval("#status", (h) => h.dataset.status), "paid");
    assert.equal(await page.$eval("#verified", (b) => b.textContent), "yes");
    await shots(page, "example-confirmed");
    assert.ok(output.join("").includes('"callback":"verified"'));
    await page.close();
  });

  test("a forged callback is refused with 401", async () => {
    const list = await orders();
    const r = await fetch(
      `${shopBase}/dintero/callback?transaction_id=T12345678.forged&session_id=x&merchant_reference=${list[0].reference}&time=2026-01-01T00:00:00Z`,
      { headers: { "dintero-signature": "t=1,v0-hmac-sha256=00" } }
    );
    assert.equal(r.status, 401);
    assert.equal((await orders())[0].transactionId, list[0].transactionId);
  });
});
