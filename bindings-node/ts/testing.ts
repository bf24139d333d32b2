// The emulator for your own tests: a local Dintero with the same API, a hosted checkout page,
// test cards, signed callbacks and fault injection, started as a child process from the
// `dintero-emulator` package (npm install --save-dev dintero-emulator) and driven over its
// HTTP control API (`/_emulator/...`).
//
//   import { Emulator } from 'dintero-checkout/testing'
//   const emu = await Emulator.start()
//   const client = emu.client()
//   const paid = await emu.pay(session.id, 'approve')
//   ...
//   await emu.shutdown()
//
// Test cards, fault kinds and fault routes are the emulator's own (its catalog, read from the
// binary with `--catalog`): this file keeps no list of them. The production addon holds no
// emulator code.

import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { isIP } from 'node:net';
import * as path from 'node:path';
import { inspect } from 'node:util';

import { signatureHeader } from '../index.js';
import { CallbackVerifier } from './callbacks.js';
import { Client, type ClientOptions } from './client.js';
import { DinteroError, EmulatorError } from './errors.js';
import { requestSync } from './sync-http.js';

/** The npm package that brings the emulator binary. */
export const EMULATOR_PACKAGE = 'dintero-emulator';

/**
 * How to start an emulator. What is left out takes the emulator's test settings: a free port
 * on 127.0.0.1, the test credentials, test-speed timings.
 */
export interface EmulatorOptions {
  /** IP address to listen on. */
  host?: string;
  /** Port; 0 picks a free one. */
  port?: number;
  /** The account id it accepts. */
  accountId?: string;
  /** The client id it accepts. */
  clientId?: string;
  /** The client secret it accepts. */
  clientSecret?: string;
  /** Callback signature secret; `null` for unsigned callbacks. */
  signatureSecret?: string | null;
  /** Access token lifetime. */
  tokenTtlSeconds?: number;
  /** Per-attempt timeout of callback deliveries. */
  callbackTimeoutMs?: number;
  /** Wait before the first callback retry; doubles per retry. */
  callbackRetryBaseMs?: number;
  /** Retries after a failed callback attempt. */
  callbackMaxRetries?: number;
  /** How long the timeout test cards make their operation wait. */
  cardTimeoutMs?: number;
  /** Delay before an `accepted_202` operation completes. */
  acceptedDelayMs?: number;
  /** Print one line per request (the emulator's standard output, passed on). */
  logRequests?: boolean;
}

function emulatorError(reason: string, message: string): EmulatorError {
  return Object.assign(new EmulatorError(message), { reason });
}

function invalidInput(message: string): DinteroError {
  return new DinteroError(message, { kind: 'invalid_input' });
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `require('dintero-emulator').binaryPath()`, seen from this package, then from the working directory. */
function fromPackage(): string | undefined {
  for (const base of [__filename, path.join(process.cwd(), 'noop.js')]) {
    let resolved: string;
    try {
      resolved = require.resolve(EMULATOR_PACKAGE, { paths: [path.dirname(base)] });
    } catch {
      continue;
    }
    const pkg = require(resolved) as { binaryPath?: () => string };
    if (typeof pkg.binaryPath !== 'function') throw emulatorError('not_installed', `${resolved} has no binaryPath()`);
    return pkg.binaryPath();
  }
  return undefined;
}

function fromPath(): string | undefined {
  const name = process.platform === 'win32' ? 'dintero-emulator.exe' : 'dintero-emulator';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir !== '' && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/**
 * The emulator binary: `DINTERO_EMULATOR_BIN`, else the `dintero-emulator` npm package, else
 * `dintero-emulator` on `PATH`. Throws an `EmulatorError` (`not_installed`) naming the package
 * to install when there is none.
 */
export function emulatorBinary(): string {
  const env = process.env.DINTERO_EMULATOR_BIN;
  if (env !== undefined && env !== '') {
    if (!isExecutable(env)) throw emulatorError('not_installed', `DINTERO_EMULATOR_BIN=${env} is not an executable file`);
    return env;
  }
  const found = fromPackage() ?? fromPath();
  if (found === undefined) {
    throw emulatorError(
      'not_installed',
      `no emulator binary: install the ${EMULATOR_PACKAGE} package (npm install --save-dev ${EMULATOR_PACKAGE}), ` +
        'put dintero-emulator on PATH, or set DINTERO_EMULATOR_BIN',
    );
  }
  return found;
}

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

/**
 * A frozen object whose content is made on first use: the catalog is read from the emulator
 * binary only when a test looks at it, so importing the package needs no emulator.
 */
function lazyFrozen<T extends object>(make: () => T): T {
  const target = {} as T;
  let filled = false;
  const fill = (): T => {
    if (!filled) {
      Object.assign(target, make());
      Object.freeze(target);
      filled = true;
    }
    return target;
  };
  const traps: ProxyHandler<T> = {};
  for (const trap of ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'isExtensible', 'getPrototypeOf', 'set', 'defineProperty', 'deleteProperty', 'preventExtensions'] as const) {
    (traps as Record<string, unknown>)[trap] = (_: T, ...rest: unknown[]): unknown => (Reflect[trap] as (...args: unknown[]) => unknown)(fill(), ...rest);
  }
  return new Proxy(target, traps);
}

function readCatalog(): EmulatorCatalog {
  const bin = emulatorBinary();
  let out: string;
  try {
    out = execFileSync(bin, ['--catalog'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw emulatorError('io', `${bin} --catalog failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return JSON.parse(out) as EmulatorCatalog;
}

/** The emulator's catalog: its test cards, fault kinds and fault routes (read on first use). */
export const CATALOG: EmulatorCatalog = lazyFrozen(readCatalog);

/** The test card numbers by name, from the emulator's catalog: `TEST_CARDS.approve`, ... */
export const TEST_CARDS: Readonly<Record<string, string>> = lazyFrozen(() => Object.fromEntries(CATALOG.cards.map((c) => [c.name, c.number])));

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

const OPTION_FLAGS: { readonly [K in keyof EmulatorOptions]-?: string | null } = {
  host: null,
  port: null,
  accountId: '--account',
  clientId: '--client-id',
  clientSecret: '--client-secret',
  signatureSecret: '--signature-secret',
  tokenTtlSeconds: '--token-ttl',
  callbackTimeoutMs: '--callback-timeout-ms',
  callbackRetryBaseMs: '--callback-retry-ms',
  callbackMaxRetries: '--callback-max-retries',
  cardTimeoutMs: '--card-timeout-ms',
  acceptedDelayMs: '--accepted-delay-ms',
  logRequests: null,
};

/** The command line for `options`; a bad option is a `DinteroError` (`invalid_input`). */
function commandLine(options: EmulatorOptions): string[] {
  if (typeof options !== 'object' || options === null) throw invalidInput('options: expected an object');
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || isIP(host) === 0) throw invalidInput(`options.host: ${JSON.stringify(host)} is not an IP address`);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalidInput('options.port: must be an integer from 0 to 65535');
  // --test-timings: the emulator's own test-speed values; the options below override them.
  const args = ['--listen', isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`, '--exit-on-stdin-eof', '--test-timings'];
  if (options.logRequests !== true) args.push('--quiet');
  const given: { [key: string]: unknown } = { ...options };
  for (const [key, value] of Object.entries(given)) {
    if (!(key in OPTION_FLAGS)) throw invalidInput(`options: unknown field ${JSON.stringify(key)}`);
    const flag = OPTION_FLAGS[key as keyof EmulatorOptions];
    if (flag === null || value === undefined) continue;
    if (key === 'signatureSecret' && value === null) {
      args.push(flag, '');
    } else if (typeof value === 'string') {
      args.push(flag, value);
    } else if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1e12) {
      args.push(flag, String(Math.round(value)));
    } else {
      throw invalidInput(`options.${key}: must be ${key.endsWith('Id') || key.endsWith('Secret') ? 'a string' : 'a non-negative number'}`);
    }
  }
  return args;
}

/** What the emulator prints on start (`key=value` lines up to `dashboard=`). */
interface Started {
  base_url: string;
  account_id: string;
  client_id: string;
  client_secret: string;
  signature_secret?: string;
}

/** Waits for the start lines; rejects if the process ends or fails first. */
function started(proc: ChildProcessWithoutNullStreams, bin: string): Promise<Started> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const lines: { [key: string]: string } = {};
    const cleanup = (): void => {
      proc.stdout.off('data', onOut);
      proc.off('exit', onExit);
      proc.off('error', onError);
    };
    const onOut = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const eq = line.indexOf('=');
        if (eq > 0) lines[line.slice(0, eq)] = line.slice(eq + 1);
        if (line.startsWith('dashboard=')) {
          cleanup();
          if (lines.base_url === undefined || lines.account_id === undefined || lines.client_id === undefined || lines.client_secret === undefined) {
            reject(emulatorError('io', `${bin} printed no base_url, account_id, client_id or client_secret line`));
          } else {
            resolve(lines as unknown as Started);
          }
          return;
        }
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      const why = err.trim() || `it exited (${signal ?? `code ${String(code)}`}) before listening`;
      // Exit code 2 is the emulator's answer to a bad command line.
      reject(code === 2 ? invalidInput(why.replace(/^dintero-emulator: /, '')) : emulatorError('io', `cannot start the emulator: ${why}`));
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(emulatorError('io', `cannot start the emulator (${bin}): ${e.message}`));
    };
    proc.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    proc.stdout.on('data', onOut);
    proc.once('exit', onExit);
    proc.once('error', onError);
  });
}

function unref(stream: unknown): void {
  (stream as { unref?: () => void }).unref?.();
}

/** The reason of a control API failure: its status, and the route it came from. */
function failure(status: number, body: string, fault: boolean): EmulatorError {
  let message = `the emulator answered ${status}`;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
  } catch {
    // not JSON: keep the status line
  }
  const reason = status === 404 ? 'not_found' : fault && status === 400 ? 'invalid_fault' : 'rejected';
  return emulatorError(reason, message);
}

/** A local Dintero for your tests, running as a child process of this one. */
export class Emulator {
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #started: Started;
  #closing: Promise<void> | undefined;

  private constructor(proc: ChildProcessWithoutNullStreams, info: Started) {
    this.#proc = proc;
    this.#started = info;
  }

  /**
   * Starts one (the binary of the `dintero-emulator` package, see `emulatorBinary()`); resolves
   * once it listens. It stops with `shutdown()`, or when this process ends.
   */
  static async start(options: EmulatorOptions = {}): Promise<Emulator> {
    const args = commandLine(options);
    const bin = emulatorBinary();
    const proc = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let info: Started;
    try {
      info = await started(proc, bin);
    } catch (e) {
      proc.kill('SIGKILL');
      throw e;
    }
    // From here on the emulator's output goes to this process's (request lines, if asked for).
    proc.stdout.on('data', (chunk: Buffer) => {
      if (options.logRequests === true) process.stdout.write(chunk);
    });
    proc.stderr.removeAllListeners('data');
    proc.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    // A forgotten emulator keeps no test run alive; its standard input closes when this
    // process ends, and it stops (--exit-on-stdin-eof).
    proc.unref();
    for (const s of [proc.stdin, proc.stdout, proc.stderr]) unref(s);
    return new Emulator(proc, info);
  }

  /** `http://127.0.0.1:PORT`: pass it as `baseUrl`. */
  get baseUrl(): string {
    return this.#started.base_url;
  }
  /** The account id it accepts. */
  get accountId(): string {
    return this.#started.account_id;
  }
  /** The client id it accepts. */
  get clientId(): string {
    return this.#started.client_id;
  }
  /** The client secret it accepts (a test credential). */
  get clientSecret(): string {
    return this.#started.client_secret;
  }
  /** The secret its callbacks are signed with (`null`: unsigned). */
  get signatureSecret(): string | null {
    return this.#started.signature_secret ?? null;
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
    if (secret === null) throw emulatorError('rejected', 'this emulator signs no callbacks (signatureSecret is null)');
    return new CallbackVerifier(secret, this.accountId);
  }

  #running(): void {
    if (this.#closing !== undefined) throw emulatorError('shut_down', 'the emulator was shut down');
  }

  /** A control call, blocking until its answer (for the synchronous controls). */
  #control(method: string, route: string, body?: unknown): unknown {
    this.#running();
    const reply = requestSync(method, this.baseUrl + route, body);
    if ('error' in reply) throw emulatorError('io', `the emulator did not answer ${method} ${route}: ${reply.error}`);
    if (reply.status >= 400) throw failure(reply.status, reply.body, route === '/_emulator/faults');
    return JSON.parse(reply.body) as unknown;
  }

  /** A control call without blocking (for the asynchronous controls). */
  async #controlAsync(method: string, route: string, body?: unknown): Promise<unknown> {
    this.#running();
    let res: Response;
    try {
      res = await fetch(this.baseUrl + route, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e);
      throw emulatorError('io', `the emulator did not answer ${method} ${route}: ${cause}`);
    }
    const text = await res.text();
    if (res.status >= 400) throw failure(res.status, text, false);
    return JSON.parse(text) as unknown;
  }

  async #payOrCancel(sessionId: string, body: { card_number: string } | { cancel: true }): Promise<PayOutcome> {
    if (typeof sessionId !== 'string') throw invalidInput('session_id: must be a string');
    const paid = (await this.#controlAsync('POST', `/_emulator/sessions/${encodeURIComponent(sessionId)}/pay`, body)) as PayOutcome;
    return paid.transaction_id === undefined ? { redirect_url: paid.redirect_url } : { transaction_id: paid.transaction_id, redirect_url: paid.redirect_url };
  }

  /**
   * Pays a session as the customer on the checkout page would, with a test card: its name in
   * the catalog (`approve`, `decline`, ...) or its number. Default: the catalog's first card.
   */
  pay(sessionId: string, card: string = CATALOG.cards[0]?.name ?? ''): Promise<PayOutcome> {
    if (typeof card !== 'string') return Promise.reject(invalidInput('card_number: must be a string'));
    return this.#payOrCancel(sessionId, { card_number: TEST_CARDS[card] ?? card });
  }

  /** Presses Cancel on the session's checkout page. */
  cancelPayment(sessionId: string): Promise<PayOutcome> {
    return this.#payOrCancel(sessionId, { cancel: true });
  }

  /** Every callback delivery so far, oldest first. */
  callbacks(): CallbackDelivery[] {
    return this.#control('GET', '/_emulator/callbacks') as CallbackDelivery[];
  }

  /**
   * Waits until a delivery matching `predicate` (default: any) is final, polling every 10 ms;
   * rejects after `timeoutMs` (default 5000).
   */
  async waitForCallback(predicate: (d: CallbackDelivery) => boolean = () => true, options: { timeoutMs?: number } = {}): Promise<CallbackDelivery> {
    const deadline = Date.now() + (options.timeoutMs ?? 5000);
    for (;;) {
      const all = (await this.#controlAsync('GET', '/_emulator/callbacks')) as CallbackDelivery[];
      const found = all.find((d) => d.final && predicate(d));
      if (found) return found;
      if (Date.now() > deadline) throw emulatorError('timeout', 'no matching callback delivery was completed in time');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Arms a fault for the next `spec.times` matching requests. */
  injectFault(spec: FaultSpec): void {
    this.#control('POST', '/_emulator/faults', spec);
  }

  /** Requests seen on a route since the start (or the last `reset`). */
  requestCount(route: string): number {
    const log = this.#control('GET', '/_emulator/requests') as { counts?: { [route: string]: number } };
    return log.counts?.[route] ?? 0;
  }

  /** Moves the emulator's clock forward (token and session expiry). */
  advanceClock(seconds: number): void {
    if (!Number.isInteger(seconds)) throw invalidInput('seconds: must be an integer');
    this.#control('POST', '/_emulator/clock/advance', { seconds });
  }

  /** Forgets every session, transaction, token, callback, fault and counter. */
  reset(): void {
    this.#control('POST', '/_emulator/reset', {});
  }

  /** Stops the emulator process. Idempotent. */
  shutdown(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      const proc = this.#proc;
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      // Keep this process alive until the emulator has gone.
      proc.ref();
      const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      proc.stdin.end();
    });
    return this.#closing;
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

/** What `signCallback` signs with: the emulator's test credentials unless given. */
export interface SignCallbackOptions {
  /** Default: the emulator's test signature secret. */
  secret?: string;
  /** Default: the emulator's test account. */
  accountId?: string;
  /** Default: `GET`, as Dintero calls a `callback_url`. */
  method?: string;
  /** Unix seconds; default: now. */
  timestamp?: number;
}

/**
 * The headers Dintero would send with a callback to `url`: `{ 'Dintero-Signature': ... }`.
 * Use it to test your callback receiver without a payment. The signature is the core's.
 */
export function signCallback(url: string, options: SignCallbackOptions = {}): { 'Dintero-Signature': string } {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const header = signatureHeader(options.secret ?? 'emulator-signature-secret', options.accountId ?? 'T12345678', options.method ?? 'GET', url, timestamp);
  return { 'Dintero-Signature': header };
}
