// Dintero callbacks in Express (4 and 5): `dintero-checkout/express`. Express itself is not
// loaded here (types only): pass your app's requests in.
//
//   import { callbackHandler } from 'dintero-checkout/express'
//   app.get('/dintero/callback', callbackHandler({ client, verifier, onReceipt: async (receipt) => {
//     if (receipt.outcome === 'confirmed') await fulfil(receipt.transaction!)
//   } }))

import type { NextFunction, Request, RequestHandler, Response } from 'express';

import type * as M from '../models.js';
import { receiptResponse, receiveParts, type OnReceipt, type ReceiverOptions } from './shared.js';

export { receiptResponse } from './shared.js';
export type { OnReceipt, ReceiptResponse, ReceiverOptions } from './shared.js';

/** The parts of an Express request a receiver reads. */
export type ExpressRequestLike = Pick<Request, 'method' | 'headers'> & { originalUrl?: string; url?: string };

/**
 * Receives the callback in an Express request: the core verifies it on the URL rebuilt from
 * `req.originalUrl` (the path before any router mount) and the headers, confirms it against
 * the transaction and decides the answer. Never rejects; answer with `receiptResponse(receipt)`.
 */
export function receive(req: ExpressRequestLike, options: ReceiverOptions): Promise<M.CallbackReceipt> {
  return receiveParts(options, req.method, req.originalUrl ?? req.url ?? '', req.headers);
}

/** Sends the receipt's answer (status + JSON body). */
export function sendReceipt(res: Response, receipt: M.CallbackReceipt): void {
  const { status, body } = receiptResponse(receipt);
  res.status(status).json(body);
}

/**
 * A complete route handler (GET and POST callbacks alike): receives, calls `onReceipt`, answers.
 * The receipt is also left in `res.locals.dinteroReceipt` for later middleware and logs. An
 * `onReceipt` that throws goes to Express's error handling (500: Dintero retries).
 */
export function callbackHandler(options: ReceiverOptions & { onReceipt?: OnReceipt<Request> }): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    receive(req, options)
      .then(async (receipt) => {
        res.locals.dinteroReceipt = receipt;
        await options.onReceipt?.(receipt, req);
        sendReceipt(res, receipt);
      })
      .catch(next);
  };
}
