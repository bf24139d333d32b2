// The emulator, in-process: a local Dintero on a free port for your own tests, with the same
// API, a hosted checkout page, test cards, signed callbacks and fault injection.
//
//   import { Emulator } from 'dintero-checkout/testing'
//   const emu = await Emulator.start()
//   const client = emu.client()
//   const paid = await emu.pay(session.id, 'approve')
//   ...
//   await emu.shutdown()
//
// Test cards, fault kinds and fault routes are the emulator's own (its catalog): this file
// keeps no list of them.

import { inspect } from 'node:util';

import { emulatorCatalog, startEmulator, type EmulatorOptions, type NativeEmulator } from '../index.js';
import { CallbackVerifier } from './callbacks.js';
import { Client, type ClientOptions } from './client.js';
import { EmulatorError } from './errors.js';

export type { EmulatorOptions } from '../index.js';

/** One of the emulator's test cards. */
export interface TestCard {
  /** The card's name in every language's testing helper (`approve`, `decline`, ...). */
  name: string;
  number: string;
  brand: string;
  /** What happens to a payment with it (`approve`, `decline`, `capture_timeout`, ...). */
  behaviour: string;
  /** Dintero's description of the scenario. */
  scenario: string;
}

/** What the emulator offers a test. */
export interface EmulatorCatalog {
  cards: TestCard[];
  /** Fault kinds; `operations_only` ones fire on capture, refund and void only. */
  faults: Array<{ name: string; operations_only: boolean }>;
  /** Routes a fault can target (also what `requestCount` counts); `*` is every API route. */
  fault_routes: string[];
  /** The payment methods of the hosted page, with their test inputs (as the emulator describes them). */
  payment_methods: Array<{ [field: string]: unknown }>;
}

/** The emulator's catalog: its test cards, fault kinds and fault routes. */
export const CATALOG: EmulatorCatalog = Object.freeze(emulatorCatalog() as EmulatorCatalog);

/** The test card numbers by name, from the emulator's catalog: `TEST_CARDS.approve`, ... */
export const TEST_CARDS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(CATALOG.cards.map((c) => [c.name, c.number])),
);

/** A fault for the next `times` requests to `route` (the emulator's own field names). */
export interface FaultSpec {
  /** One of `CATALOG.fault_routes`. */
  route: string;
  /** One of `CATALOG.faults`. */
  fault: string;
  /** How many matching requests it fires on. Default 1. */
  times?: number;
  /** Seconds of `Retry-After` for `status_429`. */
  retry_after?: number;
  /** Milliseconds for `delay`, `slow_apply` and `gateway_timeout`. */
  ms?: number;
  /** Milliseconds after which `gateway_timeout` answers 504. */
  gateway_ms?: number;
}

/** The result of paying or cancelling a session as the customer. */
export interface PayOutcome {
  /** The transaction created (none for declines and cancellations). */
  transaction_id?: string;
  /** Where the customer's browser is sent: `return_url` plus Dintero's query. */
  redirect_url: string;
}

/** One callback the emulator sent (or is still trying to send). */
export interface CallbackDelivery {
  id: string;
  /** The full URL called, with Dintero's query parameters. */
  url: string;
  method: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  delivered: boolean;
  /** No more attempts will be made. */
  final: boolean;
  /** Headers of the last attempt (`Dintero-Signature`, ...). */
  headers: { [name: string]: string };
  body: string | null;
  created_at: string;
}

/** A local Dintero running inside this process. */
export class Emulator {
  readonly #n: NativeEmulator;

  private constructor(native: NativeEmulator) {
    this.#n = native;
  }

  /** Starts one; resolves once it listens. */
  static async start(options: EmulatorOptions = {}): Promise<Emulator> {
    return new Emulator(await startEmulator(options));
  }

  /** `http://127.0.0.1:PORT`: pass it as `baseUrl`. */
  get baseUrl(): string {
    return this.#n.baseUrl;
  }
  /** The account id it accepts. */
  get accountId(): string {
    return this.#n.accountId;
  }
  /** The client id it accepts. */
  get clientId(): string {
    return this.#n.clientId;
  }
  /** The client secret it accepts (a test credential). */
  get clientSecret(): string {
    return this.#n.clientSecret;
  }
  /** The secret its callbacks are signed with (`null`: unsigned). */
  get signatureSecret(): string | null {
    return this.#n.signatureSecret ?? null;
  }

  /** Options for a `Client` of this emulator, with `overrides` on top. */
  clientOptions(overrides: Partial<ClientOptions> = {}): ClientOptions {
    return { accountId: this.accountId, clientId: this.clientId, clientSecret: this.clientSecret, baseUrl: this.baseUrl, ...overrides };
  }

  /** A `Client` of this emulator. */
  client(overrides: Partial<ClientOptions> = {}): Client {
    return new Client(this.clientOptions(overrides));
  }

  /** A `CallbackVerifier` with this emulator's signature secret. */
  callbackVerifier(): CallbackVerifier {
    const secret = this.signatureSecret;
    if (secret === null) throw Object.assign(new EmulatorError('this emulator signs no callbacks (signatureSecret is null)'), { reason: 'rejected' });
    return new CallbackVerifier(secret, this.accountId);
  }

  /**
   * Pays a session as the customer on the checkout page would, with a test card: its name in
   * the catalog (`approve`, `decline`, ...) or its number. Default: the catalog's first card.
   */
  pay(sessionId: string, card: string = CATALOG.cards[0]?.name ?? ''): Promise<PayOutcome> {
    return this.#n.pay(sessionId, TEST_CARDS[card] ?? card);
  }

  /** Presses Cancel on the session's checkout page. */
  cancelPayment(sessionId: string): Promise<PayOutcome> {
    return this.#n.cancelPayment(sessionId);
  }

  /** Every callback delivery so far, oldest first. */
  callbacks(): CallbackDelivery[] {
    return this.#n.callbacks() as CallbackDelivery[];
  }

  /**
   * Waits until a delivery matching `predicate` (default: any) is final, polling every 10 ms;
   * rejects after `timeoutMs` (default 5000).
   */
  async waitForCallback(predicate: (d: CallbackDelivery) => boolean = () => true, options: { timeoutMs?: number } = {}): Promise<CallbackDelivery> {
    const deadline = Date.now() + (options.timeoutMs ?? 5000);
    for (;;) {
      const found = this.callbacks().find((d) => d.final && predicate(d));
      if (found) return found;
      if (Date.now() > deadline) throw Object.assign(new EmulatorError('no matching callback delivery was completed in time'), { reason: 'timeout' });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Arms a fault for the next `spec.times` matching requests. */
  injectFault(spec: FaultSpec): void {
    this.#n.injectFault(spec);
  }

  /** Requests seen on a route since the start (or the last `reset`). */
  requestCount(route: string): number {
    return this.#n.requestCount(route);
  }

  /** Moves the emulator's clock forward (token and session expiry). */
  advanceClock(seconds: number): void {
    this.#n.advanceClock(seconds);
  }

  /** Forgets every session, transaction, token, callback, fault and counter. */
  reset(): void {
    this.#n.reset();
  }

  /** Stops the server. Idempotent. */
  shutdown(): Promise<void> {
    return this.#n.shutdown();
  }

  /** @internal */
  [inspect.custom](): string {
    return `Emulator { baseUrl: '${this.baseUrl}', accountId: '${this.accountId}' }`;
  }

  /** No secret in `JSON.stringify`. */
  toJSON(): { baseUrl: string; accountId: string } {
    return { baseUrl: this.baseUrl, accountId: this.accountId };
  }
}
