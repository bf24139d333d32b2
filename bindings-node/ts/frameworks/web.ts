// Dintero callbacks for the Web-standard `Request` and `Response` (Next.js route handlers,
// Hono, Cloudflare Workers, Deno, Bun): `dintero-checkout/web`.
//
//   // app/dintero/callback/route.ts (Next.js)
//   import { callbackHandler } from 'dintero-checkout/web'
//   export const GET = callbackHandler({ client, verifier, onReceipt: async (receipt) => {
//     if (receipt.outcome === 'confirmed') await fulfil(receipt.transaction!)
//   } })

import type * as M from '../models.js';
import { receiptResponse, receiveParts, type OnReceipt, type ReceiverOptions } from './shared.js';

export { receiptResponse } from './shared.js';
export type { OnReceipt, ReceiptResponse, ReceiverOptions } from './shared.js';

/**
 * Receives the callback in a `Request`: verified on the URL rebuilt by the core from the path
 * and query and the headers (the request URL's host stands in for a `Host` header the runtime
 * left out), confirmed, and the answer decided. Never rejects.
 */
export function receive(request: Request, options: ReceiverOptions): Promise<M.CallbackReceipt> {
  const url = new URL(request.url);
  const headers: Array<[string, string]> = [...request.headers];
  if (!request.headers.has('host')) headers.push(['host', url.host]);
  return receiveParts(options, request.method, url.pathname + url.search, headers);
}

/** The receipt's answer as a `Response` (status + JSON body). */
export function toResponse(receipt: M.CallbackReceipt): Response {
  const { status, body } = receiptResponse(receipt);
  return Response.json(body, { status });
}

/**
 * A handler `(request) => Promise<Response>`: receives, calls `onReceipt`, answers. An
 * `onReceipt` that throws rejects the promise (your runtime answers 500: Dintero retries).
 */
export function callbackHandler(options: ReceiverOptions & { onReceipt?: OnReceipt<Request> }): (request: Request) => Promise<Response> {
  return async (request) => {
    const receipt = await receive(request, options);
    await options.onReceipt?.(receipt, request);
    return toResponse(receipt);
  };
}
