// A shop page with an embedded Dintero checkout, on plain node:http:
//
//   1. the server creates the session with the dintero-checkout Node package;
//   2. the page embeds it with Dintero's Web SDK (@dintero/checkout-web-sdk, served from
//      node_modules);
//   3. the server verifies the callback's signature and confirms it against the transaction:
//      only then is the order paid. The customer's return to /return is a hint, never proof.
//
// With no settings it starts an emulator in this process (the checkout page, test cards and
// signed callbacks included):
//     node server.mjs                      # then open the printed shop= URL
// Against your Dintero test account (callbacks need a public HTTPS URL: set PUBLIC_URL):
//     DINTERO_ACCOUNT_ID=T... DINTERO_CLIENT_ID=... DINTERO_CLIENT_SECRET=... \
//     DINTERO_SIGNATURE_SECRET=... PUBLIC_URL=https://shop.example node server.mjs

import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { CallbackVerifier, Client, DinteroError, Emulator } from 'dintero-checkout';

const require = createRequire(import.meta.url);
const SDK_FILE = require.resolve('@dintero/checkout-web-sdk/dist/dintero-checkout-web-sdk.umd.min.js');

const env = process.env;
const emulator = env.DINTERO_CLIENT_SECRET ? null : await Emulator.start();
const client = emulator
  ? emulator.client()
  : new Client({
      accountId: env.DINTERO_ACCOUNT_ID ?? '',
      clientId: env.DINTERO_CLIENT_ID ?? '',
      clientSecret: env.DINTERO_CLIENT_SECRET ?? '',
      baseUrl: env.DINTERO_BASE_URL,
    });
const verifier = new CallbackVerifier(
  emulator ? (emulator.signatureSecret ?? '') : (env.DINTERO_SIGNATURE_SECRET ?? ''),
  emulator ? emulator.accountId : (env.DINTERO_ACCOUNT_ID ?? ''),
);
// Where the Web SDK loads the checkout from: the emulator, or Dintero's (the SDK's default).
const checkoutEndpoint = emulator ? emulator.baseUrl : (env.DINTERO_CHECKOUT_ENDPOINT ?? 'https://checkout.dintero.com');

/** Orders by merchant_reference: what the shop knows, and how it learnt it. */
const orders = new Map();

const PRODUCTS = [
  { id: 'chair', line_id: '1', description: 'Stacking chair', quantity: 1, amount: 29990, vat: 25, vat_amount: 5998 },
  { id: 'cushion', line_id: '2', description: 'Seat cushion', quantity: 2, amount: 9990, vat: 25, vat_amount: 1998 },
];
const SHIPPING = { id: 'pickup', line_id: 'shipping', amount: 3900, vat: 25, vat_amount: 780, title: 'Pick-up point', operator: 'Posten' };

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const nok = (minor) => `${(minor / 100).toFixed(2).replace('.', ',')} NOK`;

function layout(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,">
<title>${escape(title)} · Nordic Chairs</title>
<style>
body{margin:0;font:16px/1.45 Georgia,serif;background:#faf7f2;color:#222}
header{background:#2d3a2e;color:#fff;padding:14px 20px;font-size:20px}
main{max-width:620px;margin:24px auto;padding:0 16px}
h1{font-size:24px}
.box{background:#fff;border:1px solid #e6e0d6;border-radius:8px;padding:16px}
button{font:inherit;background:#2d3a2e;color:#fff;border:0;border-radius:6px;padding:10px 18px;cursor:pointer}
td{padding:4px 0}td.num{text-align:right}
</style></head><body><header>Nordic Chairs</header><main>${body}</main></body></html>`;
}

function productPage() {
  const rows = PRODUCTS.map((p) => `<tr><td>${p.quantity} × ${escape(p.description)}</td><td class="num">${nok(p.amount)}</td></tr>`).join('');
  return layout('Your basket', `<h1>Your basket</h1><div class="box"><table style="width:100%">${rows}
<tr><td>${escape(SHIPPING.title)}</td><td class="num">${nok(SHIPPING.amount)}</td></tr></table>
<form method="post" action="/checkout"><button id="to-checkout">Go to checkout</button></form></div>`);
}

function checkoutPage(sessionId) {
  return layout('Checkout', `<h1>Checkout</h1><div class="box" id="checkout"></div>
<script src="/sdk/dintero-checkout-web-sdk.js"></script>
<script>
  // No payment handlers: on a final event the SDK sends the whole window to the href the
  // checkout gives it, our /return page. The server decides whether the order is paid.
  dintero.embed({
    container: document.getElementById('checkout'),
    sid: ${JSON.stringify(sessionId)},
    endpoint: ${JSON.stringify(checkoutEndpoint)},
  }).then((checkout) => { window.checkout = checkout; });
</script>`);
}

async function returnPage(url) {
  const q = url.searchParams;
  const order = orders.get(q.get('merchant_reference') ?? '');
  if (!order) return layout('Unknown order', '<h1>We do not know that order</h1>');
  // The redirect is unsigned and can arrive before the callback: check with Dintero.
  const txId = q.get('transaction_id');
  if (txId && order.status === 'pending') {
    const tx = await client.transactions.get(txId);
    if (tx.merchant_reference === order.reference) order.status = describe(tx.status);
  }
  if (q.get('error') && order.status === 'pending') order.status = q.get('error') === 'cancelled' ? 'cancelled' : 'failed';
  const text = {
    paid: 'Thank you! Your payment is confirmed and your chairs are on their way.',
    'awaiting approval': 'Thank you! The payment is waiting for approval; we will e-mail you.',
    cancelled: 'The payment was cancelled. Your basket is still here.',
    failed: 'The payment did not go through. Your basket is still here.',
    pending: 'We are waiting for the payment to be confirmed.',
  }[order.status];
  return layout('Order', `<h1 id="status" data-status="${escape(order.status)}">${escape(text)}</h1>
<div class="box">Order <b>${escape(order.reference)}</b> · ${nok(order.amount)}<br>Confirmed by a signed callback: <b id="verified">${order.callbackVerified ? 'yes' : 'not yet'}</b></div>
<p><a href="/">Back to the shop</a></p>`);
}

function describe(status) {
  if (['AUTHORIZED', 'CAPTURED', 'PARTIALLY_CAPTURED'].includes(status)) return 'paid';
  if (status === 'ON_HOLD') return 'awaiting approval';
  if (status === 'FAILED' || status === 'DECLINED') return 'failed';
  return 'pending';
}

async function createCheckout(publicUrl) {
  const reference = `order-${Date.now()}-${orders.size + 1}`;
  const amount = PRODUCTS.reduce((sum, p) => sum + p.amount, SHIPPING.amount);
  const session = await client.sessions.create({
    url: {
      return_url: `${publicUrl}/return`,
      callback_url: `${publicUrl}/dintero/callback?report_error=true`,
    },
    order: { amount, currency: 'NOK', merchant_reference: reference, items: PRODUCTS, shipping_option: SHIPPING },
    profile_id: env.DINTERO_PROFILE_ID ?? 'default',
  });
  orders.set(reference, { reference, amount, sessionId: session.id, status: 'pending', callbackVerified: false });
  return session.id;
}

/** The callback: verify the signature, then confirm against the transaction. */
async function handleCallback(req, res, publicUrl) {
  let callback;
  try {
    callback = verifier.verifyRequest(req, { publicUrl });
  } catch (e) {
    if (!(e instanceof DinteroError)) throw e;
    // Forged or not a callback: 401 is final, Dintero does not retry.
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: e.kind, code: e.code }));
    return;
  }
  const order = orders.get(callback.merchant_reference ?? '');
  if (!order) {
    res.writeHead(404).end();
    return;
  }
  if (!callback.transaction_id) {
    // report_error=true: cancelled or failed without a transaction.
    if (order.status === 'pending') order.status = callback.error === 'cancelled' ? 'cancelled' : 'failed';
    res.writeHead(200).end();
    return;
  }
  try {
    const { transaction } = await client.callbacks.confirm(callback);
    order.status = describe(transaction.status);
    order.callbackVerified = true;
    order.transactionId = transaction.id;
    console.log(JSON.stringify({ callback: 'verified', reference: order.reference, status: transaction.status }));
    res.writeHead(200).end();
  } catch (e) {
    if (!(e instanceof DinteroError)) throw e;
    res.writeHead(e.isTransient ? 503 : 400).end();
  }
}

const server = createServer(async (req, res) => {
  const publicUrl = env.PUBLIC_URL ?? `http://${req.headers.host}`;
  const url = new URL(req.url ?? '/', publicUrl);
  const html = (status, body) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  };
  try {
    if (req.method === 'GET' && url.pathname === '/') return html(200, productPage());
    if (req.method === 'POST' && url.pathname === '/checkout') {
      const sid = await createCheckout(publicUrl);
      res.writeHead(303, { location: `/checkout/${encodeURIComponent(sid)}` });
      return res.end();
    }
    if (req.method === 'GET' && url.pathname.startsWith('/checkout/')) {
      return html(200, checkoutPage(decodeURIComponent(url.pathname.slice('/checkout/'.length))));
    }
    if (req.method === 'GET' && url.pathname === '/return') return html(200, await returnPage(url));
    if (url.pathname === '/dintero/callback') return await handleCallback(req, res, env.PUBLIC_URL);
    if (url.pathname === '/sdk/dintero-checkout-web-sdk.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return res.end(readFileSync(SDK_FILE));
    }
    if (url.pathname === '/orders.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify([...orders.values()]));
    }
    html(404, layout('Not found', '<h1>Not found</h1>'));
  } catch (e) {
    console.error(e);
    html(500, layout('Error', '<h1>Something went wrong</h1>'));
  }
});

server.listen(Number(env.PORT ?? 3000), env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`shop=http://${address}:${port}`);
  if (emulator) console.log(`emulator=${emulator.baseUrl}`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
