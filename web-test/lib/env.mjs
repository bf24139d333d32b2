// Shared set-up for the browser tests: the emulator binary, a small shop (its own origin)
// that embeds the checkout with Dintero's Web SDK, the API calls a shop's backend makes, and
// Debian's Chromium driven by puppeteer-core.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, "..", "..");
export const ARTIFACTS = process.env.WEB_TEST_ARTIFACTS || join(here, "..", "artifacts");
const SDK_DIST = join(here, "..", "node_modules", "@dintero", "checkout-web-sdk", "dist", "dintero-checkout-web-sdk.umd.min.js");
export const SDK_VERSION = JSON.parse(
  readFileSync(join(here, "..", "node_modules", "@dintero", "checkout-web-sdk", "package.json"), "utf8")
).version;

/** Starts the emulator binary on a free port; resolves with its printed settings. */
export async function startEmulator() {
  const bin = process.env.DINTERO_EMULATOR_BIN || join(ROOT, "target", "debug", "dintero-emulator");
  const child = spawn(bin, ["--listen", "127.0.0.1:0", "--quiet", "--callback-retry-ms", "50", "--card-timeout-ms", "300"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const info = await new Promise((resolve, reject) => {
    let buf = "";
    const settings = {};
    const timer = setTimeout(() => reject(new Error("the emulator did not start within 20 s")), 20000);
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`the emulator exited with ${code}`)));
    child.stdout.on("data", (chunk) => {
      buf += chunk;
      for (const line of buf.split("\n").slice(0, -1)) {
        const i = line.indexOf("=");
        if (i > 0) settings[line.slice(0, i)] = line.slice(i + 1);
      }
      buf = buf.slice(buf.lastIndexOf("\n") + 1);
      if (settings.base_url && settings.client_secret && "signature_secret" in settings) {
        clearTimeout(timer);
        resolve(settings);
      }
    });
  });
  child.stdout.resume();
  return { ...info, stop: () => child.kill("SIGTERM") };
}

/** The calls a shop's backend makes (plain HTTP; the example in examples/web uses our SDK). */
export class Api {
  constructor(emu) {
    this.emu = emu;
    this.base = emu.base_url;
  }
  async token() {
    if (this._token) return this._token;
    const basic = Buffer.from(`${this.emu.client_id}:${this.emu.client_secret}`).toString("base64");
    const r = await fetch(`${this.base}/v1/accounts/${this.emu.account_id}/auth/token`, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials", audience: `${this.base}/v1/accounts/${this.emu.account_id}` }),
    });
    if (r.status !== 200) throw new Error(`token: ${r.status} ${await r.text()}`);
    this._token = (await r.json()).access_token;
    return this._token;
  }
  async call(method, path, body) {
    const r = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${await this.token()}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }
  async control(method, path, body) {
    const r = await fetch(`${this.base}/_emulator${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
  }
  /** Creates a session (sessions-profile); resolves with its id. */
  async session(shop, overrides = {}) {
    const body = sessionBody(shop, overrides);
    const r = await this.call("POST", "/v1/sessions-profile", body);
    if (r.status !== 200) throw new Error(`create session: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id;
  }
  async getSession(id) {
    return (await this.call("GET", `/v1/sessions/${id}`)).body;
  }
  async tx(id) {
    return (await this.call("GET", `/v1/transactions/${id}`)).body;
  }
  async callbacks() {
    return (await this.control("GET", "/callbacks")).body;
  }
  async catalog() {
    return (await this.control("GET", "/catalog")).body;
  }
}

let counter = 0;
/** A session request: two lines and shipping, 438,80 NOK unless `overrides` change it. */
export function sessionBody(shop, overrides = {}) {
  counter += 1;
  const { order = {}, ...rest } = overrides;
  return {
    url: {
      return_url: `${shop.base}/return`,
      callback_url: `${shop.base}/callback?report_error=true`,
    },
    order: {
      amount: 43880,
      currency: "NOK",
      vat_amount: 8776,
      merchant_reference: `web-${process.pid}-${counter}`,
      items: [
        { id: "chair-1", line_id: "1", description: "Stacking chair", quantity: 1, amount: 29990, vat_amount: 5998, vat: 25 },
        { id: "cushion-2", line_id: "2", description: "Seat cushion", quantity: 2, amount: 9990, vat_amount: 1998, vat: 25 },
      ],
      shipping_option: { id: "pickup", line_id: "shipping-1", amount: 3900, vat_amount: 780, vat: 25, title: "Pick-up point", operator: "Posten" },
      ...order,
    },
    profile_id: "default",
    ...rest,
  };
}

const SHOP_PAGE = (emulator) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,"><title>Test shop</title>
<style>
body{margin:0;font:16px/1.4 Georgia,serif;background:#faf7f2;color:#222}
header{background:#2d3a2e;color:#fff;padding:14px 20px;font-size:20px}
.wrap{max-width:600px;margin:24px auto;padding:0 16px}
#checkout-container{background:#fff;border:1px solid #e6e0d6;border-radius:8px;padding:16px}
footer{color:#777;font-size:13px;margin-top:16px}
</style></head>
<body><header>Nordic Chairs</header><div class="wrap"><h1 style="font-size:22px">Checkout</h1>
<div id="checkout-container"></div><footer>Nordic Chairs AS · test shop</footer></div>
<script src="/sdk.js"></script>
<script>
  window.events = [];
  const q = new URLSearchParams(location.search);
  const record = (name) => (event) => { window.events.push({ name, ...JSON.parse(JSON.stringify(event || {})) }); };
  const options = { container: document.getElementById("checkout-container"), sid: q.get("sid"), endpoint: ${JSON.stringify(emulator)} };
  if (q.get("language")) options.language = q.get("language");
  if (q.get("handlers") !== "none") {
    Object.assign(options, {
      onSession: record("onSession"),
      onPaymentAuthorized: record("onPaymentAuthorized"),
      onPaymentError: record("onPaymentError"),
      onSessionCancel: record("onSessionCancel"),
      onSessionNotFound: record("onSessionNotFound"),
      onSessionLocked: record("onSessionLocked"),
      onSessionLockFailed: record("onSessionLockFailed"),
      onActivePaymentType: record("onActivePaymentType"),
    });
    if (q.get("on_hold") === "1") options.onPayment = record("onPayment");
  }
  if (q.get("validate") === "1") {
    window.verdict = { success: true };
    options.onValidateSession = (event, checkout, callback) => {
      window.events.push({ name: "onValidateSession", type: event.type, session_id: event.session && event.session.id });
      callback(window.verdict);
    };
  }
  dintero.embed(options).then((c) => { window.checkout = c; });
</script></body></html>`;

const REDIRECT_PAGE = (emulator) => `<!doctype html><html><head><meta charset="utf-8"><title>Redirecting</title></head><body>
<script src="/sdk.js"></script>
<script>dintero.redirect({ sid: new URLSearchParams(location.search).get("sid"), endpoint: ${JSON.stringify(emulator)} });</script>
</body></html>`;

const RETURN_PAGE = (query) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,"><title>Order</title>
<style>body{margin:0;font:16px/1.4 Georgia,serif;background:#faf7f2;color:#222}header{background:#2d3a2e;color:#fff;padding:14px 20px;font-size:20px}.wrap{max-width:600px;margin:24px auto;padding:0 16px}</style>
</head><body><header>Nordic Chairs</header><div class="wrap"><h1 id="title">${query.get("error") ? "Your order was not paid" : "Thank you for your order"}</h1>
<pre id="query">${[...query].map(([k, v]) => `${k}=${v}`.replace(/[<&]/g, "")).join("\n")}</pre></div></body></html>`;

/** The test shop on its own port (so its origin differs from the emulator's). */
export async function startShop(emulatorBase) {
  const callbacks = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const send = (status, type, body) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (url.pathname === "/sdk.js") return send(200, "text/javascript", readFileSync(SDK_DIST));
    if (url.pathname === "/embed.html") return send(200, "text/html", SHOP_PAGE(emulatorBase));
    if (url.pathname === "/redirect.html") return send(200, "text/html", REDIRECT_PAGE(emulatorBase));
    if (url.pathname === "/return") return send(200, "text/html", RETURN_PAGE(url.searchParams));
    if (url.pathname === "/callback") {
      callbacks.push(Object.fromEntries(url.searchParams));
      return send(200, "text/plain", "ok");
    }
    send(404, "text/plain", "not found");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return { base, callbacks, stop: () => new Promise((r) => server.close(r)) };
}

export const DESKTOP = { width: 1280, height: 900 };
// No isMobile/hasTouch: puppeteer reloads the page when those change.
export const PHONE = { width: 390, height: 844 };

/** Launches Debian's Chromium (installed by scripts/web-test.sh) with a fresh profile. */
export async function launchBrowser() {
  const userDataDir = mkdtempSync(join(tmpdir(), "web-test-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    userDataDir,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  const close = async () => {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
  };
  return { browser, close };
}

/** Saves a screenshot of the page as `artifacts/<name>.png`. */
export async function shot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Screenshots at desktop width and at 390 px (`<name>-desktop.png`, `<name>-390.png`). */
export async function shots(page, name) {
  const before = page.viewport();
  await page.setViewport(DESKTOP);
  await settle(page);
  await shot(page, `${name}-desktop`);
  await page.setViewport(PHONE);
  await settle(page);
  await shot(page, `${name}-390`);
  if (before) await page.setViewport(before);
}

/** Two animation frames plus a short pause, so layout and height messages settle. */
export async function settle(page, ms = 150) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await new Promise((r) => setTimeout(r, ms));
}

/** Waits until `pred(events)` holds for the shop page's recorded SDK events. */
export async function waitForEvent(page, name, timeout = 10000) {
  await page.waitForFunction((n) => window.events.some((e) => e.name === n), { timeout }, name);
  return page.evaluate((n) => window.events.filter((e) => e.name === n).at(-1), name);
}

/** Opens the shop page embedding session `sid`; resolves with the checkout iframe's frame. */
export async function openEmbedded(page, shop, sid, query = "") {
  await page.goto(`${shop.base}/embed.html?sid=${encodeURIComponent(sid)}${query}`);
  const frame = await checkoutFrame(page);
  await frame.waitForSelector("#checkout");
  return frame;
}

/** The iframe the SDK created, once its document has loaded. */
export async function checkoutFrame(page) {
  const handle = await page.waitForSelector("iframe");
  let frame = await handle.contentFrame();
  for (let i = 0; i < 100 && (!frame || frame.url() === "about:blank"); i++) {
    await new Promise((r) => setTimeout(r, 50));
    frame = await handle.contentFrame();
  }
  return frame;
}

/** The iframe's current CSS height in px (what HeightChanged set). */
export function iframeHeight(page) {
  return page.$eval("#checkout-container iframe", (f) => f.getBoundingClientRect().height);
}

/** The messages the page posted to the SDK, and the acks it got back. */
export function pageMessages(frame) {
  return frame.evaluate(() => ({ sent: window.dinteroSent || [], acks: window.dinteroAcks || [] }));
}

/** Types into a field of the checkout frame (clearing it first). */
export async function type(frame, selector, text) {
  await frame.click(selector, { count: 3 });
  await frame.type(selector, text);
}
