import { inspect } from 'node:util';

import * as native from '../index.js';
import type { RequestUrlOptions, VerifierOptions, VerifyOptions } from '../index.js';
import { DinteroError } from './errors.js';
import type * as M from './models.js';

export type { RequestUrlOptions, ValidateOrderOptions, VerifierOptions, VerifyOptions } from '../index.js';
// The core's functions, as the addon exports them (typed and documented in index.d.ts).
export { capturedAmount, computeSignature, defaults, isPaid, parseCallback, parseReturnUrl, refundedAmount, validateOrder, validateSessionRequest } from '../index.js';

/**
 * Request headers in any shape Node frameworks give them: `req.headers` (Node, Express,
 * Fastify), a fetch `Headers`, `req.rawHeaders` (a flat name/value list), or `[name, value]`
 * pairs.
 */
export type HeadersLike =
  | { [name: string]: string | string[] | number | undefined }
  | Iterable<readonly [string, string]>
  | readonly string[];

/** The parts of an incoming request that `verifyRequest` reads (Node `http`, Express, Fastify). */
export interface IncomingRequestLike {
  method?: string;
  /** Path and query (`req.url` in Node `http` and Fastify). */
  url?: string;
  /** Express: the path and query before a router mount point was stripped. */
  originalUrl?: string;
  headers: HeadersLike;
}

/** Any `HeadersLike` as `[name, value]` pairs (what the core reads). */
export function headerPairs(headers: HeadersLike): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (typeof headers !== 'object' || headers === null) return pairs; // the core says what is missing
  if (Array.isArray(headers) && typeof headers[0] === 'string') {
    for (let i = 0; i + 1 < headers.length; i += 2) pairs.push([String(headers[i]), String(headers[i + 1])]);
  } else if (Symbol.iterator in headers) {
    for (const [name, value] of headers as Iterable<readonly [string, string]>) pairs.push([String(name), String(value)]);
  } else {
    for (const [name, value] of Object.entries(headers)) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) pairs.push([name, String(v)]);
    }
  }
  return pairs;
}

/** The method, the path and query as received, and the header pairs of a framework's request. */
export function requestParts(req: IncomingRequestLike): [string, string, Array<[string, string]>] {
  return [req?.method ?? 'GET', req?.originalUrl ?? req?.url ?? '', headerPairs(req?.headers)];
}

let nativeOf: (verifier: CallbackVerifier) => native.NativeCallbackVerifier;

/** @internal The compiled verifier behind a `CallbackVerifier` (for `client.callbacks.receive`). */
export function nativeVerifier(verifier: CallbackVerifier): native.NativeCallbackVerifier {
  return nativeOf(verifier);
}

/**
 * Checks the `Dintero-Signature` of callbacks. The signature covers the method, the host, the
 * path and the query of the URL Dintero called. Every refusal is a `DinteroError` of kind
 * `signature`; `isAuthenticButLate` marks a late retry of Dintero's (confirm it, answer 2xx),
 * anything else is not Dintero's (answer 4xx).
 */
export class CallbackVerifier {
  readonly #n: native.NativeCallbackVerifier;
  /** The account id. */
  readonly accountId: string;

  static {
    nativeOf = (verifier) => verifier.#n;
  }

  constructor(secret: string, accountId: string, options: VerifierOptions = {}) {
    this.#n = native.createVerifier(secret, accountId, options);
    this.accountId = accountId;
  }

  /** Verifies a callback from its method, its full URL as received, and its headers. */
  verify(method: string, url: string, headers: HeadersLike, options: VerifyOptions = {}): M.Callback {
    return this.#n.verify(method, url, headerPairs(headers), options);
  }

  /**
   * Verifies the request your web framework handed you (Node `http`, Express, Fastify). The
   * core rebuilds the URL (`requestUrl`) from `publicUrl`, or your trusted proxy's `Forwarded` /
   * `X-Forwarded-*` headers, or `Host`, and the path and query as received.
   */
  verifyRequest(req: IncomingRequestLike, options: RequestUrlOptions = {}): M.Callback {
    return this.#n.verifyRequest(...requestParts(req), options);
  }

  /** Checks one `Dintero-Signature` header value against the method and the full URL. */
  verifySignature(method: string, url: string, signatureHeader: string, options: VerifyOptions = {}): void {
    this.#n.verifySignature(method, url, signatureHeader, options);
  }

  /** No secret in `JSON.stringify`. */
  toJSON(): { accountId: string } {
    return { accountId: this.accountId };
  }

  /** @internal */
  [inspect.custom](): string {
    return `CallbackVerifier { accountId: '${this.accountId}', secret: '[redacted]' }`;
  }
}

/** The URL a callback was sent to, from its path and query and its headers (the core's rule). */
export function requestUrl(pathAndQuery: string, headers: HeadersLike, options: RequestUrlOptions = {}): string {
  return native.requestUrl(pathAndQuery, headerPairs(headers), options);
}

/** Verifies a webhook's `event-signature` over the raw body (not re-serialized JSON) and parses it. */
export function verifyWebhook(secret: string, body: Uint8Array | string, signature: string | undefined): M.WebhookEvent {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new DinteroError('body: must be the raw body as received (a Buffer or a string), not parsed JSON', { kind: 'invalid_input' });
  }
  return native.verifyWebhook(secret, typeof body === 'string' ? Buffer.from(body) : body, signature);
}
