// Exactly once through Node: a caller that gave up (a request timeout, an aborted handler) and
// retried with the same reference while the first call was still running; a double click.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { FAST_RETRY, modes, paidTransaction, startHarness, type Harness } from './helpers.js';

for (const mode of modes()) {
  describe(`exactly once (${mode} emulator)`, () => {
    let h: Harness;

    before(async () => {
      h = await startHarness(mode);
    });
    after(async () => {
      await h.close();
    });

    const captured = async (id: string): Promise<number> => {
      const tx = await h.client({ retry: FAST_RETRY }).transactions.get(id);
      return (tx.events ?? [])
        .filter((e) => e.event === 'CAPTURE' && e.success)
        .reduce((sum, e) => sum + (e.amount ?? 0), 0);
    };

    it('a retry with the same reference while the first call still runs captures once', async () => {
      const client = h.client({ retry: FAST_RETRY });
      const id = await paidTransaction(h, client);
      const before = await h.requestCount('capture');
      await h.injectFault({ route: 'capture', fault: 'delay', ms: 1500 });
      const first = client.transactions.capture(id, { amount: 5000, capture_reference: 'r-node' });
      // The caller stops waiting after 0.3 s and tries again.
      const gaveUp = await Promise.race([first.then(() => false), new Promise((r) => setTimeout(() => r(true), 300))]);
      assert.equal(gaveUp, true, 'the first call was still running');
      const again = await client.transactions.capture(id, { amount: 5000, capture_reference: 'r-node' });
      assert.equal(again.state, 'completed');
      assert.equal(again.reference, 'r-node');
      await first;
      assert.equal(await captured(id), 5000);
      assert.equal((await h.requestCount('capture')) - before, 1, 'one capture request');
    });

    it('a double click without a reference captures once', async () => {
      const client = h.client({ retry: FAST_RETRY });
      const id = await paidTransaction(h, client);
      const before = await h.requestCount('capture');
      await h.injectFault({ route: 'capture', fault: 'delay', ms: 400 });
      const [a, b] = await Promise.all([
        client.transactions.capture(id, { amount: 7000 }),
        client.transactions.capture(id, { amount: 7000 }),
      ]);
      assert.equal(a.state, 'completed');
      assert.equal(b.state, 'completed');
      assert.equal(await captured(id), 7000);
      assert.equal((await h.requestCount('capture')) - before, 1);
    });
  });
}
