// What the framework receivers (express.ts, fastify.ts, web.ts) have in common: their options
// and the answer to send. The decision itself (verify, late retries, `error=`, confirm, which
// status) is the core's `client.callbacks.receive`; a receiver only hands it the request.

import type { CallbackVerifier, HeadersLike } from '../callbacks.js';
import type { Client } from '../client.js';
import type * as M from '../models.js';

/** What every framework receiver needs. */
export interface ReceiverOptions {
  /** Reads the transaction a callback names (the confirmation). */
  client: Client;
  /** Checks `Dintero-Signature` with your signature secret. */
  verifier: CallbackVerifier;
  /**
   * Your public origin (`https://shop.example`) when a proxy in front of your server rewrites
   * `Host`. Takes precedence over every header.
   */
  publicUrl?: string;
  /**
   * Read the origin from your own proxy's `Forwarded` / `X-Forwarded-*` headers. Only when that
   * proxy overwrites them: otherwise anyone can choose the URL that is checked. Default false.
   */
  trustProxy?: boolean;
}

/** The answer to send Dintero for a receipt. */
export interface ReceiptResponse {
  /** The receipt's status: 2xx ends Dintero's deliveries, 4xx is final, 5xx makes it retry. */
  status: number;
  /** A JSON body that is safe to send (no secret, no transaction details). */
  body: { outcome: M.CallbackReceipt['outcome']; reason: string };
}

/** The status and body to answer a receipt with. */
export function receiptResponse(receipt: M.CallbackReceipt): ReceiptResponse {
  return { status: receipt.status, body: { outcome: receipt.outcome, reason: receipt.reason } };
}

/**
 * Called with every receipt before the answer is sent: fulfil the order when
 * `receipt.outcome === 'confirmed'` (then `receipt.transaction` is set), note a
 * `payment_failed` one. It must be idempotent (Dintero may deliver a callback more than once).
 * If it throws, the framework's own error handling answers (500 by default), so Dintero
 * delivers the callback again later.
 */
export type OnReceipt<Req> = (receipt: M.CallbackReceipt, request: Req) => void | Promise<void>;

/** Hands one request to the core. */
export function receiveParts(
  options: ReceiverOptions,
  method: string,
  pathAndQuery: string,
  headers: HeadersLike,
): Promise<M.CallbackReceipt> {
  const { client, verifier, publicUrl, trustProxy } = options;
  return client.callbacks.receive(verifier, { method, url: pathAndQuery, headers }, { publicUrl, trustProxy });
}
