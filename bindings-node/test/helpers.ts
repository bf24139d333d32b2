// Test helpers: an in-process emulator (the package's own testing entry point), a session
// payload, and a paid transaction. The tests talk to it over real HTTP.

import * as path from 'node:path';

import { Client, Emulator, DinteroError, type ErrorKind, type SessionRequest } from 'dintero-checkout';

/** The repository root (for testdata/). */
export const REPO = path.resolve(__dirname, '..', '..', '..');

let counter = 0;

/** A unique merchant reference per call. */
export function reference(prefix = 'order'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** A chair (29990) and pick-up shipping (3900). */
export function sessionRequest(merchantReference = reference(), callbackUrl = 'http://127.0.0.1:9/cb'): SessionRequest {
  return {
    url: { return_url: 'https://shop.example/return', callback_url: callbackUrl },
    order: {
      amount: 33890,
      currency: 'NOK',
      merchant_reference: merchantReference,
      items: [{ line_id: '1', id: 'chair', description: 'Chair', quantity: 1, amount: 29990, vat: 25, vat_amount: 5998 }],
      shipping_option: { id: 'pickup', line_id: 'ship', amount: 3900, vat: 25, vat_amount: 780, title: 'Pick-up', operator: '' },
    },
    profile_id: 'default',
  };
}

/** Creates a session and pays it with the approving test card; returns the transaction id. */
export async function paidTransaction(emu: Emulator, client: Client, merchantReference = reference()): Promise<string> {
  const session = await client.sessions.create(sessionRequest(merchantReference));
  const paid = await emu.pay(session.id);
  if (!paid.transaction_id) throw new Error('payment created no transaction');
  return paid.transaction_id;
}

/** A retry policy that keeps tests with injected faults quick. */
export const FAST_RETRY = { maxAttempts: 2, initialBackoffMs: 5, maxBackoffMs: 20, maxRetryAfterMs: 2000 };

/** An assert.throws / rejects matcher: a DinteroError of `kind`, then `extra` checks. */
export function isKind(kind: ErrorKind, extra?: (e: DinteroError) => void) {
  return (e: unknown): boolean => {
    if (!(e instanceof DinteroError)) throw new Error(`expected a DinteroError, got ${String(e)}`);
    if (e.kind !== kind) throw new Error(`expected kind ${kind}, got ${e.kind}: ${e.message}`);
    extra?.(e);
    return true;
  };
}
