// `client.callbacks.receive`: the binding reads the framework's request and the options,
// delegates to the core's `Callbacks::receive` and hands the receipt back as a plain object. The
// decisions themselves are tested in core/tests/receive.rs; here, a real signed callback from the
// emulator (its delivery to a closed port, replayed) and what the binding can get wrong.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type CallbackVerifier, type Client } from 'dintero-checkout';

import { Emulator, type CallbackDelivery } from 'dintero-checkout/testing';

import { FAST_RETRY, isKind, reference, sessionRequest } from './helpers.js';

describe('callbacks.receive', () => {
  let emu: Emulator;
  let client: Client;
  let verifier: CallbackVerifier;
  let delivery: CallbackDelivery;
  let req: { method: string; url: string; headers: Record<string, string> };

  before(async () => {
    emu = await Emulator.start();
    client = emu.client({ retry: FAST_RETRY });
    verifier = emu.callbackVerifier();
    const ref = reference('receive');
    const session = await client.sessions.create(sessionRequest(ref, 'http://127.0.0.1:9/dintero/callback'));
    await emu.pay(session.id);
    for (let i = 0; i < 500 && !delivery; i++) {
      delivery = emu.callbacks().find((d) => d.attempts > 0 && d.url.includes(ref)) as CallbackDelivery;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const url = new URL(delivery.url);
    req = { method: 'GET', url: url.pathname + url.search, headers: { ...delivery.headers, host: url.host } };
  });
  after(() => emu.shutdown());

  it('confirms a real signed callback: status, reason, outcome and the transaction', async () => {
    const receipt = await client.callbacks.receive(verifier, req);
    assert.equal(receipt.status, 200);
    assert.equal(receipt.outcome, 'confirmed');
    assert.equal(receipt.reason, 'confirmed');
    assert.equal(receipt.late, false);
    assert.ok(receipt.transaction && receipt.callback);
    assert.equal(receipt.transaction.id, receipt.callback.transaction_id);
    assert.equal(receipt.error ?? null, null);
  });

  it('reads Express originalUrl, header arrays and the options (trustProxy, publicUrl, now)', async () => {
    const behind = { ...req, url: '/mounted', originalUrl: req.url, headers: { ...req.headers, host: 'app:8000', 'x-forwarded-host': req.headers.host ?? '' } };
    assert.equal((await client.callbacks.receive(verifier, behind)).status, 403);
    assert.equal((await client.callbacks.receive(verifier, behind, { trustProxy: true })).status, 200);
    assert.equal((await client.callbacks.receive(verifier, behind, { publicUrl: `https://${req.headers.host}` })).status, 200);
    const late = await client.callbacks.receive(verifier, req, { now: Math.floor(Date.now() / 1000) + 3600 });
    assert.deepEqual([late.status, late.outcome, late.late], [200, 'confirmed', true]);
    const pairs = await client.callbacks.receive(verifier, { ...req, headers: Object.entries(req.headers) });
    assert.equal(pairs.status, 200);
  });

  it('refuses a tampered request with a receipt, never a rejection; no transaction to act on', async () => {
    const tampered = await client.callbacks.receive(verifier, { ...req, url: req.url.replace('receive-', 'other-') });
    assert.deepEqual([tampered.status, tampered.outcome], [403, 'refused']);
    assert.equal(tampered.transaction ?? null, null);
    assert.equal(tampered.error?.kind, 'signature');
    assert.equal(tampered.error?.code, 'signature_mismatch');
  });

  it('rejects, naming the option, only what it cannot read', async () => {
    await assert.rejects(
      client.callbacks.receive(verifier, req, { trustProxy: 'yes' } as never),
      isKind('invalid_input', (e) => assert.match(e.message, /trustProxy/)),
    );
    await assert.rejects(
      client.callbacks.receive(verifier, req, { nope: 1 } as never),
      isKind('invalid_input', (e) => assert.match(e.message, /nope/)),
    );
  });
});
