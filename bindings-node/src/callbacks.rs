//! Callback and webhook verification, URL parsing, order checks and the transaction helpers
//! (all synchronous, all the core's).

use std::time::Duration;

use dintero_checkout::{
    compute_signature, parse_callback, parse_return_url, request_url, validate_order,
    validate_order_strict, validate_session_request, verify_webhook, Callback, CallbackVerifier,
    Order, Result as CoreResult, ReturnResult, SessionRequest, Transaction, WebhookEvent,
};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde::Deserialize;

use crate::convert::{optional, Js, Model};
use crate::error::Out;

/// Options of `new CallbackVerifier(...)`.
#[napi(object)]
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifierOptions {
    /// How old (or how far in the future) a signature's timestamp may be, in seconds.
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
    /// Take the host from `X-Forwarded-Host` (only behind your own proxy, which sets it).
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
    verifier: CallbackVerifier,
}

/// A verifier for `accountId` with the secret from `GET /v1/admin/signature`.
#[napi(
    catch_unwind,
    ts_args_type = "secret: string, accountId: string, options?: VerifierOptions",
    ts_return_type = "NativeCallbackVerifier"
)]
pub fn create_verifier(
    secret: Js,
    account_id: Js,
    options: Option<Js>,
) -> Out<NativeCallbackVerifier> {
    let run = || -> CoreResult<_> {
        let options: VerifierOptions = optional(options, "options")?;
        let mut verifier =
            CallbackVerifier::new(secret.string("secret")?, account_id.string("account_id")?)?;
        if let Some(t) = options.tolerance_seconds {
            verifier = verifier.with_tolerance(Duration::from_secs(t.into()));
        }
        Ok(NativeCallbackVerifier { verifier })
    };
    Out::from(run())
}

fn header_pairs(headers: Js) -> CoreResult<Vec<(String, String)>> {
    headers.decode("headers")
}

#[napi]
impl NativeCallbackVerifier {
    /// Verifies a callback from its method, its full URL as received and its headers
    /// (`[name, value]` pairs); returns the parsed callback.
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
        options: Option<Js>,
    ) -> Out<Model<Callback>> {
        let run = || -> CoreResult<_> {
            let (method, url, headers) = (
                method.string("method")?,
                url.string("url")?,
                header_pairs(headers)?,
            );
            match optional::<VerifyOptions>(options, "options")?.now {
                Some(now) => self.verifier.verify_at(&method, &url, headers, now),
                None => self.verifier.verify(&method, &url, headers),
            }
        };
        Out::from(run().map(Model))
    }

    /// Verifies a request as a web framework hands it over: method, path and query as
    /// received, headers; the URL is rebuilt by the core (`requestUrl`).
    #[napi(
        catch_unwind,
        ts_args_type = "method: string, pathAndQuery: string, headers: Array<[string, string]>, options?: RequestUrlOptions",
        ts_return_type = "M.Callback"
    )]
    pub fn verify_request(
        &self,
        method: Js,
        path_and_query: Js,
        headers: Js,
        options: Option<Js>,
    ) -> Out<Model<Callback>> {
        let run = || -> CoreResult<_> {
            let (method, path) = (
                method.string("method")?,
                path_and_query.string("path_and_query")?,
            );
            let headers = header_pairs(headers)?;
            let o: RequestUrlOptions = optional(options, "options")?;
            let trust = o.trust_proxy.unwrap_or(false);
            self.verifier.verify_request(
                &method,
                &path,
                &headers,
                o.public_url.as_deref(),
                trust,
                o.now,
            )
        };
        Out::from(run().map(Model))
    }

    /// Checks one `Dintero-Signature` header value against method and URL.
    #[napi(
        catch_unwind,
        ts_args_type = "method: string, url: string, signatureHeader: string, options?: VerifyOptions",
        ts_return_type = "void"
    )]
    pub fn verify_signature(
        &self,
        method: Js,
        url: Js,
        signature_header: Js,
        options: Option<Js>,
    ) -> Out<()> {
        let run = || -> CoreResult<_> {
            let (method, url) = (method.string("method")?, url.string("url")?);
            let header = signature_header.string("signature_header")?;
            let now = optional::<VerifyOptions>(options, "options")?.now;
            let now = now.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64)
            });
            self.verifier.verify_header_at(&method, &url, &header, now)
        };
        Out::from(run())
    }
}

/// Parses a callback URL without checking a signature.
#[napi(
    catch_unwind,
    ts_args_type = "url: string",
    ts_return_type = "M.Callback"
)]
pub fn parse_callback_url(url: Js) -> Out<Model<Callback>> {
    Out::from(
        url.string("url")
            .and_then(|u| parse_callback(&u))
            .map(Model),
    )
}

/// Parses the URL the customer's browser came back on.
#[napi(
    catch_unwind,
    ts_args_type = "url: string",
    ts_return_type = "M.ReturnResult"
)]
pub fn parse_return(url: Js) -> Out<Model<ReturnResult>> {
    Out::from(
        url.string("url")
            .and_then(|u| parse_return_url(&u))
            .map(Model),
    )
}

/// The URL a callback was sent to, rebuilt from its path and query and its headers.
#[napi(
    catch_unwind,
    js_name = "requestUrl",
    ts_args_type = "pathAndQuery: string, headers: Array<[string, string]>, options?: RequestUrlOptions",
    ts_return_type = "string"
)]
pub fn rebuild_request_url(path_and_query: Js, headers: Js, options: Option<Js>) -> Out<String> {
    let run = || -> CoreResult<_> {
        let path = path_and_query.string("path_and_query")?;
        let headers = header_pairs(headers)?;
        let o: RequestUrlOptions = optional(options, "options")?;
        request_url(
            &path,
            headers,
            o.public_url.as_deref(),
            o.trust_proxy.unwrap_or(false),
        )
    };
    Out::from(run())
}

/// The hex `v0-hmac-sha256` signature of a callback.
#[napi(
    catch_unwind,
    js_name = "computeSignature",
    ts_args_type = "secret: string, accountId: string, method: string, url: string, timestamp: number",
    ts_return_type = "string"
)]
pub fn signature(secret: Js, account_id: Js, method: Js, url: Js, timestamp: Js) -> Out<String> {
    let run = || -> CoreResult<_> {
        let (secret, account) = (secret.string("secret")?, account_id.string("account_id")?);
        let (method, url) = (method.string("method")?, url.string("url")?);
        compute_signature(
            &secret,
            &account,
            &method,
            &url,
            timestamp.decode("timestamp")?,
        )
    };
    Out::from(run())
}

/// Verifies a webhook's `event-signature` over the raw body; returns the event.
#[napi(
    catch_unwind,
    js_name = "verifyWebhook",
    ts_args_type = "secret: string, body: Uint8Array, signature: string | undefined",
    ts_return_type = "M.WebhookEvent"
)]
pub fn webhook(secret: Js, body: Uint8Array, signature: Option<Js>) -> Out<Model<WebhookEvent>> {
    let run = || -> CoreResult<_> {
        let signature = signature.map(|s| s.string("signature")).transpose()?;
        verify_webhook(&secret.string("secret")?, &body, signature.as_deref())
    };
    Out::from(run().map(Model))
}

/// Checks an order as `sessions.create` does before sending it.
#[napi(
    catch_unwind,
    js_name = "validateOrder",
    ts_args_type = "order: M.Order, options?: ValidateOrderOptions",
    ts_return_type = "void"
)]
pub fn check_order(order: Js, options: Option<Js>) -> Out<()> {
    let run = || -> CoreResult<_> {
        let order: Order = order.decode("order")?;
        match optional::<ValidateOrderOptions>(options, "options")?.strict {
            Some(true) => validate_order_strict(&order),
            _ => validate_order(&order),
        }
    };
    Out::from(run())
}

/// Checks a whole session request before it is sent.
#[napi(
    catch_unwind,
    js_name = "validateSessionRequest",
    ts_args_type = "request: M.SessionRequest",
    ts_return_type = "void"
)]
pub fn check_session_request(request: Js) -> Out<()> {
    Out::from(
        request
            .decode::<SessionRequest>("request")
            .and_then(|r| validate_session_request(&r)),
    )
}

fn with_transaction<T>(tx: Js, f: impl FnOnce(&Transaction) -> T) -> Out<T> {
    Out::from(tx.decode::<Transaction>("transaction").map(|tx| f(&tx)))
}

/// True when the transaction's status is a paid one (the core's rule).
#[napi(
    catch_unwind,
    js_name = "isPaid",
    ts_args_type = "transaction: M.Transaction",
    ts_return_type = "boolean"
)]
pub fn is_paid(transaction: Js) -> Out<bool> {
    with_transaction(transaction, Transaction::is_paid)
}

/// Σ of the transaction's successful captures, minor units.
#[napi(
    catch_unwind,
    js_name = "capturedAmount",
    ts_args_type = "transaction: M.Transaction",
    ts_return_type = "number"
)]
pub fn captured_amount(transaction: Js) -> Out<i64> {
    with_transaction(transaction, Transaction::captured_amount)
}

/// Σ of the transaction's successful refunds, minor units.
#[napi(
    catch_unwind,
    js_name = "refundedAmount",
    ts_args_type = "transaction: M.Transaction",
    ts_return_type = "number"
)]
pub fn refunded_amount(transaction: Js) -> Out<i64> {
    with_transaction(transaction, Transaction::refunded_amount)
}
