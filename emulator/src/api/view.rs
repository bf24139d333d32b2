//! The hosted checkout page at the session `url` (`/v1/view/{id}`) and its two form posts.

use super::Ctx;
use crate::error::ApiError;
use crate::model::Session;
use crate::state::{lock, AppState};
use crate::util::{format_money, html_escape};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::fmt::Write as _;
use std::sync::Arc;

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

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f5f7;margin:0;padding:24px;color:#1c1c1c}\
main{max-width:480px;margin:0 auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 2px 12px rgba(0,0,0,.08)}\
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}\
.badge{display:inline-block;background:#fff3cd;color:#7a5b00;border-radius:6px;padding:2px 8px;font-size:12px}\
table{width:100%;border-collapse:collapse;font-size:14px}td,th{padding:6px 4px;text-align:left;border-bottom:1px solid #eee}\
td.num,th.num{text-align:right;white-space:nowrap}tfoot th,tfoot td{font-weight:600;border-bottom:none}\
label{display:block;font-size:13px;margin:12px 0 4px}input{width:100%;box-sizing:border-box;padding:10px;border:1px solid #ccc;border-radius:8px;font-size:16px}\
.row{display:flex;gap:12px}.row>div{flex:1}\
button{width:100%;margin-top:16px;padding:12px;border:0;border-radius:8px;font-size:16px;cursor:pointer;background:#0b57d0;color:#fff}\
button.secondary{background:#e8eaed;color:#1c1c1c;margin-top:8px}\
.error{background:#fdecea;color:#a50e0e;border-radius:8px;padding:10px;margin-top:16px}\
.status{background:#e6f4ea;color:#0d652d;border-radius:8px;padding:10px;margin-top:16px}\
.hint{font-size:12px;color:#666;margin-top:16px}";

/// Renders the checkout page for a session.
fn page(st: &AppState, s: &Session, error: Option<&str>) -> String {
    let currency = s.currency();
    let money = |v: Option<&Value>| {
        v.and_then(Value::as_i64)
            .map(|a| format_money(a, &currency))
            .unwrap_or_default()
    };
    let merchant = s
        .body
        .get("merchant")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("Dintero Emulator Merchant");
    let mref = s.merchant_reference();
    let id = html_escape(&s.id);
    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>Checkout – {}</title><style>{STYLE}</style></head><body><main>\
         <h1>{}</h1><span class=\"badge\">Dintero emulator · test payments only</span>\
         <h2>Order <span class=\"reference\">{}</span></h2>\
         <table><thead><tr><th>Item</th><th class=\"num\">Qty</th><th class=\"num\">Amount</th></tr></thead><tbody>",
        html_escape(merchant),
        html_escape(merchant),
        html_escape(&mref)
    );
    let order = s.order().cloned().unwrap_or_default();
    if let Some(items) = order.get("items").and_then(Value::as_array) {
        for item in items {
            let name = ["description", "id", "line_id"]
                .iter()
                .find_map(|k| item.get(*k).and_then(Value::as_str))
                .unwrap_or("Item");
            let qty = item
                .get("quantity")
                .map(|q| q.to_string())
                .unwrap_or_else(|| "1".into());
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                html_escape(name),
                html_escape(&qty),
                html_escape(&money(item.get("amount")))
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
            "<tr><td>{}</td><td class=\"num\">1</td><td class=\"num\">{}</td></tr>",
            html_escape(title),
            html_escape(&money(so.get("amount")))
        );
    }
    let total = money(order.get("amount"));
    let _ = write!(
        out,
        "</tbody><tfoot><tr><th colspan=\"2\">Total</th><td class=\"num total\">{}</td></tr>",
        html_escape(&total)
    );
    if order.get("vat_amount").is_some() {
        let _ = write!(
            out,
            "<tr><td colspan=\"2\">of which VAT</td><td class=\"num\">{}</td></tr>",
            html_escape(&money(order.get("vat_amount")))
        );
    }
    out.push_str("</tfoot></table>");
    if let Some(e) = error {
        let _ = write!(
            out,
            "<div class=\"error\" role=\"alert\">{}</div>",
            html_escape(e)
        );
    }
    let now = st.now();
    match s.not_payable_reason(now) {
        None => {
            let _ = write!(
                out,
                "<form method=\"post\" action=\"/v1/view/{id}/pay\" autocomplete=\"off\">\
                 <label for=\"card_number\">Card number</label>\
                 <input id=\"card_number\" name=\"card_number\" inputmode=\"numeric\" placeholder=\"4000 0000 0000 0002\" required>\
                 <div class=\"row\"><div><label for=\"expiry\">Expiry (MM/YY)</label>\
                 <input id=\"expiry\" name=\"expiry\" placeholder=\"12/30\"></div>\
                 <div><label for=\"cvc\">CVC</label><input id=\"cvc\" name=\"cvc\" inputmode=\"numeric\" placeholder=\"123\"></div></div>\
                 <button type=\"submit\">Pay {}</button></form>\
                 <form method=\"post\" action=\"/v1/view/{id}/cancel\"><button type=\"submit\" class=\"secondary\">Cancel</button></form>\
                 <p class=\"hint\">Test cards: 4000 0000 0000 0002 or 5200 0000 0000 0007 approve; 4100 0000 0000 0076 is declined. Any CVC.</p>",
                html_escape(&total)
            );
        }
        Some(reason) => {
            let mut msg = reason.to_string();
            if let Some(tx) = &s.transaction_id {
                msg.push_str(&format!(" (transaction {tx})"));
            }
            let _ = write!(
                out,
                "<div class=\"status\">{}</div><p><a href=\"{}\">Back to the shop</a></p>",
                html_escape(&msg),
                html_escape(&s.return_url())
            );
        }
    }
    out.push_str("</main></body></html>");
    out
}

fn not_found_page(id: &str) -> Response {
    html(
        StatusCode::NOT_FOUND,
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title>\
             <style>{STYLE}</style></head><body><main><h1>Checkout not found</h1>\
             <p>There is no session {}.</p></main></body></html>",
            html_escape(id)
        ),
    )
}

/// `GET /v1/view/{id}` (any query, e.g. `?ui=inline`, is accepted and ignored).
pub(crate) async fn show(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let Some(entry) = st.session(&id) else {
        return not_found_page(&id);
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
    html(StatusCode::OK, page(&st, &s, None))
}

/// `POST /v1/view/{id}/pay` with form fields `card_number`, `expiry`, `cvc`.
pub(crate) async fn pay(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let mut ctx = Ctx::new(req);
    let bytes = match ctx.bytes().await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let mut card = String::new();
    let mut expiry = String::new();
    for (k, v) in form_urlencoded::parse(&bytes) {
        match k.as_ref() {
            "card_number" => card = v.into_owned(),
            "expiry" => expiry = v.into_owned(),
            _ => {}
        }
    }
    let result = crate::pay::pay(&st, &id, &card, Some(&expiry)).await;
    outcome(&st, &id, result)
}

/// `POST /v1/view/{id}/cancel`.
pub(crate) async fn cancel(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let result = crate::pay::cancel(&st, &id).await;
    outcome(&st, &id, result)
}

fn outcome(st: &AppState, id: &str, result: Result<crate::PayOutcome, ApiError>) -> Response {
    match result {
        Ok(o) => see_other(&o.redirect_url),
        Err(e) if e.status == StatusCode::NOT_FOUND => not_found_page(id),
        Err(e) => match st.session(id) {
            Some(entry) => {
                let s = lock(&entry.data).clone();
                html(e.status, page(st, &s, Some(&e.message)))
            }
            None => not_found_page(id),
        },
    }
}
