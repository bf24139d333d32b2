import { inspect } from 'node:util';

import {
  createClient,
  type ClientOptions as NativeClientOptions,
  type CreateSessionOptions,
  type GetTransactionOptions,
  type NativeClient,
  type RequestUrlOptions,
  type UpdateSessionOptions,
  type WaitOptions,
} from '../index.js';
import { nativeVerifier, requestParts, type CallbackVerifier, type IncomingRequestLike } from './callbacks.js';
import './errors.js';
import type * as M from './models.js';

export type { CreateSessionOptions, GetTransactionOptions, RetryOptions, UpdateSessionOptions, WaitOptions } from '../index.js';

/** The levels the SDK logs at. */
export type LogLevel = 'debug' | 'info' | 'warn';

/** The structured fields of a log line: `method`, `path`, `status`, `attempt`, `duration_ms`, `request_id`, `reference`, ... */
export type LogFields = Record<string, string | number>;

/**
 * What the `logger` option takes: `console`, a winston or pino logger, or any object with these
 * methods. Each is called with the line (its fields included, readable) and the fields as an
 * object (with `event`: `request`, `retrying`, ...). Never a secret, token, header or body.
 */
export interface Logger {
  debug(message: string, fields: LogFields): void;
  info(message: string, fields: LogFields): void;
  warn(message: string, fields: LogFields): void;
}

/** What `new Client(...)` takes: the connection settings, and where logs and request events go. */
export interface ClientOptions extends NativeClientOptions {
  /**
   * Where the SDK logs: one `debug` line per request attempt (method, path, status, attempt,
   * duration, request id), retries, token fetches and reconciliation at `info`. Without it, the
   * environment variable `DINTERO_CHECKOUT_LOG=debug` (or `info`, `warn`) logs to stderr.
   */
  logger?: Logger;
  /** The lowest level sent to `logger` (default `debug`); lower ones are never built. */
  logLevel?: LogLevel;
  /**
   * Called before (`phase: 'start'`) and after (`'end'`, with status, duration, request id)
   * every request attempt, for metrics and tracing. It runs on the JS thread after the fact:
   * the request never waits for it, and what it throws is logged at `warn`, never thrown.
   */
  onRequest?: (event: M.RequestEvent) => void;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn'];

/** The stderr logger `DINTERO_CHECKOUT_LOG` turns on, with its level. */
function envLogger(): { logger: Logger; level: LogLevel } | undefined {
  const wanted = process.env.DINTERO_CHECKOUT_LOG?.trim().toLowerCase();
  if (!wanted) return undefined;
  const level = LEVELS.find((l) => l === wanted) ?? 'debug';
  const line = (l: LogLevel) => (message: string) => {
    process.stderr.write(`${new Date().toISOString()} dintero-checkout ${l.toUpperCase()} ${message}\n`);
  };
  return { logger: { debug: line('debug'), info: line('info'), warn: line('warn') }, level };
}

interface LogLine {
  level: LogLevel;
  message: string;
  event: string;
  fields: LogFields;
  target: string;
}

/** The native client, with its log and observer functions (each catching what it calls throws). */
function nativeClient(options: ClientOptions): NativeClient {
  // Not an object: the native side says what is wrong with it.
  if (typeof options !== 'object' || options === null) return createClient(options);
  const { logger: given, logLevel, onRequest, ...settings } = options;
  const fromEnv = given ? undefined : envLogger();
  const logger = given ?? fromEnv?.logger;
  const log = logger
    ? (line: LogLine) => {
        try {
          logger[line.level](line.message, { event: line.event, ...line.fields });
        } catch {
          // A logger that throws loses its line; the request goes on.
        }
      }
    : undefined;
  const observe = onRequest
    ? (event: M.RequestEvent) => {
        try {
          onRequest(event);
        } catch (e) {
          const message = `the onRequest observer threw ${e instanceof Error ? e.name : typeof e}; the request goes on`;
          try {
            if (logger) logger.warn(message, { event: 'observer failed', operation: event.operation });
            else process.emitWarning(message);
          } catch {
            // Nothing left to tell.
          }
        }
      }
    : undefined;
  return createClient(settings, log, logLevel ?? fromEnv?.level, observe);
}

/** Session operations: `client.sessions`. */
export class Sessions {
  readonly #n: NativeClient;
  /** @internal */
  constructor(native: NativeClient) {
    this.#n = native;
  }

  /**
   * Creates a checkout session (`/v1/sessions-profile` when `profile_id` is set). The order is
   * checked first (sums, line ids, VAT), before any request. Send the customer to `url`.
   */
  create(request: M.SessionRequest, options: CreateSessionOptions = {}): Promise<M.SessionCreated> {
    return this.#n.createSession(request, options);
  }

  /** Reads a session. */
  get(sessionId: string): Promise<M.Session> {
    return this.#n.getSession(sessionId);
  }

  /** Replaces the session's order (it must add up). */
  update(sessionId: string, update: M.SessionUpdate, options: UpdateSessionOptions = {}): Promise<M.Session> {
    return this.#n.updateSession(sessionId, update, options);
  }

  /** Cancels the session (voids an authorized payment). */
  cancel(sessionId: string): Promise<M.Session> {
    return this.#n.cancelSession(sessionId);
  }
}

/**
 * Every transaction matching a filter, fetched a page at a time as you iterate:
 * `for await (const tx of client.transactions.list({...}))`. Each iteration starts afresh.
 */
export class TransactionList implements AsyncIterable<M.Transaction> {
  readonly #n: NativeClient;
  readonly #filter: Partial<M.ListTransactions>;
  /** @internal */
  constructor(native: NativeClient, filter: Partial<M.ListTransactions>) {
    this.#n = native;
    this.#filter = filter;
  }

  /** The pages themselves (arrays of transactions). */
  async *pages(): AsyncGenerator<M.Transaction[], void, undefined> {
    const pager = this.#n.listTransactions(this.#filter);
    for (let page = await pager.nextPage(); page !== null; page = await pager.nextPage()) yield page;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<M.Transaction, void, undefined> {
    for await (const page of this.pages()) yield* page;
  }

  /** Collects every transaction (careful with large accounts). */
  async toArray(): Promise<M.Transaction[]> {
    const all: M.Transaction[] = [];
    for await (const page of this.pages()) all.push(...page);
    return all;
  }
}

/** Transaction operations: `client.transactions`. */
export class Transactions {
  readonly #n: NativeClient;
  /** @internal */
  constructor(native: NativeClient) {
    this.#n = native;
  }

  /** Reads a transaction; `includes: ['session']` adds the session. */
  get(transactionId: string, options: GetTransactionOptions = {}): Promise<M.Transaction> {
    return this.#n.getTransaction(transactionId, options);
  }

  /** Every transaction matching `filter`; nothing is sent until you iterate. */
  list(filter: Partial<M.ListTransactions> = {}): TransactionList {
    return new TransactionList(this.#n, filter);
  }

  /**
   * Captures `amount`, exactly once within this client: the SDK recognises its capture by your
   * `capture_reference` (or, without one, by kind and amount among the new events), joins a
   * capture already running, and after an ambiguous failure re-reads instead of guessing.
   */
  capture(transactionId: string, request: M.CaptureRequest): Promise<M.Operation> {
    return this.#n.capture(transactionId, request);
  }

  /** Refunds `amount` of captured money, exactly once (`refund_reference`). */
  refund(transactionId: string, request: M.RefundRequest): Promise<M.Operation> {
    return this.#n.refund(transactionId, request);
  }

  /** Voids the authorization. */
  void(transactionId: string): Promise<M.Operation> {
    return this.#n.voidTransaction(transactionId);
  }

  /** Extends or changes the authorization. */
  extendAuthorization(transactionId: string, request: M.ExtendAuthorizationRequest = {}): Promise<M.Transaction> {
    return this.#n.extendAuthorization(transactionId, request);
  }

  /** Sets `merchant_reference_2`. */
  update(transactionId: string, merchantReference2: string): Promise<M.Transaction> {
    return this.#n.updateTransaction(transactionId, merchantReference2);
  }

  /** Waits until the operation Dintero queued (an `accepted` operation) lands. */
  waitForEvent(transactionId: string, eventRequestId: string, options: WaitOptions = {}): Promise<M.Transaction> {
    return this.#n.waitForEvent(transactionId, eventRequestId, options);
  }
}

/** Callback confirmation: `client.callbacks`. */
export class Callbacks {
  readonly #n: NativeClient;
  /** @internal */
  constructor(native: NativeClient) {
    this.#n = native;
  }

  /**
   * Receives a callback request as your framework hands it over (Node `http`, Express, Fastify:
   * `req`) and decides the answer, in the core: the signature is checked on the URL rebuilt from
   * `publicUrl`, or your trusted proxy's headers (`trustProxy`), or `Host`; a late retry counts
   * as authentic; an `error=` callback is noted; the rest is confirmed against the transaction.
   * Resolves with a receipt, never rejects for what the request holds: answer with
   * `receipt.status` and `receipt.reason`, and fulfil only from `receipt.transaction` (set only
   * when `outcome` is `'confirmed'`).
   */
  async receive(verifier: CallbackVerifier, req: IncomingRequestLike, options: RequestUrlOptions = {}): Promise<M.CallbackReceipt> {
    return this.#n.receiveCallback(nativeVerifier(verifier), ...requestParts(req), options);
  }

  /**
   * Fetches the transaction a (verified) callback names and checks that id, session and
   * merchant reference match. Rejects with kind `conflict` (code `callback_mismatch`) when
   * they do not. Act on the returned transaction's `status`.
   */
  confirm(callback: M.Callback): Promise<M.ConfirmedCallback> {
    return this.#n.confirmCallback(callback);
  }
}

for (const cls of [Sessions, Transactions, Callbacks]) {
  Object.defineProperty(cls.prototype, inspect.custom, { value: () => `${cls.name} {}` });
}

/**
 * A Dintero Checkout client. One per account is enough: it caches the access token (one
 * refresh at a time) and the connection pool, and every call returns a Promise.
 */
export class Client {
  /** Session operations. */
  readonly sessions: Sessions;
  /** Transaction operations. */
  readonly transactions: Transactions;
  /** Callback confirmation. */
  readonly callbacks: Callbacks;
  readonly #n: NativeClient;

  constructor(options: ClientOptions) {
    this.#n = nativeClient(options);
    this.sessions = new Sessions(this.#n);
    this.transactions = new Transactions(this.#n);
    this.callbacks = new Callbacks(this.#n);
  }

  /** The account id (`T…` sandbox, `P…` production). */
  get accountId(): string {
    return this.#n.accountId;
  }

  /** The client id. */
  get clientId(): string {
    return this.#n.clientId;
  }

  /** The base URL of the checkout API in use. */
  get baseUrl(): string {
    return this.#n.baseUrl;
  }

  /** Token requests this client has made so far. */
  get tokenRequests(): number {
    return this.#n.tokenRequests;
  }

  /** Fetches an access token now if none is cached: checks the credentials at start-up. */
  authenticate(): Promise<M.TokenInfo> {
    return this.#n.authenticate();
  }

  /**
   * Re-reads the session every `intervalMs` until it has a `transaction_id` or is cancelled;
   * rejects with kind `timeout` after `timeoutMs` (defaults: `defaults()`).
   */
  waitForPayment(sessionId: string, options: WaitOptions = {}): Promise<M.Session> {
    return this.#n.waitForPayment(sessionId, options);
  }

  /** What `JSON.stringify(client)` shows: no secret. */
  toJSON(): { accountId: string; clientId: string; baseUrl: string } {
    return { accountId: this.accountId, clientId: this.clientId, baseUrl: this.baseUrl };
  }

  /** What `util.inspect(client)` / `console.log(client)` show: no secret. */
  [inspect.custom](_depth: number, options: object, insp: typeof inspect = inspect): string {
    return `Client ${insp({ ...this.toJSON(), clientSecret: '[redacted]' }, options)}`;
  }
}
