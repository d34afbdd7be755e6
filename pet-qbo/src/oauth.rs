//! The OAuth 2.0 authorisation-code flow of a QBO connection (Intuit's OAuth 2.0 server),
//! with the `oauth2` crate: the URL the admin is sent to, the code exchange on the way
//! back, and the refresh of an access token before it expires.

use chrono::{DateTime, Duration, Utc};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, RedirectUrl, RefreshToken,
    Scope, TokenResponse, TokenUrl,
};

/// Intuit's authorisation endpoint.
pub const INTUIT_AUTH_URL: &str = "https://appcenter.intuit.com/connect/oauth2";
/// Intuit's token endpoint.
pub const INTUIT_TOKEN_URL: &str = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer";
/// The scope of the accounting API.
pub const ACCOUNTING_SCOPE: &str = "com.intuit.quickbooks.accounting";

/// The app's credentials and endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthApp {
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: String,
    /// Where Intuit sends the admin back (a wp-admin URL).
    pub redirect_url: String,
    /// The authorisation endpoint ([`INTUIT_AUTH_URL`] or a stand-in's).
    pub auth_url: String,
    /// The token endpoint ([`INTUIT_TOKEN_URL`] or a stand-in's).
    pub token_url: String,
}

/// Tokens as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    /// The access token.
    pub access_token: String,
    /// The refresh token (Intuit rotates it).
    pub refresh_token: String,
    /// When the access token expires.
    pub expires_at: DateTime<Utc>,
}

/// A failure of the flow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    /// A URL of the configuration is malformed.
    #[error("invalid OAuth configuration: {0}")]
    Config(String),
    /// The token endpoint refused (a revoked or expired refresh token: reconnect).
    #[error("the token endpoint refused: {0}")]
    Refused(String),
}

type Client = BasicClient<
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

fn client(app: &OAuthApp) -> Result<Client, OAuthError> {
    let cfg = |e: oauth2::url::ParseError| OAuthError::Config(e.to_string());
    Ok(BasicClient::new(ClientId::new(app.client_id.clone()))
        .set_client_secret(ClientSecret::new(app.client_secret.clone()))
        .set_auth_uri(AuthUrl::new(app.auth_url.clone()).map_err(cfg)?)
        .set_token_uri(TokenUrl::new(app.token_url.clone()).map_err(cfg)?)
        .set_redirect_uri(RedirectUrl::new(app.redirect_url.clone()).map_err(cfg)?))
}

/// The URL to send the admin to, carrying `state` (which the caller keeps and checks when
/// the admin comes back).
pub fn authorize_url(app: &OAuthApp, state: &str) -> Result<String, OAuthError> {
    let state = state.to_owned();
    let (url, _) = client(app)?
        .authorize_url(move || CsrfToken::new(state))
        .add_scope(Scope::new(ACCOUNTING_SCOPE.to_owned()))
        .url();
    Ok(url.to_string())
}

fn http() -> Result<reqwest::Client, OAuthError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| OAuthError::Config(e.to_string()))
}

fn tokens<T: TokenResponse>(t: &T, now: DateTime<Utc>, old_refresh: Option<&str>) -> Tokens {
    let secs = t.expires_in().map_or(3600, |d| d.as_secs() as i64);
    Tokens {
        access_token: t.access_token().secret().clone(),
        refresh_token: t
            .refresh_token()
            .map(|r| r.secret().clone())
            .or_else(|| old_refresh.map(str::to_owned))
            .unwrap_or_default(),
        expires_at: now + Duration::seconds(secs),
    }
}

/// Exchanges the code Intuit sent back for tokens.
pub async fn exchange_code(
    app: &OAuthApp,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Tokens, OAuthError> {
    let http = http()?;
    let t = client(app)?
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .request_async(&http)
        .await
        .map_err(|e| OAuthError::Refused(e.to_string()))?;
    Ok(tokens(&t, now, None))
}

/// Refreshes the access token.
pub async fn refresh(
    app: &OAuthApp,
    refresh_token: &str,
    now: DateTime<Utc>,
) -> Result<Tokens, OAuthError> {
    let http = http()?;
    let t = client(app)?
        .exchange_refresh_token(&RefreshToken::new(refresh_token.to_owned()))
        .request_async(&http)
        .await
        .map_err(|e| OAuthError::Refused(e.to_string()))?;
    Ok(tokens(&t, now, Some(refresh_token)))
}
