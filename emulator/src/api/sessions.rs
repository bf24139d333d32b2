//! `/v1/sessions-profile`, `/v1/sessions`, `/v1/sessions/{id}` and `/v1/sessions/{id}/cancel`.

use super::Ctx;
use crate::error::{json_response, ApiError, ApiResult};
use crate::model::{Session, TxStatus};
use crate::state::{lock, AppState};
use crate::txops::{apply, Op};
use crate::util::object_id;
use crate::validate::{check_order, check_session_create, Problems};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::sync::Arc;

/// Default session lifetime when the request has no `expires_at` (a guess).
const DEFAULT_SESSION_TTL: time::Duration = time::Duration::hours(24);

fn respond(r: ApiResult) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

fn session_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("session {id:?} not found"))
}

pub(crate) async fn create_profile(State(st): State<Arc<AppState>>, req: Request) -> Response {
    respond(create(st, Ctx::new(req), true).await)
}

pub(crate) async fn create_plain(State(st): State<Arc<AppState>>, req: Request) -> Response {
    respond(create(st, Ctx::new(req), false).await)
}

fn strict_amounts(ctx: &Ctx) -> bool {
    ctx.headers
        .get_all("dintero-feature-toggles")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "strict-session-amounts")
}

async fn create(st: Arc<AppState>, mut ctx: Ctx, profile: bool) -> ApiResult {
    st.authenticate(&ctx.headers)?;
    let mut body = ctx.json_object().await?;
    let now = st.now();
    let expires = check_session_create(
        &body,
        profile,
        strict_amounts(&ctx),
        st.config.strict_urls,
        now,
    )?;
    let profile_id = if profile {
        body.remove("profile_id")
            .and_then(|v| v.as_str().map(str::to_string))
    } else {
        None
    };
    body.remove("expires_at");
    let mut session = Session {
        id: object_id(&st.config.account_id),
        body,
        profile_id,
        created: now,
        updated: now,
        expires: expires.unwrap_or_else(|| now.checked_add(DEFAULT_SESSION_TTL).unwrap_or(now)),
        events: Vec::new(),
        transaction_id: None,
        cancelled_at: None,
        cancelled_by: None,
        locked: false,
        visited: false,
    };
    session.push_event("INITIATED", now, None);
    let id = session.id.clone();
    let rendered = ctx
        .query_true("include_session")
        .then(|| session.render(&st.config.account_id));
    st.insert_session(session);
    let mut out = json!({"id": id, "url": format!("{}/v1/view/{}", st.base_url, id)});
    if let (Some(r), Some(o)) = (rendered, out.as_object_mut()) {
        o.insert("session".into(), r);
    }
    Ok(json_response(StatusCode::OK, &out))
}

pub(crate) async fn get(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let ctx = Ctx::new(req);
    respond((|| {
        st.authenticate(&ctx.headers)?;
        let entry = st.session(&id).ok_or_else(|| session_not_found(&id))?;
        let v = lock(&entry.data).render(&st.config.account_id);
        Ok(json_response(StatusCode::OK, &v))
    })())
}

pub(crate) async fn update(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    respond(update_inner(st, id, Ctx::new(req)).await)
}

async fn update_inner(st: Arc<AppState>, id: String, mut ctx: Ctx) -> ApiResult {
    st.authenticate(&ctx.headers)?;
    let entry = st.session(&id).ok_or_else(|| session_not_found(&id))?;
    let body = ctx.json_object().await?;
    let mut p = Problems::default();
    let order_update = match body.get("order") {
        None => {
            p.add("order", "is required");
            None
        }
        Some(Value::Object(o)) => Some(o.clone()),
        Some(_) => {
            p.add("order", "must be an object");
            None
        }
    };
    let remove_lock = match body.get("remove_lock") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            p.add("remove_lock", "must be a boolean");
            true
        }
    };
    p.into_result()?;
    let order_update = order_update.unwrap_or_default();

    let _op = entry.op.lock().await;
    let now = st.now();
    let mut s = lock(&entry.data);
    if let Some(reason) = s.not_payable_reason(now) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "SESSION_NOT_UPDATABLE",
            format!("cannot update: {reason}"),
        ));
    }
    if !s.locked && !ctx.query_true("update_without_lock") {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "SESSION_NOT_LOCKED",
            "the session is not locked for payment; lock it from the checkout first or pass update_without_lock=true",
        ));
    }
    let previous = s.order().cloned().unwrap_or_default();
    let mut merged = previous.clone();
    for (k, v) in order_update {
        merged.insert(k, v);
    }
    let mut p = Problems::default();
    check_order(&mut p, &merged, true);
    p.into_result()?;
    if let Some(exp) = body.get("express") {
        s.body.insert("express".into(), exp.clone());
    }
    s.body.insert("order".into(), Value::Object(merged.clone()));
    s.push_event(
        "UPDATE_SESSION",
        now,
        Some(json!({"previous_order": previous, "updated_order": merged})),
    );
    if remove_lock && s.locked {
        s.locked = false;
        s.push_event("PAY_LOCK_END", now, None);
    }
    Ok(json_response(
        StatusCode::OK,
        &s.render(&st.config.account_id),
    ))
}

pub(crate) async fn cancel(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    respond(cancel_inner(st, id, Ctx::new(req)).await)
}

async fn cancel_inner(st: Arc<AppState>, id: String, ctx: Ctx) -> ApiResult {
    st.authenticate(&ctx.headers)?;
    let entry = st.session(&id).ok_or_else(|| session_not_found(&id))?;
    let _op = entry.op.lock().await;
    let snapshot = lock(&entry.data).clone();
    if snapshot.cancelled_at.is_some() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "SESSION_CANCELLED",
            "the session is already cancelled",
        ));
    }
    if let Some(tx_id) = &snapshot.transaction_id {
        if let Some(tx_entry) = st.tx(tx_id) {
            let _tx_op = tx_entry.op.lock().await;
            let status = tx_entry.snapshot().tx.status;
            match status {
                TxStatus::Authorized => {
                    apply(&st, &tx_entry, &Op::Void, &ctx.request_id, None).await?;
                }
                TxStatus::Initiated => {}
                other => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "INVALID_OPERATION",
                        format!(
                            "cannot cancel the session: its transaction {tx_id} has status {}",
                            other.as_str()
                        ),
                    ))
                }
            }
        }
    }
    let now = st.now();
    let s = {
        let mut s = lock(&entry.data);
        s.locked = false;
        s.cancelled_at = Some(now);
        s.cancelled_by = Some(st.config.client_id.clone());
        s.push_event("CANCELLED", now, None);
        s.clone()
    };
    // A merchant cancellation sends no session callback (see README).
    Ok(json_response(
        StatusCode::OK,
        &s.render(&st.config.account_id),
    ))
}
