// Clean room, CommonJS: require the installed package, start an emulator through its testing
// module (the binary comes from the dintero-emulator package: DINTERO_EMULATOR_BIN is unset and
// PATH has no emulator), and run a payment, a capture and a signed callback over HTTP.
'use strict';

const assert = require('node:assert/strict');
const { Client, DinteroError, VERSION } = require('dintero-checkout');
const { Emulator, TEST_CARDS, signCallback } = require('dintero-checkout/testing');

async function main() {
  assert.equal(process.env.DINTERO_EMULATOR_BIN, undefined);
  assert.equal(typeof Client, 'function');
  assert.equal(TEST_CARDS.approve, '4000000000000002');
  const emu = await Emulator.start();
  try {
    const client = emu.client();
    const session = await client.sessions.create({
      url: { return_url: 'https://shop.example/return', callback_url: 'http://127.0.0.1:9/cb' },
      order: { amount: 10000, currency: 'NOK', merchant_reference: 'clean-cjs', items: [{ line_id: '1', description: 'Chair', quantity: 1, amount: 10000, vat: 25, vat_amount: 2000 }] },
      profile_id: 'default',
    });
    const paid = await emu.pay(session.id, 'approve');
    const op = await client.transactions.capture(paid.transaction_id, { amount: 10000 });
    assert.equal(emu.requestCount('capture'), 1);
    const url = `https://shop.example/cb?transaction_id=${paid.transaction_id}`;
    assert.equal(emu.callbackVerifier().verify('GET', url, signCallback(url)).transaction_id, paid.transaction_id);
    await assert.rejects(client.transactions.get('T12345678.nope'), (e) => e instanceof DinteroError && e.kind === 'not_found');
    console.log(`cjs: dintero-checkout ${VERSION}, captured ${paid.transaction_id} (${op.transaction.status})`);
  } finally {
    await emu.shutdown();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
