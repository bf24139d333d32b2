// Faults injected into the emulator: retries, timeouts, 503, 429, dropped connections, and
// exactly-once capture and refund when the outcome of a write is unknown.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { DinteroError, type Client, type Transaction } from 'dintero-checkout';

import { FAST_RETRY, modes, paidTransaction, sessionRequest, startHarness, type Harness } from './helpers.js';

function successful(tx: Transaction, kind: string) {
  return tx.events.filter((e) => e.event === kind && e.success);
}

for (const mode of modes()) {
  describe(`faults (${mode} emulator)`, () => {
    let h: Harness;
    let client: Client;

    before(async () => {
      h = await startHarness(mode);
      client = h.client({ retry: FAST_RETRY });
      await client.authenticate();
    });
    after(async () => {
      await h.close();
    });

    it('a 503 on a read is retried', async () => {
      const id = await paidTransaction(h, client);
      const before = await h.requestCount('get_transaction');
      await h.injectFault({ route: 'get_transaction', fault: 'status_503', times: 2 });
      const tx = await client.transactions.get(id);
      assert.equal(tx.id, id);
      assert.equal((await h.requestCount('get_transaction')) - before, 3, 'two failures, then success');
    });

    it('a 429 with Retry-After is waited out', async () => {
      const id = await paidTransaction(h, client);
      await h.injectFault({ route: 'get_transaction', fault: 'status_429', retry_after: 1 });
      const started = Date.now();
      const tx = await client.transactions.get(id);
      assert.equal(tx.id, id);
      assert.ok(Date.now() - started >= 900, 'Retry-After: 1 was honoured');
    });

    it('a read that times out is retried', async () => {
      const id = await paidTransaction(h, client);
      const slow = h.client({ timeoutMs: 150, retry: FAST_RETRY });
      await h.injectFault({ route: 'get_transaction', fault: 'delay', ms: 1000 });
      const tx = await slow.transactions.get(id);
      assert.equal(tx.id, id);
    });

    it('a dropped connection on the token call is retried', async () => {
      const fresh = h.client({ retry: FAST_RETRY });
      await h.injectFault({ route: 'token', fault: 'reset_before_apply' });
      assert.deepEqual(await fresh.authenticate(), { tokenRequests: 1 });
    });

    it('an expired token is refreshed once (401 → new token → retry)', async () => {
      const fresh = h.client({ retry: FAST_RETRY });
      const id = await paidTransaction(h, fresh);
      assert.equal(fresh.tokenRequests, 1);
      await h.advanceClock(5 * 3600);
      const tx = await fresh.transactions.get(id);
      assert.equal(tx.id, id);
      assert.equal(fresh.tokenRequests, 2);
    });

    it('reset_after_apply on capture: exactly one CAPTURE, found by re-reading', async () => {
      const id = await paidTransaction(h, client);
      const before = await h.requestCount('capture');
      await h.injectFault({ route: 'capture', fault: 'reset_after_apply' });
      const op = await client.transactions.capture(id, { amount: 33890, capture_reference: 'order-1-cap' });
      assert.equal(op.state, 'completed');
      assert.equal(op.reconciled, true, 'the result came from re-reading the transaction');
      assert.equal(op.reference, 'order-1-cap');
      assert.equal(op.transaction.status, 'CAPTURED');
      assert.equal((await h.requestCount('capture')) - before, 1, 'the capture was not sent again');
      const tx = await client.transactions.get(id);
      const captures = successful(tx, 'CAPTURE');
      assert.equal(captures.length, 1, 'exactly one CAPTURE event');
      assert.equal(captures[0]?.event_reference, 'order-1-cap');
    });

    it('reset_before_apply on capture: re-read finds nothing, the capture is sent again, once', async () => {
      const id = await paidTransaction(h, client);
      await h.injectFault({ route: 'capture', fault: 'reset_before_apply' });
      const op = await client.transactions.capture(id, { amount: 33890 });
      assert.equal(op.transaction.status, 'CAPTURED');
      const tx = await client.transactions.get(id);
      assert.equal(successful(tx, 'CAPTURE').length, 1);
    });

    it('a 503 on capture: re-read, then one capture', async () => {
      const id = await paidTransaction(h, client);
      await h.injectFault({ route: 'capture', fault: 'status_503' });
      const op = await client.transactions.capture(id, { amount: 20000 });
      assert.equal(op.transaction.status, 'PARTIALLY_CAPTURED');
      const tx = await client.transactions.get(id);
      assert.equal(successful(tx, 'CAPTURE').length, 1);
    });

    it('an unreadable 200 on capture is reconciled, not repeated', async () => {
      const id = await paidTransaction(h, client);
      await h.injectFault({ route: 'capture', fault: 'malformed_json' });
      const op = await client.transactions.capture(id, { amount: 33890 });
      assert.equal(op.reconciled, true);
      const tx = await client.transactions.get(id);
      assert.equal(successful(tx, 'CAPTURE').length, 1);
    });

    it('reset_after_apply on refund: exactly one REFUND', async () => {
      const id = await paidTransaction(h, client);
      await client.transactions.capture(id, { amount: 33890 });
      await h.injectFault({ route: 'refund', fault: 'reset_after_apply' });
      const op = await client.transactions.refund(id, { amount: 1000, reason: 'damaged' });
      assert.equal(op.reconciled, true);
      const tx = await client.transactions.get(id);
      assert.equal(successful(tx, 'REFUND').length, 1);
    });

    it('reset_after_apply on void: voided once', async () => {
      const id = await paidTransaction(h, client);
      await h.injectFault({ route: 'void', fault: 'reset_after_apply' });
      const op = await client.transactions.void(id);
      assert.equal(op.reconciled, true);
      assert.equal(op.transaction.status, 'AUTHORIZATION_VOIDED');
    });

    it('an outcome-unknown capture carries its reference; the same call with it captures once', async () => {
      const tiny = h.client({ timeoutMs: 1000, retry: { maxAttempts: 2, initialBackoffMs: 5, maxBackoffMs: 10, maxRetryAfterMs: 1000 } });
      const id = await paidTransaction(h, tiny);
      const before = await h.requestCount('capture');
      // Applied, the answer lost, and the transaction cannot be re-read to find out. (The read
      // before the capture passes: faults fire in order, and a 0 ms delay changes nothing.)
      await h.injectFault({ route: 'capture', fault: 'reset_after_apply' });
      await h.injectFault({ route: 'get_transaction', fault: 'delay', ms: 0 });
      await h.injectFault({ route: 'get_transaction', fault: 'status_503', times: 20 });
      const error = await tiny.transactions.capture(id, { amount: 10000, capture_reference: 'cap-lost' }).then(
        () => assert.fail('expected the capture to end outcome-unknown'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof DinteroError, String(error));
      assert.equal(error.outcomeUnknown, true);
      assert.equal(error.reference, 'cap-lost');
      assert.equal(error.toJSON().reference, error.reference);
      const cleared = await fetch(`${h.baseUrl}/_emulator/faults`, { method: 'DELETE' });
      assert.equal(cleared.status, 200);

      const op = await tiny.transactions.capture(id, { amount: 10000, capture_reference: error.reference });
      assert.equal(op.reference, error.reference);
      assert.equal(op.reconciled, true);
      const tx = await tiny.transactions.get(id);
      assert.deepEqual(
        successful(tx, 'CAPTURE').map((e) => [e.amount, e.event_reference]),
        [[10000, error.reference]],
      );
      assert.equal((await h.requestCount('capture')) - before, 1, 'sent once');
    });

    it('an error of a read has no reference and a known outcome', async () => {
      const error = await client.transactions.get('T12345678.missing').catch((e: unknown) => e);
      assert.ok(error instanceof DinteroError);
      assert.equal(error.reference, undefined);
      assert.equal(error.outcomeUnknown, false);
    });

    it('a 503 on session create is retried', async () => {
      await h.injectFault({ route: 'create_session', fault: 'status_503' });
      const created = await client.sessions.create(sessionRequest());
      assert.ok(created.id);
    });
  });
}
