// A shop on Fastify with Dintero Checkout: checkout redirects the customer to Dintero, the
// callback is received by the dintero-checkout/fastify plugin, "ship" captures, "return" refunds.
//
//   node shop_fastify.mjs     # runs the story against an emulator started in this process
//
// The emulator calls the listening app back over HTTP, as Dintero would.

import { pathToFileURL } from 'node:url';

import Fastify from 'fastify';
import { dinteroCallbacks } from 'dintero-checkout/fastify';
import { Emulator } from 'dintero-checkout/testing';

import { createShop, runStory } from './shop.mjs';

/**
 * @param {import('fastify').FastifyInstance} app
 * @param {{ client: import('dintero-checkout').Client, verifier: import('dintero-checkout').CallbackVerifier,
 *           shop: ReturnType<typeof createShop>, publicUrl?: string, trustProxy?: boolean }} options
 */
export async function shopRoutes(app, { client, verifier, shop, publicUrl, trustProxy }) {
  app.post('/checkout', async (_request, reply) => reply.redirect(await shop.checkout(), 303));
  await app.register(dinteroCallbacks, { client, verifier, publicUrl, trustProxy, onReceipt: shop.onReceipt });
  /** @typedef {{ Params: { reference: string } }} ByReference */
  app.post('/orders/:reference/ship', async (/** @type {import('fastify').FastifyRequest<ByReference>} */ request, reply) => {
    const [status, text] = await shop.ship(request.params.reference);
    return reply.code(status).send(text);
  });
  app.post('/orders/:reference/return', async (/** @type {import('fastify').FastifyRequest<ByReference>} */ request, reply) => {
    const [status, text] = await shop.giveBack(request.params.reference);
    return reply.code(status).send(text);
  });
}

async function main() {
  const emu = await Emulator.start();
  const client = emu.client();
  const app = Fastify();
  // The public URL (where Dintero calls back) is the app's own address here; the shop reads it
  // when a customer checks out, after listen.
  let publicUrl = '';
  const shop = createShop({ client, get publicUrl() { return publicUrl; } });
  await app.register(shopRoutes, { client, verifier: emu.callbackVerifier(), shop });
  publicUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    await runStory({ emu, client, shop, send: (method, path) => fetch(publicUrl + path, { method, redirect: 'manual' }) });
    console.log('done');
  } finally {
    await app.close();
    await emu.shutdown();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
