import { errorKinds, errorMarker } from '../index.js';

/** The stable category of a `DinteroError`; the same strings in every language of the SDK. */
export type ErrorKind =
  | 'invalid_input'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'decode'
  | 'signature';

/** Every error kind, in the core's order. */
export const ERROR_KINDS: readonly ErrorKind[] = Object.freeze(errorKinds() as ErrorKind[]);

/** Details of a `DinteroError` besides its kind and message. */
export interface DinteroErrorDetails {
  /** The HTTP status Dintero answered with. */
  status?: number;
  /** Dintero's `error.code`. */
  code?: string;
  /** Dintero's request id: quote it to Dintero support. */
  requestId?: string;
  /** True for failures that may go away on their own (network, timeout, 5xx, 429). */
  transient?: boolean;
  /** The `capture_reference` / `refund_reference` a capture or refund used. */
  reference?: string;
  /** True when a capture, refund or void may or may not have been applied. */
  outcomeUnknown?: boolean;
  cause?: unknown;
}

/** `DinteroError.code` of an authentic signature older than the tolerance (a late retry of Dintero's): confirm by re-reading the transaction and answer 2xx. */
export const SIGNATURE_EXPIRED = 'signature_expired';
/** `DinteroError.code` of an authentic signature dated too far in the future (a clock that is off). */
export const SIGNATURE_FROM_FUTURE = 'signature_from_future';
/** `DinteroError.code` of a signature that does not match (forged, wrong secret or account, a changed URL): answer 4xx. */
export const SIGNATURE_MISMATCH = 'signature_mismatch';
/** `DinteroError.code` when the `Dintero-Signature` header is missing. */
export const SIGNATURE_MISSING = 'signature_missing';
/** `DinteroError.code` when the header or the URL cannot be read, or the request is no callback. */
export const SIGNATURE_MALFORMED = 'signature_malformed';

/**
 * Every failure of the SDK: bad input (caught before any request), what Dintero answered,
 * network trouble, a bad callback signature. Branch on `kind`.
 */
export class DinteroError extends Error {
  /** What went wrong, as a stable category. */
  readonly kind: ErrorKind;
  /** The HTTP status Dintero answered with, when there was an answer. */
  readonly status: number | undefined;
  /** Dintero's `error.code`, when its error body had one. */
  readonly code: string | undefined;
  /** The request id Dintero gave the failed request, when known. */
  readonly requestId: string | undefined;
  /** True for failures that may go away on their own (network, timeout, 5xx, 429). */
  readonly transient: boolean;
  /**
   * The `capture_reference` / `refund_reference` a capture or refund used (yours, or the one
   * the SDK generated). After `outcomeUnknown`, retry the same call with this reference.
   */
  readonly reference: string | undefined;
  /**
   * True when a capture, refund or void failed so that the SDK cannot tell whether Dintero
   * applied it. The same call with `captureReference: error.reference` is safe: it returns the
   * earlier result if there was one, and writes once if there was none.
   */
  readonly outcomeUnknown: boolean;

  constructor(kind: ErrorKind, message: string, details: DinteroErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
    this.transient = details.transient ?? false;
    this.reference = details.reference;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
  }

  /**
   * True for a `signature` error whose signature is authentic but outside the time window
   * (`code` `signature_expired` or `signature_from_future`): a late retry of Dintero's. Confirm
   * the callback by re-reading the transaction and answer 2xx; a 4xx ends Dintero's retries.
   */
  get authenticButLate(): boolean {
    return this.kind === 'signature' && (this.code === SIGNATURE_EXPIRED || this.code === SIGNATURE_FROM_FUTURE);
  }

  /** A plain object for logs. */
  toJSON(): {
    name: string;
    kind: ErrorKind;
    message: string;
    status?: number;
    code?: string;
    requestId?: string;
    reference?: string;
    outcomeUnknown: boolean;
  } {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      code: this.code,
      requestId: this.requestId,
      reference: this.reference,
      outcomeUnknown: this.outcomeUnknown,
    };
  }
}
Object.defineProperty(DinteroError.prototype, 'name', { value: 'DinteroError', enumerable: false, writable: true, configurable: true });

/** Why a control call of the in-process `Emulator` failed. */
export type EmulatorErrorReason = 'not_found' | 'rejected' | 'invalid_fault' | 'io' | 'shut_down' | (string & {});

/** A failure of the `Emulator` itself (not of the Dintero API it emulates). */
export class EmulatorError extends Error {
  readonly reason: EmulatorErrorReason;
  constructor(reason: EmulatorErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}
Object.defineProperty(EmulatorError.prototype, 'name', { value: 'EmulatorError', enumerable: false, writable: true, configurable: true });

const DINTERO_MARKER = errorMarker();
const EMULATOR_MARKER = 'EmulatorError:';

interface NativePayload {
  kind: ErrorKind;
  message: string;
  status: number | null;
  code: string | null;
  request_id: string | null;
  transient: boolean;
  reference?: string | null;
  outcome_unknown?: boolean;
}

/** Turns an error from the native addon into a `DinteroError` / `EmulatorError`; anything else is returned as it is. */
export function fromNative(error: unknown): unknown {
  if (!(error instanceof Error) || typeof error.message !== 'string') return error;
  const message = error.message;
  if (message.startsWith(DINTERO_MARKER)) {
    try {
      const p = JSON.parse(message.slice(DINTERO_MARKER.length)) as NativePayload;
      return new DinteroError(p.kind, p.message, {
        status: p.status ?? undefined,
        code: p.code ?? undefined,
        requestId: p.request_id ?? undefined,
        transient: p.transient,
        reference: p.reference ?? undefined,
        outcomeUnknown: p.outcome_unknown ?? false,
      });
    } catch {
      return error;
    }
  }
  if (message.startsWith(EMULATOR_MARKER)) {
    try {
      const p = JSON.parse(message.slice(EMULATOR_MARKER.length)) as { reason: string; message: string };
      return new EmulatorError(p.reason, p.message);
    } catch {
      return error;
    }
  }
  return error;
}

/** An `invalid_input` error raised by the JS layer while converting arguments. */
export function invalidInput(message: string, cause?: unknown): DinteroError {
  return new DinteroError('invalid_input', message, { cause });
}

/** A `signature` error raised by the JS layer: the request is not a readable callback. */
export function notACallback(message: string): DinteroError {
  return new DinteroError('signature', message, { code: SIGNATURE_MALFORMED });
}

/** The type of a value, for messages (never the value itself). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Checks that `value` is a string; `name` is the parameter's name in messages. */
export function requireString(name: string, value: unknown): string {
  if (typeof value !== 'string') throw invalidInput(`${name}: must be a string (got ${describe(value)})`);
  return value;
}

/** `JSON.stringify` for payloads, with a clear error for what JSON cannot hold (BigInt, cycles). */
export function encode(name: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, refuseNonFinite);
  } catch (e) {
    if (e instanceof NonFinite) throw invalidInput(`${name}: field ${JSON.stringify(e.key)} must be a finite number (got ${e.value})`);
    throw invalidInput(`${name}: cannot be encoded as JSON (${e instanceof Error ? e.message : String(e)})`, e);
  }
  return text ?? 'null';
}

class NonFinite {
  constructor(
    readonly key: string,
    readonly value: number,
  ) {}
}

// JSON.stringify would quietly turn NaN and Infinity into null.
function refuseNonFinite(key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new NonFinite(key, value);
  return value;
}

/** Calls into the addon synchronously, converting its errors. */
export function callSync<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fromNative(e);
  }
}

/** Awaits an addon promise resolving to JSON text and parses it, converting errors. */
export async function callJson<T>(promise: () => Promise<string>): Promise<T> {
  let text: string;
  try {
    text = await promise();
  } catch (e) {
    throw fromNative(e);
  }
  return JSON.parse(text) as T;
}
