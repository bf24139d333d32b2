//! The hosted checkout page: at the session `url` (`/v1/view/{id}`), at `/?sid={id}` where
//! Dintero's Web SDK loads it for a custom `endpoint`, and the SDK's `/embedResult/` page.
//! Its form posts work without JavaScript; the page's script pays with JSON instead and,
//! embedded, talks to the Web SDK with `postMessage` (`checkout.js`).

use super::Ctx;
use crate::error::{json_response, ApiError};
use crate::methods::{self, Input, Method, CARD};
use crate::model::{Session, TxStatus};
use crate::pay::Paid;
use crate::state::{lock, AppState};
use crate::util::{format_money, html_escape, query_pairs};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::sync::Arc;

const STYLE: &str = include_str!("checkout.css");
const SCRIPT: &str = include_str!("checkout.js");
/// Where the page loads [`SCRIPT`] from.
const SCRIPT_PATH: &str = "/checkout/checkout.js";

/// Declined attempts the page allows before it gives up with `SessionPaymentError`.
const MAX_DECLINES: u32 = 3;

fn html(status: StatusCode, body: String) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn see_other(location: &str) -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// The Web SDK's query parameters the page honours; the others (`sdk`, `role`, ...) are
/// accepted and ignored.
#[derive(Debug, Default, Clone)]
struct PageOptions {
    /// `ui=inline`: no page background, padding or card around the checkout.
    inline: bool,
    ui: Option<String>,
    /// `client_side_validation=true`: ask the shop with `ValidateSession` before paying.
    client_side_validation: bool,
    /// `hide_test_message=true`: no test-mode badge or test data hints.
    hide_test_message: bool,
    language: Option<String>,
}

impl PageOptions {
    fn from_query(q: Option<&str>) -> Self {
        let mut o = PageOptions::default();
        for (k, v) in query_pairs(q) {
            match k.as_str() {
                "ui" => {
                    o.inline = v == "inline";
                    o.ui = Some(v);
                }
                "client_side_validation" => o.client_side_validation = v == "true",
                "hide_test_message" => o.hide_test_message = v == "true",
                "language" => o.language = Some(v),
                _ => {}
            }
        }
        o
    }
}

/// JSON for a `<script type="application/json">` element (no `</script>` can end it early).
fn script_json(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The session as the page shows it to the shop's window (`SessionLoaded`): the API's read
/// without `url.callback_url`, which may carry a secret of the merchant's.
fn public_session(st: &AppState, s: &Session) -> Value {
    let mut v = s.render(&st.config.account_id);
    if let Some(url) = v.get_mut("url").and_then(Value::as_object_mut) {
        url.remove("callback_url");
    }
    v
}

fn merchant_name(s: &Session) -> String {
    s.body
        .get("merchant")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("Dintero Emulator Merchant")
        .to_string()
}

fn money(v: Option<&Value>, currency: &str) -> String {
    v.and_then(Value::as_i64)
        .map(|a| format_money(a, currency))
        .unwrap_or_default()
}

/// The order summary (replaced as a whole when the shop refreshes the session).
fn summary_html(s: &Session) -> String {
    let currency = s.currency();
    let mut out = String::new();
    let _ = write!(
        out,
        "<h2>Order <span class=\"ref reference\">{}</span></h2><table><tbody>",
        html_escape(&s.merchant_reference())
    );
    let order = s.order().cloned().unwrap_or_default();
    if let Some(items) = order.get("items").and_then(Value::as_array) {
        for item in items {
            let name = ["description", "id", "line_id"]
                .iter()
                .find_map(|k| item.get(*k).and_then(Value::as_str))
                .unwrap_or("Item");
            let qty = item.get("quantity").map_or_else(|| "1".into(), quantity);
            let _ = write!(
                out,
                "<tr><td class=\"qty\">{} \u{d7}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                html_escape(&qty),
                html_escape(name),
                html_escape(&money(item.get("amount"), &currency))
            );
        }
    }
    if let Some(so) = order.get("shipping_option") {
        let title = so
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("Shipping");
        let _ = write!(
            out,
            "<tr><td class=\"qty\"></td><td>{}</td><td class=\"num\">{}</td></tr>",
            html_escape(title),
            html_escape(&money(so.get("amount"), &currency))
        );
    }
    let _ = write!(
        out,
        "</tbody><tfoot><tr class=\"total\"><td></td><td>Total</td><td class=\"num total\">{}</td></tr>",
        html_escape(&money(order.get("amount"), &currency))
    );
    if order.get("vat_amount").is_some() {
        let _ = write!(
            out,
            "<tr class=\"vat\"><td></td><td>of which VAT</td><td class=\"num\">{}</td></tr>",
            html_escape(&money(order.get("vat_amount"), &currency))
        );
    }
    out.push_str("</tfoot></table>");
    out
}

/// A quantity as a person writes it: `1` for `1.0`, `1,5` for `1.5`.
fn quantity(q: &Value) -> String {
    match q.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        Some(f) => f.to_string().replace('.', ","),
        None => q.as_str().unwrap_or("1").to_string(),
    }
}

fn pay_label(s: &Session) -> String {
    format!(
        "Pay {}",
        money(s.order().and_then(|o| o.get("amount")), &s.currency())
    )
}

fn phone_field_id(m: &Method) -> String {
    format!("phone-{}", m.product_type.replace('.', "-"))
}

fn card_hint() -> &'static str {
    "<b>4000 0000 0000 0002</b> or <b>5200 0000 0000 0007</b> are approved, \
     <b>4100 0000 0000 0076</b> is declined; any future expiry and any CVC"
}

/// The payment form: one choice per method the session offers, and each method's fields.
fn pay_form(s: &Session, opts: &PageOptions, offered: &[&'static Method]) -> String {
    let id = html_escape(&s.id);
    let default = s
        .body
        .get("configuration")
        .and_then(|c| c.get("default_payment_type"))
        .and_then(Value::as_str)
        .filter(|d| offered.iter().any(|m| m.product_type == *d))
        .or_else(|| offered.first().map(|m| m.product_type))
        .unwrap_or(CARD);
    let mut out = String::new();
    let _ = write!(
        out,
        "<form id=\"pay-form\" method=\"post\" action=\"/v1/view/{id}/pay\" autocomplete=\"off\" novalidate>"
    );
    if offered.len() > 1 {
        out.push_str("<fieldset class=\"methods\"><legend>Payment method</legend>");
        for m in offered {
            let _ = write!(
                out,
                "<label class=\"method\"><input type=\"radio\" name=\"payment_product_type\" value=\"{}\"{}><span class=\"name\">{}</span></label>",
                m.product_type,
                if m.product_type == default { " checked" } else { "" },
                html_escape(m.label)
            );
        }
        out.push_str("</fieldset>");
    } else if let Some(m) = offered.first() {
        let _ = write!(
            out,
            "<input type=\"hidden\" name=\"payment_product_type\" value=\"{}\" checked><h2>Pay with {}</h2>",
            m.product_type,
            html_escape(if m.input == Input::Card { "card" } else { m.label })
        );
    }
    for m in offered {
        let hidden = if m.product_type == default {
            ""
        } else {
            " hidden"
        };
        match m.input {
            Input::Card => {
                let _ = write!(
                    out,
                    "<div class=\"fields\" data-method=\"{CARD}\"{hidden}>\
                     <label class=\"field\" for=\"card_number\">Card number</label>\
                     <input class=\"text\" id=\"card_number\" name=\"card_number\" inputmode=\"numeric\" autocomplete=\"cc-number\" placeholder=\"Card number\">\
                     <div class=\"row\"><div><label class=\"field\" for=\"expiry\">Expiry date</label>\
                     <input class=\"text\" id=\"expiry\" name=\"expiry\" inputmode=\"numeric\" autocomplete=\"cc-exp\" placeholder=\"MM / YY\"></div>\
                     <div><label class=\"field\" for=\"cvc\">Security code</label>\
                     <input class=\"text\" id=\"cvc\" name=\"cvc\" inputmode=\"numeric\" autocomplete=\"cc-csc\" placeholder=\"CVC\"></div></div></div>"
                );
            }
            Input::Phone => {
                let fid = phone_field_id(m);
                let _ = write!(
                    out,
                    "<div class=\"fields\" data-method=\"{}\"{hidden}>\
                     <label class=\"field\" for=\"{fid}\">Mobile number for {}</label>\
                     <input class=\"text\" id=\"{fid}\" name=\"phone_number\" type=\"tel\" inputmode=\"tel\" autocomplete=\"tel\" placeholder=\"Mobile number\"></div>",
                    m.product_type,
                    html_escape(m.label)
                );
            }
        }
    }
    let _ = write!(
        out,
        "<button type=\"submit\" class=\"pay\" id=\"pay-button\">{}</button></form>\
         <form id=\"cancel-form\" method=\"post\" action=\"/v1/view/{id}/cancel\">\
         <button type=\"submit\" class=\"cancel\">Cancel</button></form>",
        html_escape(&pay_label(s))
    );
    if !opts.hide_test_message {
        for m in offered {
            let hidden = if m.product_type == default {
                ""
            } else {
                " hidden"
            };
            let text = match m.input {
                Input::Card => card_hint().to_string(),
                Input::Phone => m
                    .test_inputs
                    .iter()
                    .map(|t| {
                        format!(
                            "<b>{}</b> {}",
                            html_escape(t.value),
                            match t.name {
                                "approve" => "is approved",
                                "reject" => "rejects in the app",
                                "fail" => "is refused",
                                "on_hold" => "goes to manual review",
                                other => other,
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let _ = write!(
                out,
                "<p class=\"hint\" data-method=\"{}\"{hidden}>Test mode: {text}.</p>",
                m.product_type
            );
        }
    }
    out
}

/// What the page shows instead of the form when the session cannot be paid.
fn closed_html(st: &AppState, s: &Session, reason: &str) -> String {
    let return_url = html_escape(&s.return_url());
    if let Some(tx_id) = &s.transaction_id {
        let status = st.tx(tx_id).map(|t| t.snapshot().tx.status);
        let (kind, icon, title, text) = match status {
            Some(TxStatus::OnHold) => (
                "wait",
                "\u{2026}",
                "Order received",
                "The payment is waiting for approval; the shop will confirm the order.",
            ),
            Some(TxStatus::Failed) => (
                "bad",
                "!",
                "Payment failed",
                "The payment did not go through.",
            ),
            _ => (
                "ok",
                "\u{2713}",
                "Payment received",
                "Thank you. Your payment is complete.",
            ),
        };
        let status_line = if status == Some(TxStatus::Failed) {
            "The payment for this order failed"
        } else {
            "This order is already paid"
        };
        return format!(
            "<div id=\"closed\" class=\"result {kind}\"><div class=\"icon\" aria-hidden=\"true\">{icon}</div>\
             <h2>{title}</h2><p>{text}</p><p class=\"status\">{status_line} (transaction {}).</p>\
             <p><a href=\"{return_url}\" target=\"_top\">Back to the shop</a></p></div>",
            html_escape(tx_id)
        );
    }
    let title = if s.cancelled_at.is_some() {
        "Payment cancelled"
    } else {
        "This checkout has closed"
    };
    format!(
        "<div id=\"closed\" class=\"result bad\"><div class=\"icon\" aria-hidden=\"true\">!</div>\
         <h2>{title}</h2><p class=\"status\">{}.</p>\
         <p><a href=\"{return_url}\" target=\"_top\">Back to the shop</a></p></div>",
        html_escape(&capitalise(reason))
    )
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn head(title: &str, inline: bool) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <link rel=\"icon\" href=\"data:,\"><title>{}</title><style>{STYLE}</style></head><body class=\"{}\">",
        html_escape(title),
        if inline { "inline" } else { "full" }
    )
}

/// Renders the checkout page for a session.
fn page(st: &AppState, s: &Session, opts: &PageOptions, error: Option<&str>) -> String {
    let merchant = merchant_name(s);
    let now = st.now();
    let reason = s.not_payable_reason(now);
    let offered = methods::enabled(s);
    let mut out = head(&format!("Checkout \u{2013} {merchant}"), opts.inline);
    let _ = write!(
        out,
        "<main id=\"checkout\"><header class=\"top\"><p class=\"merchant\">{}</p>{}</header>",
        html_escape(&merchant),
        if opts.hide_test_message {
            ""
        } else {
            "<span class=\"badge\">Test mode \u{b7} no real money</span>"
        }
    );
    let _ = write!(out, "<section id=\"summary\">{}</section>", summary_html(s));
    let _ = write!(
        out,
        "<div id=\"notice\" class=\"notice\" role=\"status\" hidden></div>\
         <div id=\"error\" class=\"error\" role=\"alert\"{}>{}</div>",
        if error.is_some() { "" } else { " hidden" },
        html_escape(error.unwrap_or(""))
    );
    let state = match reason {
        None if offered.is_empty() => {
            out.push_str(
                "<div class=\"result bad\"><h2>No payment method available</h2>\
                 <p class=\"status\">The shop has not enabled a payment method for this order.</p></div>",
            );
            "closed"
        }
        None => {
            out.push_str(&pay_form(s, opts, &offered));
            "payable"
        }
        Some(reason) => {
            out.push_str(&closed_html(st, s, reason));
            "closed"
        }
    };
    out.push_str("<div id=\"result\" role=\"status\" hidden></div></main>");
    let id = &s.id;
    let cfg = json!({
        "sid": id,
        "state": state,
        "ui": opts.ui,
        "language": opts.language,
        "client_side_validation": opts.client_side_validation,
        "locked": s.locked,
        "max_declines": MAX_DECLINES,
        "session": public_session(st, s),
        "paths": {
            "pay": format!("/v1/view/{id}/pay"),
            "cancel": format!("/v1/view/{id}/cancel"),
            "lock": format!("/v1/view/{id}/lock"),
            "state": format!("/v1/view/{id}/state"),
        },
    });
    let _ = write!(
        out,
        "<script type=\"application/json\" id=\"checkout-data\">{}</script><script src=\"{SCRIPT_PATH}\"></script></body></html>",
        script_json(&cfg)
    );
    out
}

fn not_found_page(id: &str, opts: &PageOptions) -> Response {
    let mut out = head("Checkout not found", opts.inline);
    let _ = write!(
        out,
        "<main id=\"checkout\"><div class=\"result bad\"><div class=\"icon\" aria-hidden=\"true\">!</div>\
         <h2>Checkout not found</h2><p>There is no session {}. It may have been removed.</p></div></main>\
         <script type=\"application/json\" id=\"checkout-data\">{}</script><script src=\"{SCRIPT_PATH}\"></script></body></html>",
        html_escape(id),
        script_json(&json!({"sid": id, "state": "not_found", "ui": opts.ui}))
    );
    html(StatusCode::NOT_FOUND, out)
}

fn show_session(st: &AppState, id: &str, opts: &PageOptions) -> Response {
    let Some(entry) = st.session(id) else {
        return not_found_page(id, opts);
    };
    let s = {
        let mut s = lock(&entry.data);
        if !s.visited {
            s.visited = true;
            let now = st.now();
            s.push_event("VISITED", now, None);
        }
        s.clone()
    };
    html(StatusCode::OK, page(st, &s, opts, None))
}

/// `GET /v1/view/{id}`; the Web SDK's parameters (`ui`, `language`,
/// `client_side_validation`, `hide_test_message`) are honoured, any other is ignored.
pub(crate) async fn show(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let opts = PageOptions::from_query(req.uri().query());
    show_session(&st, &id, &opts)
}

/// `GET /?sid={id}&...`: where the Web SDK loads the checkout for a custom `endpoint`.
pub(crate) async fn root(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let q = req.uri().query();
    let opts = PageOptions::from_query(q);
    match query_pairs(q).into_iter().find(|(k, _)| k == "sid") {
        Some((_, sid)) => show_session(&st, &sid, &opts),
        None => ApiError::not_found("no route for GET /").into_response(),
    }
}

/// `GET /checkout/checkout.js`: the page's script.
pub(crate) async fn script() -> Response {
    let mut resp = Response::new(Body::from(SCRIPT));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// `GET /embedResult/`: what the Web SDK shows in the iframe once the payment has ended.
pub(crate) async fn embed_result(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let q = query_pairs(req.uri().query());
    let get = |key: &str| {
        q.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let sid = get("sid").unwrap_or_default();
    let tx_id = get("transaction_id");
    let error = get("error");
    let tx_status = tx_id
        .as_deref()
        .and_then(|t| st.tx(t))
        .map(|t| t.snapshot().tx.status);
    let (kind, icon, title, text) = match (error.as_deref(), tx_status) {
        (Some("cancelled"), _) => ("bad", "!", "Payment cancelled", "No money was taken."),
        (Some(_), _) | (None, Some(TxStatus::Failed)) => (
            "bad",
            "!",
            "Payment failed",
            "The payment did not go through. No money was taken.",
        ),
        (None, Some(TxStatus::OnHold)) => (
            "wait",
            "\u{2026}",
            "Order received",
            "The payment is waiting for approval; the shop will confirm the order.",
        ),
        (None, _) => (
            "ok",
            "\u{2713}",
            "Payment received",
            "Thank you. Your payment is complete.",
        ),
    };
    let mut out = head(title, true);
    let _ = write!(
        out,
        "<main id=\"checkout\"><div class=\"result {kind}\"><div class=\"icon\" aria-hidden=\"true\">{icon}</div>\
         <h2>{title}</h2><p>{text}</p>{}</div></main>\
         <script type=\"application/json\" id=\"checkout-data\">{}</script><script src=\"{SCRIPT_PATH}\"></script></body></html>",
        get("merchant_reference")
            .map(|r| format!("<p>Order {}</p>", html_escape(&r)))
            .unwrap_or_default(),
        script_json(&json!({"sid": sid, "state": "result", "ui": "inline"}))
    );
    html(StatusCode::OK, out)
}

fn wants_json(ctx: &Ctx) -> bool {
    let has = |name: header::HeaderName| {
        ctx.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json"))
    };
    has(header::CONTENT_TYPE) || has(header::ACCEPT)
}

fn json_outcome(st: &AppState, id: &str, result: Result<Paid, ApiError>) -> Response {
    match result {
        Ok(p) => match st.session(id) {
            Some(e) => {
                let s = lock(&e.data).clone();
                json_response(StatusCode::OK, &p.to_json(&s))
            }
            None => ApiError::not_found(format!("session {id:?} not found")).into_response(),
        },
        Err(e) => e.into_response(),
    }
}

/// `POST /v1/view/{id}/pay`: form fields `payment_product_type` (default cards),
/// `card_number`, `expiry`, `cvc`, `phone_number`, answered with 303 to the redirect; or the
/// same fields as JSON (`Content-Type: application/json`), answered with
/// `{result, transaction_id?, merchant_reference, redirect_url, error?, message}`.
pub(crate) async fn pay(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let opts = PageOptions::from_query(req.uri().query());
    let mut ctx = Ctx::new(req);
    if wants_json(&ctx) {
        let body = match ctx.json_object().await {
            Ok(b) => b,
            Err(e) => return e.into_response(),
        };
        let field = |k: &str| {
            body.get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let product = Some(field("payment_product_type"))
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| CARD.to_string());
        let input = if product == CARD {
            field("card_number")
        } else {
            field("phone_number")
        };
        let expiry = field("expiry");
        let result = crate::pay::pay_with(&st, &id, &product, &input, Some(&expiry)).await;
        return json_outcome(&st, &id, result);
    }
    let bytes = match ctx.bytes().await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let mut card = String::new();
    let mut expiry = String::new();
    let mut product = CARD.to_string();
    let mut phone = String::new();
    for (k, v) in form_urlencoded::parse(&bytes) {
        match k.as_ref() {
            "card_number" => card = v.into_owned(),
            "expiry" => expiry = v.into_owned(),
            "payment_product_type" if !v.is_empty() => product = v.into_owned(),
            "phone_number" if phone.is_empty() => phone = v.into_owned(),
            _ => {}
        }
    }
    let input = if product == CARD { card } else { phone };
    let result = crate::pay::pay_with(&st, &id, &product, &input, Some(&expiry)).await;
    outcome(&st, &id, &opts, result)
}

/// `POST /v1/view/{id}/cancel` (JSON answer with `Accept: application/json`).
pub(crate) async fn cancel(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let opts = PageOptions::from_query(req.uri().query());
    let ctx = Ctx::new(req);
    let result = crate::pay::cancel_paid(&st, &id).await;
    if wants_json(&ctx) {
        return json_outcome(&st, &id, result);
    }
    outcome(&st, &id, &opts, result)
}

/// `POST /v1/view/{id}/lock`: the page's answer to the SDK's `LockSession`.
/// `{pay_lock_id, session}`, or 400 when the session cannot be paid.
pub(crate) async fn lock_session(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Response {
    match crate::pay::lock_for_payment(&st, &id) {
        Ok((lock_id, s)) => json_response(
            StatusCode::OK,
            &json!({"pay_lock_id": lock_id, "session": public_session(&st, &s)}),
        ),
        Err(e) => e.into_response(),
    }
}

/// `GET /v1/view/{id}/state`: the session as it is now, for the SDK's `RefreshSession`.
pub(crate) async fn state(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let Some(entry) = st.session(&id) else {
        return ApiError::not_found(format!("session {id:?} not found")).into_response();
    };
    let s = lock(&entry.data).clone();
    let reason = s.not_payable_reason(st.now());
    json_response(
        StatusCode::OK,
        &json!({
            "session": public_session(&st, &s),
            "locked": s.locked,
            "payable": reason.is_none(),
            "reason": reason.map(capitalise),
            "summary_html": summary_html(&s),
            "pay_label": pay_label(&s),
        }),
    )
}

fn outcome(
    st: &AppState,
    id: &str,
    opts: &PageOptions,
    result: Result<Paid, ApiError>,
) -> Response {
    match result {
        Ok(p) => see_other(&p.outcome.redirect_url),
        Err(e) if e.status == StatusCode::NOT_FOUND => not_found_page(id, opts),
        Err(e) => match st.session(id) {
            Some(entry) => {
                let s = lock(&entry.data).clone();
                html(e.status, page(st, &s, opts, Some(&e.message)))
            }
            None => not_found_page(id, opts),
        },
    }
}
