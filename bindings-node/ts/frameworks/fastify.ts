// Dintero callbacks in Fastify (4 and 5): `dintero-checkout/fastify`. Fastify itself is not
// loaded here (types only).
//
//   import { dinteroCallbacks } from 'dintero-checkout/fastify'
//   await app.register(dinteroCallbacks, { client, verifier, path: '/dintero/callback',
//     onReceipt: async (receipt) => { if (receipt.outcome === 'confirmed') await fulfil(receipt.transaction!) } })

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type * as M from '../models.js';
import { receiptResponse, receiveParts, type OnReceipt, type ReceiverOptions } from './shared.js';

export { receiptResponse } from './shared.js';
export type { OnReceipt, ReceiptResponse, ReceiverOptions } from './shared.js';

/** The parts of a Fastify request a receiver reads. */
export type FastifyRequestLike = Pick<FastifyRequest, 'method' | 'url' | 'headers'>;

/**
 * Receives the callback in a Fastify request (`request.url` is the path and query as received,
 * prefixes included): verified, confirmed, and the answer decided by the core. Never rejects;
 * answer with `receiptResponse(receipt)`.
 */
export function receive(request: FastifyRequestLike, options: ReceiverOptions): Promise<M.CallbackReceipt> {
  return receiveParts(options, request.method, request.url, request.headers);
}

/** Options of the route handler and the plugin. */
export interface FastifyReceiverOptions extends ReceiverOptions {
  /** Called with every receipt before the answer; throwing makes Fastify answer 500 (Dintero retries). */
  onReceipt?: OnReceipt<FastifyRequest>;
}

/** A route handler: receives, calls `onReceipt`, answers with the receipt's status and body. */
export function callbackHandler(options: FastifyReceiverOptions) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<ReturnType<typeof receiptResponse>['body']> => {
    const receipt = await receive(request, options);
    await options.onReceipt?.(receipt, request);
    const { status, body } = receiptResponse(receipt);
    reply.code(status);
    return body;
  };
}

/**
 * A plugin that adds the receiver at `path` (default `/dintero/callback`) for GET and POST:
 * `app.register(dinteroCallbacks, { client, verifier, onReceipt })`.
 */
export async function dinteroCallbacks(app: FastifyInstance, options: FastifyReceiverOptions & { path?: string }): Promise<void> {
  app.route({ method: ['GET', 'POST'], url: options.path ?? '/dintero/callback', handler: callbackHandler(options) });
}
