//! TEMPORARY stand-in for `pet_storage_mysql::{App, Config, CommandContext}` until the
//! storage crate exports them; echoes its input so the PHP boundary can be exercised.
#![allow(missing_docs, clippy::unused_async)]

pub use pet_storage_mysql_error::AppError;
use serde_json::{json, Value};

mod pet_storage_mysql_error {
    pub use pet_core::FieldErrors;
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum AppError {
        #[error("invalid input: {0}")]
        Validation(FieldErrors),
        #[error("{0}")]
        Invariant(String),
        #[error("{0}")]
        NotFound(String),
        #[error("{0}")]
        Conflict(String),
        #[error("{0}")]
        Storage(String),
        #[error("{0}")]
        Migration(String),
    }
}

#[derive(Debug, Clone)]
pub struct Config(Value);
impl Config {
    pub fn from_settings(v: &Value) -> Result<Self, AppError> {
        Ok(Self(v.clone()))
    }
}
#[derive(Debug, Clone)]
pub struct App(Value);
impl App {
    pub fn new(c: Config) -> Result<Self, AppError> {
        Ok(Self(c.0))
    }
}
#[derive(Debug, Clone)]
pub struct CommandContext(Value);
impl CommandContext {
    pub fn from_json(v: &Value) -> Result<Self, AppError> {
        Ok(Self(v.clone()))
    }
}

macro_rules! echo0 { ($($n:ident),*) => { impl App { $(pub async fn $n(&self) -> Result<Value, AppError> { Ok(json!({"m": stringify!($n), "settings": self.0})) })* } } }
macro_rules! echo_q { ($($n:ident),*) => { impl App { $(pub async fn $n(&self, q: &Value) -> Result<Value, AppError> { Ok(json!({"m": stringify!($n), "q": q})) })* } } }
macro_rules! echo_ic { ($($n:ident),*) => { impl App { $(pub async fn $n(&self, i: &Value, c: &CommandContext) -> Result<Value, AppError> { Ok(json!({"m": stringify!($n), "i": i, "c": c.0})) })* } } }
macro_rules! echo_id { ($($n:ident),*) => { impl App { $(pub async fn $n(&self, id: &str) -> Result<Value, AppError> {
    match id { "panic" => panic!("boom"), "nf" => Err(AppError::NotFound("employee nf not found".into())), "conflict" => Err(AppError::Conflict("stale".into())),
      "inv" => Err(AppError::Invariant("cycle".into())), "st" => Err(AppError::Storage("db down".into())), "mig" => Err(AppError::Migration("dirty".into())),
      "val" => { let mut f = pet_core::FieldErrors::new(); f.add("email", "must be valid"); f.add("name", "required"); Err(AppError::Validation(f)) }
      _ => Ok(json!({"m": stringify!($n), "id": id, "list": [1, 2.5, true, null, "x"], "obj": {}, "n": {"a": {"b": [[]]}}})) } })* } } }
macro_rules! echo_idc { ($($n:ident),*) => { impl App { $(pub async fn $n(&self, id: &str, c: &CommandContext) -> Result<Value, AppError> { Ok(json!({"m": stringify!($n), "id": id, "c": c.0})) })* } } }
macro_rules! echo_idic { ($($n:ident),*) => { impl App { $(pub async fn $n(&self, id: &str, i: &Value, c: &CommandContext) -> Result<Value, AppError> { Ok(json!({"m": stringify!($n), "id": id, "i": i, "c": c.0})) })* } } }

echo0!(migrate, migration_status, health);
echo_q!(
    list_employees,
    list_teams,
    list_org_structure_versions,
    list_customers,
    activity,
    run_jobs,
    list_jobs
);
echo_ic!(
    create_employee,
    create_team,
    publish_org_structure,
    create_customer
);
echo_id!(get_employee, get_team, get_customer);
echo_idc!(
    deactivate_employee,
    reactivate_employee,
    archive_team,
    archive_customer,
    retry_job
);
echo_idic!(change_employee_rate, add_team_member, add_contact);

impl App {
    pub async fn link_employee_user(
        &self,
        id: &str,
        wp: Option<i64>,
        c: &CommandContext,
    ) -> Result<Value, AppError> {
        Ok(json!({"m": "link_employee_user", "id": id, "wp": wp, "c": c.0}))
    }
    pub async fn find_employee_by_user(&self, wp: i64) -> Result<Value, AppError> {
        Ok(if wp == 0 {
            Value::Null
        } else {
            json!({"m": "find", "wp": wp})
        })
    }
    pub async fn move_team(
        &self,
        id: &str,
        parent: Option<&str>,
        c: &CommandContext,
    ) -> Result<Value, AppError> {
        Ok(json!({"m": "move_team", "id": id, "parent": parent, "c": c.0}))
    }
    pub async fn remove_team_member(
        &self,
        id: &str,
        mid: &str,
        i: &Value,
        c: &CommandContext,
    ) -> Result<Value, AppError> {
        Ok(json!({"m": "remove_team_member", "id": id, "mid": mid, "i": i, "c": c.0}))
    }
}
