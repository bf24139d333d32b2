// What the binding converts, both ways, over real HTTP: the core's models as plain objects
// (unknown fields kept, numbers as numbers, null where the core has none), option objects,
// positional arguments, the pager as an async iterator, and callbacks read back in.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { CallbackVerifier, Client, DinteroError, computeSignature, parseReturnUrl, validateOrder, type Transaction } from 'dintero-checkout';
import { Emulator } from 'dintero-checkout/testing';

import { FAST_RETRY, isKind, paidTransaction, reference, sessionRequest } from './helpers.js';

{
  describe('conversion', () => {
    let h: Emulator;
    let client: Client;

    before(async () => {
      h = await Emulator.start();
      client = h.client({ retry: FAST_RETRY });
    });
    after(async () => {
      await h.shutdown();
    });

    it('authenticates once and caches the token', async () => {
      const fresh = h.client();
      assert.equal(fresh.tokenRequests, 0);
      assert.deepEqual(await fresh.authenticate(), { token_requests: 1 });
      await fresh.authenticate();
      assert.equal(fresh.tokenRequests, 1);
      assert.equal(fresh.accountId, h.accountId);
      assert.equal(fresh.baseUrl, h.baseUrl);
    });

    it('creates, reads, updates and cancels a session', async () => {
      const ref = reference();
      const created = await client.sessions.create(sessionRequest(ref));
      assert.match(created.id, /^T12345678\./);
      assert.ok(created.url?.startsWith(h.baseUrl), created.url ?? 'no url');

      const withSession = await client.sessions.create(sessionRequest(reference()), { includeSession: true });
      assert.equal(withSession.session?.id, withSession.id);
      await assert.rejects(client.sessions.create(sessionRequest(), { includeSesion: true } as never), isKind('invalid_input', (e) => assert.match(e.message, /options\.includeSesion: unknown field/)));

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

    it('voids, extends the authorization and updates merchant_reference_2', async () => {
      // Only a pre-authorized payment's authorization can change (Dintero answers 400 otherwise).
      const session = await client.sessions.create({ ...sessionRequest(reference()), configuration: { pre_authorization: true } });
      const paid = await h.pay(session.id);
      assert.ok(paid.transaction_id);
      const id = paid.transaction_id;
      const extended = await client.transactions.extendAuthorization(id, { reason: 'longer stay' });
      assert.equal(extended.id, id);
      assert.equal(extended.status, 'AUTHORIZED');

      const updated = await client.transactions.update(id, 'erp-42');
      assert.equal(updated.merchant_reference_2, 'erp-42');

      const voided = await client.transactions.void(id);
      assert.equal(voided.state, 'completed');
      assert.equal(voided.transaction.status, 'AUTHORIZATION_VOIDED');
    });

    it('waits for an accepted (202) capture to land', async () => {
      const id = await paidTransaction(h, client);
      h.injectFault({ route: 'capture', fault: 'accepted_202' });
      const op = await client.transactions.capture(id, { amount: 10000 });
      assert.equal(op.state, 'accepted');
      assert.ok(op.event_request_id, 'a 202 carries an event-request-id');
      assert.equal(op.request_id === null || typeof op.request_id === 'string', true);
      const tx = await client.transactions.waitForEvent(id, op.event_request_id, { timeoutMs: 5000 });
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
      const none = await client.transactions.list({ merchant_reference: ref, status: ['CAPTURED'], extra: [{ name: 'payment_product', value: 'dintero_psp' }] }).toArray();
      assert.equal(none.length, 0);
      await assert.rejects(client.transactions.list({ statuss: ['CAPTURED'] } as never).toArray(), isKind('invalid_input', (e) => assert.match(e.message, /statuss/)));

      // A bad filter is refused before any request, on the first iteration.
      const before = h.requestCount('list_transactions');
      await assert.rejects(
        client.transactions.list({ limit: 0 }).toArray(),
        (e: unknown) => e instanceof DinteroError && e.kind === 'invalid_input' && /limit/.test(e.message),
      );
      assert.equal(h.requestCount('list_transactions'), before);
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


    it('numbers: integers beyond 32 bits stay integers, NaN is refused by name', () => {
      const t = 5_000_000_000; // unix seconds in the year 2128
      const url = 'https://shop.example/cb?transaction_id=T12345678.a';
      const header = `t=${t},v0-hmac-sha256=${computeSignature('s', 'T12345678', 'GET', url, t)}`;
      assert.equal(new CallbackVerifier('s', 'T12345678').verify('GET', url, { 'dintero-signature': header }, { now: t }).transaction_id, 'T12345678.a');
      assert.throws(
        () => validateOrder({ amount: 100, currency: 'NOK', merchant_reference: 'nan', items: [{ line_id: '1', amount: Number.NaN }] }),
        isKind('invalid_input', (e) => assert.equal(e.message, 'order.items[0].amount: must be a finite number (got NaN)')),
      );
    });
  });
}
