// A shop as a Web-standard handler, `(request: Request) => Promise<Response>`: the shape of a
// Next.js route handler, Hono, Cloudflare Workers, Deno and Bun. Checkout redirects the
// customer to Dintero, the callback is received by dintero-checkout/web, "ship" captures,
// "return" refunds.
//
//   node shop_web.mjs     # runs the story against an emulator started in this process
//
// The handler is called with `Request` objects directly. Dintero's callback goes to the shop's
// public URL (https://shop.example here), which the emulator cannot reach: its signed attempt is
// replayed to the handler as the shop's proxy would pass it on (an internal Host, the public one
// in X-Forwarded-Host / X-Forwarded-Proto), with trustProxy.

import { pathToFileURL } from 'node:url';

import { callbackHandler } from 'dintero-checkout/web';
import { Emulator } from 'dintero-checkout/testing';

import { createShop, runStory } from './shop.mjs';

/**
 * @param {{ client: import('dintero-checkout').Client, verifier: import('dintero-checkout').CallbackVerifier,
 *           shop: ReturnType<typeof createShop>, publicUrl?: string, trustProxy?: boolean }} options
 * @returns {(request: Request) => Promise<Response>}
 */
export function createHandler({ client, verifier, shop, publicUrl, trustProxy }) {
  const receive = callbackHandler({ client, verifier, publicUrl, trustProxy, onReceipt: shop.onReceipt });
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/dintero/callback') return receive(request);
    if (request.method === 'POST' && pathname === '/checkout') {
      return new Response(null, { status: 303, headers: { location: await shop.checkout() } });
    }
    const step = /^\/orders\/([^/]+)\/(ship|return)$/.exec(pathname);
    if (request.method === 'POST' && step?.[1]) {
      const reference = decodeURIComponent(step[1]);
      const [status, text] = step[2] === 'ship' ? await shop.ship(reference) : await shop.giveBack(reference);
      return new Response(text, { status });
    }
    return new Response('not found', { status: 404 });
  };
}

async function main() {
  const emu = await Emulator.start();
  const client = emu.client();
  const shop = createShop({ client, publicUrl: 'https://shop.example' });
  const handle = createHandler({ client, verifier: emu.callbackVerifier(), shop, trustProxy: true });
  try {
    await runStory({
      emu,
      client,
      shop,
      send: (method, path) => handle(new Request(`http://10.0.0.7:3000${path}`, { method })),
      deliver: (delivery) => {
        const url = new URL(delivery.url);
        return handle(new Request(`http://10.0.0.7:3000${url.pathname}${url.search}`, {
          method: delivery.method,
          headers: { ...delivery.headers, 'x-forwarded-host': url.host, 'x-forwarded-proto': url.protocol.replace(':', '') },
        }));
      },
    });
    console.log('done');
  } finally {
    await emu.shutdown();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
