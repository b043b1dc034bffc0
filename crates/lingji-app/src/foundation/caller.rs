//! Who is calling a use case: a signed-in user, or the system itself (CLI commands run by the
//! operator of the server, who holds the database anyway).

use lingji_domain::foundation::authz::{Access, Actor, Resource, Role};
use lingji_domain::foundation::org::OrgPath;
use lingji_store::foundation::audit::NewEvent;

use crate::error::{AppError, AppResult};

/// Who calls a use case and in which jurisdiction: built once per request — by the web's
/// extractor from the signed-in user, by the CLI for the system — and handed to every use case
/// that works inside one jurisdiction, so the pair never travels as two loose arguments.
#[derive(Debug, Clone)]
pub struct Scope {
    pub caller: Caller,
    /// The jurisdiction (its organisation id) the call works in.
    pub jurisdiction: i64,
}

impl Scope {
    /// `caller` working in `jurisdiction`.
    pub fn new(caller: &Caller, jurisdiction: i64) -> Scope {
        Scope {
            caller: caller.clone(),
            jurisdiction,
        }
    }

    /// The system (CLI commands, start-up tasks) working in `jurisdiction`.
    pub fn system(jurisdiction: i64) -> Scope {
        Scope {
            caller: Caller::System,
            jurisdiction,
        }
    }

    /// The single authorisation check ([`Caller::authorize`]) for `access` to `resource` across
    /// the whole jurisdiction the call works in.
    pub fn authorize_jurisdiction(&self, resource: Resource, access: Access) -> AppResult<()> {
        self.caller.authorize(
            resource,
            access,
            &OrgPath::of_jurisdiction(self.jurisdiction),
        )
    }

    /// A signed-in user in their own jurisdiction.
    pub fn user(actor: Actor) -> Scope {
        let jurisdiction = actor.org.jurisdiction;
        Scope {
            caller: Caller::User(actor),
            jurisdiction,
        }
    }
}

/// The caller of a use case.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A signed-in user.
    User(Actor),
    /// The system: CLI commands and start-up tasks.
    System,
}

impl Caller {
    /// The single authorisation check: role × resource × organisation scope.
    pub fn authorize(&self, resource: Resource, access: Access, target: &OrgPath) -> AppResult<()> {
        match self {
            Caller::System => Ok(()),
            Caller::User(actor) => actor
                .authorize(resource, access, target)
                .map_err(AppError::Forbidden),
        }
    }

    /// The department and unit a listing is limited to — a unit operator's unit, a department
    /// reviewer's department, nothing for finance and audit — after checking the caller may
    /// read `resource` there.
    pub fn read_scope(
        &self,
        resource: Resource,
        jurisdiction_id: i64,
    ) -> AppResult<(Option<i64>, Option<i64>)> {
        let (department, unit) = match self.actor() {
            Some(a) if matches!(a.role, Role::UnitOperator | Role::DepartmentReviewer) => {
                (a.org.department, a.org.unit)
            }
            _ => (None, None),
        };
        self.authorize(
            resource,
            Access::Read,
            &OrgPath {
                jurisdiction: jurisdiction_id,
                department,
                unit,
            },
        )?;
        Ok((department, unit))
    }

    /// The same check for a target the review workflow may have routed to the caller's
    /// joint-review body (ZB-5e).
    pub fn authorize_routed(
        &self,
        resource: Resource,
        access: Access,
        target: &OrgPath,
        routed_here: bool,
    ) -> AppResult<()> {
        match self {
            Caller::System => Ok(()),
            Caller::User(actor) => actor
                .authorize_routed(resource, access, target, routed_here)
                .map_err(AppError::Forbidden),
        }
    }

    /// The signed-in actor, if any.
    pub fn actor(&self) -> Option<&Actor> {
        match self {
            Caller::User(a) => Some(a),
            Caller::System => None,
        }
    }

    /// Login name for the audit log.
    pub fn name(&self) -> &str {
        match self {
            Caller::User(a) => &a.username,
            Caller::System => "system",
        }
    }

    /// User id for the audit log (0 for the system).
    pub fn id(&self) -> i64 {
        match self {
            Caller::User(a) => a.user_id,
            Caller::System => 0,
        }
    }

    /// An audit event by this caller about one entity; add the states with
    /// [`NewEvent::before_json`] and [`NewEvent::after_json`].
    pub fn event<'a>(
        &'a self,
        jurisdiction_id: i64,
        action: &'a str,
        entity_type: &'a str,
        entity_id: impl ToString,
    ) -> NewEvent<'a> {
        NewEvent {
            jurisdiction_id,
            actor_id: self.id(),
            actor: self.name(),
            action,
            entity_type,
            entity_id: entity_id.to_string(),
            ..NewEvent::default()
        }
    }
}
