//! The control API under `/_emulator/` (no auth): drive payments, read callbacks, inject
//! faults, advance the clock, reset.

use super::Ctx;
use crate::error::{json_response, ApiError, ApiResult};
use crate::faults::FaultSpec;
use crate::state::{lock, AppState};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::sync::Arc;

fn respond(r: ApiResult) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /_emulator/sessions/{id}/pay` `{"card_number": ".."}` or `{"cancel": true}`.
pub(crate) async fn pay(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    respond(pay_inner(st, id, Ctx::new(req)).await)
}

async fn pay_inner(st: Arc<AppState>, id: String, mut ctx: Ctx) -> ApiResult {
    let body = ctx.json_object().await?;
    let cancel = match body.get("cancel") {
        None | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(_) => {
            return Err(ApiError::validation(vec![(
                "cancel".into(),
                "must be a boolean".into(),
            )]))
        }
    };
    let outcome = if cancel {
        crate::pay::cancel(&st, &id).await?
    } else {
        let card = match body.get("card_number") {
            Some(Value::String(c)) => c.clone(),
            Some(_) => {
                return Err(ApiError::validation(vec![(
                    "card_number".into(),
                    "must be a string".into(),
                )]))
            }
            None => {
                return Err(ApiError::validation(vec![(
                    "card_number".into(),
                    "is required (or send {\"cancel\": true})".into(),
                )]))
            }
        };
        let expiry = body.get("expiry").and_then(Value::as_str);
        crate::pay::pay(&st, &id, &card, expiry).await?
    };
    Ok(json_response(
        StatusCode::OK,
        &serde_json::to_value(&outcome).unwrap_or_default(),
    ))
}

/// `POST /_emulator/sessions/{id}/lock`: what the checkout does when the customer starts
/// paying; a locked session can be updated without `update_without_lock`.
pub(crate) async fn lock_session(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Response {
    respond((|| {
        let entry = st
            .session(&id)
            .ok_or_else(|| ApiError::not_found(format!("session {id:?} not found")))?;
        let now = st.now();
        let mut s = lock(&entry.data);
        if let Some(reason) = s.not_payable_reason(now) {
            return Err(ApiError::bad_request(format!("cannot lock: {reason}")));
        }
        if !s.locked {
            s.locked = true;
            s.push_event("PAY_LOCK_START", now, None);
        }
        Ok(json_response(
            StatusCode::OK,
            &s.render(&st.config.account_id),
        ))
    })())
}

pub(crate) async fn callbacks(State(st): State<Arc<AppState>>) -> Response {
    let list = crate::Emulator::callbacks_of(&st);
    json_response(
        StatusCode::OK,
        &serde_json::to_value(list).unwrap_or_default(),
    )
}

pub(crate) async fn add_fault(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let mut ctx = Ctx::new(req);
    respond(
        async {
            let body = ctx.json_object().await?;
            let spec: FaultSpec = serde_json::from_value(Value::Object(body))
                .map_err(|e| ApiError::bad_request(format!("invalid fault: {e}")))?;
            spec.check().map_err(ApiError::bad_request)?;
            st.faults.add(spec);
            Ok(json_response(
                StatusCode::OK,
                &json!({"faults": st.faults.list()}),
            ))
        }
        .await,
    )
}

pub(crate) async fn list_faults(State(st): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &json!({"faults": st.faults.list()}))
}

pub(crate) async fn clear_faults(State(st): State<Arc<AppState>>) -> Response {
    st.faults.clear();
    json_response(StatusCode::OK, &json!({"faults": []}))
}

pub(crate) async fn requests(State(st): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &st.requests.to_json())
}

pub(crate) async fn advance_clock(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let mut ctx = Ctx::new(req);
    respond(
        async {
            let body = ctx.json_object().await?;
            let secs = body.get("seconds").and_then(Value::as_i64).ok_or_else(|| {
                ApiError::validation(vec![("seconds".into(), "must be an integer".into())])
            })?;
            st.advance_clock(secs);
            Ok(json_response(
                StatusCode::OK,
                &json!({"now": crate::util::fmt_time(st.now())}),
            ))
        }
        .await,
    )
}

/// `GET /_emulator/catalog`: the test cards, fault kinds and fault routes.
pub(crate) async fn catalog() -> Response {
    json_response(StatusCode::OK, &crate::catalog::catalog())
}

pub(crate) async fn reset(State(st): State<Arc<AppState>>) -> Response {
    st.reset();
    json_response(StatusCode::OK, &json!({"reset": true}))
}
