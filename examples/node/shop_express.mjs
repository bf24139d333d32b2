// A shop on Express with Dintero Checkout: checkout redirects the customer to Dintero, the
// callback is received by dintero-checkout/express, "ship" captures, "return" refunds.
//
//   node shop_express.mjs     # runs the story against an emulator started in this process
//
// The emulator calls the listening app back over HTTP, as Dintero would.

import * as http from 'node:http';
import { pathToFileURL } from 'node:url';

import express from 'express';
import { callbackHandler } from 'dintero-checkout/express';
import { Emulator } from 'dintero-checkout/testing';

import { createShop, runStory } from './shop.mjs';

/**
 * @param {{ client: import('dintero-checkout').Client, verifier: import('dintero-checkout').CallbackVerifier,
 *           shop: ReturnType<typeof createShop>, publicUrl?: string, trustProxy?: boolean }} options
 */
export function createApp({ client, verifier, shop, publicUrl, trustProxy }) {
  const app = express();
  app.post('/checkout', async (_req, res) => res.redirect(303, await shop.checkout()));
  const receiver = callbackHandler({ client, verifier, publicUrl, trustProxy, onReceipt: shop.onReceipt });
  app.get('/dintero/callback', receiver);
  app.post('/dintero/callback', receiver);
  app.post('/orders/:reference/ship', async (req, res) => {
    const [status, text] = await shop.ship(req.params.reference);
    res.status(status).send(text);
  });
  app.post('/orders/:reference/return', async (req, res) => {
    const [status, text] = await shop.giveBack(req.params.reference);
    res.status(status).send(text);
  });
  return app;
}

async function main() {
  const emu = await Emulator.start();
  const client = emu.client();
  // Listen first: the public URL (where Dintero calls back) is the app's own address here.
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const publicUrl = `http://127.0.0.1:${address.port}`;
  const shop = createShop({ client, publicUrl });
  server.on('request', createApp({ client, verifier: emu.callbackVerifier(), shop }));
  try {
    await runStory({ emu, client, shop, send: (method, path) => fetch(publicUrl + path, { method, redirect: 'manual' }) });
    console.log('done');
  } finally {
    await new Promise((resolve) => server.close(() => resolve(undefined)));
    await emu.shutdown();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
