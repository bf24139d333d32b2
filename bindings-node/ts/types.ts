// The JSON shapes of Dintero Checkout, with the API's own snake_case field names.
//
// Every object type keeps the fields Dintero sends that this SDK does not model yet (the
// `[key: string]: unknown` index signature), so a field Dintero adds tomorrow reaches your
// code. Enumerations are open (`(string & {})`): an unknown value is passed through, never
// rejected. Money is integer minor units (29990 is 299.90 NOK).

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** `Transaction.status`. */
export type TransactionStatus =
  | 'INITIATED'
  | 'AUTHORIZED'
  | 'AUTHORIZATION_VOIDED'
  | 'CAPTURED'
  | 'PARTIALLY_CAPTURED'
  | 'PARTIALLY_CAPTURED_REFUNDED'
  | 'REFUNDED'
  | 'PARTIALLY_REFUNDED'
  | 'DECLINED'
  | 'FAILED'
  | 'UNKNOWN'
  | 'ON_HOLD'
  | (string & {});

/** `TransactionEvent.event`. */
export type TransactionEventKind =
  | 'INITIALIZE'
  | 'AUTHORIZE'
  | 'CAPTURE'
  | 'REFUND'
  | 'VOID'
  | 'INITIATE_REFUND'
  | 'INITIATE_VOID'
  | 'INITIATE_CAPTURE'
  | 'SETTLEMENT'
  | 'AUTHORIZATION'
  | (string & {});

/** `error` of a callback or return URL. */
export type PaymentError = 'cancelled' | 'authorization' | 'failed' | 'capture' | (string & {});

/** `event` of a callback sent with `report_event`. */
export type CallbackEventKind = 'CAPTURE' | 'REFUND' | 'VOID' | (string & {});

/** `url` of a session request. */
export interface SessionUrls {
  /** Where the customer's browser is sent after paying, cancelling or failing. */
  return_url: string;
  /** Where Dintero calls your server when the payment is done. */
  callback_url?: string;
  /** Link to your terms. */
  merchant_terms_url?: string;
  [key: string]: unknown;
}

/** One order line. `amount` is the line total including VAT, in minor units. */
export interface OrderItem {
  /** Your product id (SKU). */
  id?: string;
  /** Unique per session; capture and refund refer to lines by it. */
  line_id?: string;
  /** What the customer sees. */
  description?: string;
  /** Quantity (may be fractional). */
  quantity?: number;
  /**
   * Line total including VAT and discounts, minor units; negative on discount and gift-card
   * lines. Required in an order you send; a line Dintero returns may lack it.
   */
  amount?: number;
  /** VAT part of `amount`, minor units. */
  vat_amount?: number;
  /** VAT in percent (25, not 0.25). */
  vat?: number;
  [key: string]: unknown;
}

/** `order.shipping_option`. */
export interface ShippingOption {
  id: string;
  line_id: string;
  amount: number;
  vat_amount?: number;
  vat?: number;
  title: string;
  operator: string;
  [key: string]: unknown;
}

/** What the customer pays for. */
export interface Order {
  /** Total: the sum of `items[].amount` and `shipping_option.amount`. */
  amount: number;
  /** ISO-4217, e.g. `NOK`. */
  currency: string;
  /** Your order id; carried to the transaction and to callbacks. */
  merchant_reference: string;
  vat_amount?: number;
  merchant_reference_2?: string;
  items?: OrderItem[];
  shipping_option?: ShippingOption;
  partial_payment?: boolean;
  [key: string]: unknown;
}

/** The body of `sessions.create`. */
export interface SessionRequest {
  url: SessionUrls;
  order: Order;
  /** The payment profile (`default` on new accounts). */
  profile_id?: string;
  /** Payment configuration; required when there is no `profile_id`. */
  configuration?: { [key: string]: JsonValue };
  customer?: { [key: string]: JsonValue };
  /** When the session stops being payable (ISO-8601). */
  expires_at?: string;
  [key: string]: unknown;
}

/** The body of `sessions.update`. */
export interface SessionUpdate {
  order: Order;
  /** Release the pay lock after the update (Dintero's default is true). */
  remove_lock?: boolean;
  [key: string]: unknown;
}

/** The answer to `sessions.create`. */
export interface SessionCreated {
  /** The session id (empty if Dintero left it out). */
  id: string;
  /** The hosted checkout page: redirect the customer here or embed it. Absent only if Dintero left it out. */
  url?: string;
  /** The whole session, when `includeSession` was asked for. */
  session?: Session;
  [key: string]: unknown;
}

/** One entry of a session's event log. */
export interface SessionEvent {
  id?: string;
  /** `INITIATED`, `AUTHORIZED`, `CANCELLED`, ... (Dintero may leave it out). */
  name?: string;
  created_at?: string;
  [key: string]: unknown;
}

/** A checkout session as read back from Dintero. */
export interface Session {
  id: string;
  url?: SessionUrls;
  order?: Order;
  /** Set once a payment produced a transaction. */
  transaction_id?: string;
  created_at?: string;
  updated_at?: string;
  expires_at?: string;
  cancelled_at?: string;
  events: SessionEvent[];
  [key: string]: unknown;
}

/** An error on an unsuccessful transaction event. */
export interface EventError {
  code?: string;
  message?: string;
  [key: string]: unknown;
}

/** One entry of a transaction's event log. */
export interface TransactionEvent {
  id?: string;
  /** What happened; absent when Dintero does not say. */
  event?: TransactionEventKind;
  transaction_status?: TransactionStatus;
  /** `true` succeeded, `false` failed; absent when Dintero does not say, which is not a success. */
  success?: boolean;
  amount?: number;
  items?: OrderItem[];
  /** The `capture_reference` / `refund_reference` of the operation. */
  event_reference?: string;
  correlation_request_id?: string;
  request_id?: string;
  created_at?: string;
  error?: EventError;
  [key: string]: unknown;
}

/** A payment: what the customer authorized and what happened to it since. */
export interface Transaction {
  /** The transaction id (empty if Dintero left it out). */
  id: string;
  session_id?: string;
  /** Current status; absent when Dintero does not say (then it is not paid). */
  status?: TransactionStatus;
  /** Total authorized, minor units. */
  amount: number;
  currency: string;
  merchant_reference: string;
  merchant_reference_2?: string;
  payment_product?: string;
  payment_product_type?: string;
  items?: OrderItem[];
  events: TransactionEvent[];
  created_at?: string;
  updated_at?: string;
  [key: string]: unknown;
}

/** The body of `transactions.capture`. */
export interface CaptureRequest {
  /** Amount to capture, minor units (> 0). */
  amount: number;
  /** Your reference for this capture (on the settlement report); makes retries safe across processes too. */
  capture_reference?: string;
  /** The lines captured (`line_id` and `amount` each). */
  items?: OrderItem[];
  /** `ext_*` string metadata. */
  metadata?: { [key: string]: string };
  /** `true`: the last capture; Dintero voids the rest of the authorization (`dintero_psp`). */
  final_capture?: boolean;
  [key: string]: unknown;
}

/** The body of `transactions.refund`. */
export interface RefundRequest {
  /** Amount to refund, minor units (> 0). */
  amount: number;
  /** Your reference for this refund (on the settlement report). */
  refund_reference?: string;
  reason?: string;
  items?: OrderItem[];
  metadata?: { [key: string]: string };
  [key: string]: unknown;
}

/** The body of `transactions.extendAuthorization`. */
export interface ExtendAuthorizationRequest {
  reason?: string;
  reference?: string;
  /** New authorization amount, where the payment method supports it. */
  amount?: number;
  /** `true` finalizes a Dintero PSP pre-authorization. */
  final_authorization?: boolean;
  /** The order lines after the change (Klarna order-amount update). */
  items?: OrderItem[];
  /** A description of the change. */
  description?: string;
  [key: string]: unknown;
}

/** The body of `transactions.update`. */
export interface TransactionUpdate {
  merchant_reference_2: string;
}

/** Filters of `transactions.list`. Any other key is sent as a query parameter as it is. */
export interface ListTransactionsFilter {
  /** Page size, 1 to 100 (Dintero's default is 10). The iterator fetches every page. */
  limit?: number;
  starting_after?: string;
  merchant_reference?: string;
  session_id?: string | string[];
  status?: TransactionStatus | TransactionStatus[];
  /** Created at or after (ISO-8601). */
  created_at_gte?: string;
  /** Created at or before (ISO-8601). */
  created_at_lte?: string;
  [key: string]: string | number | boolean | Array<string | number | boolean> | undefined;
}

/** The result of capture, refund or void. SDK-made fields are camelCase. */
export interface Operation {
  /** `completed` (HTTP 200) or `accepted` (HTTP 202: the event lands later, see `waitForEvent`). */
  state: 'completed' | 'accepted';
  /** The transaction as Dintero returned it. */
  transaction: Transaction;
  /** The `event-request-id` of a 202 answer. */
  eventRequestId?: string;
  /** The capture or refund reference you gave (none is sent when you give none). */
  reference?: string;
  /** True when an attempt failed ambiguously and the result was found by re-reading. */
  reconciled: boolean;
  /** Dintero's request id, when the answer came straight from the operation. */
  requestId?: string;
}

/** A parsed callback, with the query's own names. */
export interface Callback {
  transaction_id?: string;
  session_id?: string;
  merchant_reference?: string;
  time?: string;
  error?: PaymentError;
  event?: CallbackEventKind;
  event_id?: string;
  /** Every query parameter, in order, decoded. */
  params: Array<[string, string]>;
}

/** A callback checked against the transaction it names. */
export interface ConfirmedCallback {
  callback: Callback;
  /** The transaction as Dintero has it now: act on its `status`. */
  transaction: Transaction;
}

/** How the customer came back to your `return_url`. */
export interface ReturnResult {
  outcome: 'completed' | 'cancelled' | 'failed';
  transaction_id?: string;
  merchant_reference?: string;
  session_id?: string;
  error?: PaymentError;
}

/** A webhook delivery's body. */
export interface WebhookEvent {
  event?: string;
  account_id?: string;
  event_delivery?: string;
  transaction?: { [key: string]: JsonValue };
  [key: string]: unknown;
}
