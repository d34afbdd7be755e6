//! Helpers shared by the storage benches (each bench includes this with `mod common;`).

use mysql_async::prelude::*;
use pet_storage_mysql::App;

/// Drops every table of the app's random bench prefix (the names come from
/// information_schema and are quoted as identifiers; the prefix is `[A-Za-z0-9_]` by config).
pub async fn drop_tables(app: &App) {
    let mut conn = app.pool().get_conn().await.unwrap();
    let tables: Vec<String> = conn
        .exec(
            "SELECT table_name FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_name LIKE ?",
            (format!("{}%", app.tables().prefix.replace('_', "\\_")),),
        )
        .await
        .unwrap();
    if !tables.is_empty() {
        let list: Vec<String> = tables.iter().map(|t| format!("`{t}`")).collect();
        conn.query_drop("SET FOREIGN_KEY_CHECKS = 0").await.unwrap();
        conn.query_drop(format!("DROP TABLE IF EXISTS {}", list.join(", ")))
            .await
            .unwrap();
        conn.query_drop("SET FOREIGN_KEY_CHECKS = 1").await.unwrap();
    }
}

/// At the end of a bench: drops its tables unless `PET_BENCH_KEEP=1` (kept for EXPLAIN),
/// then closes the pool.
pub async fn finish(app: &App) {
    if std::env::var("PET_BENCH_KEEP").is_ok_and(|v| v == "1") {
        eprintln!("PET_BENCH_KEEP=1: tables {}* kept", app.tables().prefix);
    } else {
        drop_tables(app).await;
    }
    app.disconnect().await.unwrap();
}

/// The configuration of a bench's app: the database of `PET_TEST_DATABASE_URL` with a
/// random table prefix (dropped by [`finish`]), or `None` (the `what` benches are skipped,
/// said on stderr) when the variable is not set.
pub fn bench_config(what: &str) -> Option<pet_storage_mysql::Config> {
    let Ok(url) = std::env::var("PET_TEST_DATABASE_URL") else {
        eprintln!("PET_TEST_DATABASE_URL is not set: {what} benches skipped");
        return None;
    };
    let mut cfg = pet_storage_mysql::Config::from_url(&url).unwrap();
    cfg.prefix = format!("b{}_", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    Some(cfg)
}
