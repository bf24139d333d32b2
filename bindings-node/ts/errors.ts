import { errorKinds, registerErrorClass } from '../index.js';
import type { ErrorKind } from './models.js';

export type { ErrorKind };

/** Every error kind, in the core's order; the same strings in every language of the SDK. */
export const ERROR_KINDS: readonly ErrorKind[] = Object.freeze(errorKinds());

/**
 * Every failure of the SDK: bad input (caught before any request), what Dintero answered,
 * network trouble, a bad callback signature. Branch on `kind`. The SDK's own errors get their
 * fields from the Rust core, `isTransient` and `isAuthenticButLate` included.
 */
export class DinteroError extends Error {
  /** What went wrong, as a stable category. */
  declare readonly kind: ErrorKind;
  /** The HTTP status Dintero answered with, when there was an answer. */
  readonly status: number | undefined = undefined;
  /** Dintero's `error.code`, or the SDK's (`signature_expired`, `callback_mismatch`, ...). */
  readonly code: string | undefined = undefined;
  /** The request id Dintero gave the failed request: quote it to Dintero support. */
  readonly requestId: string | undefined = undefined;
  /**
   * The `capture_reference` / `refund_reference` a capture or refund used. After
   * `outcomeUnknown`, retry the same call with this reference: it writes at most once.
   */
  readonly reference: string | undefined = undefined;
  /** True when a capture, refund or void may or may not have been applied. */
  readonly outcomeUnknown: boolean = false;
  /** True for failures that may go away on their own (network, timeout, 5xx, 429). */
  readonly isTransient: boolean = false;
  /**
   * True for an authentic callback signature outside the time window (a late retry of
   * Dintero's): confirm the callback by re-reading the transaction and answer 2xx.
   */
  readonly isAuthenticButLate: boolean = false;

  constructor(message: string, fields?: DinteroErrorFields) {
    super(message);
    Object.assign(this, fields);
  }

  /** A plain object for logs: name, message and the fields. */
  toJSON(): DinteroErrorFields & { name: string; message: string } {
    return { ...this, name: this.name, message: this.message };
  }
}

/** What a `DinteroError` carries besides its message. */
export type DinteroErrorFields = Pick<DinteroError, 'kind'> & Partial<Omit<DinteroError, 'kind' | keyof Error | 'toJSON'>>;

/** A failure of the testing module's `Emulator` itself (not of the Dintero API it emulates). */
export class EmulatorError extends Error {
  /**
   * `not_found`, `rejected`, `invalid_fault`, `timeout`, `io`, `shut_down`, or `not_installed`
   * (no emulator binary: install the `dintero-emulator` package).
   */
  declare readonly reason: string;
}

for (const cls of [DinteroError, EmulatorError]) {
  Object.defineProperty(cls.prototype, 'name', { value: cls.name, writable: true, configurable: true });
}
// The addon throws its failures as instances of DinteroError, their fields set natively.
registerErrorClass(DinteroError);
