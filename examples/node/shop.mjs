// The shop behind the framework examples (shop_express.mjs, shop_fastify.mjs, shop_web.mjs):
// its orders, and what it does at checkout, on a callback receipt, on "ship" and on "return".
// Each framework file only wires these to routes. Also the run every example ends with: a
// customer checks out and pays with a test card, Dintero calls back, the shop ships and takes
// the chair back.

import { isPaid } from 'dintero-checkout';

/**
 * @typedef {{ reference: string, amount: number, state: 'awaiting payment' | 'paid' | 'shipped' | 'refunded', transactionId?: string }} ShopOrder
 */

/**
 * @param {{ client: import('dintero-checkout').Client, publicUrl: string }} options `publicUrl` is
 *   where Dintero reaches the shop (read at each checkout).
 */
export function createShop(options) {
  const { client } = options;
  /** @type {Map<string, ShopOrder>} */
  const orders = new Map();
  let counter = 0;

  return {
    orders,

    /** A session for one chair; answer with a redirect to the returned URL. */
    async checkout() {
      const reference = `shop-${process.pid}-${Date.now().toString(36)}-${(counter += 1)}`;
      orders.set(reference, { reference, amount: 29990, state: 'awaiting payment' });
      const publicUrl = options.publicUrl;
      const session = await client.sessions.create({
        url: { return_url: `${publicUrl}/return`, callback_url: `${publicUrl}/dintero/callback` },
        order: {
          amount: 29990, currency: 'NOK', merchant_reference: reference,
          items: [{ line_id: '1', id: 'chair', description: 'Chair', quantity: 1, amount: 29990, vat: 25, vat_amount: 5998 }],
        },
        profile_id: 'default',
      });
      if (!session.url) throw new Error(`session ${session.id} has no url`);
      return session.url;
    },

    /**
     * Every callback receipt: fulfil a confirmed, paid one (idempotent: Dintero may deliver a
     * callback more than once). The receiver answers Dintero with the receipt's status.
     * @param {import('dintero-checkout').CallbackReceipt} receipt
     */
    onReceipt(receipt) {
      const tx = receipt.transaction;
      console.log(`shop: callback ${receipt.outcome} (${receipt.status} ${receipt.reason})`);
      if (receipt.outcome !== 'confirmed' || !tx || !isPaid(tx)) return;
      const order = orders.get(tx.merchant_reference ?? '');
      if (order && order.state === 'awaiting payment') Object.assign(order, { state: 'paid', transactionId: tx.id });
    },

    /**
     * "Ship": capture the whole amount (exactly once, by its reference).
     * @param {string} reference
     * @returns {Promise<[number, string]>} status and text to answer
     */
    async ship(reference) {
      const order = orders.get(reference);
      if (!order?.transactionId || order.state !== 'paid') return [409, 'not paid, or already shipped'];
      await client.transactions.capture(order.transactionId, { amount: order.amount, capture_reference: `${reference}-ship` });
      order.state = 'shipped';
      return [200, order.state];
    },

    /**
     * "Return": refund the whole amount.
     * @param {string} reference
     * @returns {Promise<[number, string]>}
     */
    async giveBack(reference) {
      const order = orders.get(reference);
      if (!order?.transactionId || order.state !== 'shipped') return [409, 'nothing shipped to refund'];
      await client.transactions.refund(order.transactionId, { amount: order.amount, refund_reference: `${reference}-return`, reason: 'returned' });
      order.state = 'refunded';
      return [200, order.state];
    },
  };
}

/**
 * The whole story against the emulator, through the app's own routes.
 * @param {{
 *   emu: import('dintero-checkout/testing').Emulator,
 *   client: import('dintero-checkout').Client,
 *   shop: ReturnType<typeof createShop>,
 *   send: (method: string, path: string) => Promise<Response>,
 *   deliver?: (delivery: import('dintero-checkout/testing').CallbackDelivery) => Promise<Response>,
 * }} options `send` calls the app; `deliver` replays Dintero's callback when the emulator
 *   cannot reach the app itself.
 */
export async function runStory({ emu, client, shop, send, deliver }) {
  const checkout = await send('POST', '/checkout');
  const sessionUrl = checkout.headers.get('location');
  if (checkout.status !== 303 || !sessionUrl) throw new Error(`checkout answered ${checkout.status}`);
  console.log(`customer: sent to ${sessionUrl}`);

  const paid = await emu.pay(new URL(sessionUrl).pathname.split('/').pop() ?? '');
  const txId = paid.transaction_id;
  if (!txId) throw new Error('the payment made no transaction');
  console.log(`customer: paid with the approve test card, back at ${paid.redirect_url.split('?')[0]}`);

  if (deliver) {
    // The emulator cannot reach this app: replay its first signed attempt.
    let delivery;
    for (const deadline = Date.now() + 10_000; !delivery && Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
      delivery = emu.callbacks().find((d) => d.url.includes(txId) && 'Dintero-Signature' in d.headers);
    }
    if (!delivery) throw new Error('the emulator sent no callback');
    const answer = await deliver(delivery);
    console.log(`dintero: callback replayed to the app: ${answer.status}`);
  } else {
    const delivery = await emu.waitForCallback((d) => d.url.includes(txId), { timeoutMs: 10_000 });
    console.log(`dintero: callback delivered to the app: ${delivery.last_status} after ${delivery.attempts} attempt(s)`);
  }
  const order = [...shop.orders.values()].find((o) => o.transactionId === txId);
  if (order?.state !== 'paid') throw new Error(`the order is not paid: ${JSON.stringify(order)}`);

  for (const step of ['ship', 'return']) {
    const res = await send('POST', `/orders/${order.reference}/${step}`);
    console.log(`shop: ${step} -> ${res.status} ${await res.text()}`);
    if (res.status !== 200) throw new Error(`${step} failed`);
  }
  const tx = await client.transactions.get(txId);
  console.log(`dintero: transaction ${tx.id} is ${tx.status}`);
  if (tx.status !== 'REFUNDED') throw new Error(`expected REFUNDED, got ${tx.status}`);
}
