// The framework receivers (dintero-checkout/express, /fastify, /web) with each framework's own
// way of taking a request: Express on a real listening server, Fastify's `inject`, and Web
// `Request` objects handed to the handler. Every request replays a real signed callback of the
// emulator (recorded while it tried to reach https://shop.example), directly, behind a
// simulated proxy, forged, late, and while Dintero fails.

import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import express from 'express';
import Fastify from 'fastify';

import { computeSignature, type CallbackReceipt, type CallbackVerifier, type Client } from 'dintero-checkout';
import * as onExpress from 'dintero-checkout/express';
import * as onFastify from 'dintero-checkout/fastify';
import type { ReceiverOptions } from 'dintero-checkout/web';
import * as onWeb from 'dintero-checkout/web';
import { Emulator } from 'dintero-checkout/testing';

import { FAST_RETRY, reference, sessionRequest } from './helpers.js';

/** Where the sessions send their callbacks: the shop's public address. */
const PUBLIC = 'https://shop.example';
const CALLBACK_URL = `${PUBLIC}/dintero/callback`;

interface Sent {
  method?: string;
  path: string;
  /** Lower-case names; `host` included. */
  headers: Record<string, string>;
}
interface Answer {
  status: number;
  body: { outcome?: string; reason?: string };
  /** What `onReceipt` saw (none when the handler never got that far). */
  receipt?: CallbackReceipt;
}
/** A framework app with the receiver at /dintero/callback, and how to send it a request. */
interface Driver {
  send(request: Sent): Promise<Answer>;
  close(): Promise<void>;
}
type Receiving = ReceiverOptions & { failWith?: Error };

/** The options with an `onReceipt` that keeps the last receipt (and throws `failWith`). */
function recording(options: Receiving): { seen: { receipt?: CallbackReceipt }; options: ReceiverOptions & { onReceipt: (r: CallbackReceipt) => void } } {
  const seen: { receipt?: CallbackReceipt } = {};
  const onReceipt = (r: CallbackReceipt): void => {
    seen.receipt = r;
    if (options.failWith) throw options.failWith;
  };
  return { seen, options: { ...options, onReceipt } };
}

/** Express: the handler in a router mounted at /dintero (req.url loses the mount, originalUrl keeps it). */
async function expressDriver(options: Receiving): Promise<Driver> {
  const { seen, options: receiving } = recording(options);
  const app = express();
  const router = express.Router();
  const handler = onExpress.callbackHandler(receiving);
  router.get('/callback', handler);
  router.post('/callback', handler);
  app.use('/dintero', router);
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ reason: 'the shop failed' });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    send: (sent) =>
      new Promise((resolve, reject) => {
        seen.receipt = undefined;
        const req = http.request({ host: '127.0.0.1', port, method: sent.method ?? 'GET', path: sent.path, headers: sent.headers }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {}, receipt: seen.receipt }));
        });
        req.on('error', reject);
        req.end();
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Fastify: the plugin, driven by `inject` (no socket). */
async function fastifyDriver(options: Receiving): Promise<Driver> {
  const { seen, options: receiving } = recording(options);
  const app = Fastify();
  await app.register(onFastify.dinteroCallbacks, receiving);
  return {
    send: async (sent) => {
      seen.receipt = undefined;
      const res = await app.inject({ method: sent.method === 'POST' ? 'POST' : 'GET', url: sent.path, headers: sent.headers });
      return { status: res.statusCode, body: res.json(), receipt: seen.receipt };
    },
    close: () => app.close(),
  };
}

/** Web: `Request` in, `Response` out; the host goes into the request's URL, as runtimes put it. */
async function webDriver(options: Receiving): Promise<Driver> {
  const { seen, options: receiving } = recording(options);
  const handle = onWeb.callbackHandler(receiving);
  return {
    send: async (sent) => {
      seen.receipt = undefined;
      const { host, ...headers } = sent.headers;
      const request = new Request(`http://${host}${sent.path}`, { method: sent.method ?? 'GET', headers });
      let res: Response;
      try {
        res = await handle(request);
      } catch {
        res = Response.json({ reason: 'the shop failed' }, { status: 500 }); // what a runtime answers
      }
      return { status: res.status, body: (await res.json()) as Answer['body'], receipt: seen.receipt };
    },
    close: async () => {},
  };
}

const FRAMEWORKS: Array<[string, (options: Receiving) => Promise<Driver>]> = [
  ['Express', expressDriver],
  ['Fastify', fastifyDriver],
  ['Web Request', webDriver],
];

describe('framework receivers', () => {
  let emu: Emulator;
  let client: Client;
  let verifier: CallbackVerifier;
  /** A real signed callback the emulator sent for a paid session. */
  let delivered: { path: string; signature: string; transactionId: string; url: string };

  before(async () => {
    emu = await Emulator.start();
    client = emu.client({ retry: FAST_RETRY });
    verifier = emu.callbackVerifier();
    const session = await client.sessions.create(sessionRequest(reference('frameworks'), CALLBACK_URL));
    const paid = await emu.pay(session.id);
    const transactionId = paid.transaction_id;
    assert.ok(transactionId);
    // The emulator cannot reach shop.example: its first attempt is recorded with its headers.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const d = emu.callbacks().find((c) => c.url.includes(transactionId) && c.headers['Dintero-Signature']);
      if (d) {
        const url = new URL(d.url);
        delivered = { path: url.pathname + url.search, signature: d.headers['Dintero-Signature']!, transactionId, url: d.url };
        break;
      }
      assert.ok(Date.now() < deadline, 'the emulator signed and tried a callback');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(delivered.url.startsWith(`${CALLBACK_URL}?`));
  });

  after(() => emu.shutdown());

  const direct = (): Sent => ({ path: delivered.path, headers: { host: 'shop.example', 'dintero-signature': delivered.signature } });
  /** As the shop's own proxy passes it on: an internal Host, the public one in forwarded headers. */
  const proxied = (forwarded: Record<string, string>): Sent => ({
    path: delivered.path,
    headers: { host: '10.0.0.7:8080', 'dintero-signature': delivered.signature, ...forwarded },
  });
  const xForwarded = { 'x-forwarded-host': 'shop.example', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' };
  const signedAt = (secret: string, t: number): string =>
    `t=${t},v0-hmac-sha256=${computeSignature(secret, emu.accountId, 'GET', delivered.url, t)}`;

  for (const [name, make] of FRAMEWORKS) {
    describe(name, () => {
      async function withDriver(options: Partial<Receiving>, body: (d: Driver) => Promise<void>): Promise<void> {
        const driver = await make({ client, verifier, ...options });
        try {
          await body(driver);
        } finally {
          await driver.close();
        }
      }

      function assertConfirmed(answer: Answer, late = false): void {
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.equal(answer.body.outcome, 'confirmed');
        assert.equal(answer.receipt?.outcome, 'confirmed');
        assert.equal(answer.receipt?.transaction?.id, delivered.transactionId);
        assert.equal(answer.receipt?.transaction?.status, 'AUTHORIZED');
        assert.equal(answer.receipt?.late, late);
      }

      function assertRefused(answer: Answer, status: number): void {
        assert.equal(answer.status, status, JSON.stringify(answer.body));
        assert.equal(answer.body.outcome, 'refused');
        assert.equal(answer.receipt?.outcome, 'refused');
        assert.ok(answer.receipt && answer.receipt.transaction == null, 'nothing to fulfil from a refused callback');
      }

      it('confirms a real signed callback (GET and POST) and answers 200', async () => {
        await withDriver({}, async (d) => {
          assertConfirmed(await d.send(direct()));
          // Dintero may call back with POST; the signature then covers POST.
          const t = Math.floor(Date.now() / 1000);
          const post = `t=${t},v0-hmac-sha256=${computeSignature(emu.signatureSecret!, emu.accountId, 'POST', delivered.url, t)}`;
          assertConfirmed(await d.send({ ...direct(), method: 'POST', headers: { host: 'shop.example', 'dintero-signature': post } }));
        });
      });

      it('behind a proxy: refuses without trustProxy, confirms with it (X-Forwarded-* and Forwarded) or with publicUrl', async () => {
        await withDriver({}, async (d) => {
          const answer = await d.send(proxied(xForwarded));
          assertRefused(answer, 403);
          assert.equal(answer.receipt?.error?.code, 'signature_mismatch');
        });
        await withDriver({ trustProxy: true }, async (d) => {
          assertConfirmed(await d.send(proxied(xForwarded)));
          assertConfirmed(await d.send(proxied({ forwarded: 'for=203.0.113.9;host=shop.example;proto=https' })));
          // A trusted proxy that says another host: that is the URL checked, and it fails.
          assertRefused(await d.send(proxied({ 'x-forwarded-host': 'evil.example' })), 403);
        });
        await withDriver({ publicUrl: PUBLIC }, async (d) => {
          assertConfirmed(await d.send(proxied({})));
        });
      });

      it('refuses a forged or unsigned callback with a 4xx (final at Dintero), and confirms a late retry', async () => {
        await withDriver({}, async (d) => {
          const now = Math.floor(Date.now() / 1000);
          const forged = await d.send({ ...direct(), headers: { host: 'shop.example', 'dintero-signature': signedAt('a-guess', now) } });
          assertRefused(forged, 403);
          assert.equal(forged.receipt?.error?.kind, 'signature');
          assertRefused(await d.send({ ...direct(), headers: { host: 'shop.example' } }), 403);
          // Dintero's own signature, an hour old: one of its late retries. Refusing it would
          // lose the callback; it is confirmed.
          assertConfirmed(await d.send({ ...direct(), headers: { host: 'shop.example', 'dintero-signature': signedAt(emu.signatureSecret!, now - 3600) } }), true);
          // The same age with a guessed secret stays forged.
          assertRefused(await d.send({ ...direct(), headers: { host: 'shop.example', 'dintero-signature': signedAt('a-guess', now - 3600) } }), 403);
        });
      });

      it('answers 503 (Dintero retries) while the transaction or the token cannot be read, then confirms', async () => {
        await withDriver({}, async (d) => {
          emu.injectFault({ route: 'get_transaction', fault: 'status_503', times: FAST_RETRY.maxAttempts });
          const answer = await d.send(direct());
          assert.equal(answer.status, 503, JSON.stringify(answer.body));
          assert.equal(answer.body.outcome, 'retry_later');
          assert.ok(answer.receipt && answer.receipt.transaction == null);
          assert.equal(answer.receipt?.error?.kind, 'server');
          assertConfirmed(await d.send(direct())); // Dintero's next delivery
        });
        // A client with no token yet, while the token endpoint is down.
        await withDriver({ client: emu.client({ retry: FAST_RETRY }) }, async (d) => {
          emu.injectFault({ route: 'token', fault: 'status_503', times: FAST_RETRY.maxAttempts });
          const answer = await d.send(direct());
          assert.equal(answer.status, 503, JSON.stringify(answer.body));
          assert.equal(answer.receipt?.outcome, 'retry_later');
        });
      });

      it("answers 500 through the framework's error handling when the shop's onReceipt throws", async () => {
        await withDriver({ failWith: new Error('database down') }, async (d) => {
          const answer = await d.send(direct());
          assert.equal(answer.status, 500);
          assert.equal(answer.receipt?.outcome, 'confirmed', 'the callback itself was fine');
        });
      });
    });
  }

  it('each receiver is loaded without its framework (types only)', async () => {
    const { execFileSync } = await import('node:child_process');
    // A module that requires 'express' or 'fastify' would fail to load where they are blocked.
    const script = `
      const Module = require('module');
      const load = Module._load;
      Module._load = function (request, ...rest) {
        if (request === 'express' || request === 'fastify') throw new Error('loaded ' + request);
        return load.call(this, request, ...rest);
      };
      for (const sub of ['express', 'fastify', 'web']) require('dintero-checkout/' + sub);
      console.log('ok');`;
    assert.equal(execFileSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' }).trim(), 'ok');
  });
});
