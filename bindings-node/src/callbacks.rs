//! Callback and webhook verification, URL parsing, order checks and the transaction helpers:
//! all synchronous, all the core's.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dintero_checkout as core;
use dintero_checkout::{Callback, CallbackVerifier, ReturnResult, Transaction, WebhookEvent};
use napi::bindgen_prelude::Uint8Array;
use napi_derive::napi;
use serde::Deserialize;

use crate::convert::{optional, Js, Model};
use crate::error::{run, Out};

/// Options of `new CallbackVerifier(...)`.
#[napi(object)]
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifierOptions {
    /// How old (or how far ahead) a signature's timestamp may be, in seconds.
    pub tolerance_seconds: Option<u32>,
}

/// Options of the verify calls.
#[napi(object)]
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyOptions {
    /// Unix seconds to check the timestamp against (default: now).
    pub now: Option<i64>,
}

/// Where a callback was sent, for `verifyRequest` and `requestUrl`.
#[napi(object)]
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestUrlOptions {
    /// Your public origin as Dintero calls it (`https://shop.example`), when a proxy in front
    /// of your server changes the `Host` header. Default: the `Host` header.
    pub public_url: Option<String>,
    /// Trust your own proxy's `Forwarded` / `X-Forwarded-*` headers (the core's `request_url`).
    pub trust_proxy: Option<bool>,
    /// Unix seconds to check the timestamp against (default: now; `verifyRequest` only).
    pub now: Option<i64>,
}

/// Options of `validateOrder`.
#[napi(object)]
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValidateOrderOptions {
    /// Also refuse what only looks wrong (a VAT amount off its rate, a line without `line_id`).
    pub strict: Option<bool>,
}

/// Checks the `Dintero-Signature` of callbacks with the account's signature secret.
#[napi]
pub struct NativeCallbackVerifier {
    pub(crate) verifier: CallbackVerifier,
}

/// A verifier for `accountId` with the secret from `GET /v1/admin/signature`.
#[napi(
    catch_unwind,
    ts_args_type = "secret: string, accountId: string, options?: VerifierOptions",
    ts_return_type = "NativeCallbackVerifier"
)]
pub fn create_verifier(
    secret: Js,
    account: Js,
    options: Option<Js>,
) -> Out<NativeCallbackVerifier> {
    run(|| {
        let options: VerifierOptions = optional(options, "options")?;
        let verifier =
            CallbackVerifier::new(secret.string("secret")?, account.string("account_id")?)?;
        Ok(NativeCallbackVerifier {
            verifier: match options.tolerance_seconds {
                Some(t) => verifier.with_tolerance(Duration::from_secs(t.into())),
                None => verifier,
            },
        })
    })
}

fn pairs(headers: Js) -> core::Result<Vec<(String, String)>> {
    headers.decode("headers")
}

#[napi]
impl NativeCallbackVerifier {
    /// Verifies a callback from its method, its full URL as received and its headers.
    #[napi(
        catch_unwind,
        ts_args_type = "method: string, url: string, headers: Array<[string, string]>, options?: VerifyOptions",
        ts_return_type = "M.Callback"
    )]
    pub fn verify(
        &self,
        method: Js,
        url: Js,
        headers: Js,
        opts: Option<Js>,
    ) -> Out<Model<Callback>> {
        run(|| {
            let (method, url, headers) = (
                method.string("method")?,
                url.string("url")?,
                pairs(headers)?,
            );
            Ok(Model(
                match optional::<VerifyOptions>(opts, "options")?.now {
                    Some(now) => self.verifier.verify_at(&method, &url, headers, now)?,
                    None => self.verifier.verify(&method, &url, headers)?,
                },
            ))
        })
    }

    /// Verifies a request as a web framework hands it over (method, path and query as
    /// received, headers): the core rebuilds the URL, as `requestUrl` does.
    #[napi(
        catch_unwind,
        ts_args_type = "method: string, pathAndQuery: string, headers: Array<[string, string]>, options?: RequestUrlOptions",
        ts_return_type = "M.Callback"
    )]
    pub fn verify_request(
        &self,
        method: Js,
        path: Js,
        headers: Js,
        opts: Option<Js>,
    ) -> Out<Model<Callback>> {
        run(|| {
            let (method, path) = (method.string("method")?, path.string("path_and_query")?);
            let (headers, o) = (
                pairs(headers)?,
                optional::<RequestUrlOptions>(opts, "options")?,
            );
            let trust = o.trust_proxy.unwrap_or(false);
            let cb = self.verifier.verify_request(
                &method,
                &path,
                &headers,
                o.public_url.as_deref(),
                trust,
                o.now,
            )?;
            Ok(Model(cb))
        })
    }

    /// Checks one `Dintero-Signature` header value against the method and the full URL.
    #[napi(
        catch_unwind,
        ts_args_type = "method: string, url: string, signatureHeader: string, options?: VerifyOptions",
        ts_return_type = "void"
    )]
    pub fn verify_signature(&self, method: Js, url: Js, header: Js, opts: Option<Js>) -> Out<()> {
        run(|| {
            let (method, url, header) = (
                method.string("method")?,
                url.string("url")?,
                header.string("signature_header")?,
            );
            let clock = || {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64)
            };
            let now = optional::<VerifyOptions>(opts, "options")?
                .now
                .unwrap_or_else(clock);
            self.verifier.verify_header_at(&method, &url, &header, now)
        })
    }
}

/// Parses a callback URL's query without checking its signature (prefer `CallbackVerifier`).
#[napi(
    catch_unwind,
    js_name = "parseCallback",
    ts_args_type = "url: string",
    ts_return_type = "M.Callback"
)]
pub fn parse_callback(url: Js) -> Out<Model<Callback>> {
    run(|| Ok(Model(core::parse_callback(&url.string("url")?)?)))
}

/// Parses the URL the customer's browser came back on (`return_url` and Dintero's query). It is
/// not signed: use it to choose what to show, and confirm the transaction on your server.
#[napi(
    catch_unwind,
    js_name = "parseReturnUrl",
    ts_args_type = "url: string",
    ts_return_type = "M.ReturnResult"
)]
pub fn parse_return_url(url: Js) -> Out<Model<ReturnResult>> {
    run(|| Ok(Model(core::parse_return_url(&url.string("url")?)?)))
}

/// The URL a callback was sent to, from its path and query and its headers.
#[napi(
    catch_unwind,
    ts_args_type = "pathAndQuery: string, headers: Array<[string, string]>, options?: RequestUrlOptions",
    ts_return_type = "string"
)]
pub fn request_url(path: Js, headers: Js, options: Option<Js>) -> Out<String> {
    run(|| {
        let (path, headers) = (path.string("path_and_query")?, pairs(headers)?);
        let o: RequestUrlOptions = optional(options, "options")?;
        core::request_url(
            &path,
            headers,
            o.public_url.as_deref(),
            o.trust_proxy.unwrap_or(false),
        )
    })
}

/// The hex `v0-hmac-sha256` signature Dintero puts on a callback (for tests and tools).
#[napi(
    catch_unwind,
    ts_args_type = "secret: string, accountId: string, method: string, url: string, timestamp: number",
    ts_return_type = "string"
)]
pub fn compute_signature(
    secret: Js,
    account: Js,
    method: Js,
    url: Js,
    timestamp: Js,
) -> Out<String> {
    run(|| {
        let (secret, account) = (secret.string("secret")?, account.string("account_id")?);
        let (method, url, t) = (
            method.string("method")?,
            url.string("url")?,
            timestamp.decode("timestamp")?,
        );
        core::compute_signature(&secret, &account, &method, &url, t)
    })
}

/// Verifies a webhook's `event-signature` over the raw body; returns the event.
#[napi(
    catch_unwind,
    ts_args_type = "secret: string, body: Uint8Array, signature: string | undefined",
    ts_return_type = "M.WebhookEvent"
)]
pub fn verify_webhook(
    secret: Js,
    body: Uint8Array,
    signature: Option<Js>,
) -> Out<Model<WebhookEvent>> {
    run(|| {
        let signature = signature.map(|s| s.string("signature")).transpose()?;
        Ok(Model(core::verify_webhook(
            &secret.string("secret")?,
            &body,
            signature.as_deref(),
        )?))
    })
}

/// Checks an order as `sessions.create` does before sending it (sums, line ids, VAT); throws
/// `invalid_input` naming the line. `strict` also refuses what only looks wrong.
#[napi(
    catch_unwind,
    ts_args_type = "order: M.Order, options?: ValidateOrderOptions",
    ts_return_type = "void"
)]
pub fn validate_order(order: Js, options: Option<Js>) -> Out<()> {
    run(|| {
        match (
            order.decode("order")?,
            optional::<ValidateOrderOptions>(options, "options")?.strict,
        ) {
            (order, Some(true)) => core::validate_order_strict(&order),
            (order, _) => core::validate_order(&order),
        }
    })
}

/// Checks a whole session request (URLs, profile or configuration, the order).
#[napi(
    catch_unwind,
    ts_args_type = "request: M.SessionRequest",
    ts_return_type = "void"
)]
pub fn validate_session_request(request: Js) -> Out<()> {
    run(|| core::validate_session_request(&request.decode("request")?))
}

fn on_transaction<T>(tx: Js, f: impl FnOnce(&Transaction) -> T) -> Out<T> {
    run(|| Ok(f(&tx.decode::<Transaction>("transaction")?)))
}

/// True when the transaction may be fulfilled: money is reserved or taken and not all of it was
/// given back (the core's rule, the same in every language).
#[napi(
    catch_unwind,
    ts_args_type = "transaction: M.Transaction",
    ts_return_type = "boolean"
)]
pub fn is_paid(transaction: Js) -> Out<bool> {
    on_transaction(transaction, Transaction::is_paid)
}

/// Σ of the transaction's successful captures, minor units (Dintero has no such field).
#[napi(
    catch_unwind,
    ts_args_type = "transaction: M.Transaction",
    ts_return_type = "number"
)]
pub fn captured_amount(transaction: Js) -> Out<i64> {
    on_transaction(transaction, Transaction::captured_amount)
}

/// Σ of the transaction's successful refunds, minor units.
#[napi(
    catch_unwind,
    ts_args_type = "transaction: M.Transaction",
    ts_return_type = "number"
)]
pub fn refunded_amount(transaction: Js) -> Out<i64> {
    on_transaction(transaction, Transaction::refunded_amount)
}
