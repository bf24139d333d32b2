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
    let string = |key: &str| -> Result<Option<String>, ApiError> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::validation(vec![(
                key.into(),
                "must be a string".into(),
            )])),
        }
    };
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
    let paid = if cancel {
        crate::pay::cancel_paid(&st, &id).await?
    } else {
        let product_type =
            string("payment_product_type")?.unwrap_or_else(|| crate::methods::CARD.to_string());
        let (key, hint) = if product_type == crate::methods::CARD {
            ("card_number", "is required (or send {\"cancel\": true})")
        } else {
            ("phone_number", "is required for this payment method")
        };
        let input =
            string(key)?.ok_or_else(|| ApiError::validation(vec![(key.into(), hint.into())]))?;
        let expiry = string("expiry")?;
        crate::pay::pay_with(&st, &id, &product_type, &input, expiry.as_deref()).await?
    };
    let session = st
        .session(&id)
        .map(|e| lock(&e.data).clone())
        .ok_or_else(|| ApiError::not_found(format!("session {id:?} not found")))?;
    Ok(json_response(StatusCode::OK, &paid.to_json(&session)))
}

/// `POST /_emulator/sessions/{id}/lock`: what the checkout does when the customer starts
/// paying; a locked session can be updated without `update_without_lock`.
pub(crate) async fn lock_session(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Response {
    respond(
        crate::pay::lock_for_payment(&st, &id)
            .map(|(_, s)| json_response(StatusCode::OK, &s.render(&st.config.account_id))),
    )
}

/// `POST /_emulator/transactions/{id}/decide` `{"approve": true|false}`: the provider's
/// manual review of an ON_HOLD transaction.
pub(crate) async fn decide(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let mut ctx = Ctx::new(req);
    respond(
        async {
            let body = ctx.json_object().await?;
            let approve = match body.get("approve") {
                Some(Value::Bool(b)) => *b,
                _ => {
                    return Err(ApiError::validation(vec![(
                        "approve".into(),
                        "is required: true (AUTHORIZED) or false (FAILED)".into(),
                    )]))
                }
            };
            let tx = crate::pay::decide(&st, &id, approve).await?;
            Ok(json_response(StatusCode::OK, &tx))
        }
        .await,
    )
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
