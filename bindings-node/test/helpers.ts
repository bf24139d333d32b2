// Test harness: one API over the package's in-process Emulator and over the standalone
// `dintero-emulator` binary (driven through its HTTP control API), so every suite can run
// against both.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import * as path from 'node:path';

import {
  Client,
  Emulator,
  TEST_CARDS,
  type CallbackDelivery,
  type ClientOptions,
  type FaultSpec,
  type EmulatorRoute,
  type PayOutcome,
  type SessionRequest,
} from 'dintero-checkout';

export type Mode = 'in-process' | 'process';

/** The modes to run the API suites in: both, unless DINTERO_TEST_MODES narrows it. */
export function modes(): Mode[] {
  const env = process.env.DINTERO_TEST_MODES;
  if (!env) return ['in-process', 'process'];
  return env.split(',').map((m) => m.trim()) as Mode[];
}

export interface Harness {
  readonly mode: Mode;
  readonly baseUrl: string;
  readonly accountId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly signatureSecret: string;
  clientOptions(overrides?: Partial<ClientOptions>): ClientOptions;
  client(overrides?: Partial<ClientOptions>): Client;
  pay(sessionId: string, card?: string): Promise<PayOutcome>;
  cancelPayment(sessionId: string): Promise<PayOutcome>;
  injectFault(spec: FaultSpec): Promise<void>;
  requestCount(route: EmulatorRoute): Promise<number>;
  callbacks(): Promise<CallbackDelivery[]>;
  advanceClock(seconds: number): Promise<void>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

const REPO = path.resolve(__dirname, '..', '..', '..');

/** The standalone emulator binary (built by scripts/node-test.sh). */
export function emulatorBinary(): string {
  const bin =
    process.env.DINTERO_EMULATOR_BIN ?? path.join(REPO, 'target', 'x86_64-unknown-linux-gnu', 'debug', 'dintero-emulator');
  if (!existsSync(bin)) {
    throw new Error(`the emulator binary is missing at ${bin}; build it with: cargo build -p dintero-emulator`);
  }
  return bin;
}

class InProcess implements Harness {
  readonly mode = 'in-process' as const;
  constructor(readonly emu: Emulator) {}
  get baseUrl() {
    return this.emu.baseUrl;
  }
  get accountId() {
    return this.emu.accountId;
  }
  get clientId() {
    return this.emu.clientId;
  }
  get clientSecret() {
    return this.emu.clientSecret;
  }
  get signatureSecret() {
    return this.emu.signatureSecret ?? '';
  }
  clientOptions(overrides: Partial<ClientOptions> = {}) {
    return this.emu.clientOptions(overrides);
  }
  client(overrides: Partial<ClientOptions> = {}) {
    return this.emu.client(overrides);
  }
  pay(sessionId: string, card: string = TEST_CARDS.approved) {
    return this.emu.pay(sessionId, card);
  }
  cancelPayment(sessionId: string) {
    return this.emu.cancelPayment(sessionId);
  }
  async injectFault(spec: FaultSpec) {
    this.emu.injectFault(spec);
  }
  async requestCount(route: EmulatorRoute) {
    return this.emu.requestCount(route);
  }
  async callbacks() {
    return this.emu.callbacks();
  }
  async advanceClock(seconds: number) {
    this.emu.advanceClock(seconds);
  }
  async reset() {
    this.emu.reset();
  }
  close() {
    return this.emu.shutdown();
  }
}

class OutOfProcess implements Harness {
  readonly mode = 'process' as const;
  constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    readonly accountId: string,
    readonly clientId: string,
    readonly clientSecret: string,
    readonly signatureSecret: string,
  ) {}

  clientOptions(overrides: Partial<ClientOptions> = {}): ClientOptions {
    return { accountId: this.accountId, clientId: this.clientId, clientSecret: this.clientSecret, baseUrl: this.baseUrl, ...overrides };
  }
  client(overrides: Partial<ClientOptions> = {}) {
    return new Client(this.clientOptions(overrides));
  }
  private async control<T>(method: string, route: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + route, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator control ${method} ${route}: HTTP ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }
  pay(sessionId: string, card: string = TEST_CARDS.approved) {
    return this.control<PayOutcome>('POST', `/_emulator/sessions/${encodeURIComponent(sessionId)}/pay`, { card_number: card });
  }
  cancelPayment(sessionId: string) {
    return this.control<PayOutcome>('POST', `/_emulator/sessions/${encodeURIComponent(sessionId)}/pay`, { cancel: true });
  }
  async injectFault(spec: FaultSpec) {
    await this.control('POST', '/_emulator/faults', spec);
  }
  async requestCount(route: EmulatorRoute) {
    const r = await this.control<{ counts: Record<string, number> }>('GET', '/_emulator/requests');
    return r.counts[route] ?? 0;
  }
  callbacks() {
    return this.control<CallbackDelivery[]>('GET', '/_emulator/callbacks');
  }
  async advanceClock(seconds: number) {
    await this.control('POST', '/_emulator/clock/advance', { seconds });
  }
  async reset() {
    await this.control('POST', '/_emulator/reset', {});
  }
  close() {
    return new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}

async function startProcess(): Promise<Harness> {
  const child = spawn(
    emulatorBinary(),
    ['--listen', '127.0.0.1:0', '--quiet', '--callback-retry-ms', '10', '--card-timeout-ms', '200'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const values = new Map<string, string>();
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the emulator did not start within 10 s')), 10_000);
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
    lines.on('line', (line) => {
      const eq = line.indexOf('=');
      if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
      if (values.has('base_url') && values.has('client_secret')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return new OutOfProcess(
    child,
    values.get('base_url')!,
    values.get('account_id') ?? 'T12345678',
    values.get('client_id') ?? 'emulator-client-id',
    values.get('client_secret')!,
    'emulator-signature-secret',
  );
}

export async function startHarness(mode: Mode): Promise<Harness> {
  if (mode === 'process') return startProcess();
  return new InProcess(await Emulator.start());
}

let counter = 0;

/** A unique merchant reference per call. */
export function reference(prefix = 'order'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** The session payload every suite uses: a chair (29990) and pick-up shipping (3900). */
export function sessionRequest(merchantReference = reference(), callbackUrl = 'http://127.0.0.1:9/cb'): SessionRequest {
  return {
    url: { return_url: 'https://shop.example/return', callback_url: callbackUrl },
    order: {
      amount: 33890,
      currency: 'NOK',
      merchant_reference: merchantReference,
      items: [{ line_id: '1', id: 'chair', description: 'Chair', quantity: 1, amount: 29990, vat: 25, vat_amount: 5998 }],
      shipping_option: { id: 'pickup', line_id: 'ship', amount: 3900, vat: 25, vat_amount: 780, title: 'Pick-up', operator: '' },
    },
    profile_id: 'default',
  };
}

/** Creates a session and pays it; returns the transaction id. */
export async function paidTransaction(h: Harness, client: Client, merchantReference = reference()): Promise<string> {
  const session = await client.sessions.create(sessionRequest(merchantReference));
  const paid = await h.pay(session.id);
  if (!paid.transaction_id) throw new Error('payment created no transaction');
  return paid.transaction_id;
}

/** A retry policy that keeps fault tests quick. */
export const FAST_RETRY = { maxAttempts: 4, initialBackoffMs: 5, maxBackoffMs: 20, maxRetryAfterMs: 2000 };
