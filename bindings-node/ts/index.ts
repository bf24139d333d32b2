// dintero-checkout: the Dintero Checkout SDK for Node.js, over the SDK's Rust core.
//
//   import { Client, DinteroError } from 'dintero-checkout'
//   const client = new Client({ accountId: 'T12345678', clientId, clientSecret })
//   const session = await client.sessions.create({ url: {...}, order: {...}, profile_id: 'default' })

import { sdkVersion } from '../index.js';

export { DinteroError, EmulatorError, ERROR_KINDS } from './errors.js';
export type { DinteroErrorFields, ErrorKind } from './errors.js';
export { Client, Sessions, Transactions, TransactionList, Callbacks } from './client.js';
export type * from './client.js';
export {
  CallbackVerifier,
  capturedAmount,
  computeSignature,
  defaults,
  headerPairs,
  isPaid,
  parseCallback,
  parseReturnUrl,
  refundedAmount,
  requestUrl,
  validateOrder,
  validateSessionRequest,
  verifyWebhook,
} from './callbacks.js';
export type * from './callbacks.js';
export { CATALOG, Emulator, TEST_CARDS, signCallback } from './testing.js';
export type { CallbackDelivery, EmulatorCatalog, EmulatorOptions, FaultSpec, PayOutcome, SignCallbackOptions, TestCard } from './testing.js';
export type * from './models.js';

/** The package version. */
export const VERSION: string = sdkVersion();
