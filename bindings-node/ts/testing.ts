// The emulator, in-process: a local Dintero on a free port for your own tests, with the same
// API, a hosted checkout page, test cards, signed callbacks and fault injection.
//
//   import { Emulator } from 'dintero-checkout/testing'
//   const emu = await Emulator.start()
//   const client = emu.client()
//   ...
//   await emu.shutdown()

import { inspect } from 'node:util';

import { NativeEmulator, startEmulator } from '../index.js';
import { CallbackVerifier } from './callbacks.js';
import { Client, type ClientOptions } from './client.js';
import { callJson, callSync, encode, EmulatorError, fromNative, invalidInput, requireString } from './errors.js';

/** Dintero's test cards, as the emulator knows them. */
export const TEST_CARDS = Object.freeze({
  /** Approves, and every later operation succeeds. */
  approved: '4000 0000 0000 0002',
  /** Approves (Mastercard). */
  approvedMastercard: '5200 0000 0000 0007',
  /** Declined at authorization (3DS required). */
  declined: '4100 0000 0000 0076',
  /** Authorization times out. */
  authorizationTimeout: '4100 0000 0000 0001',
  /** Approves; capture times out. */
  captureTimeout: '4100 0000 0000 0019',
  /** Approves; refund times out. */
  refundTimeout: '4100 0000 0000 0027',
} as const);

/** How to start an emulator. Defaults: a free port on 127.0.0.1, the test credentials, test-speed timings. */
export interface EmulatorOptions {
  /** IP address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** Default `T12345678`. */
  accountId?: string;
  /** Default `emulator-client-id`. */
  clientId?: string;
  /** Default `emulator-client-secret`. */
  clientSecret?: string;
  /** Callback signature secret; `null` for unsigned callbacks. Default `emulator-signature-secret`. */
  signatureSecret?: string | null;
  /** Access token lifetime. Default 14400. */
  tokenTtlSeconds?: number;
  /** Per-attempt timeout of callback deliveries. Default 2000. */
  callbackTimeoutMs?: number;
  /** Wait before the first callback retry; doubles per retry. Default 10. */
  callbackRetryBaseMs?: number;
  /** Retries after a failed callback attempt. Default 20. */
  callbackMaxRetries?: number;
  /** How long the timeout test cards make their operation wait. Default 200. */
  cardTimeoutMs?: number;
  /** Delay before an `accepted_202` operation completes. Default 50. */
  acceptedDelayMs?: number;
  /** Print one line per request. Default false. */
  logRequests?: boolean;
}

/** Routes a fault can target (also the keys of `requestCount`). */
export type EmulatorRoute =
  | 'token'
  | 'create_session'
  | 'get_session'
  | 'update_session'
  | 'cancel_session'
  | 'get_transaction'
  | 'list_transactions'
  | 'capture'
  | 'refund'
  | 'void'
  | 'extend_authorization'
  | 'update_transaction'
  | '*';

/** What goes wrong. */
export type FaultKind =
  | 'status_500'
  | 'status_502'
  | 'status_503'
  | 'status_429'
  | 'delay'
  | 'reset_before_apply'
  | 'reset_after_apply'
  | 'malformed_json'
  | 'accepted_202';

/** A fault for the next `times` requests to `route` (the emulator's own field names). */
export interface FaultSpec {
  route: EmulatorRoute;
  fault: FaultKind;
  /** How many matching requests it fires on. Default 1. */
  times?: number;
  /** Seconds of `Retry-After` for `status_429`. Default 1. */
  retry_after?: number;
  /** Milliseconds for `delay`. Default 1000. */
  ms?: number;
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
  readonly #native: NativeEmulator;

  private constructor(native: NativeEmulator) {
    this.#native = native;
  }

  /** Starts one; resolves once it listens. */
  static async start(options: EmulatorOptions = {}): Promise<Emulator> {
    const text = encode('options', options);
    let native: NativeEmulator;
    try {
      native = await startEmulator(text);
    } catch (e) {
      throw fromNative(e);
    }
    return new Emulator(native);
  }

  /** `http://127.0.0.1:PORT`: pass it as `baseUrl`. */
  get baseUrl(): string {
    return this.#native.baseUrl;
  }
  /** The account id it accepts. */
  get accountId(): string {
    return this.#native.accountId;
  }
  /** The client id it accepts. */
  get clientId(): string {
    return this.#native.clientId;
  }
  /** The client secret it accepts (a test credential). */
  get clientSecret(): string {
    return this.#native.clientSecret;
  }
  /** The secret its callbacks are signed with (`null`: unsigned). */
  get signatureSecret(): string | null {
    return this.#native.signatureSecret;
  }

  /** Options for a `Client` of this emulator, with `overrides` on top. */
  clientOptions(overrides: Partial<ClientOptions> = {}): ClientOptions {
    return {
      accountId: this.accountId,
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      baseUrl: this.baseUrl,
      ...overrides,
    };
  }

  /** A `Client` of this emulator. */
  client(overrides: Partial<ClientOptions> = {}): Client {
    return new Client(this.clientOptions(overrides));
  }

  /** A `CallbackVerifier` with this emulator's signature secret. */
  callbackVerifier(): CallbackVerifier {
    const secret = this.signatureSecret;
    if (secret === null) throw new EmulatorError('rejected', 'this emulator signs no callbacks (signatureSecret is null)');
    return new CallbackVerifier({ secret, accountId: this.accountId });
  }

  /** Pays a session with a test card, as the customer on the checkout page would. */
  async pay(sessionId: string, cardNumber: string = TEST_CARDS.approved): Promise<PayOutcome> {
    const id = requireString('session_id', sessionId);
    const card = requireString('card_number', cardNumber);
    return callJson(() => this.#native.pay(id, card));
  }

  /** Presses Cancel on the session's checkout page. */
  async cancelPayment(sessionId: string): Promise<PayOutcome> {
    const id = requireString('session_id', sessionId);
    return callJson(() => this.#native.cancelPayment(id));
  }

  /** Every callback delivery so far, oldest first. */
  callbacks(): CallbackDelivery[] {
    return JSON.parse(callSync(() => this.#native.callbacks())) as CallbackDelivery[];
  }

  /**
   * Waits until a delivery matching `predicate` (default: any) is final, polling every 10 ms;
   * rejects after `timeoutMs` (default 5000).
   */
  async waitForCallback(
    predicate: (delivery: CallbackDelivery) => boolean = () => true,
    options: { timeoutMs?: number } = {},
  ): Promise<CallbackDelivery> {
    const deadline = Date.now() + (options.timeoutMs ?? 5000);
    for (;;) {
      const found = this.callbacks().find((d) => d.final && predicate(d));
      if (found) return found;
      if (Date.now() > deadline) throw new EmulatorError('timeout', 'no matching callback delivery was completed in time');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Arms a fault for the next `spec.times` matching requests. */
  injectFault(spec: FaultSpec): void {
    const text = encode('fault', spec);
    callSync(() => this.#native.injectFault(text));
  }

  /** Requests seen on a route since the start (or the last `reset`). */
  requestCount(route: EmulatorRoute): number {
    const r = requireString('route', route);
    return callSync(() => this.#native.requestCount(r));
  }

  /** Moves the emulator's clock forward (token and session expiry). */
  advanceClock(seconds: number): void {
    if (!Number.isInteger(seconds)) throw invalidInput('seconds: must be a whole number');
    callSync(() => this.#native.advanceClock(seconds));
  }

  /** Forgets every session, transaction, token, callback, fault and counter. */
  reset(): void {
    callSync(() => this.#native.reset());
  }

  /** Stops the server. Idempotent. */
  async shutdown(): Promise<void> {
    try {
      await this.#native.shutdown();
    } catch (e) {
      throw fromNative(e);
    }
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
