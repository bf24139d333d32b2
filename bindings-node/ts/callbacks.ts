import { inspect } from 'node:util';

import {
  NativeCallbackVerifier,
  callbackSignature,
  checkOrder,
  checkSessionRequest,
  parseCallbackUrl,
  parseReturn,
  verifyWebhookBody,
} from '../index.js';
import { callSync, describe, encode, invalidInput, notACallback, requireString } from './errors.js';
import type { Callback, Order, ReturnResult, SessionRequest, WebhookEvent } from './types.js';

/**
 * Request headers in any of the shapes Node frameworks give them: Node's / Express's /
 * Fastify's `req.headers` object, a fetch `Headers`, `req.rawHeaders` (a flat name/value
 * list), or an iterable of `[name, value]` pairs.
 */
export type HeadersLike =
  | { [name: string]: string | string[] | number | undefined }
  | Iterable<readonly [string, string]>
  | readonly string[];

/** The parts of an incoming request that verification reads (Node `http`, Express, Fastify). */
export interface IncomingRequestLike {
  method?: string;
  /** Path and query (`req.url` in Node `http` and Fastify). */
  url?: string;
  /** Express: the path and query before any router mount point was stripped. */
  originalUrl?: string;
  headers: HeadersLike;
}

/** Flattens any `HeadersLike` into `[name, value, name, value, ...]`. */
export function flattenHeaders(headers: HeadersLike): string[] {
  const out: string[] = [];
  if (headers === null || typeof headers !== 'object') {
    throw invalidInput(`headers: must be an object, a Headers, or a list (got ${describe(headers)})`);
  }
  if (Array.isArray(headers)) {
    if (headers.length > 0 && typeof headers[0] === 'string') {
      // rawHeaders: a flat list.
      for (const item of headers as readonly unknown[]) {
        if (typeof item !== 'string') throw invalidInput('headers: a flat header list must hold strings only');
        out.push(item);
      }
      if (out.length % 2 !== 0) throw invalidInput('headers: a flat header list must have an even length');
      return out;
    }
  }
  if (Symbol.iterator in headers) {
    for (const pair of headers as Iterable<readonly [unknown, unknown]>) {
      if (!Array.isArray(pair) || pair.length !== 2) throw invalidInput('headers: pairs must be [name, value]');
      out.push(String(pair[0]), String(pair[1]));
    }
    return out;
  }
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const v of value) out.push(name, String(v));
    } else {
      out.push(name, String(value));
    }
  }
  return out;
}

function headerValue(flat: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const key = flat[i];
    const value = flat[i + 1];
    if (key !== undefined && value !== undefined && key.toLowerCase() === name) return value;
  }
  return undefined;
}

/** What `new CallbackVerifier(...)` takes. */
export interface CallbackVerifierOptions {
  /** The account's callback signature secret (`GET /v1/admin/signature`). */
  secret: string;
  /** The account id the callbacks are for. */
  accountId: string;
  /** How old (or how far in the future) a signature's timestamp may be. Default 300. */
  toleranceSeconds?: number;
}

/** Options of `verifyRequest`. */
export interface VerifyRequestOptions {
  /**
   * Your public origin as Dintero calls it (`https://shop.example`), when your server sits
   * behind a proxy that changes the `Host` header. Default: the request's `Host` header.
   */
  publicUrl?: string;
  /** Trust `X-Forwarded-Host` (set by your own proxy) for the host. Default false. */
  trustProxy?: boolean;
  /** Unix seconds to check the timestamp against (default: now). */
  now?: number;
}

/**
 * Checks the `Dintero-Signature` of callbacks. The signature covers the method, the host, the
 * path and the query of the URL Dintero called; pass them exactly as received.
 */
export class CallbackVerifier {
  readonly #native: NativeCallbackVerifier;
  /** The account id. */
  readonly accountId: string;

  constructor(options: CallbackVerifierOptions) {
    if (typeof options !== 'object' || options === null) {
      throw invalidInput(`options: must be an object (got ${describe(options)})`);
    }
    const secret = requireString('options.secret', options.secret);
    const accountId = requireString('options.accountId', options.accountId);
    const tolerance = options.toleranceSeconds;
    if (tolerance !== undefined && typeof tolerance !== 'number') {
      throw invalidInput(`options.toleranceSeconds: must be a number (got ${describe(tolerance)})`);
    }
    this.#native = callSync(() => new NativeCallbackVerifier(secret, accountId, tolerance));
    this.accountId = accountId;
  }

  /**
   * Verifies a callback from its method, its full URL as received (scheme, host, path, query)
   * and its headers; returns the parsed callback. Throws a `DinteroError` of kind `signature`
   * for anything that is not a valid, authentic callback (header missing or wrong, URL
   * unreadable or not a callback, timestamp outside the tolerance). Its `code` tells them
   * apart: `signature_expired` (`authenticButLate`) is a late retry of Dintero's, confirm it and
   * answer 2xx; `signature_mismatch` is forged, answer 4xx. Confirm a valid callback with
   * `client.callbacks.confirm` before fulfilling the order.
   */
  verify(method: string, url: string, headers: HeadersLike, options: { now?: number } = {}): Callback {
    const m = requireString('method', method);
    const u = requireString('url', url);
    const flat = flattenHeaders(headers);
    const now = options.now;
    if (now !== undefined && typeof now !== 'number') throw invalidInput(`now: must be a number (got ${describe(now)})`);
    return JSON.parse(callSync(() => this.#native.verify(m, u, flat, now))) as Callback;
  }

  /**
   * Checks one `Dintero-Signature` header value against the method and the full URL, without
   * reading the URL as a callback. Throws a `DinteroError` of kind `signature` when it fails.
   */
  verifySignature(method: string, url: string, signatureHeader: string, options: { now?: number } = {}): void {
    const m = requireString('method', method);
    const u = requireString('url', url);
    const header = requireString('signatureHeader', signatureHeader);
    const now = options.now;
    if (now !== undefined && typeof now !== 'number') throw invalidInput(`now: must be a number (got ${describe(now)})`);
    callSync(() => this.#native.verifySignature(m, u, header, now));
  }

  /**
   * Verifies the request your web framework handed you: Node `http`'s `IncomingMessage`,
   * Express's or Fastify's `req`. The URL is rebuilt from the `Host` header (or `publicUrl`)
   * and the path and query as received.
   */
  verifyRequest(req: IncomingRequestLike, options: VerifyRequestOptions = {}): Callback {
    if (typeof req !== 'object' || req === null) throw invalidInput(`req: must be a request object (got ${describe(req)})`);
    const flat = flattenHeaders(req.headers);
    const pathAndQuery = req.originalUrl ?? req.url;
    if (typeof pathAndQuery !== 'string' || !pathAndQuery.startsWith('/')) {
      // Not a request Dintero could have made: refused like any other invalid callback.
      throw notACallback('req.url: must be the request path and query (e.g. /dintero/callback?transaction_id=...)');
    }
    let origin: string;
    if (options.publicUrl !== undefined) {
      let parsed: URL;
      try {
        parsed = new URL(requireString('publicUrl', options.publicUrl));
      } catch (e) {
        throw invalidInput('publicUrl: must be an absolute URL such as https://shop.example', e);
      }
      origin = parsed.origin;
    } else {
      const forwarded = options.trustProxy ? headerValue(flat, 'x-forwarded-host')?.split(',')[0]?.trim() : undefined;
      const host = forwarded || headerValue(flat, 'host') || headerValue(flat, ':authority');
      if (!host) throw notACallback('req.headers: has no Host header; pass options.publicUrl');
      origin = `http://${host}`;
    }
    return this.verify(req.method ?? 'GET', origin + pathAndQuery, flat, { now: options.now });
  }

  /** @internal */
  [inspect.custom](): string {
    return `CallbackVerifier { accountId: '${this.accountId}', secret: '[redacted]' }`;
  }

  /** No secret in `JSON.stringify`. */
  toJSON(): { accountId: string } {
    return { accountId: this.accountId };
  }
}

/** Parses a callback URL's query without checking its signature (prefer `CallbackVerifier`). */
export function parseCallback(url: string): Callback {
  const u = requireString('url', url);
  return JSON.parse(callSync(() => parseCallbackUrl(u))) as Callback;
}

/**
 * Parses the URL the customer's browser came back on (`return_url` + Dintero's query). It is
 * not signed: use it to choose what to show, and confirm the transaction on your server.
 */
export function parseReturnUrl(url: string): ReturnResult {
  const u = requireString('url', url);
  return JSON.parse(callSync(() => parseReturn(u))) as ReturnResult;
}

/** The hex `v0-hmac-sha256` signature Dintero puts on a callback (for tests and tools). */
export function computeSignature(input: { secret: string; accountId: string; method: string; url: string; timestamp: number }): string {
  const secret = requireString('secret', input.secret);
  const accountId = requireString('accountId', input.accountId);
  const method = requireString('method', input.method);
  const url = requireString('url', input.url);
  if (typeof input.timestamp !== 'number') throw invalidInput(`timestamp: must be a number (got ${describe(input.timestamp)})`);
  const timestamp = input.timestamp;
  return callSync(() => callbackSignature(secret, accountId, method, url, timestamp));
}

/** What `verifyWebhook` takes. */
export interface VerifyWebhookInput {
  /** The subscription's secret. */
  secret: string;
  /** The raw body as received, before any JSON parsing (`express.raw()`), or its text. */
  body: Uint8Array | string;
  /** The `event-signature` header value... */
  signature?: string;
  /** ...or the request headers to find it in. */
  headers?: HeadersLike;
}

/** Verifies a webhook's `event-signature` (HMAC-SHA1 of the raw body) and parses it. */
export function verifyWebhook(input: VerifyWebhookInput): WebhookEvent {
  const secret = requireString('secret', input.secret);
  const raw = input.body;
  let body: Buffer;
  if (typeof raw === 'string') body = Buffer.from(raw, 'utf8');
  else if (raw instanceof Uint8Array) body = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  else throw invalidInput(`body: must be the raw body as a Buffer, Uint8Array or string (got ${describe(raw)})`);
  let signature = input.signature;
  if (signature === undefined && input.headers !== undefined) {
    signature = headerValue(flattenHeaders(input.headers), 'event-signature');
  }
  if (signature !== undefined && typeof signature !== 'string') {
    throw invalidInput(`signature: must be a string (got ${describe(signature)})`);
  }
  return JSON.parse(callSync(() => verifyWebhookBody(secret, body, signature))) as WebhookEvent;
}

/** Checks an order as `sessions.create` does before sending it; throws `invalid_input` naming the line. */
export function validateOrder(order: Order): void {
  const text = encode('order', order);
  callSync(() => checkOrder(text));
}

/** Checks a whole session request (URLs, profile or configuration, the order). */
export function validateSessionRequest(request: SessionRequest): void {
  const text = encode('session', request);
  callSync(() => checkSessionRequest(text));
}
