//! Account set-up without Backoffice: the callback signature secret
//! (`/v1/admin/signature` on the checkout host) and webhook subscriptions
//! (`/v1/accounts/{aid}/hooks/subscriptions` on the API host).

use std::fmt;

use http::Method;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::http::{url_path, Mode, Request};
use crate::models::Extra;
use crate::secret::Secret;
use crate::sessions::check_id;
use crate::Client;

/// The account's callback signature secret, as `GET /v1/admin/signature` returns it.
/// `Debug` never shows the secret.
#[derive(Clone, PartialEq)]
pub struct SignatureSecret {
    /// The secret's id.
    pub id: Option<String>,
    /// When it was created.
    pub created_at: Option<String>,
    /// Who created it.
    pub created_by: Option<String>,
    /// The scheme, `v0-hmac-sha256`.
    pub scheme: String,
    /// The secret itself: give it to [`crate::CallbackVerifier::new`].
    pub secret: Secret,
}

impl fmt::Debug for SignatureSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureSecret")
            .field("id", &self.id)
            .field("created_at", &self.created_at)
            .field("scheme", &self.scheme)
            .field("secret", &self.secret)
            .finish()
    }
}

#[derive(Deserialize)]
struct SignatureBody {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    created_by: Option<String>,
    signature: SignatureInner,
}

#[derive(Deserialize)]
struct SignatureInner {
    #[serde(rename = "type", default)]
    scheme: Option<String>,
    secret: String,
}

impl From<SignatureBody> for SignatureSecret {
    fn from(b: SignatureBody) -> Self {
        SignatureSecret {
            id: b.id,
            created_at: b.created_at,
            created_by: b.created_by,
            scheme: b
                .signature
                .scheme
                .unwrap_or_else(|| "v0-hmac-sha256".to_string()),
            secret: Secret::new(b.signature.secret),
        }
    }
}

/// A webhook subscription to create: where to deliver, which events, and the secret the
/// deliveries are signed with (`event-signature`, see [`crate::verify_webhook`]).
#[derive(Clone, PartialEq)]
pub struct NewHookSubscription {
    /// Where Dintero POSTs each event.
    pub url: String,
    /// Event names, e.g. `checkout_transaction`, `checkout_authorization`.
    pub events: Vec<String>,
    /// The signing secret; without one, deliveries are not signed.
    pub secret: Option<Secret>,
}

impl fmt::Debug for NewHookSubscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewHookSubscription")
            .field("url", &self.url)
            .field("events", &self.events)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .finish()
    }
}

/// A webhook subscription as Dintero returns it (the secret is never read back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HookSubscription {
    /// The subscription's id.
    #[serde(default)]
    pub id: String,
    /// The events it delivers.
    #[serde(default)]
    pub events: Vec<String>,
    /// Where it delivers (`config.url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Everything else, as sent (the rest of `config` included, minus any secret).
    #[serde(flatten)]
    pub extra: Extra,
}

impl HookSubscription {
    fn from_value(mut v: serde_json::Value) -> Result<Self> {
        // `config` holds the url (and, on some answers, the secret): lift the url out and
        // never keep a secret in a value that may be logged.
        let url = v
            .get("config")
            .and_then(|c| c.get("url"))
            .and_then(|u| u.as_str())
            .map(str::to_string);
        if let Some(config) = v.get_mut("config").and_then(|c| c.as_object_mut()) {
            config.remove("secret");
        }
        let mut sub: HookSubscription = serde_json::from_value(v)
            .map_err(|e| Error::decode(format!("the hook subscription: {e}")))?;
        if sub.url.is_none() {
            sub.url = url;
        }
        Ok(sub)
    }
}

/// Account set-up calls; get one from [`Client::admin`].
#[derive(Debug, Clone, Copy)]
pub struct Admin<'a> {
    pub(crate) client: &'a Client,
}

impl Admin<'_> {
    /// Reads the callback signature secret: `GET /v1/admin/signature`. `None` when the account
    /// has none yet (Dintero's 404); create one with [`Admin::rotate_signature_secret`].
    pub async fn signature_secret(&self) -> Result<Option<SignatureSecret>> {
        let t = &self.client.inner;
        let req = Request::new(
            Method::GET,
            t.checkout_url("/v1/admin/signature"),
            "get signature secret",
        );
        match t.execute(&req, Mode::Idempotent).await {
            Ok(response) => Ok(Some(
                response
                    .json::<SignatureBody>("the signature secret")?
                    .into(),
            )),
            Err(f) if f.error.kind() == ErrorKind::NotFound => Ok(None),
            Err(f) => Err(f.error),
        }
    }

    /// Creates a new callback signature secret, replacing the old one at once (callbacks
    /// signed with the old secret stop verifying): `POST /v1/admin/signature`. Sent once,
    /// never retried after it may have reached Dintero: a rotation applied twice is a
    /// secret nobody read.
    pub async fn rotate_signature_secret(&self) -> Result<SignatureSecret> {
        let t = &self.client.inner;
        let req = Request::new(
            Method::POST,
            t.checkout_url("/v1/admin/signature"),
            "rotate signature secret",
        );
        let response = t
            .execute(&req, Mode::NotApplied)
            .await
            .map_err(|f| f.error)?;
        Ok(response
            .json::<SignatureBody>("the signature secret")?
            .into())
    }

    /// The secret, creating one when the account has none: what a set-up script wants.
    pub async fn ensure_signature_secret(&self) -> Result<SignatureSecret> {
        match self.signature_secret().await? {
            Some(s) => Ok(s),
            None => self.rotate_signature_secret().await,
        }
    }

    fn hooks_url(&self, id: Option<&str>) -> String {
        let t = &self.client.inner;
        let aid = t.config.account_id.as_str();
        let mut parts = vec!["v1", "accounts", aid, "hooks", "subscriptions"];
        parts.extend(id);
        t.api_url(&url_path(&parts))
    }

    /// Subscribes to webhooks: `POST /v1/accounts/{aid}/hooks/subscriptions`. Dintero sends
    /// a `ping` event to the URL when it is created. Not retried once it may have been
    /// applied (a second subscription would deliver every event twice).
    pub async fn create_hook_subscription(
        &self,
        subscription: &NewHookSubscription,
    ) -> Result<HookSubscription> {
        if subscription.events.is_empty() {
            return Err(Error::invalid_input(
                "subscription.events: must name at least one event, e.g. checkout_transaction",
            ));
        }
        let mut config = serde_json::json!({
            "url": subscription.url,
            "content_type": "application/json",
        });
        if let Some(secret) = &subscription.secret {
            config["secret"] = secret.expose().into();
        }
        let body = serde_json::json!({"config": config, "events": subscription.events});
        let t = &self.client.inner;
        let req = Request::new(
            Method::POST,
            self.hooks_url(None),
            "create hook subscription",
        )
        .json_body(&body)?;
        let response = t
            .execute(&req, Mode::NotApplied)
            .await
            .map_err(|f| f.error)?;
        HookSubscription::from_value(response.json("the hook subscription")?)
    }

    /// The account's webhook subscriptions: `GET /v1/accounts/{aid}/hooks/subscriptions`.
    pub async fn hook_subscriptions(&self) -> Result<Vec<HookSubscription>> {
        let t = &self.client.inner;
        let req = Request::new(Method::GET, self.hooks_url(None), "list hook subscriptions");
        let values: Vec<serde_json::Value> = t
            .execute(&req, Mode::Idempotent)
            .await
            .map_err(|f| f.error)?
            .json("the hook subscriptions")?;
        values
            .into_iter()
            .map(HookSubscription::from_value)
            .collect()
    }

    /// Deletes a webhook subscription: `DELETE /v1/accounts/{aid}/hooks/subscriptions/{id}`.
    /// Deleting one that is already gone is not an error.
    pub async fn delete_hook_subscription(&self, subscription_id: &str) -> Result<()> {
        check_id("subscription_id", subscription_id)?;
        let t = &self.client.inner;
        let req = Request::new(
            Method::DELETE,
            self.hooks_url(Some(subscription_id)),
            "delete hook subscription",
        );
        match t.execute(&req, Mode::Idempotent).await {
            Ok(_) => Ok(()),
            Err(f) if f.error.kind() == ErrorKind::NotFound => Ok(()),
            Err(f) => Err(f.error),
        }
    }
}
