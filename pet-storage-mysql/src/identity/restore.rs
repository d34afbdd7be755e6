//! The identity repositories: employees, teams, org-structure versions and customers are
//! restored from their state rows (one query per table, by primary key or indexed foreign
//! key), so a command costs the same however many events the aggregate has; each is saved
//! by the module's `write_*` with a version check, writing only the rows its events change.

use std::collections::HashMap;

use chrono::NaiveDate;
use mysql_async::prelude::*;
use mysql_async::Value as SqlValue;
use pet_core::identity::{
    Currency, Customer, CustomerId, CustomerStatus, DatedRate, Email, Employee, EmployeeId,
    EmployeeStatus, Membership, MembershipId, Money, Name, Note, OrgSnapshot, OrgStructureVersion,
    OrgVersionId, OrgVersionNumber, OrgVersionStatus, Rate, RateEntry, RateKind, Team, TeamId,
    TeamRole, TeamStatus, WpUserId,
};
use uuid::Uuid;

use crate::command::{restored_repository, Read};
use crate::db::from_db_time;
use crate::error::{db, AppError};
use crate::services::Identity;

restored_repository!(
    /// Employees: restored from their row and rate rows; saved to the employees and rates
    /// tables.
    Employees: Employee, "employee",
    load |app, tx, id| app.identity().load_employee(tx, id, Read::ForCommand).await,
    save |app, cx, before, after, events| {
        app.identity().write_employee(cx.uow(), before, after, events).await
    }
);

restored_repository!(
    /// Teams: restored from their row and membership rows; saved to the teams and
    /// memberships tables.
    Teams: Team, "team",
    load |app, tx, id| {
        let mut teams = app.identity().load_teams(tx, Some(id), Read::ForCommand).await?;
        Ok(teams.pop())
    },
    save |app, cx, before, after, events| {
        app.identity().write_team(cx.uow(), before, after, events).await
    }
);

restored_repository!(
    /// Org-structure versions: restored from their row; saved to the versions table (a
    /// scheduled one also queues its publishing job).
    OrgVersions: OrgStructureVersion, "org structure version",
    load |app, tx, id| app.identity().load_org_version(tx, id, Read::ForCommand).await,
    save |app, cx, before, after, events| {
        app.identity().write_org_version(cx.uow(), before, after).await
    }
);

restored_repository!(
    /// Customers: restored from their row; saved to the customers and contacts tables.
    Customers: Customer, "customer",
    load |app, tx, id| app.identity().load_customer(tx, id, Read::ForCommand).await,
    save |app, cx, before, after, events| {
        app.identity().write_customer(cx.uow(), before, after, events).await
    }
);

/// A stored value that does not make a value object again: the rows were changed outside
/// PET or by a bug.
fn bad(what: &str, id: Uuid, field: &str) -> AppError {
    AppError::Storage(format!("stored {what} {id}: bad {field}"))
}

fn parse_uuid(s: &str, what: &str, id: Uuid, field: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s).map_err(|_| bad(what, id, field))
}

impl Identity<'_> {
    /// An employee from its row and its rate rows (`None`: no such employee).
    pub(crate) async fn load_employee<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        read: Read,
    ) -> Result<Option<Employee>, AppError> {
        let t = self.tables();
        let row: Option<(String, String, Option<u64>, String, u64)> = q
            .exec_first(
                format!(
                    "SELECT name, email, wp_user_id, status, version FROM {} WHERE id = ?{}",
                    t.employees,
                    read.root()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((name, email, wp, status, version)) = row else {
            return Ok(None);
        };
        let rates: Vec<(String, i64, String, NaiveDate)> = q
            .exec(
                format!(
                    "SELECT kind, amount_minor, currency, effective_from FROM {} \
                     WHERE employee_id = ? ORDER BY kind, effective_from{}",
                    t.employee_rates,
                    read.rows()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let bad = |field: &str| bad("employee", id, field);
        let rates = rates
            .into_iter()
            .map(|(kind, amount, currency, from)| {
                let currency = Currency::new(&currency).map_err(|_| bad("rate currency"))?;
                Ok(RateEntry {
                    kind: RateKind::parse(&kind).map_err(|_| bad("rate kind"))?,
                    dated: DatedRate {
                        rate: Rate::new(Money::new(amount, currency)).map_err(|_| bad("rate"))?,
                        effective_from: from,
                    },
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(Some(Employee::restore(
            EmployeeId::from_uuid(id),
            Name::new(&name).map_err(|_| bad("name"))?,
            Email::new(&email).map_err(|_| bad("email"))?,
            wp.map(WpUserId::new)
                .transpose()
                .map_err(|_| bad("wp_user_id"))?,
            EmployeeStatus::parse(&status).map_err(|_| bad("status"))?,
            rates,
            version,
        )))
    }

    /// Teams from their rows and membership rows (memberships in the order they were
    /// added): the one team `id`, or every team when `id` is `None`.
    pub(crate) async fn load_teams<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Option<Uuid>,
        read: Read,
    ) -> Result<Vec<Team>, AppError> {
        let t = self.tables();
        let (team_cond, member_cond, params) = match id {
            Some(id) => (
                "WHERE id = ?",
                "WHERE team_id = ?",
                vec![SqlValue::from(id.to_string())],
            ),
            None => ("", "", Vec::new()),
        };
        let rows: Vec<(String, String, Option<String>, String, u64)> = q
            .exec(
                format!(
                    "SELECT id, name, parent_id, status, version FROM {} {team_cond} ORDER BY id{}",
                    t.teams,
                    read.root()
                ),
                params.clone(),
            )
            .await
            .map_err(db)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let members: Vec<(String, String, String, String, NaiveDate, Option<NaiveDate>)> = q
            .exec(
                format!(
                    "SELECT team_id, id, employee_id, role, valid_from, valid_to FROM {} {member_cond} \
                     ORDER BY added_version, id{}",
                    t.memberships,
                    read.rows()
                ),
                params,
            )
            .await
            .map_err(db)?;
        let mut by_team: HashMap<String, Vec<Membership>> = HashMap::new();
        for (team, mid, employee, role, from, to) in members {
            let tid = parse_uuid(&team, "membership", Uuid::nil(), "team_id")?;
            let bad = |field: &str| bad("team", tid, field);
            let m = Membership {
                membership_id: MembershipId::from_uuid(parse_uuid(
                    &mid,
                    "team",
                    tid,
                    "membership id",
                )?),
                employee_id: EmployeeId::from_uuid(parse_uuid(
                    &employee,
                    "team",
                    tid,
                    "membership employee_id",
                )?),
                role: TeamRole::parse(&role).map_err(|_| bad("membership role"))?,
                valid_from: from,
                valid_to: to,
            };
            by_team.entry(team).or_default().push(m);
        }
        rows.into_iter()
            .map(|(tid, name, parent, status, version)| {
                let uuid = parse_uuid(&tid, "team", Uuid::nil(), "id")?;
                let bad = |field: &str| bad("team", uuid, field);
                let parent = parent
                    .map(|p| parse_uuid(&p, "team", uuid, "parent_id").map(TeamId::from_uuid))
                    .transpose()?;
                Ok(Team::restore(
                    TeamId::from_uuid(uuid),
                    Name::new(&name).map_err(|_| bad("name"))?,
                    parent,
                    TeamStatus::parse(&status).map_err(|_| bad("status"))?,
                    by_team.remove(&tid).unwrap_or_default(),
                    version,
                ))
            })
            .collect()
    }

    /// An org-structure version from its row (`None`: no such version).
    pub(crate) async fn load_org_version<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        read: Read,
    ) -> Result<Option<OrgStructureVersion>, AppError> {
        type VersionRow = (u32, String, chrono::NaiveDateTime, String, String, u64);
        let row: Option<VersionRow> = q
            .exec_first(
                format!(
                    "SELECT number, status, effective_at, note, snapshot, version FROM {} WHERE id = ?{}",
                    self.tables().org_versions,
                    read.root()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((number, status, effective_at, note, snapshot, version)) = row else {
            return Ok(None);
        };
        let bad = |field: &str| bad("org structure version", id, field);
        let status = OrgVersionStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == status)
            .ok_or_else(|| bad("status"))?;
        let snapshot: OrgSnapshot = serde_json::from_str(&snapshot).map_err(|_| bad("snapshot"))?;
        Ok(Some(OrgStructureVersion::restore(
            pet_core::identity::org::OrgVersionDetails {
                version_id: OrgVersionId::from_uuid(id),
                number: OrgVersionNumber::new(number).map_err(|_| bad("number"))?,
                effective_at: from_db_time(effective_at),
                note: Note::new(&note).map_err(|_| bad("note"))?,
                snapshot,
            },
            status,
            version,
        )))
    }

    /// A customer from its row (`None`: no such customer). Its contacts are rows of their
    /// own that no command needs (`contacts_page`), so a customer with 10,000 contacts loads
    /// as fast as a new one.
    pub(crate) async fn load_customer<Q: Queryable>(
        &self,
        q: &mut Q,
        id: Uuid,
        read: Read,
    ) -> Result<Option<Customer>, AppError> {
        let t = self.tables();
        let row: Option<(String, String, u64, u64)> = q
            .exec_first(
                format!(
                    "SELECT name, status, contact_count, version FROM {} WHERE id = ?{}",
                    t.customers,
                    read.root()
                ),
                (id.to_string(),),
            )
            .await
            .map_err(db)?;
        let Some((name, status, contact_count, version)) = row else {
            return Ok(None);
        };
        let bad = |field: &str| bad("customer", id, field);
        Ok(Some(Customer::restore(
            CustomerId::from_uuid(id),
            Name::new(&name).map_err(|_| bad("name"))?,
            CustomerStatus::parse(&status).map_err(|_| bad("status"))?,
            contact_count,
            version,
        )))
    }
}
