// An Express receiver for Dintero's callbacks, on `dintero-checkout/express`: the core verifies
// the signature on the URL rebuilt from the request, treats a late retry (an authentic signature
// older than the tolerance) as authentic, confirms against the transaction and decides the
// answer (2xx ends Dintero's deliveries, 4xx is final, 5xx makes Dintero retry, up to 20 times).
// This file only fulfils the order and says so.
//
//     DINTERO_ACCOUNT_ID=T... DINTERO_CLIENT_ID=... DINTERO_CLIENT_SECRET=... \
//     DINTERO_SIGNATURE_SECRET=... PORT=3000 node receiver.mjs
//
// With no DINTERO_CLIENT_SECRET it starts an emulator in this process and uses its credentials.
// Behind a proxy that rewrites the Host header, set PUBLIC_URL=https://shop.example.

import { pathToFileURL } from 'node:url';

import express from 'express';
import { CallbackVerifier, Client, Emulator } from 'dintero-checkout';
import { callbackHandler } from 'dintero-checkout/express';

/**
 * The Express app. `onConfirmed(transaction)` is where an order is fulfilled; it must be
 * idempotent, as Dintero may deliver a callback more than once.
 *
 * @param {{ client: Client, verifier: CallbackVerifier, publicUrl?: string,
 *           onConfirmed?: (transaction: import('dintero-checkout').Transaction) => void | Promise<void> }} options
 */
export function createReceiver({ client, verifier, publicUrl, onConfirmed = () => {} }) {
  const app = express();
  const handle = callbackHandler({
    client,
    verifier,
    publicUrl,
    onReceipt: async (receipt) => {
      const transaction = receipt.transaction;
      if (receipt.outcome !== 'confirmed' || !transaction) return;
      await onConfirmed(transaction);
      console.log(JSON.stringify({ confirmed: transaction.id, status: transaction.status, merchant_reference: transaction.merchant_reference }));
    },
  });
  app.get('/dintero/callback', handle);
  app.post('/dintero/callback', handle);
  return app;
}

async function main() {
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
  const verifier = emulator
    ? emulator.callbackVerifier()
    : new CallbackVerifier(env.DINTERO_SIGNATURE_SECRET ?? '', env.DINTERO_ACCOUNT_ID ?? '');
  const app = createReceiver({ client, verifier, publicUrl: env.PUBLIC_URL });
  const server = app.listen(Number(env.PORT ?? 3000), env.HOST ?? '127.0.0.1', (error) => {
    if (error) throw error;
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : env.PORT;
    console.log(`listening on http://${env.HOST ?? '127.0.0.1'}:${port}/dintero/callback`);
    if (emulator) console.log(`emulator at ${emulator.baseUrl}`);
  });
  const stop = () => server.close(() => emulator?.shutdown().then(() => process.exit(0)) ?? process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
