import { inspect } from 'node:util';

import { NativeClient, NativeTransactionPager } from '../index.js';
import { callJson, callSync, describe, encode, fromNative, invalidInput, requireString } from './errors.js';
import type {
  Callback,
  CaptureRequest,
  ConfirmedCallback,
  ExtendAuthorizationRequest,
  ListTransactionsFilter,
  Operation,
  RefundRequest,
  Session,
  SessionCreated,
  SessionRequest,
  SessionUpdate,
  Transaction,
  TransactionUpdate,
} from './types.js';

/** How failed requests are retried (jittered exponential backoff, honouring `Retry-After`). */
export interface RetryOptions {
  /** Attempts in all, the first included (1 = no retries). Default 4. */
  maxAttempts?: number;
  /** Backoff before the first retry. Default 500 ms. */
  initialBackoffMs?: number;
  /** Largest backoff. Default 8 s. */
  maxBackoffMs?: number;
  /** Largest `Retry-After` the SDK sleeps for; a longer one ends the retries. Default 60 s. */
  maxRetryAfterMs?: number;
}

/** What `new Client(...)` takes. */
export interface ClientOptions {
  /** `T` (sandbox) or `P` (production) and 8 digits, e.g. `T12345678`. */
  accountId: string;
  /** The API client's id. */
  clientId: string;
  /** The API client's secret. Never shown by `inspect`, `JSON.stringify` or errors. */
  clientSecret: string;
  /** One base URL for both Dintero hosts, e.g. the emulator's. `http://` only for loopback. */
  baseUrl?: string;
  /** Per-attempt timeout. Default 30 s. */
  timeoutMs?: number;
  /** Connect timeout. Default 10 s. */
  connectTimeoutMs?: number;
  /** Retry policy. */
  retry?: RetryOptions;
  /** Send every request through this proxy (`http://user:pass@host:port`). */
  proxy?: string;
  /** Your system's name, sent as `Dintero-System-Name`. */
  systemName?: string;
  /** Your system's version, sent as `Dintero-System-Version`. */
  systemVersion?: string;
}

const REDACTED = '[redacted]';

/** Session operations: `client.sessions`. */
export class Sessions {
  readonly #native: NativeClient;

  /** @internal */
  constructor(native: NativeClient) {
    this.#native = native;
  }

  /**
   * Creates a checkout session (`/v1/sessions-profile` when `profile_id` is set). The order is
   * checked first (sums, line ids, VAT), before any request. Send the customer to `url`.
   */
  async create(request: SessionRequest, options: { includeSession?: boolean } = {}): Promise<SessionCreated> {
    const body = encode('session', request);
    return callJson(() => this.#native.createSession(body, options.includeSession === true));
  }

  /** Reads a session. */
  async get(sessionId: string): Promise<Session> {
    const id = requireString('session_id', sessionId);
    return callJson(() => this.#native.getSession(id));
  }

  /** Replaces the session's order (it must add up). */
  async update(sessionId: string, update: SessionUpdate, options: { updateWithoutLock?: boolean } = {}): Promise<Session> {
    const id = requireString('session_id', sessionId);
    const body = encode('update', update);
    return callJson(() => this.#native.updateSession(id, body, options.updateWithoutLock === true));
  }

  /** Cancels the session (voids an authorized payment). */
  async cancel(sessionId: string): Promise<Session> {
    const id = requireString('session_id', sessionId);
    return callJson(() => this.#native.cancelSession(id));
  }

  /** @internal */
  [inspect.custom](): string {
    return 'Sessions {}';
  }
}

/**
 * Every transaction matching a filter, fetched a page at a time as you iterate:
 * `for await (const tx of client.transactions.list({...}))`. Each iteration starts afresh.
 */
export class TransactionList implements AsyncIterable<Transaction> {
  readonly #native: NativeClient;
  readonly #filter: ListTransactionsFilter;

  /** @internal */
  constructor(native: NativeClient, filter: ListTransactionsFilter) {
    this.#native = native;
    this.#filter = filter;
  }

  /** The pages themselves (arrays of transactions). */
  async *pages(): AsyncGenerator<Transaction[], void, undefined> {
    const filter = encode('filter', this.#filter);
    const pager: NativeTransactionPager = callSync(() => this.#native.listTransactions(filter));
    for (;;) {
      const page = await callJson<Transaction[] | null>(async () => (await pager.nextPage()) ?? 'null');
      if (page === null) return;
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Transaction, void, undefined> {
    for await (const page of this.pages()) {
      yield* page;
    }
  }

  /** Collects every transaction (careful with large accounts). */
  async toArray(): Promise<Transaction[]> {
    const all: Transaction[] = [];
    for await (const page of this.pages()) all.push(...page);
    return all;
  }
}

/** Transaction operations: `client.transactions`. */
export class Transactions {
  readonly #native: NativeClient;

  /** @internal */
  constructor(native: NativeClient) {
    this.#native = native;
  }

  /** Reads a transaction; `includes: ['session']` adds the session. */
  async get(transactionId: string, options: { includes?: string[] } = {}): Promise<Transaction> {
    const id = requireString('transaction_id', transactionId);
    const includes = options.includes ?? [];
    if (!Array.isArray(includes) || includes.some((i) => typeof i !== 'string')) {
      throw invalidInput('includes: must be an array of strings');
    }
    return callJson(() => this.#native.getTransaction(id, includes));
  }

  /** Every transaction matching `filter`, as an async iterable (pages are fetched as you go). */
  list(filter: ListTransactionsFilter = {}): TransactionList {
    // Nothing is checked or sent until the first iteration; errors surface there.
    return new TransactionList(this.#native, filter);
  }

  /**
   * Captures `amount`, exactly once within this client: the SDK recognises its capture by your
   * `capture_reference` (or, without one, by kind and amount among the new events), joins a
   * capture already running, and after an ambiguous failure re-reads instead of guessing.
   */
  async capture(transactionId: string, request: CaptureRequest): Promise<Operation> {
    const id = requireString('transaction_id', transactionId);
    const body = encode('capture', request);
    return callJson(() => this.#native.capture(id, body));
  }

  /** Refunds `amount` of captured money, exactly once (`refund_reference`). */
  async refund(transactionId: string, request: RefundRequest): Promise<Operation> {
    const id = requireString('transaction_id', transactionId);
    const body = encode('refund', request);
    return callJson(() => this.#native.refund(id, body));
  }

  /** Voids the authorization. */
  async void(transactionId: string): Promise<Operation> {
    const id = requireString('transaction_id', transactionId);
    return callJson(() => this.#native.voidTransaction(id));
  }

  /** Extends or changes the authorization. */
  async extendAuthorization(transactionId: string, request: ExtendAuthorizationRequest = {}): Promise<Transaction> {
    const id = requireString('transaction_id', transactionId);
    const body = encode('authorization', request);
    return callJson(() => this.#native.extendAuthorization(id, body));
  }

  /** Sets `merchant_reference_2`. */
  async update(transactionId: string, update: TransactionUpdate): Promise<Transaction> {
    const id = requireString('transaction_id', transactionId);
    if (typeof update !== 'object' || update === null) {
      throw invalidInput(`update: must be an object (got ${describe(update)})`);
    }
    const ref = requireString('update.merchant_reference_2', update.merchant_reference_2);
    return callJson(() => this.#native.updateTransaction(id, ref));
  }

  /** Waits until the event queued by an `accepted` operation lands (polling with backoff). */
  async waitForEvent(transactionId: string, eventRequestId: string, options: { timeoutMs?: number } = {}): Promise<Transaction> {
    const id = requireString('transaction_id', transactionId);
    const requestId = requireString('event_request_id', eventRequestId);
    const timeout = options.timeoutMs ?? 30_000;
    return callJson(() => this.#native.waitForEvent(id, requestId, timeout));
  }

  /** @internal */
  [inspect.custom](): string {
    return 'Transactions {}';
  }
}

/** Callback confirmation: `client.callbacks`. */
export class Callbacks {
  readonly #native: NativeClient;

  /** @internal */
  constructor(native: NativeClient) {
    this.#native = native;
  }

  /**
   * Fetches the transaction a (verified) callback names and checks that id, session and
   * merchant reference match. Rejects with kind `conflict` (code `callback_mismatch`) when
   * they do not. Act on the returned transaction's `status`.
   */
  async confirm(callback: Callback): Promise<ConfirmedCallback> {
    const body = encode('callback', callback);
    return callJson(() => this.#native.confirmCallback(body));
  }

  /** @internal */
  [inspect.custom](): string {
    return 'Callbacks {}';
  }
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
  readonly #native: NativeClient;

  constructor(options: ClientOptions) {
    const text = encode('options', options);
    this.#native = callSync(() => new NativeClient(text));
    this.sessions = new Sessions(this.#native);
    this.transactions = new Transactions(this.#native);
    this.callbacks = new Callbacks(this.#native);
  }

  /** The account id (`T…` sandbox, `P…` production). */
  get accountId(): string {
    return this.#native.accountId;
  }

  /** The client id. */
  get clientId(): string {
    return this.#native.clientId;
  }

  /** The base URL of the checkout API in use. */
  get baseUrl(): string {
    return this.#native.baseUrl;
  }

  /** Token requests this client has made so far. */
  get tokenRequests(): number {
    return this.#native.tokenRequests;
  }

  /** Fetches an access token now if none is cached: checks the credentials at start-up. */
  async authenticate(): Promise<{ tokenRequests: number }> {
    try {
      return { tokenRequests: await this.#native.authenticate() };
    } catch (e) {
      throw fromNative(e);
    }
  }

  /**
   * Re-reads the session every `intervalMs` (default 1000) until it has a `transaction_id` or
   * is cancelled; rejects with kind `timeout` after `timeoutMs` (default 5 minutes).
   */
  async waitForPayment(sessionId: string, options: { intervalMs?: number; timeoutMs?: number } = {}): Promise<Session> {
    const id = requireString('session_id', sessionId);
    const interval = options.intervalMs ?? 1000;
    const timeout = options.timeoutMs ?? 300_000;
    return callJson(() => this.#native.waitForPayment(id, interval, timeout));
  }

  /** What `JSON.stringify(client)` shows: no secret. */
  toJSON(): { accountId: string; clientId: string; baseUrl: string } {
    return { accountId: this.accountId, clientId: this.clientId, baseUrl: this.baseUrl };
  }

  /** What `util.inspect(client)` / `console.log(client)` show: no secret. */
  [inspect.custom](_depth: number, options: object, insp?: typeof inspect): string {
    return `Client ${(insp ?? inspect)({ ...this.toJSON(), clientSecret: REDACTED }, options)}`;
  }
}
