//! Connection settings (`Config`) and the validated table names derived from the prefix.

use serde_json::Value;

use crate::error::{AppError, StorageError};

/// Connection settings of one PET installation, as passed to `Pet\Engine::__construct`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Server host name or IP (ignored when `socket` is set).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Unix socket path, if connecting through one.
    pub socket: Option<String>,
    /// User name.
    pub user: String,
    /// Password, if any.
    pub password: Option<String>,
    /// Database (schema) name.
    pub database: String,
    /// WordPress table prefix; PET's tables are `{prefix}pet_<table>`.
    pub prefix: String,
    /// Maximum number of pooled connections (kept small: PHP workers × pool_max = connections).
    pub pool_max: usize,
    /// Read replicas of the primary (above) for views; empty: everything reads the primary.
    /// MariaDB with GTID replication (see `topology.rs`).
    pub replicas: Vec<Endpoint>,
    /// How long a read waits for a replica to apply this session's writes
    /// (`MASTER_GTID_WAIT`) before it reads the primary instead, in milliseconds.
    pub read_wait_ms: u32,
    /// The site key that wraps every person's data key (see `pet_core::privacy`), derived
    /// from the `privacy_key` setting (at least 32 characters; the plugin reads it from the
    /// `PET_PRIVACY_KEY` constant). `None`: data keys are stored unwrapped.
    pub privacy_key: Option<pet_core::privacy::SiteKey>,
    /// The site key `privacy_key` replaces, while a rotation runs (setting
    /// `previous_privacy_key`, from `PET_PRIVACY_KEY_PREVIOUS`): data keys wrapped with it
    /// still open until `App::rotate_privacy_key` has re-wrapped them all.
    pub previous_privacy_key: Option<pet_core::privacy::SiteKey>,
    /// The site's secret (settings key `secret_key`, from wp-config's `PET_ENCRYPTION_KEY`,
    /// else `AUTH_KEY`) that integration credentials are encrypted with; `None`: none can
    /// be stored.
    pub secret_key: Option<String>,
}

/// Where a server listens: a host and port, or a Unix socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Host name or IP.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Unix socket path (then host and port are ignored).
    pub socket: Option<String>,
}

impl Endpoint {
    /// Parses `host`, `host:port`, `[ipv6]:port` or `/path/to/socket`.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        if s.starts_with('/') {
            return Some(Self {
                host: "localhost".into(),
                port: 3306,
                socket: Some(s.to_owned()),
            });
        }
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (h, after) = rest.split_once(']')?;
            match after.strip_prefix(':') {
                Some(p) => (h, Some(p)),
                None if after.is_empty() => (h, None),
                None => return None,
            }
        } else {
            match s.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (s, None),
            }
        };
        let port = match port {
            Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0)?,
            None => 3306,
        };
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') {
            return None;
        }
        Some(Self {
            host: host.to_owned(),
            port,
            socket: None,
        })
    }
}

/// The default bound of a read-your-writes wait on a replica.
pub const READ_WAIT_MS: u32 = 500;

impl Default for Config {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 3306,
            socket: None,
            user: "root".into(),
            password: None,
            database: "wordpress".into(),
            prefix: "wp_".into(),
            pool_max: 4,
            replicas: Vec::new(),
            read_wait_ms: READ_WAIT_MS,
            privacy_key: None,
            previous_privacy_key: None,
            secret_key: None,
        }
    }
}

/// Checks a table prefix against `^[A-Za-z0-9_]{1,32}$`, the only text ever put into SQL.
pub fn validate_prefix(prefix: &str) -> Result<(), StorageError> {
    let ok = !prefix.is_empty()
        && prefix.len() <= 32
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StorageError::InvalidPrefix(prefix.to_owned()))
    }
}

fn percent_decode(s: &str) -> Result<String, AppError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| AppError::field("url", "invalid percent-encoding"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| AppError::field("url", "invalid percent-encoding"))
}

impl Config {
    /// Parses `mysql://user:pass@host:port/db?prefix=wp_&pool_max=4&socket=/path`
    /// (`&replica=host:port`, repeated per replica, and `&read_wait_ms=500` for replicas).
    pub fn from_url(url: &str) -> Result<Self, AppError> {
        let bad = |m: &str| AppError::field("url", m.to_owned());
        let rest = url
            .strip_prefix("mysql://")
            .or_else(|| url.strip_prefix("mariadb://"))
            .ok_or_else(|| bad("must start with mysql://"))?;
        let (main, query) = match rest.split_once('?') {
            Some((m, q)) => (m, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match main.split_once('/') {
            Some((a, p)) => (a, p),
            None => (main, ""),
        };
        let mut cfg = Config::default();
        let hostport = match authority.rsplit_once('@') {
            Some((userinfo, hp)) => {
                match userinfo.split_once(':') {
                    Some((u, p)) => {
                        cfg.user = percent_decode(u)?;
                        cfg.password = Some(percent_decode(p)?);
                    }
                    None => cfg.user = percent_decode(userinfo)?,
                }
                hp
            }
            None => authority,
        };
        match hostport.rsplit_once(':') {
            Some((h, p)) => {
                cfg.host = h.to_owned();
                cfg.port = p.parse().map_err(|_| bad("invalid port"))?;
            }
            None if !hostport.is_empty() => cfg.host = hostport.to_owned(),
            None => {}
        }
        if !path.is_empty() {
            cfg.database = percent_decode(path)?;
        }
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_decode(v)?;
            match k {
                "prefix" => cfg.prefix = v,
                "pool_max" => cfg.pool_max = v.parse().map_err(|_| bad("invalid pool_max"))?,
                "socket" => cfg.socket = Some(v),
                "replica" => cfg
                    .replicas
                    .push(Endpoint::parse(&v).ok_or_else(|| bad("invalid replica"))?),
                "read_wait_ms" => {
                    cfg.read_wait_ms = v.parse().map_err(|_| bad("invalid read_wait_ms"))?
                }
                _ => return Err(bad(&format!("unknown parameter {k}"))),
            }
        }
        cfg.check()?;
        Ok(cfg)
    }

    /// Builds a config from the PHP settings array (`host`, `port`, `socket`, `user`,
    /// `password`, `database`, `prefix`, `pool_max`, `replicas` — a list of `host[:port]`
    /// or socket paths — and `read_wait_ms`), defaults for absent keys.
    pub fn from_settings(settings: &Value) -> Result<Self, AppError> {
        let obj = settings
            .as_object()
            .ok_or_else(|| AppError::field("settings", "must be an array"))?;
        let mut cfg = Config::default();
        let mut errors = pet_core::FieldErrors::new();
        let string = |k: &str, errors: &mut pet_core::FieldErrors| -> Option<String> {
            match obj.get(k) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    errors.add(k, "must be a string");
                    None
                }
            }
        };
        let int = |k: &str, errors: &mut pet_core::FieldErrors| -> Option<u64> {
            match obj.get(k) {
                None | Some(Value::Null) => None,
                Some(v) => match v.as_u64() {
                    Some(n) => Some(n),
                    None => {
                        errors.add(k, "must be a non-negative integer");
                        None
                    }
                },
            }
        };
        if let Some(h) = string("host", &mut errors) {
            cfg.host = h;
        }
        if let Some(p) = int("port", &mut errors) {
            match u16::try_from(p) {
                Ok(p) if p > 0 => cfg.port = p,
                _ => errors.add("port", "must be between 1 and 65535"),
            }
        }
        cfg.socket = string("socket", &mut errors).filter(|s| !s.is_empty());
        if let Some(u) = string("user", &mut errors) {
            cfg.user = u;
        }
        cfg.password = string("password", &mut errors);
        if let Some(d) = string("database", &mut errors) {
            cfg.database = d;
        }
        if let Some(p) = string("prefix", &mut errors) {
            cfg.prefix = p;
        }
        if let Some(n) = int("pool_max", &mut errors) {
            match usize::try_from(n) {
                Ok(n) if (1..=64).contains(&n) => cfg.pool_max = n,
                _ => errors.add("pool_max", "must be between 1 and 64"),
            }
        }
        match obj.get("replicas") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for (i, r) in list.iter().enumerate() {
                    match r.as_str().and_then(Endpoint::parse) {
                        Some(e) => cfg.replicas.push(e),
                        None => errors.add(
                            format!("replicas.{i}"),
                            "must be host, host:port or a socket path",
                        ),
                    }
                }
            }
            Some(_) => errors.add("replicas", "must be a list of host[:port]"),
        }
        cfg.secret_key = string("secret_key", &mut errors).filter(|s| !s.is_empty());
        if let Some(n) = int("read_wait_ms", &mut errors) {
            match u32::try_from(n) {
                Ok(n) if n <= 10_000 => cfg.read_wait_ms = n,
                _ => errors.add("read_wait_ms", "must be between 0 and 10000"),
            }
        }
        if let Some(k) = string("privacy_key", &mut errors).filter(|k| !k.is_empty()) {
            match pet_core::privacy::SiteKey::derive(&k) {
                Some(key) => cfg.privacy_key = Some(key),
                None => errors.add("privacy_key", "must be at least 32 characters"),
            }
        }
        if let Some(k) = string("previous_privacy_key", &mut errors).filter(|k| !k.is_empty()) {
            match pet_core::privacy::SiteKey::derive(&k) {
                Some(_) if cfg.privacy_key.is_none() => errors.add(
                    "previous_privacy_key",
                    "needs privacy_key (the new key) to be set",
                ),
                Some(key) => cfg.previous_privacy_key = Some(key),
                None => errors.add("previous_privacy_key", "must be at least 32 characters"),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        cfg.check()?;
        Ok(cfg)
    }

    /// The settings of one replica: the same credentials and database at its endpoint,
    /// with no replicas of its own.
    pub fn for_replica(&self, e: &Endpoint) -> Config {
        Config {
            host: e.host.clone(),
            port: e.port,
            socket: e.socket.clone(),
            replicas: Vec::new(),
            ..self.clone()
        }
    }

    /// Validates the prefix and pool size.
    pub fn check(&self) -> Result<(), AppError> {
        if validate_prefix(&self.prefix).is_err() {
            return Err(AppError::field(
                "prefix",
                "must be 1-32 characters of A-Z, a-z, 0-9 or _",
            ));
        }
        if self.pool_max == 0 || self.pool_max > 64 {
            return Err(AppError::field("pool_max", "must be between 1 and 64"));
        }
        if self.database.is_empty() {
            return Err(AppError::field("database", "must not be empty"));
        }
        Ok(())
    }
}

/// The fully-qualified names of PET's tables for one prefix (validated on construction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    /// The WordPress prefix, e.g. `wp_`.
    pub prefix: String,
    /// `{prefix}pet_migrations`: the migration ledger.
    pub migrations: String,
    /// `{prefix}pet_domain_events`.
    pub events: String,
    /// `{prefix}pet_event_sequence`: the single row appends serialise on.
    pub sequence: String,
    /// `{prefix}pet_idempotency_keys`.
    pub idempotency: String,
    /// `{prefix}pet_projection_checkpoints`.
    pub checkpoints: String,
    /// `{prefix}pet_activity_feed_projections`.
    pub activity: String,
    /// `{prefix}pet_activity_names`.
    pub activity_names: String,
    /// `{prefix}pet_jobs`.
    pub jobs: String,
    /// `{prefix}pet_employees`.
    pub employees: String,
    /// `{prefix}pet_employee_rates`.
    pub employee_rates: String,
    /// `{prefix}pet_teams`.
    pub teams: String,
    /// `{prefix}pet_team_memberships`.
    pub memberships: String,
    /// `{prefix}pet_org_structure_versions`.
    pub org_versions: String,
    /// `{prefix}pet_customers`.
    pub customers: String,
    /// `{prefix}pet_contacts`.
    pub contacts: String,
    /// `{prefix}pet_chain_verification`.
    pub chain_verification: String,
    /// `{prefix}pet_rate_limits`.
    pub rate_limits: String,
    /// `{prefix}pet_locks`: the lease rows of the migration and job runners (migration 0021).
    pub locks: String,
    /// `{prefix}pet_personal_keys`: per-person data keys (migration 0024).
    pub personal_keys: String,
}

impl Tables {
    /// Table names for `prefix`, refusing an invalid prefix.
    pub fn new(prefix: &str) -> Result<Self, StorageError> {
        validate_prefix(prefix)?;
        let t = |name: &str| format!("{prefix}pet_{name}");
        Ok(Self {
            prefix: prefix.to_owned(),
            migrations: t("migrations"),
            events: t("domain_events"),
            sequence: t("event_sequence"),
            idempotency: t("idempotency_keys"),
            checkpoints: t("projection_checkpoints"),
            activity: t("activity_feed_projections"),
            activity_names: t("activity_names"),
            jobs: t("jobs"),
            employees: t("employees"),
            employee_rates: t("employee_rates"),
            teams: t("teams"),
            memberships: t("team_memberships"),
            org_versions: t("org_structure_versions"),
            customers: t("customers"),
            contacts: t("contacts"),
            chain_verification: t("chain_verification"),
            rate_limits: t("rate_limits"),
            locks: t("locks"),
            personal_keys: t("personal_keys"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_validation() {
        for ok in ["wp_", "a", "WP_2_", &"x".repeat(32)] {
            assert!(validate_prefix(ok).is_ok(), "{ok}");
        }
        for bad in ["", "wp-", "wp_;DROP", "wp `", &"x".repeat(33), "é"] {
            assert!(validate_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn url_parsing() {
        let c = Config::from_url("mysql://bob:s%40cret@db.local:3307/site?prefix=wp_2_&pool_max=2")
            .unwrap();
        assert_eq!(c.user, "bob");
        assert_eq!(c.password.as_deref(), Some("s@cret"));
        assert_eq!(c.host, "db.local");
        assert_eq!(c.port, 3307);
        assert_eq!(c.database, "site");
        assert_eq!(c.prefix, "wp_2_");
        assert_eq!(c.pool_max, 2);
        let d = Config::from_url("mysql://root@127.0.0.1:3306/pet_test").unwrap();
        assert_eq!(d.password, None);
        assert_eq!(d.prefix, "wp_");
        assert!(Config::from_url("postgres://x").is_err());
        assert!(Config::from_url("mysql://root@h/db?prefix=bad-prefix").is_err());
        assert!(Config::from_url("mysql://root@h:notaport/db").is_err());
    }

    #[test]
    fn settings_parsing() {
        let c =
            Config::from_settings(&serde_json::json!({"host": "h", "port": 3310, "prefix": "x_"}))
                .unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.prefix.as_str()),
            ("h", 3310, "x_")
        );
        let Err(AppError::Validation(f)) =
            Config::from_settings(&serde_json::json!({"port": "x", "user": 3}))
        else {
            panic!("expected validation error")
        };
        assert!(f.get("port").is_some() && f.get("user").is_some());
    }

    #[test]
    fn replicas_from_settings_and_url() {
        let c = Config::from_settings(&serde_json::json!({
            "host": "primary", "replicas": ["r1", "r2:3307", "/run/r3.sock", "[::1]:3308"],
            "read_wait_ms": 250
        }))
        .unwrap();
        let eps: Vec<(String, u16, Option<String>)> = c
            .replicas
            .iter()
            .map(|e| (e.host.clone(), e.port, e.socket.clone()))
            .collect();
        assert_eq!(
            eps,
            vec![
                ("r1".into(), 3306, None),
                ("r2".into(), 3307, None),
                ("localhost".into(), 3306, Some("/run/r3.sock".into())),
                ("::1".into(), 3308, None),
            ]
        );
        assert_eq!(c.read_wait_ms, 250);
        let r = c.for_replica(&c.replicas[1]);
        assert_eq!((r.host.as_str(), r.port, r.replicas.len()), ("r2", 3307, 0));
        let Err(AppError::Validation(f)) = Config::from_settings(
            &serde_json::json!({"replicas": ["ok", "bad:port", 3], "read_wait_ms": 99999}),
        ) else {
            panic!("expected validation error")
        };
        assert!(f.get("replicas.1").is_some() && f.get("replicas.2").is_some());
        assert!(f.get("read_wait_ms").is_some() && f.get("replicas.0").is_none());
        let u =
            Config::from_url("mysql://root@p:3340/db?replica=127.0.0.1:3341&replica=h2").unwrap();
        assert_eq!(u.replicas.len(), 2);
        assert_eq!(u.replicas[0].port, 3341);
    }

    #[test]
    fn a_previous_privacy_key_needs_the_new_one() {
        let long = "a site secret of at least thirty-two characters";
        let c = Config::from_settings(
            &serde_json::json!({"privacy_key": long, "previous_privacy_key": format!("old {long}")}),
        )
        .unwrap();
        assert!(c.privacy_key.is_some() && c.previous_privacy_key.is_some());
        let Err(AppError::Validation(f)) =
            Config::from_settings(&serde_json::json!({"previous_privacy_key": long}))
        else {
            panic!("expected validation error")
        };
        assert!(f.get("previous_privacy_key").is_some());
        let Err(AppError::Validation(f)) = Config::from_settings(
            &serde_json::json!({"privacy_key": long, "previous_privacy_key": "short"}),
        ) else {
            panic!("expected validation error")
        };
        assert!(f.get("previous_privacy_key").is_some());
    }
}
