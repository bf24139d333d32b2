// Every operation of the client, against the in-process Emulator and the standalone binary.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Client, DinteroError, parseReturnUrl, type Transaction } from 'dintero-checkout';

import { FAST_RETRY, modes, paidTransaction, reference, sessionRequest, startHarness, type Harness } from './helpers.js';

for (const mode of modes()) {
  describe(`operations (${mode} emulator)`, () => {
    let h: Harness;
    let client: Client;

    before(async () => {
      h = await startHarness(mode);
      client = h.client({ retry: FAST_RETRY });
    });
    after(async () => {
      await h.close();
    });

    it('authenticates once and caches the token', async () => {
      const fresh = h.client();
      assert.equal(fresh.tokenRequests, 0);
      assert.deepEqual(await fresh.authenticate(), { tokenRequests: 1 });
      await fresh.authenticate();
      assert.equal(fresh.tokenRequests, 1);
      assert.equal(fresh.accountId, h.accountId);
      assert.equal(fresh.baseUrl, h.baseUrl);
    });

    it('creates, reads, updates and cancels a session', async () => {
      const ref = reference();
      const created = await client.sessions.create(sessionRequest(ref));
      assert.match(created.id, /^T12345678\./);
      assert.ok(created.url?.startsWith(h.baseUrl), created.url);

      const withSession = await client.sessions.create(sessionRequest(reference()), { includeSession: true });
      assert.equal(withSession.session?.id, withSession.id);

      const session = await client.sessions.get(created.id);
      assert.equal(session.id, created.id);
      assert.equal(session.order?.merchant_reference, ref);
      assert.equal(session.order?.amount, 33890);
      assert.equal(session.transaction_id, undefined);
      assert.ok(Array.isArray(session.events));

      const order = sessionRequest(ref).order;
      order.items = [{ line_id: '1', id: 'chair', description: 'Chair', quantity: 2, amount: 59980, vat: 25, vat_amount: 11996 }];
      order.amount = 59980 + 3900;
      const updated = await client.sessions.update(created.id, { order }, { updateWithoutLock: true });
      assert.equal(updated.order?.amount, 63880);
      assert.equal(updated.order?.items?.[0]?.quantity, 2);

      const cancelled = await client.sessions.cancel(created.id);
      assert.ok(cancelled.cancelled_at, 'cancelled_at is set');
    });

    it('pays, reads the transaction (with its session) and keeps unknown fields', async () => {
      const ref = reference();
      const session = await client.sessions.create(sessionRequest(ref));
      const paid = await h.pay(session.id);
      assert.ok(paid.transaction_id);
      const ret = parseReturnUrl(paid.redirect_url);
      assert.equal(ret.outcome, 'completed');
      assert.equal(ret.transaction_id, paid.transaction_id);
      assert.equal(ret.merchant_reference, ref);

      const afterPay = await client.sessions.get(session.id);
      assert.equal(afterPay.transaction_id, paid.transaction_id);

      const tx = await client.transactions.get(paid.transaction_id!);
      assert.equal(tx.status, 'AUTHORIZED');
      assert.equal(tx.amount, 33890);
      assert.equal(tx.currency, 'NOK');
      assert.equal(tx.merchant_reference, ref);
      assert.equal(tx.session_id, session.id);
      // Fields the SDK does not model come through (the emulator sends `card`).
      assert.ok('card' in tx, `unknown fields are kept: ${Object.keys(tx).join(', ')}`);

      const withSession = await client.transactions.get(tx.id, { includes: ['session'] });
      assert.equal((withSession.session as { id?: string } | undefined)?.id, session.id);
    });

    it('waits for a payment', async () => {
      const session = await client.sessions.create(sessionRequest());
      const waiting = client.waitForPayment(session.id, { intervalMs: 100, timeoutMs: 5000 });
      await h.pay(session.id);
      const paid = await waiting;
      assert.ok(paid.transaction_id);
    });

    it('captures with items, refunds, and reports the references', async () => {
      const id = await paidTransaction(h, client);
      const capture = await client.transactions.capture(id, {
        amount: 33890,
        capture_reference: 'cap-1',
        items: [
          { line_id: '1', amount: 29990 },
          { line_id: 'ship', amount: 3900 },
        ],
      });
      assert.equal(capture.state, 'completed');
      assert.equal(capture.reference, 'cap-1');
      assert.equal(capture.reconciled, false);
      assert.equal(capture.transaction.status, 'CAPTURED');

      const refund = await client.transactions.refund(id, { amount: 3900, reason: 'shipping refunded' });
      assert.equal(refund.state, 'completed');
      assert.equal(refund.reference, undefined, 'no reference given, none sent');
      assert.equal(refund.transaction.status, 'PARTIALLY_REFUNDED');

      const tx = await client.transactions.get(id);
      const captures = tx.events.filter((e) => e.event === 'CAPTURE' && e.success);
      const refunds = tx.events.filter((e) => e.event === 'REFUND' && e.success);
      assert.equal(captures.length, 1);
      assert.equal(captures[0]?.event_reference, 'cap-1');
      assert.equal(refunds.length, 1);
      assert.equal(refunds[0]?.amount, 3900);
    });

    it('voids, extends the authorization and updates merchant_reference_2', async () => {
      // Only a pre-authorized payment's authorization can change (Dintero answers 400 otherwise).
      const session = await client.sessions.create({ ...sessionRequest(reference()), configuration: { pre_authorization: true } });
      const paid = await h.pay(session.id);
      assert.ok(paid.transaction_id);
      const id = paid.transaction_id;
      const extended = await client.transactions.extendAuthorization(id, { reason: 'longer stay' });
      assert.equal(extended.id, id);
      assert.equal(extended.status, 'AUTHORIZED');

      const updated = await client.transactions.update(id, { merchant_reference_2: 'erp-42' });
      assert.equal(updated.merchant_reference_2, 'erp-42');

      const voided = await client.transactions.void(id);
      assert.equal(voided.state, 'completed');
      assert.equal(voided.transaction.status, 'AUTHORIZATION_VOIDED');
    });

    it('waits for an accepted (202) capture to land', async () => {
      const id = await paidTransaction(h, client);
      await h.injectFault({ route: 'capture', fault: 'accepted_202' });
      const op = await client.transactions.capture(id, { amount: 10000 });
      assert.equal(op.state, 'accepted');
      assert.ok(op.eventRequestId, 'a 202 carries an event-request-id');
      const tx = await client.transactions.waitForEvent(id, op.eventRequestId!, { timeoutMs: 5000 });
      assert.equal(tx.status, 'PARTIALLY_CAPTURED');
    });

    it('lists every page with an async iterator, and filters', async () => {
      const ref = reference('list');
      const ids = new Set<string>();
      for (let i = 0; i < 5; i += 1) ids.add(await paidTransaction(h, client, ref));

      const seen: Transaction[] = [];
      for await (const tx of client.transactions.list({ merchant_reference: ref, limit: 2 })) seen.push(tx);
      assert.equal(seen.length, 5);
      assert.deepEqual(new Set(seen.map((t) => t.id)), ids);

      const pages: number[] = [];
      for await (const page of client.transactions.list({ merchant_reference: ref, limit: 2 }).pages()) pages.push(page.length);
      assert.deepEqual(pages, [2, 2, 1]);

      const authorized = await client.transactions.list({ merchant_reference: ref, status: ['AUTHORIZED'] }).toArray();
      assert.equal(authorized.length, 5);
      const none = await client.transactions.list({ merchant_reference: ref, status: 'CAPTURED' }).toArray();
      assert.equal(none.length, 0);

      // A bad filter is refused before any request, on the first iteration.
      const before = await h.requestCount('list_transactions');
      await assert.rejects(
        client.transactions.list({ limit: 0 }).toArray(),
        (e: unknown) => e instanceof DinteroError && e.kind === 'invalid_input' && /limit/.test(e.message),
      );
      assert.equal(await h.requestCount('list_transactions'), before);
    });

    it('confirms a callback against its transaction, and catches a mismatch', async () => {
      const ref = reference();
      const id = await paidTransaction(h, client, ref);
      const confirmed = await client.callbacks.confirm({ transaction_id: id, merchant_reference: ref, params: [] });
      assert.equal(confirmed.transaction.id, id);
      assert.equal(confirmed.transaction.status, 'AUTHORIZED');
      await assert.rejects(
        client.callbacks.confirm({ transaction_id: id, merchant_reference: 'someone-else', params: [] }),
        (e: unknown) => e instanceof DinteroError && e.kind === 'conflict' && e.code === 'callback_mismatch',
      );
    });

    it('a declined card and a cancelled checkout give no transaction', async () => {
      const declined = await client.sessions.create(sessionRequest());
      const d = await h.pay(declined.id, '4100 0000 0000 0076');
      assert.equal(d.transaction_id, undefined);
      assert.equal(parseReturnUrl(d.redirect_url).outcome, 'failed');

      const cancelled = await client.sessions.create(sessionRequest());
      const c = await h.cancelPayment(cancelled.id);
      assert.equal(parseReturnUrl(c.redirect_url).outcome, 'cancelled');
    });
  });
}
