// The async bridge under load: 500 concurrent calls with Promise.all on one client all
// settle, with the right result for each, and share one token request.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Client } from 'dintero-checkout';
import { Emulator } from 'dintero-checkout/testing';

import { FAST_RETRY, paidTransaction, reference, sessionRequest } from './helpers.js';

{
  describe('concurrency: many promises over one client', () => {
    let h: Emulator;

    before(async () => {
      h = await Emulator.start();
    });
    after(async () => {
      await h.shutdown();
    });

    it('500 concurrent transactions.get share one token', async () => {
      const seed = h.client({ retry: FAST_RETRY });
      const ids = await Promise.all(Array.from({ length: 5 }, () => paidTransaction(h, seed)));
      const tokensBefore = h.requestCount('token');

      const client: Client = h.client({ retry: FAST_RETRY });
      const results = await Promise.all(Array.from({ length: 500 }, (_, i) => client.transactions.get(ids[i % ids.length]!)));
      assert.equal(results.length, 500);
      results.forEach((tx, i) => assert.equal(tx.id, ids[i % ids.length]));
      assert.equal(client.tokenRequests, 1, 'one token request however many calls waited for it');
      assert.equal(h.requestCount('token') - tokensBefore, 1);
    });

    it('500 concurrent mixed calls: creates, reads and captures', async () => {
      const client = h.client({ retry: FAST_RETRY });
      const ids = await Promise.all(Array.from({ length: 50 }, () => paidTransaction(h, client)));
      const ref = reference('concurrent');
      const calls: Array<Promise<unknown>> = [];
      for (let i = 0; i < 200; i += 1) calls.push(client.sessions.create(sessionRequest(`${ref}-${i}`)));
      for (let i = 0; i < 250; i += 1) calls.push(client.transactions.get(ids[i % ids.length]!));
      for (const id of ids) calls.push(client.transactions.capture(id, { amount: 33890 }));
      assert.equal(calls.length, 500);
      const results = await Promise.allSettled(calls);
      const failures = results.filter((r) => r.status === 'rejected');
      assert.deepEqual(failures, []);
      const captured = await Promise.all(ids.map((id) => client.transactions.get(id)));
      for (const tx of captured) {
        assert.equal(tx.status, 'CAPTURED');
        assert.equal(tx.events.filter((e) => e.event === 'CAPTURE').length, 1);
      }
    });
  });
}
