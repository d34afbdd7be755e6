//! The QuickBooks connection: the app's credentials, the OAuth 2.0 authorisation-code flow
//! (`pet_qbo::oauth`), tokens stored encrypted (ChaCha20-Poly1305 with a key derived from
//! the site's secret, `Config::secret_key`), refreshed before they expire, and the "lost"
//! state a refused refresh or a 401 leaves for the settings screen's notice.

use std::time::Duration as StdDuration;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use chrono::{DateTime, Duration, Utc};
use pet_core::accounting::AccountingPort;
use pet_qbo::oauth::{OAuthApp, OAuthError, Tokens};
use pet_qbo::{QboClient, QboConfig};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{internal, AppError};
use crate::services::Accounting;

/// How long before its expiry an access token is refreshed.
pub const REFRESH_BEFORE_SECS: i64 = 300;

/// Encrypts and decrypts secrets with a key derived from the site's secret (the QuickBooks
/// credentials here; the mail module's mailbox password, each under its own domain tag).
pub(crate) struct Sealer(ChaCha20Poly1305, &'static str);

impl Sealer {
    /// The QuickBooks sealer of `secret`.
    pub(crate) fn new(secret: &str) -> Self {
        Self::for_use(
            b"pet.accounting.v1\0",
            "a stored QuickBooks secret cannot be decrypted (the site's secret key \
             changed?): enter the client secret again and reconnect",
            secret,
        )
    }

    /// The sealer of `secret` for one use (SHA-256 of the use's domain tag and the secret as
    /// the key); `undecryptable` is the error a value that does not open gives.
    pub(crate) fn for_use(tag: &[u8], undecryptable: &'static str, secret: &str) -> Self {
        let mut h = Sha256::new();
        h.update(tag);
        h.update(secret.as_bytes());
        let key: [u8; 32] = h.finalize().into();
        Self(ChaCha20Poly1305::new(Key::from_slice(&key)), undecryptable)
    }

    /// `v1:` + hex(nonce) + hex(ciphertext and tag); a fresh random nonce per seal.
    pub(crate) fn seal(&self, plain: &str) -> Result<String, AppError> {
        let nonce_bytes: [u8; 12] = {
            let u = Uuid::new_v4();
            let mut n = [0u8; 12];
            n.copy_from_slice(&u.as_bytes()[..12]);
            n
        };
        let ct = self
            .0
            .encrypt(Nonce::from_slice(&nonce_bytes), plain.as_bytes())
            .map_err(|_| internal("encryption failed"))?;
        Ok(format!("v1:{}{}", hex(&nonce_bytes), hex(&ct)))
    }

    /// Opens a sealed value; an error when it was sealed with another key or altered.
    pub(crate) fn open(&self, sealed: &str) -> Result<String, AppError> {
        let bad = || AppError::Invariant(self.1.into());
        let raw = sealed.strip_prefix("v1:").ok_or_else(bad)?;
        let bytes = unhex(raw).ok_or_else(bad)?;
        if bytes.len() < 12 + 16 {
            return Err(bad());
        }
        let (nonce, ct) = bytes.split_at(12);
        let plain = self
            .0
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| bad())?;
        String::from_utf8(plain).map_err(|_| bad())
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The stored connection (secrets sealed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Connection {
    environment: String,
    api_base: String,
    auth_url: String,
    token_url: String,
    client_id: String,
    client_secret: String,
    redirect_url: String,
    realm_id: Option<String>,
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_at: Option<DateTime<Utc>>,
    /// `not_connected`, `connected` or `lost`.
    status: String,
    lost_reason: Option<String>,
    /// SHA-256 of the `state` of the authorisation in progress.
    pending_state: Option<String>,
}

fn sha(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

fn text(input: &Value, k: &str) -> Option<String> {
    input
        .get(k)
        .and_then(Value::as_str)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn is_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

impl Accounting<'_> {
    fn sealer(&self) -> Result<Sealer, AppError> {
        self.secret_key().map(Sealer::new).ok_or_else(|| {
            AppError::Invariant(
                "the site has no secret key to encrypt QuickBooks credentials with \
                 (define PET_ENCRYPTION_KEY or AUTH_KEY in wp-config.php)"
                    .into(),
            )
        })
    }

    async fn connection(&self) -> Result<Connection, AppError> {
        let mut conn = self.conn().await?;
        Ok(match self.setting(&mut conn, "connection").await? {
            Some(v) => serde_json::from_value(v).map_err(|_| internal("accounting connection"))?,
            None => Connection {
                status: "not_connected".into(),
                ..Connection::default()
            },
        })
    }

    async fn put_connection(&self, c: &Connection) -> Result<(), AppError> {
        let v = serde_json::to_value(c).map_err(|_| internal("accounting connection"))?;
        let mut conn = self.conn().await?;
        self.put_setting(&mut conn, "connection", &v).await
    }

    /// The connection as the settings screen shows it (no secret): `{status, environment,
    /// client_id, has_client_secret, redirect_url, realm_id, expires_at, lost_reason}`.
    pub async fn connection_status(&self) -> Result<Value, AppError> {
        let c = self.connection().await?;
        Ok(json!({
            "status": c.status,
            "environment": c.environment,
            "client_id": c.client_id,
            "has_client_secret": !c.client_secret.is_empty(),
            "redirect_url": c.redirect_url,
            "realm_id": c.realm_id,
            "expires_at": c.expires_at.map(|t| t.to_rfc3339()),
            "lost_reason": c.lost_reason,
            "api_base": c.api_base,
        }))
    }

    /// Saves the app's credentials: `{environment: production|sandbox|custom, client_id,
    /// client_secret (blank: keep the stored one), redirect_url, api_base, auth_url,
    /// token_url (custom only)}`. Changing them disconnects.
    pub async fn save_connection_settings(&self, input: &Value) -> Result<Value, AppError> {
        let mut errors = pet_core::FieldErrors::new();
        let old = self.connection().await?;
        let environment = text(input, "environment").unwrap_or_else(|| "production".into());
        let (api_base, auth_url, token_url) = match environment.as_str() {
            "production" => (
                pet_qbo::PRODUCTION_API.to_owned(),
                pet_qbo::oauth::INTUIT_AUTH_URL.to_owned(),
                pet_qbo::oauth::INTUIT_TOKEN_URL.to_owned(),
            ),
            "sandbox" => (
                pet_qbo::SANDBOX_API.to_owned(),
                pet_qbo::oauth::INTUIT_AUTH_URL.to_owned(),
                pet_qbo::oauth::INTUIT_TOKEN_URL.to_owned(),
            ),
            "custom" => {
                let mut url = |k: &str| match text(input, k) {
                    Some(u) if is_url(&u) => u,
                    _ => {
                        errors.add(k, "must be an http(s) URL");
                        String::new()
                    }
                };
                (url("api_base"), url("auth_url"), url("token_url"))
            }
            _ => {
                errors.add("environment", "must be production, sandbox or custom");
                Default::default()
            }
        };
        let client_id = text(input, "client_id").unwrap_or_default();
        if client_id.is_empty() {
            errors.add("client_id", "is required");
        }
        let redirect_url = text(input, "redirect_url").unwrap_or_default();
        if !is_url(&redirect_url) {
            errors.add("redirect_url", "must be an http(s) URL");
        }
        let secret = text(input, "client_secret");
        if secret.is_none() && old.client_secret.is_empty() {
            errors.add("client_secret", "is required");
        }
        errors.into_result().map_err(AppError::from)?;
        let client_secret = match secret {
            Some(s) => self.sealer()?.seal(&s)?,
            None => old.client_secret,
        };
        self.put_connection(&Connection {
            environment,
            api_base,
            auth_url,
            token_url,
            client_id,
            client_secret,
            redirect_url,
            status: "not_connected".into(),
            ..Connection::default()
        })
        .await?;
        self.connection_status().await
    }

    fn oauth_app(&self, c: &Connection) -> Result<OAuthApp, AppError> {
        if c.client_id.is_empty() || c.client_secret.is_empty() {
            return Err(AppError::Invariant(
                "save the QuickBooks client id and secret first".into(),
            ));
        }
        Ok(OAuthApp {
            client_id: c.client_id.clone(),
            client_secret: self.sealer()?.open(&c.client_secret)?,
            redirect_url: c.redirect_url.clone(),
            auth_url: c.auth_url.clone(),
            token_url: c.token_url.clone(),
        })
    }

    /// Starts the authorisation: remembers `state` (its hash) and returns `{url}`, where
    /// the admin is sent; Intuit sends them back to the redirect URL with the code.
    pub async fn start_connection(&self, state: &str) -> Result<Value, AppError> {
        if state.trim().len() < 16 {
            return Err(AppError::field("state", "must be at least 16 characters"));
        }
        let mut c = self.connection().await?;
        let app = self.oauth_app(&c)?;
        let url = pet_qbo::oauth::authorize_url(&app, state)
            .map_err(|e| AppError::Invariant(e.to_string()))?;
        c.pending_state = Some(sha(state));
        self.put_connection(&c).await?;
        Ok(json!({ "url": url }))
    }

    /// Finishes the authorisation with what Intuit sent back: `{code, state, realm_id}`;
    /// the state must be the one started. Stores the tokens encrypted.
    pub async fn finish_connection(&self, input: &Value) -> Result<Value, AppError> {
        let mut errors = pet_core::FieldErrors::new();
        let code = text(input, "code").unwrap_or_default();
        let state = text(input, "state").unwrap_or_default();
        let realm = text(input, "realm_id").unwrap_or_default();
        if code.is_empty() {
            errors.add("code", "is required");
        }
        if realm.is_empty() || !realm.chars().all(|c| c.is_ascii_digit()) {
            errors.add("realm_id", "must be the company's numeric id");
        }
        errors.into_result().map_err(AppError::from)?;
        let mut c = self.connection().await?;
        if c.pending_state.as_deref() != Some(sha(&state).as_str()) {
            return Err(AppError::Invariant(
                "this authorisation was not started here (state mismatch); connect again".into(),
            ));
        }
        let app = self.oauth_app(&c)?;
        let tokens = pet_qbo::oauth::exchange_code(&app, &code, self.now())
            .await
            .map_err(|e| AppError::Invariant(e.to_string()))?;
        c.realm_id = Some(realm);
        c.pending_state = None;
        self.store_tokens(&mut c, &tokens)?;
        self.put_connection(&c).await?;
        self.connection_status().await
    }

    fn store_tokens(&self, c: &mut Connection, t: &Tokens) -> Result<(), AppError> {
        let s = self.sealer()?;
        c.access_token = Some(s.seal(&t.access_token)?);
        c.refresh_token = Some(s.seal(&t.refresh_token)?);
        c.expires_at = Some(t.expires_at);
        c.status = "connected".into();
        c.lost_reason = None;
        Ok(())
    }

    /// Forgets the tokens (the credentials stay).
    pub async fn disconnect(&self) -> Result<Value, AppError> {
        let mut c = self.connection().await?;
        c.access_token = None;
        c.refresh_token = None;
        c.expires_at = None;
        c.realm_id = None;
        c.status = "not_connected".into();
        c.lost_reason = None;
        self.put_connection(&c).await?;
        self.connection_status().await
    }

    /// Records that the connection is lost (the settings screen shows the reason).
    pub(crate) async fn connection_lost(&self, reason: &str) -> Result<(), AppError> {
        let mut c = self.connection().await?;
        if c.status == "connected" {
            c.status = "lost".into();
            c.lost_reason = Some(reason.chars().take(300).collect());
            self.put_connection(&c).await?;
        }
        Ok(())
    }

    /// The port of the stored connection, its access token refreshed first when it
    /// expires within [`REFRESH_BEFORE_SECS`].
    pub(crate) async fn connected_port(&self) -> Result<Box<dyn AccountingPort>, AppError> {
        let mut c = self.connection().await?;
        if c.status != "connected" {
            return Err(AppError::Invariant(match c.lost_reason {
                Some(r) => format!("QuickBooks connection lost: {r}"),
                None => "QuickBooks is not connected".into(),
            }));
        }
        let now = self.now();
        let due = c
            .expires_at
            .is_none_or(|t| t - now <= Duration::seconds(REFRESH_BEFORE_SECS));
        if due {
            let app = self.oauth_app(&c)?;
            let refresh = c
                .refresh_token
                .as_deref()
                .map(|r| self.sealer().and_then(|s| s.open(r)))
                .transpose()?
                .unwrap_or_default();
            match pet_qbo::oauth::refresh(&app, &refresh, now).await {
                Ok(t) => {
                    self.store_tokens(&mut c, &t)?;
                    self.put_connection(&c).await?;
                }
                Err(e @ OAuthError::Refused(_)) => {
                    self.connection_lost(&e.to_string()).await?;
                    return Err(AppError::Invariant(format!(
                        "QuickBooks connection lost: {e}"
                    )));
                }
                Err(e) => return Err(AppError::Invariant(e.to_string())),
            }
        }
        let token = c
            .access_token
            .as_deref()
            .map(|t| self.sealer().and_then(|s| s.open(t)))
            .transpose()?
            .unwrap_or_default();
        let client = QboClient::new(QboConfig {
            api_base: c.api_base.clone(),
            realm_id: c.realm_id.clone().unwrap_or_default(),
            access_token: token,
            timeout: StdDuration::from_secs(30),
        })
        .map_err(|e| AppError::Storage(e.to_string()))?;
        Ok(Box::new(client))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_never_show_in_clear() {
        let a = Sealer::new("site secret one");
        let sealed = a.seal("refresh-token-123").unwrap_or_default();
        assert!(sealed.starts_with("v1:") && !sealed.contains("refresh-token-123"));
        assert_eq!(a.open(&sealed).ok().as_deref(), Some("refresh-token-123"));
        // A fresh nonce each time.
        assert_ne!(
            a.seal("x").unwrap_or_default(),
            a.seal("x").unwrap_or_default()
        );
        assert!(Sealer::new("another secret").open(&sealed).is_err());
        let mut tampered = sealed.clone();
        tampered.replace_range(sealed.len() - 2.., "00");
        assert!(a.open(&tampered).is_err() || tampered == sealed);
        assert!(a.open("plain").is_err());
    }

    #[test]
    fn each_use_has_its_own_key_and_error() {
        let qbo = Sealer::new("site secret");
        let mail = Sealer::for_use(b"pet.mail.mailbox.v1\0", "mailbox password", "site secret");
        let sealed = mail.seal("imap-pass").unwrap_or_default();
        assert_eq!(mail.open(&sealed).ok().as_deref(), Some("imap-pass"));
        // The same site secret, another use: neither opens the other's values.
        assert!(qbo.open(&sealed).is_err());
        let q = qbo.seal("refresh").unwrap_or_default();
        match mail.open(&q) {
            Err(AppError::Invariant(m)) => assert_eq!(m, "mailbox password"),
            other => panic!("expected the mailbox error, got {other:?}"),
        }
    }
}
