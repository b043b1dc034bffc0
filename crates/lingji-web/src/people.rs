//! People by the names they go by. The store records who acted by login; a page shows the
//! display name (教育局财务科 李审核, not `zhuguan`). The names of a jurisdiction are read once
//! and kept for [`FRESH`], so that a page costs no extra read; a renamed user shows under the new
//! name within that time.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lingji_app::{AppResult, Scope};

/// How long a jurisdiction's names are kept before they are read again.
pub const FRESH: Duration = Duration::from_secs(30);

/// The login the application itself acts under (imports, year-end jobs, the demo).
const SYSTEM: &str = "system";

/// Display names by login.
#[derive(Debug, Clone, Default)]
pub struct Names(Arc<BTreeMap<String, String>>);

impl Names {
    /// The name `login` goes by: the display name, 系统 for the application itself, the login
    /// when no such user is known (one removed since, or of another jurisdiction).
    pub fn of(&self, login: &str) -> String {
        match self.0.get(login) {
            Some(name) => name.clone(),
            None if login == SYSTEM => "系统".to_string(),
            None => login.to_string(),
        }
    }
}

/// The names of each jurisdiction, read at most once per [`FRESH`].
#[derive(Default)]
pub struct NameBook(Mutex<HashMap<i64, (Instant, Names)>>);

impl NameBook {
    /// The names of `scope`'s jurisdiction.
    pub async fn of(&self, app: &lingji_app::App, scope: &Scope) -> AppResult<Names> {
        if let Some((at, names)) = self.lock().get(&scope.jurisdiction)
            && at.elapsed() < FRESH
        {
            return Ok(names.clone());
        }
        let names = Names(Arc::new(app.accounts().names(scope).await?));
        self.lock()
            .insert(scope.jurisdiction, (Instant::now(), names.clone()));
        Ok(names)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, (Instant, Names)>> {
        // A panic while the map was held leaves it consistent (inserts are whole): carry on.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_named_by_display_name_and_the_application_as_the_system() {
        let names = Names(Arc::new(BTreeMap::from([(
            "zhuguan".to_string(),
            "教育局财务科 李审核".to_string(),
        )])));
        assert_eq!(names.of("zhuguan"), "教育局财务科 李审核");
        assert_eq!(names.of("system"), "系统");
        assert_eq!(names.of("gone"), "gone");
    }
}
