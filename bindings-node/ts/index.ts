// dintero-checkout: the Dintero Checkout SDK for Node.js, over the SDK's Rust core.
//
//   import { Client, DinteroError } from 'dintero-checkout'
//   const client = new Client({ accountId: 'T12345678', clientId, clientSecret })
//   const session = await client.sessions.create({ url: {...}, order: {...}, profile_id: 'default' })

import { sdkVersion } from '../index.js';

export { Client, Sessions, Transactions, TransactionList, Callbacks } from './client.js';
export type { ClientOptions, RetryOptions } from './client.js';
export {
  DinteroError,
  EmulatorError,
  ERROR_KINDS,
  SIGNATURE_EXPIRED,
  SIGNATURE_FROM_FUTURE,
  SIGNATURE_MALFORMED,
  SIGNATURE_MISMATCH,
  SIGNATURE_MISSING,
} from './errors.js';
export type { ErrorKind, DinteroErrorDetails, EmulatorErrorReason } from './errors.js';
export {
  CallbackVerifier,
  computeSignature,
  flattenHeaders,
  parseCallback,
  parseReturnUrl,
  validateOrder,
  validateSessionRequest,
  verifyWebhook,
} from './callbacks.js';
export type {
  CallbackVerifierOptions,
  HeadersLike,
  IncomingRequestLike,
  VerifyRequestOptions,
  VerifyWebhookInput,
} from './callbacks.js';
export { Emulator, TEST_CARDS } from './testing.js';
export type { CallbackDelivery, EmulatorOptions, EmulatorRoute, FaultKind, FaultSpec, PayOutcome } from './testing.js';
export type * from './types.js';

/** The package version. */
export const VERSION: string = sdkVersion();
