// The whole checkout flow with the dintero-checkout Node package, in TypeScript
// (the same flow as checkout.mjs; `npm run typecheck` checks it with tsc --strict):
// create a session, the customer pays, read the return, confirm, capture, refund, list.
//
// With no settings it runs against an emulator started in this process:
//     npx tsc -p tsconfig.build.json && node build/checkout.js
// Against your Dintero test account (you pay in a browser at the printed URL):
//     DINTERO_ACCOUNT_ID=T... DINTERO_CLIENT_ID=... DINTERO_CLIENT_SECRET=... node checkout.mjs

import { Client, DinteroError, Emulator, isPaid, parseReturnUrl } from 'dintero-checkout';
import type { Operation, SessionCreated, SessionRequest, Transaction } from 'dintero-checkout';

const env = process.env;
const emulator: Emulator | null = env.DINTERO_CLIENT_SECRET ? null : await Emulator.start();
const client: Client = emulator
  ? emulator.client()
  : new Client({
      accountId: env.DINTERO_ACCOUNT_ID ?? '',
      clientId: env.DINTERO_CLIENT_ID ?? '',
      clientSecret: env.DINTERO_CLIENT_SECRET ?? '',
      baseUrl: env.DINTERO_BASE_URL,
    });
console.log('client:', client); // the secret is never shown

try {
  // 1. A session for the order. The SDK checks the sums before sending anything.
  const orderId = `order-${Date.now()}`;
  const request: SessionRequest = {
    url: {
      return_url: 'https://shop.example/return',
      callback_url: 'https://shop.example/dintero/callback',
    },
    order: {
      amount: 33890,
      currency: 'NOK',
      merchant_reference: orderId,
      items: [{ line_id: '1', id: 'chair', description: 'Chair', quantity: 1, amount: 29990, vat: 25, vat_amount: 5998 }],
      shipping_option: { id: 'pickup', line_id: 'ship', amount: 3900, vat: 25, vat_amount: 780, title: 'Pick-up', operator: '' },
    },
    profile_id: 'default',
  };
  const session: SessionCreated = await client.sessions.create(request);
  console.log(`1. session ${session.id}: send the customer to ${session.url}`);

  // 2. The customer pays on the hosted page (here: the emulator, with a test card).
  let transactionId: string | null | undefined;
  if (emulator) {
    const paid = await emulator.pay(session.id, 'approve'); // a test card of the emulator's catalog, by name
    // 3. The browser comes back to return_url; the query says what happened (unsigned: only a hint).
    const back = parseReturnUrl(paid.redirect_url);
    console.log(`2-3. customer came back: ${back.outcome}, transaction ${back.transaction_id}`);
    transactionId = back.transaction_id;
  } else {
    console.log('2. pay in your browser now; waiting up to 5 minutes...');
    const paidSession = await client.waitForPayment(session.id, { intervalMs: 2000, timeoutMs: 300_000 });
    transactionId = paidSession.transaction_id;
  }
  if (!transactionId) throw new Error('the payment did not go through');

  // 4. Confirm on the server: the transaction, not the browser, says whether it is paid.
  const tx: Transaction = await client.transactions.get(transactionId);
  console.log(`4. transaction ${tx.id}: ${tx.status}, ${tx.amount} ${tx.currency}`);
  if (!isPaid(tx)) throw new Error(`not paid: ${tx.status}`); // the core's rule, as in every language

  // 5. Ship, then capture. Exactly once, even if the connection drops mid-way.
  const capture: Operation = await client.transactions.capture(tx.id, {
    amount: tx.amount,
    capture_reference: `${orderId}-capture`,
    items: [
      { line_id: '1', amount: 29990 },
      { line_id: 'ship', amount: 3900 },
    ],
  });
  console.log(`5. captured (${capture.state}, reference ${capture.reference}): ${capture.transaction.status}`);

  // 6. The customer picked the chair up themselves: refund the shipping.
  const refund = await client.transactions.refund(tx.id, { amount: 3900, reason: 'shipping not used' });
  console.log(`6. refunded 3900: ${refund.transaction.status}`);

  // 7. Every transaction of this order (pages are fetched as you iterate).
  for await (const t of client.transactions.list({ merchant_reference: orderId })) {
    console.log(`7. listed ${t.id}: ${t.status}`);
  }

  // 8. Errors are DinteroError instances with a stable kind.
  try {
    await client.transactions.refund(tx.id, { amount: 1_000_000 });
  } catch (e: unknown) {
    if (!(e instanceof DinteroError)) throw e;
    console.log(`8. refused as expected: kind=${e.kind} status=${e.status} code=${e.code} requestId=${e.requestId}`);
  }
  console.log('checkout flow (TypeScript): ok');
} finally {
  await emulator?.shutdown();
}
