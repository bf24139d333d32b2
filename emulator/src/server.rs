//! The HTTP server: routes, and an outer layer (a plain hyper service) that adds the
//! `request-id` header, counts and logs requests, turns every error into Dintero's body,
//! and applies injected faults, including dropping the connection without a response.

use crate::api::{self, BodyTimeout, OpFault, RequestId, MAX_BODY_BYTES};
use crate::error::{json_response, ApiError};
use crate::faults::{FaultKind, FAULT_ROUTES};
use crate::requests::{classify, CapturedBody, Recent};
use crate::state::{lock, AppState};
use crate::util::uuid;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures_util::FutureExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_service::Service;

pub(crate) fn router(st: Arc<AppState>) -> Router {
    use api::{admin, auth, control, sessions, transactions, view};
    Router::new()
        .route("/v1/accounts/{aid}/auth/token", post(auth::token))
        .route("/v1/sessions-profile", post(sessions::create_profile))
        .route("/v1/sessions", post(sessions::create_plain))
        .route(
            "/v1/sessions/{id}",
            get(sessions::get).put(sessions::update),
        )
        .route("/v1/sessions/{id}/cancel", post(sessions::cancel))
        .route("/", get(view::root))
        .route("/checkout/checkout.js", get(view::script))
        .route("/embedResult", get(view::embed_result))
        .route("/embedResult/", get(view::embed_result))
        .route("/v1/view/{id}", get(view::show))
        .route("/v1/view/{id}/pay", post(view::pay))
        .route("/v1/view/{id}/cancel", post(view::cancel))
        .route("/v1/view/{id}/lock", post(view::lock_session))
        .route("/v1/view/{id}/state", get(view::state))
        .route(
            "/v1/admin/signature",
            get(admin::get_signature).post(admin::rotate_signature),
        )
        .route("/v1/transactions", get(transactions::list))
        .route(
            "/v1/transactions/{id}",
            get(transactions::get).put(transactions::update),
        )
        .route("/v1/transactions/{id}/capture", post(transactions::capture))
        .route("/v1/transactions/{id}/refund", post(transactions::refund))
        .route("/v1/transactions/{id}/void", post(transactions::void))
        .route(
            "/v1/transactions/{id}/authorization",
            post(transactions::extend_authorization),
        )
        .route("/_emulator/sessions/{id}/pay", post(control::pay))
        .route("/_emulator/sessions/{id}/lock", post(control::lock_session))
        .route("/_emulator/transactions/{id}/decide", post(control::decide))
        .route("/_emulator/callbacks", get(control::callbacks))
        .route(
            "/_emulator/faults",
            get(control::list_faults)
                .post(control::add_fault)
                .delete(control::clear_faults),
        )
        .route("/_emulator/requests", get(control::requests))
        .route("/_emulator/clock/advance", post(control::advance_clock))
        .route("/_emulator/reset", post(control::reset))
        .route("/_emulator/catalog", get(control::catalog))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(st)
}

async fn not_found(req: Request) -> Response {
    ApiError::not_found(format!(
        "no route for {} {}",
        req.method(),
        req.uri().path()
    ))
    .into_response()
}

async fn method_not_allowed(req: Request) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!(
            "method {} is not allowed on {}",
            req.method(),
            req.uri().path()
        ),
    )
    .into_response()
}

/// Returned by the service to make hyper close the connection without a response.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

/// Wraps any non-JSON error response (e.g. an extractor rejection) in Dintero's error body.
async fn normalize_error(resp: Response) -> Response {
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/json") || ct.starts_with("text/html") {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let message = if text.trim().is_empty() {
        status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_string()
    } else {
        text
    };
    let mut out = ApiError::new(status, "BAD_REQUEST", message).into_response();
    for (k, v) in parts.headers.iter() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

fn fault_response(kind: FaultKind, retry_after: Option<u64>) -> Response {
    let (status, code) = match kind {
        FaultKind::Status500 => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR"),
        FaultKind::Status502 => (StatusCode::BAD_GATEWAY, "BAD_GATEWAY"),
        FaultKind::Status503 => (StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE"),
        FaultKind::Status403 => (StatusCode::FORBIDDEN, "FORBIDDEN"),
        _ => (StatusCode::TOO_MANY_REQUESTS, "TOO_MANY_REQUESTS"),
    };
    let mut e = ApiError::new(status, code, format!("injected fault: {}", status.as_u16()));
    if kind == FaultKind::Status429 {
        e.retry_after = Some(retry_after.unwrap_or(1));
    }
    e.into_response()
}

/// Longest request target (path and query) answered normally; longer gets 414.
const MAX_URI_BYTES: usize = 8 * 1024;
/// Most header bytes (names, values and separators) answered normally; more gets 431.
const MAX_HEADER_BYTES: usize = 32 * 1024;
/// Most header fields answered normally; more gets 431.
const MAX_HEADER_COUNT: usize = 100;
/// What hyper itself accepts, so that requests between our limits and these get our body.
const HYPER_MAX_HEADERS: usize = 1000;

/// 414 or 431 (with Dintero's error body) for a request line or headers over our limits.
fn oversized_head<B>(req: &hyper::Request<B>) -> Option<Response> {
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_URI_BYTES {
        return Some(
            ApiError::new(
                StatusCode::URI_TOO_LONG,
                "URI_TOO_LONG",
                format!("the request target is {target} bytes; the limit is {MAX_URI_BYTES}"),
            )
            .into_response(),
        );
    }
    let count = req.headers().len();
    let bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if count > MAX_HEADER_COUNT || bytes > MAX_HEADER_BYTES {
        return Some(
            ApiError::new(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "REQUEST_HEADER_FIELDS_TOO_LARGE",
                format!(
                    "the request has {count} header fields of {bytes} bytes; the limits are \
                     {MAX_HEADER_COUNT} fields and {MAX_HEADER_BYTES} bytes"
                ),
            )
            .into_response(),
        );
    }
    None
}

/// What a load balancer in front of Dintero answers: a small HTML page, not Dintero's JSON.
fn gateway_response(status: StatusCode) -> Response {
    let title = format!(
        "{} {}",
        status.as_u16(),
        match status {
            StatusCode::GATEWAY_TIMEOUT => "Gateway Time-out",
            _ => status.canonical_reason().unwrap_or("Error"),
        }
    );
    let html = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    );
    let mut resp = Response::new(Body::from(html));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    resp
}

/// Copies what the handler reads of `body` into `sink` (for `/_emulator/requests`).
fn tee(body: Body, sink: Arc<Mutex<CapturedBody>>) -> Body {
    use futures_util::StreamExt;
    Body::from_stream(body.into_data_stream().map(move |chunk| {
        if let Ok(bytes) = &chunk {
            lock(&sink).push(bytes);
        }
        chunk
    }))
}

/// Handles one request: the outer layer around the router.
pub(crate) async fn handle(
    st: Arc<AppState>,
    mut router: Router,
    req: hyper::Request<Incoming>,
) -> Result<Response, DropConnection> {
    let start = Instant::now();
    let method: Method = req.method().clone();
    let route = classify(&method, req.uri().path());
    let control = route == "control";
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let headers = if control {
        Default::default()
    } else {
        req.headers().clone()
    };
    let request_id = uuid();
    let oversized = oversized_head(&req);
    let captured: Arc<Mutex<CapturedBody>> = Default::default();
    let mut req = if control {
        req.map(Body::new)
    } else {
        let sink = captured.clone();
        req.map(move |b| tee(Body::new(b), sink))
    };
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let body_timeout = st.config.body_read_timeout;
    req.extensions_mut().insert(BodyTimeout(body_timeout));

    let fault = if oversized.is_some() {
        None
    } else if FAULT_ROUTES.contains(&route) {
        st.faults.take(route)
    } else {
        None
    };
    if !control {
        st.requests.arrived(route);
    }
    let record = |status: u16| {
        if !control {
            let body = {
                let c = lock(&captured);
                Some((c.bytes.clone(), c.total))
            };
            st.requests.record(Recent {
                method: method.clone(),
                path: path.clone(),
                query: query.clone(),
                route,
                status,
                headers: headers.clone(),
                body,
            });
        }
        if st.config.log_requests {
            println!(
                "{} {} {} {}ms",
                method,
                path,
                status,
                start.elapsed().as_millis()
            );
        }
    };

    let mut after: Option<FaultKind> = None;
    let mut early: Option<Response> = oversized;
    let mut detached_delay: Option<Duration> = None;
    if let Some(f) = &fault {
        match f.fault {
            FaultKind::Status500
            | FaultKind::Status502
            | FaultKind::Status503
            | FaultKind::Status403
            | FaultKind::Status429 => early = Some(fault_response(f.fault, f.retry_after)),
            FaultKind::Delay => {
                tokio::time::sleep(Duration::from_millis(f.ms.unwrap_or(1000))).await;
            }
            FaultKind::SlowApply => {
                detached_delay = Some(Duration::from_millis(f.ms.unwrap_or(1000)));
            }
            FaultKind::ResetBeforeApply => {
                record(0);
                return Err(DropConnection);
            }
            FaultKind::ResetAfterApply | FaultKind::MalformedJson => after = Some(f.fault),
            FaultKind::Accepted202 => {
                req.extensions_mut().insert(OpFault::Accepted202);
            }
            FaultKind::FailedEvent => {
                req.extensions_mut().insert(OpFault::FailedEvent);
            }
            FaultKind::Gateway502 => {
                record(502);
                return Ok(gateway_response(StatusCode::BAD_GATEWAY));
            }
            FaultKind::GatewayTimeout => {
                let apply_after = Duration::from_millis(f.ms.unwrap_or(1000));
                let answer_after = Duration::from_millis(f.gateway_ms.unwrap_or(300));
                // The whole body is read first, so the operation does not depend on this
                // connection, which the gateway gives up on.
                let (parts, body) = req.into_parts();
                let read = axum::body::to_bytes(body, MAX_BODY_BYTES + 1);
                let bytes = match tokio::time::timeout(body_timeout, read).await {
                    Ok(Ok(b)) => b,
                    _ => Default::default(),
                };
                let req = Request::from_parts(parts, Body::from(bytes));
                tokio::spawn(async move {
                    tokio::time::sleep(apply_after).await;
                    let _ = router.call(req).await;
                });
                tokio::time::sleep(answer_after).await;
                record(504);
                return Ok(gateway_response(StatusCode::GATEWAY_TIMEOUT));
            }
        }
    }

    let mut resp = match early {
        Some(r) => r,
        None => {
            let fut: std::pin::Pin<Box<dyn std::future::Future<Output = _> + Send>> =
                match detached_delay {
                    // Run the operation in its own task: it finishes even if this connection is
                    // dropped because the client timed out.
                    Some(delay) => {
                        let task = tokio::spawn(async move {
                            tokio::time::sleep(delay).await;
                            router.call(req).await
                        });
                        Box::pin(async move {
                            match task.await {
                                Ok(r) => r,
                                Err(_) => Ok(ApiError::new(
                                    StatusCode::INTERNAL_SERVER_ERROR,
                                    "INTERNAL_ERROR",
                                    "the emulator hit an internal error handling this request",
                                )
                                .into_response()),
                            }
                        })
                    }
                    None => Box::pin(router.call(req)),
                };
            match AssertUnwindSafe(fut).catch_unwind().await {
                Ok(Ok(r)) => normalize_error(r).await,
                Ok(Err(never)) => match never {},
                Err(_) => ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_ERROR",
                    "the emulator hit an internal error handling this request",
                )
                .into_response(),
            }
        }
    };
    // The after-apply faults only hit operations that took effect: a refused request (4xx)
    // is answered as it is, so it never looks applied.
    if !resp.status().is_success() {
        after = None;
    }
    match after {
        Some(FaultKind::ResetAfterApply) => {
            record(0);
            return Err(DropConnection);
        }
        Some(FaultKind::MalformedJson) => {
            resp = json_response(StatusCode::OK, &serde_json::Value::Null);
            *resp.body_mut() = Body::from("{\"id\": \"truncated");
        }
        _ => {}
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("request-id", v);
    }
    record(resp.status().as_u16());
    Ok(resp)
}

/// Accepts connections until `shutdown` changes or its sender is dropped.
pub(crate) async fn serve(
    listener: TcpListener,
    st: Arc<AppState>,
    mut shutdown: watch::Receiver<bool>,
) {
    let router = router(st.clone());
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = shutdown.changed() => break,
        };
        let stream = match accepted {
            Ok((s, _)) => s,
            Err(_) => {
                // e.g. too many open files: back off briefly instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let st = st.clone();
        let router = router.clone();
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let svc =
                hyper::service::service_fn(move |req| handle(st.clone(), router.clone(), req));
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(30))
                .max_headers(HYPER_MAX_HEADERS)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), svc);
            tokio::select! {
                _ = conn => {}
                _ = shutdown.changed() => {}
            }
        });
    }
}
