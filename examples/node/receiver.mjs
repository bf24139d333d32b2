// An Express receiver for Dintero's callbacks: verify the signature, confirm against the
// transaction, then fulfil. Dintero retries a callback that answers 5xx, times out (10 s) or
// drops the connection, up to 20 times; 2xx and 4xx end the deliveries. So a temporary failure
// answers 503, a forged request 401, and a late retry (an authentic signature older than the
// tolerance) is confirmed by re-reading the transaction and answered 200, never 4xx.
//
//     DINTERO_ACCOUNT_ID=T... DINTERO_CLIENT_ID=... DINTERO_CLIENT_SECRET=... \
//     DINTERO_SIGNATURE_SECRET=... PORT=3000 node receiver.mjs
//
// With no DINTERO_CLIENT_SECRET it starts an emulator in this process and uses its credentials.
// Behind a proxy that rewrites the Host header, set PUBLIC_URL=https://shop.example.

import { pathToFileURL } from 'node:url';

import express from 'express';
import { CallbackVerifier, Client, DinteroError, Emulator, parseCallback, requestUrl } from 'dintero-checkout';

/**
 * The Express app. `onConfirmed(transaction, callback)` is where an order is fulfilled; it
 * must be idempotent, as Dintero may deliver a callback more than once.
 *
 * @param {{ client: Client, verifier: CallbackVerifier, publicUrl?: string,
 *           onConfirmed?: (transaction: import('dintero-checkout').Transaction,
 *                          callback: import('dintero-checkout').Callback) => void | Promise<void> }} options
 */
export function createReceiver({ client, verifier, publicUrl, onConfirmed = () => {} }) {
  const app = express();

  /** @type {import('express').RequestHandler} */
  const handle = async (req, res) => {
    let callback;
    try {
      callback = verifier.verifyRequest(req, { publicUrl });
    } catch (e) {
      if (!(e instanceof DinteroError)) throw e;
      if (!e.isAuthenticButLate) {
        // Forged, or not a callback: 4xx, Dintero does not retry it.
        res.status(e.kind === 'signature' ? 401 : 400).json({ error: e.kind, code: e.code, message: e.message });
        return;
      }
      // Dintero's own signature, only older than the tolerance: a late retry. Read it and let
      // confirm (a fresh read of the transaction, harmless to repeat) decide.
      callback = parseCallback(requestUrl(req.originalUrl ?? req.url, req.headers, { publicUrl }));
    }
    try {
      const { transaction } = await client.callbacks.confirm(callback);
      await onConfirmed(transaction, callback);
      console.log(JSON.stringify({ confirmed: transaction.id, status: transaction.status, merchant_reference: transaction.merchant_reference }));
      res.sendStatus(200);
    } catch (e) {
      if (!(e instanceof DinteroError)) throw e;
      // Network trouble or a Dintero outage: ask for a retry. Anything else is final.
      const status = e.isTransient ? 503 : e.kind === 'conflict' ? 409 : 400;
      res.status(status).json({ error: e.kind, message: e.message, requestId: e.requestId });
    }
  };

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
