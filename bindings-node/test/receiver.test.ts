// Drives the Express example receiver (examples/node/receiver.mjs, run as its own process)
// with a real signed callback from the emulator, and with a forged one.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';

import { computeSignature, type Client } from 'dintero-checkout';
import { Emulator } from 'dintero-checkout/testing';

import { FAST_RETRY, REPO, reference, sessionRequest } from './helpers.js';

const EXAMPLES = path.join(REPO, 'examples', 'node');

describe('Express receiver example', () => {
  let h: Emulator;
  let client: Client;
  let receiver: ChildProcess;
  let url: string;
  const lines: string[] = [];

  before(async () => {
    h = await Emulator.start();
    client = h.client({ retry: FAST_RETRY });
    receiver = spawn(process.execPath, [path.join(EXAMPLES, 'receiver.mjs')], {
      cwd: EXAMPLES,
      env: {
        ...process.env,
        PORT: '0',
        DINTERO_ACCOUNT_ID: h.accountId,
        DINTERO_CLIENT_ID: h.clientId,
        DINTERO_CLIENT_SECRET: h.clientSecret,
        DINTERO_SIGNATURE_SECRET: h.signatureSecret ?? '',
        DINTERO_BASE_URL: h.baseUrl,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const rl = createInterface({ input: receiver.stdout! });
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the receiver did not start within 10 s')), 10_000);
      receiver.once('exit', (code) => reject(new Error(`the receiver exited with ${code}`)));
      rl.on('line', (line) => {
        lines.push(line);
        const m = /^listening on (\S+)/.exec(line);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
  });

  after(async () => {
    await new Promise<void>((resolve) => {
      if (receiver.exitCode !== null) return resolve();
      receiver.once('exit', () => resolve());
      receiver.kill('SIGTERM');
    });
    await h.shutdown();
  });

  it('verifies and confirms a real signed callback, answering 200', async () => {
    const ref = reference('receiver');
    const session = await client.sessions.create(sessionRequest(ref, url));
    const paid = await h.pay(session.id);
    assert.ok(paid.transaction_id);

    const deadline = Date.now() + 10_000;
    let delivery;
    while (Date.now() < deadline) {
      delivery = h.callbacks().find((d) => d.final && d.url.includes(paid.transaction_id!));
      if (delivery) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(delivery, 'the emulator finished delivering the callback');
    assert.equal(delivery.last_status, 200, `receiver answered ${delivery.last_status} (${delivery.last_error ?? ''})`);
    assert.equal(delivery.delivered, true);
    assert.equal(delivery.attempts, 1);

    // The receiver logs the confirmation through a pipe: it may land a moment after the delivery.
    const logged = () =>
      lines
        .map((l) => (l.startsWith('{') ? (JSON.parse(l) as { confirmed?: string; status?: string }) : {}))
        .find((c) => c.confirmed === paid.transaction_id);
    while (!logged() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const hit = logged();
    assert.ok(hit, `the receiver logged the confirmation: ${lines.join(' | ')}`);
    assert.equal(hit.status, 'AUTHORIZED');

    // A late retry: Dintero's own signature, an hour old. Confirmed and answered 200 (a 4xx
    // would end Dintero's retries and lose the callback); a forged one of the same age is refused (403).
    const t = Math.floor(Date.now() / 1000) - 3600;
    const callbackUrl = delivery.url;
    const sign = (secret: string) =>
      `t=${t},v0-hmac-sha256=${computeSignature(secret, h.accountId, 'GET', callbackUrl, t)}`;
    const late = await fetch(callbackUrl, { headers: { 'Dintero-Signature': sign(h.signatureSecret ?? '') } });
    assert.equal(late.status, 200);
    const forgedLate = await fetch(callbackUrl, { headers: { 'Dintero-Signature': sign('a-guess') } });
    assert.equal(forgedLate.status, 403);
    const refusedLate = (await forgedLate.json()) as { outcome: string; reason: string };
    assert.equal(refusedLate.outcome, 'refused');
    assert.match(refusedLate.reason, /signature does not match/);
  });

  it('answers 403 to a forged callback and 403 to an unsigned one', async () => {
    const forged = await fetch(`${url}?transaction_id=T12345678.abc&merchant_reference=x`, {
      headers: { 'Dintero-Signature': `t=${Math.floor(Date.now() / 1000)},v0-hmac-sha256=${'0'.repeat(64)}` },
    });
    assert.equal(forged.status, 403);
    const refused = (await forged.json()) as { outcome: string; reason: string };
    assert.equal(refused.outcome, 'refused');
    assert.match(refused.reason, /signature/);
    const unsigned = await fetch(`${url}?transaction_id=T12345678.abc`);
    assert.equal(unsigned.status, 403);
    assert.equal(((await unsigned.json()) as { outcome: string }).outcome, 'refused');
  });
});
