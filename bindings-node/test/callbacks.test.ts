// What the binding carries for callbacks: the shared signature vectors in testdata/ through
// every entry point, header shapes, the core's URL rule, webhook bodies, and a real signed
// callback from the emulator verified from a Node `http` request.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  CallbackVerifier,
  DinteroError,
  computeSignature,
  headerPairs,
  requestUrl,
  verifyWebhook,
  type Callback,
  type Client,
} from 'dintero-checkout';

import { Emulator, signCallback } from 'dintero-checkout/testing';

import { FAST_RETRY, REPO, reference, sessionRequest } from './helpers.js';

const SIGNATURE_EXPIRED = 'signature_expired';
const SIGNATURE_MALFORMED = 'signature_malformed';
const SIGNATURE_MISMATCH = 'signature_mismatch';

interface Vector {
  name: string;
  secret: string;
  account_id: string;
  method: string;
  url: string;
  timestamp: number;
  signature_header: string;
  valid: boolean;
}

const VECTORS_FILE = path.join(REPO, 'testdata', 'callback-signatures.json');

function isSignatureError(e: unknown): boolean {
  return e instanceof DinteroError && e.kind === 'signature';
}

describe('callback signatures: shared vectors', () => {
  const vectors = JSON.parse(readFileSync(VECTORS_FILE, 'utf8')) as Vector[];

  it('has vectors, valid and invalid', () => {
    assert.ok(vectors.some((v) => v.valid));
    assert.ok(vectors.some((v) => !v.valid));
  });

  it('signCallback makes the header of every valid vector', () => {
    for (const v of vectors.filter((x) => x.valid && x.signature_header.startsWith('t='))) {
      const signed = signCallback(v.url, { secret: v.secret, accountId: v.account_id, method: v.method, timestamp: v.timestamp });
      const hex = computeSignature(v.secret, v.account_id, v.method, v.url, v.timestamp);
      assert.deepEqual(signed, { 'Dintero-Signature': `t=${v.timestamp},v0-hmac-sha256=${hex}` });
      new CallbackVerifier(v.secret, v.account_id).verifySignature(v.method, v.url, signed['Dintero-Signature'], { now: v.timestamp });
    }
    const forged = signCallback('https://shop.example/cb?transaction_id=T1', { secret: 'a-guess' });
    assert.throws(() => new CallbackVerifier('s3cret', 'T12345678').verify('GET', 'https://shop.example/cb?transaction_id=T1', forged), isSignatureError);
  });

  it("signCallback's defaults are the emulator's test credentials", async () => {
    const emu = await Emulator.start();
    try {
      const url = 'https://shop.example/cb?transaction_id=T12345678.abc&merchant_reference=o-1';
      assert.equal(emu.callbackVerifier().verify('GET', url, signCallback(url)).transaction_id, 'T12345678.abc');
    } finally {
      await emu.shutdown();
    }
  });

  for (const v of vectors) {
    it(`${v.name} (${v.valid ? 'valid' : 'invalid'})`, () => {
      const verifier = new CallbackVerifier(v.secret, v.account_id);
      if (v.valid) {
        verifier.verifySignature(v.method, v.url, v.signature_header, { now: v.timestamp });
        const hex = computeSignature(v.secret, v.account_id, v.method, v.url, v.timestamp);
        assert.ok(v.signature_header.includes(`v0-hmac-sha256=${hex}`), `${hex} is in ${v.signature_header}`);
      } else {
        assert.throws(() => verifier.verifySignature(v.method, v.url, v.signature_header, { now: v.timestamp }), isSignatureError);
      }
      // Through the header-taking entry point too (where the URL is a callback URL).
      if (v.url.includes('transaction_id=')) {
        const verify = () => verifier.verify(v.method, v.url, { 'Dintero-Signature': v.signature_header }, { now: v.timestamp });
        if (v.valid) assert.ok(verify().transaction_id);
        else assert.throws(verify, isSignatureError);
      }
    });
  }

  it('a stale timestamp is refused, a wider tolerance accepts it', () => {
    const v = vectors.find((x) => x.valid)!;
    const strict = new CallbackVerifier(v.secret, v.account_id);
    assert.throws(() => strict.verifySignature(v.method, v.url, v.signature_header, { now: v.timestamp + 301 }), isSignatureError);
    strict.verifySignature(v.method, v.url, v.signature_header, { now: v.timestamp + 299 });
    const lax = new CallbackVerifier(v.secret, v.account_id, { toleranceSeconds: 3600 });
    lax.verifySignature(v.method, v.url, v.signature_header, { now: v.timestamp + 1800 });
  });
});

describe('callback signatures: late, forged, not a callback', () => {
  const url = 'https://shop.example/cb?transaction_id=T12345678.a&merchant_reference=o1';
  const verifier = new CallbackVerifier('s3cret', 'T12345678');
  const now = Math.floor(Date.now() / 1000);
  const header = (secret: string, u: string, t: number) =>
    `t=${t},v0-hmac-sha256=${computeSignature(secret, 'T12345678', 'GET', u, t)}`;
  const caught = (fn: () => unknown): DinteroError => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof DinteroError, String(e));
      return e;
    }
    return assert.fail('expected a DinteroError');
  };

  it('an authentic but late signature is told apart from a forged one', () => {
    const late = caught(() => verifier.verify('GET', url, { 'dintero-signature': header('s3cret', url, now - 3600) }));
    assert.equal(late.kind, 'signature');
    assert.equal(late.code, SIGNATURE_EXPIRED);
    assert.equal(late.isAuthenticButLate, true);
    for (const t of [now, now - 3600]) {
      const forged = caught(() => verifier.verify('GET', url, { 'dintero-signature': header('guess', url, t) }));
      assert.equal(forged.kind, 'signature');
      assert.equal(forged.code, SIGNATURE_MISMATCH);
      assert.equal(forged.isAuthenticButLate, false);
    }
  });

  it('anything that is not a valid callback is a signature error, never invalid_input', () => {
    const notACallback = 'https://shop.example/cb?foo=bar';
    const cases: Array<[string, string]> = [
      ['not a url', `t=${now},v0-hmac-sha256=00`],
      ['/cb?transaction_id=T12345678.a', `t=${now},v0-hmac-sha256=00`],
      [notACallback, header('s3cret', notACallback, now)],
      [url, 'garbage'],
    ];
    for (const [u, h] of cases) {
      const e = caught(() => verifier.verify('GET', u, { 'dintero-signature': h }));
      assert.equal(e.kind, 'signature', `${u}: ${e.message}`);
      assert.equal(e.code, SIGNATURE_MALFORMED, `${u}: ${e.message}`);
    }
    const noPath = caught(() => verifier.verifyRequest({ method: 'GET', url: 'http://evil.example/x', headers: { host: 'shop.example' } }));
    assert.equal(noPath.kind, 'signature');
    const noHost = caught(() => verifier.verifyRequest({ method: 'GET', url: '/cb?transaction_id=x', headers: {} }));
    assert.equal(noHost.kind, 'signature');
  });
});

describe('headers', () => {
  it('reads every header shape Node frameworks give', () => {
    const expected = [['a', '1'], ['b', '2']];
    assert.deepEqual(headerPairs({ a: '1', b: ['2'], c: undefined }), expected);
    assert.deepEqual(headerPairs(['a', '1', 'b', '2']), expected);
    assert.deepEqual(headerPairs(new Headers({ a: '1', b: '2' })), expected);
    assert.deepEqual(headerPairs(new Map([['a', '1'], ['b', '2']])), expected);
    assert.deepEqual(headerPairs([['a', '1'], ['b', '2']] as Array<[string, string]>), expected);
  });

  it('requestUrl is the core\'s rule: publicUrl, then a trusted X-Forwarded-Host, then Host', () => {
    const headers = { host: 'internal:8080', 'x-forwarded-host': 'shop.example' };
    assert.equal(requestUrl('/cb?x=1', headers), 'http://internal:8080/cb?x=1');
    assert.equal(requestUrl('/cb?x=1', headers, { trustProxy: true }), 'http://shop.example/cb?x=1');
    assert.equal(requestUrl('/cb?x=1', headers, { publicUrl: 'https://pay.shop.example' }), 'https://pay.shop.example/cb?x=1');
    assert.throws(() => requestUrl('/cb', {}), isSignatureError);
    assert.throws(() => requestUrl('/cb', headers, { publicUrl: 'shop.example' }), (e: unknown) => e instanceof DinteroError && e.kind === 'invalid_input');
    assert.throws(() => requestUrl('/cb', headers, { trustProxi: true } as never), (e: unknown) => e instanceof DinteroError && /trustProxi/.test(e.message));
  });
});

describe('webhooks', () => {
  const secret = 'webhook-secret';
  const body = JSON.stringify({ event: 'checkout_transaction', account_id: 'T12345678', event_delivery: 'd-1', transaction: { id: 'T12345678.abc' }, new_field: 1 });
  const signature = createHmac('sha1', secret).update(body).digest('hex');

  it('verifies the raw body (Buffer, string, headers) and keeps unknown fields', () => {
    const fromBuffer = verifyWebhook(secret, Buffer.from(body), signature);
    assert.equal(fromBuffer.event, 'checkout_transaction');
    assert.equal(fromBuffer.new_field, 1);
    assert.equal(verifyWebhook(secret, body, signature).event_delivery, 'd-1');
    assert.equal(verifyWebhook(secret, new TextEncoder().encode(body), signature.toUpperCase()).account_id, 'T12345678');
    assert.throws(() => verifyWebhook(secret, JSON.parse(body) as never, signature), (e: unknown) => e instanceof DinteroError && /body: must be the raw body/.test(e.message));
  });

  it('refuses a wrong or missing signature', () => {
    assert.throws(() => verifyWebhook(secret, body + ' ', signature), isSignatureError);
    assert.throws(() => verifyWebhook('other', body, signature), isSignatureError);
    assert.throws(() => verifyWebhook(secret, body, undefined), isSignatureError);
  });
});

{
  describe('a real signed callback from the emulator', () => {
    let h: Emulator;
    let client: Client;
    let server: Server;
    let callbackUrl: string;
    const received: Array<{ callback?: Callback; error?: unknown; req: IncomingMessage }> = [];

    before(async () => {
      h = await Emulator.start();
      client = h.client({ retry: FAST_RETRY });
      const verifier = h.callbackVerifier();
      server = createServer((req, res) => {
        try {
          const callback = verifier.verifyRequest(req);
          received.push({ callback, req });
          res.statusCode = 200;
        } catch (error) {
          received.push({ error, req });
          res.statusCode = 400;
        }
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dintero/callback?shop=1`;
    });
    after(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await h.shutdown();
    });

    it('verifies it from the Node request, then confirms it', async () => {
      const ref = reference('callback');
      const session = await client.sessions.create(sessionRequest(ref, callbackUrl));
      const paid = await h.pay(session.id);
      const deadline = Date.now() + 5000;
      while (!received.some((r) => r.callback?.merchant_reference === ref) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const hit = received.find((r) => r.callback?.merchant_reference === ref || r.error !== undefined);
      assert.ok(hit, 'the callback arrived');
      assert.equal(hit.error, undefined, `verification failed: ${String(hit.error)}`);
      const callback = hit.callback!;
      assert.equal(callback.transaction_id, paid.transaction_id);
      assert.equal(callback.session_id, session.id);
      assert.ok(callback.params.some((p) => p.name === 'shop' && p.value === '1'), 'the merchant’s own query is kept');

      const confirmed = await client.callbacks.confirm(callback);
      assert.equal(confirmed.transaction.id, paid.transaction_id);
      assert.equal(confirmed.transaction.status, 'AUTHORIZED');

      const deliveries = h.callbacks();
      const delivery = deliveries.find((d) => d.url.includes(encodeURIComponent(ref)) || d.url.includes(ref));
      assert.ok(delivery, 'the emulator recorded the delivery');
      assert.ok(delivery.headers['dintero-signature'] ?? delivery.headers['Dintero-Signature']);

      // The same request with a changed query fails verification.
      const verifier = h.callbackVerifier();
      const req = hit.req;
      assert.throws(
        () => verifier.verifyRequest({ method: req.method, url: `${req.url}&merchant_reference=forged`, headers: req.headers }),
        isSignatureError,
      );
      assert.throws(() => verifier.verifyRequest({ ...req, method: req.method, url: req.url, headers: { host: req.headers.host } }), isSignatureError);
      // A proxy in front: the public URL gives the host Dintero called.
      verifier.verifyRequest({ method: req.method, url: req.url, headers: { ...req.headers, host: 'internal:3000' } }, { publicUrl: 'http://127.0.0.1' });
    });
  });
}
