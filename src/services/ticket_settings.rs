//! The MSP's own ticket statuses, priorities and categories, and the rules that keep them
//! usable: exactly one default status (an open one) and priority, at least one open and one
//! closed status, names unique per list, and nothing removed that a ticket still uses.

use uuid::Uuid;

use super::tickets::{settings, Settings};
use crate::db::tickets::{self as q, StatusRow};
use crate::db::{self, Db, DbError};
use crate::error::{AppError, AppResult};
use crate::model::{self, Entered, FieldError};
use crate::policy::{Action, Actor};

const NAME_MAX: usize = 80;

/// A refusal shown next to the list it concerns (`field` names the list: status, priority, category).
fn refuse(field: &'static str, message: impl Into<String>) -> AppError {
    FieldError::new(field, message).into()
}

/// The settings, for an actor who may change them; the defaults are put in place first.
async fn editable(db: &Db, actor: &Actor) -> AppResult<Settings> {
    actor.require(Action::ManageTicketSettings, None)?;
    settings(db, actor.msp()).await
}

/// A trimmed name of 1..=80 characters that no other entry of the list has, ignoring case.
/// Compared here as well as by the unique index, because SQLite's `lower()` folds ASCII only.
fn unique_name<'a>(
    raw: &str,
    entries: impl IntoIterator<Item = (Uuid, &'a str)>,
    except: Option<Uuid>,
    what: &str,
) -> Result<String, FieldError> {
    let name = model::text("name", raw, NAME_MAX, true)?;
    let key = name.to_lowercase();
    if entries.into_iter().any(|(id, n)| Some(id) != except && n.to_lowercase() == key) {
        return Err(taken(what));
    }
    Ok(name)
}

fn taken(what: &str) -> FieldError {
    FieldError::new("name", format!("There is already a {what} with this name."))
}

/// A unique-index violation (a name taken meanwhile) as the same friendly message.
fn name_conflict(what: &'static str) -> impl Fn(DbError) -> AppError {
    move |e| if db::is_unique_violation(&e) { taken(what).into() } else { e.into() }
}

/// `ids` with `id` swapped with its neighbour above (`up`) or below (`down`); `None` when it
/// is already at that end.
fn moved(mut ids: Vec<Uuid>, id: Uuid, direction: &str) -> AppResult<Option<Vec<Uuid>>> {
    let at = ids.iter().position(|i| *i == id).ok_or(AppError::NotFound)?;
    let other = match direction {
        "up" => at.checked_sub(1),
        "down" => Some(at + 1).filter(|o| *o < ids.len()),
        _ => return Err(AppError::BadRequest("Choose to move it up or down.".into())),
    };
    Ok(other.map(|o| {
        ids.swap(at, o);
        ids
    }))
}

// ---------------------------------------------------------------------------------------
// Statuses

/// A status as entered on the settings page.
pub struct StatusInput {
    pub name: String,
    pub closed: bool,
    pub customer_settable: bool,
}

fn status(s: &Settings, id: Uuid) -> AppResult<&StatusRow> {
    s.statuses.iter().find(|st| st.id == id).ok_or(AppError::NotFound)
}

fn status_names(s: &Settings) -> impl Iterator<Item = (Uuid, &str)> {
    s.statuses.iter().map(|st| (st.id, st.name.as_str()))
}

pub async fn add_status(db: &Db, actor: &Actor, input: &StatusInput) -> AppResult<()> {
    let s = editable(db, actor).await?;
    let name = unique_name(&input.name, status_names(&s), None, "status")?;
    q::insert_status(db, actor.msp(), &name, input.closed, input.customer_settable)
        .await
        .map_err(name_conflict("status"))
}

/// Renames a status and changes whether it closes tickets and whether customers may set it.
pub async fn edit_status(db: &Db, actor: &Actor, id: Uuid, input: &StatusInput) -> AppResult<()> {
    let s = editable(db, actor).await?;
    let st = status(&s, id)?;
    let name = unique_name(&input.name, status_names(&s), Some(id), "status")?;
    if let Some(why) = state_change_refused(&s, st, input.closed) {
        return Err(refuse("status", why));
    }
    match q::update_status(db, actor.msp(), id, &name, input.closed, input.customer_settable).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::NotFound),
        Err(e) => Err(name_conflict("status")(e)),
    }
}

/// Why `st` may not become closed (`closing`) or open, if it may not: the default and the
/// statuses replies move tickets to stay open, and there is always an open and a closed status.
fn state_change_refused(s: &Settings, st: &StatusRow, closing: bool) -> Option<String> {
    let n = &st.name;
    let open = s.statuses.iter().filter(|x| !x.is_closed).count();
    Some(if closing == st.is_closed {
        return None;
    } else if closing && open == 1 {
        format!("“{n}” is the only open status, so it can't close tickets. Add another open status first.")
    } else if closing && st.is_default {
        format!("New tickets start in “{n}”, so it must stay open. Make another status the default first.")
    } else if closing && !st.auto_on.is_empty() {
        format!("Replies move tickets to “{n}”, so it must stay open. Choose another status for replies first.")
    } else if !closing && s.statuses.len() - open == 1 {
        format!("“{n}” is the only closed status, and tickets need one. Add another closed status first.")
    } else {
        return None;
    })
}

/// Makes an open status the one new tickets start in (and no other).
pub async fn make_default_status(db: &Db, actor: &Actor, id: Uuid) -> AppResult<()> {
    let s = editable(db, actor).await?;
    let st = status(&s, id)?;
    if st.is_closed {
        let why = format!("“{}” closes tickets; new tickets must start in an open status.", st.name);
        return Err(refuse("status", why));
    }
    if q::set_default_status(db, actor.msp(), id).await? {
        Ok(())
    } else {
        Err(refuse("status", "That status was changed meanwhile. Please try again."))
    }
}

/// Chooses the status a customer's comment moves a ticket to and the one a staff public reply
/// moves it to, each an open status or none (blank); they must differ.
pub async fn set_reply_statuses(
    db: &Db,
    actor: &Actor,
    customer_reply: Entered<Uuid>,
    staff_reply: Entered<Uuid>,
) -> AppResult<()> {
    let s = editable(db, actor).await?;
    let pick = |field: &'static str, chosen: Entered<Uuid>| -> Result<Option<Uuid>, FieldError> {
        if chosen == Entered::Blank {
            return Ok(None);
        }
        let st = s
            .statuses
            .iter()
            .find(|st| chosen == Entered::Value(st.id))
            .ok_or_else(|| FieldError::new(field, "Choose one of the statuses."))?;
        if st.is_closed {
            let why = format!("“{}” closes tickets; a reply can only move a ticket to an open status.", st.name);
            return Err(FieldError::new(field, why));
        }
        Ok(Some(st.id))
    };
    let mut errors = vec![];
    let customer = pick("customer_reply", customer_reply).map_err(|e| errors.push(e)).ok().flatten();
    let staff = pick("staff_reply", staff_reply).map_err(|e| errors.push(e)).ok().flatten();
    if customer.is_some() && customer == staff {
        let why = "Customer replies and staff replies must move tickets to different statuses.";
        errors.push(FieldError::new("staff_reply", why));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(q::set_reply_statuses(db, actor.msp(), customer, staff).await?)
}

/// Moves a status one place up or down in lists and menus.
pub async fn move_status(db: &Db, actor: &Actor, id: Uuid, direction: &str) -> AppResult<()> {
    let s = editable(db, actor).await?;
    match moved(s.statuses.iter().map(|st| st.id).collect(), id, direction)? {
        Some(ids) => Ok(q::set_status_positions(db, actor.msp(), &ids).await?),
        None => Ok(()),
    }
}

/// Removes a status no ticket is in, unless it is the default or the last open or closed one.
pub async fn delete_status(db: &Db, actor: &Actor, id: Uuid) -> AppResult<()> {
    let s = editable(db, actor).await?;
    let st = status(&s, id)?;
    let n = &st.name;
    let in_use = |used: i64| {
        let why = format!("{used} ticket(s) have the status “{n}”, so it can't be removed. Rename it instead.");
        refuse("status", why)
    };
    let used = q::status_use(db, actor.msp(), id).await?;
    if used > 0 {
        return Err(in_use(used));
    }
    if st.is_default {
        let why = format!("New tickets start in “{n}”. Make another status the default before removing it.");
        return Err(refuse("status", why));
    }
    if s.statuses.iter().filter(|x| x.is_closed == st.is_closed).count() == 1 {
        let kind = if st.is_closed { "closed" } else { "open" };
        let why = format!("“{n}” is the only {kind} status, and tickets need one. Add another {kind} status first.");
        return Err(refuse("status", why));
    }
    if q::delete_status(db, actor.msp(), id).await? {
        Ok(())
    } else {
        // Found above but not removed: a ticket was put in it (or it was made the default) meanwhile.
        Err(in_use(q::status_use(db, actor.msp(), id).await?.max(1)))
    }
}

// ---------------------------------------------------------------------------------------
// Priorities

fn priority_names(s: &Settings) -> impl Iterator<Item = (Uuid, &str)> {
    s.priorities.iter().map(|p| (p.id, p.name.as_str()))
}

pub async fn add_priority(db: &Db, actor: &Actor, name: &str) -> AppResult<()> {
    let s = editable(db, actor).await?;
    let name = unique_name(name, priority_names(&s), None, "priority")?;
    q::insert_priority(db, actor.msp(), &name).await.map_err(name_conflict("priority"))
}

pub async fn rename_priority(db: &Db, actor: &Actor, id: Uuid, name: &str) -> AppResult<()> {
    let s = editable(db, actor).await?;
    s.priorities.iter().find(|p| p.id == id).ok_or(AppError::NotFound)?;
    let name = unique_name(name, priority_names(&s), Some(id), "priority")?;
    match q::rename_priority(db, actor.msp(), id, &name).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::NotFound),
        Err(e) => Err(name_conflict("priority")(e)),
    }
}

/// Makes a priority the one preselected for new tickets (and no other).
pub async fn make_default_priority(db: &Db, actor: &Actor, id: Uuid) -> AppResult<()> {
    editable(db, actor).await?;
    if q::set_default_priority(db, actor.msp(), id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn move_priority(db: &Db, actor: &Actor, id: Uuid, direction: &str) -> AppResult<()> {
    let s = editable(db, actor).await?;
    match moved(s.priorities.iter().map(|p| p.id).collect(), id, direction)? {
        Some(ids) => Ok(q::set_priority_positions(db, actor.msp(), &ids).await?),
        None => Ok(()),
    }
}

/// Removes a priority no ticket has, unless it is the default.
pub async fn delete_priority(db: &Db, actor: &Actor, id: Uuid) -> AppResult<()> {
    let s = editable(db, actor).await?;
    let p = s.priorities.iter().find(|p| p.id == id).ok_or(AppError::NotFound)?;
    let n = &p.name;
    let in_use = |used: i64| {
        let why = format!("{used} ticket(s) have the priority “{n}”, so it can't be removed. Rename it instead.");
        refuse("priority", why)
    };
    let used = q::priority_use(db, actor.msp(), id).await?;
    if used > 0 {
        return Err(in_use(used));
    }
    if p.is_default {
        let why = format!("“{n}” is the default priority. Make another priority the default before removing it.");
        return Err(refuse("priority", why));
    }
    if q::delete_priority(db, actor.msp(), id).await? {
        Ok(())
    } else {
        Err(in_use(q::priority_use(db, actor.msp(), id).await?.max(1)))
    }
}

// ---------------------------------------------------------------------------------------
// Categories

fn category_names(s: &Settings) -> impl Iterator<Item = (Uuid, &str)> {
    s.categories.iter().map(|c| (c.id, c.name.as_str()))
}

/// Adds a category customers can file tickets under.
pub async fn add_category(db: &Db, actor: &Actor, name: &str) -> AppResult<()> {
    let s = editable(db, actor).await?;
    let name = unique_name(name, category_names(&s), None, "category")?;
    q::insert_category(db, actor.msp(), &name).await.map_err(name_conflict("category"))
}

pub async fn rename_category(db: &Db, actor: &Actor, id: Uuid, name: &str) -> AppResult<()> {
    let s = editable(db, actor).await?;
    s.categories.iter().find(|c| c.id == id).ok_or(AppError::NotFound)?;
    let name = unique_name(name, category_names(&s), Some(id), "category")?;
    match q::rename_category(db, actor.msp(), id, &name).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::NotFound),
        Err(e) => Err(name_conflict("category")(e)),
    }
}

/// Removes a category no ticket uses; one in use can only be renamed.
pub async fn delete_category(db: &Db, actor: &Actor, id: Uuid) -> AppResult<()> {
    actor.require(Action::ManageTicketSettings, None)?;
    let used = q::category_use(db, actor.msp(), id).await?;
    if used > 0 {
        return Err(refuse(
            "category",
            format!("{used} ticket(s) use this category, so it can't be removed. Rename it instead."),
        ));
    }
    if q::delete_category(db, actor.msp(), id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_unique_ignoring_case() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let list = [(a, "Awaiting support"), (b, "Überprüfung")];
        assert_eq!(unique_name("  On hold ", list, None, "status").unwrap(), "On hold");
        assert!(unique_name("   ", list, None, "status").is_err());
        assert!(unique_name(&"x".repeat(81), list, None, "status").is_err());
        assert_eq!(unique_name(&"é".repeat(80), list, None, "status").unwrap().chars().count(), 80);
        assert_eq!(
            unique_name("awaiting SUPPORT", list, None, "status").unwrap_err().message,
            "There is already a status with this name."
        );
        assert!(unique_name("ÜBERPRÜFUNG", list, None, "status").is_err(), "not only ASCII folds");
        assert_eq!(
            unique_name("awaiting Support", list, Some(a), "status").unwrap(),
            "awaiting Support",
            "renaming keeps its own name"
        );
    }

    #[test]
    fn moving_swaps_with_a_neighbour_and_stops_at_the_ends() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        assert_eq!(moved(ids.clone(), ids[1], "up").unwrap(), Some(vec![ids[1], ids[0], ids[2]]));
        assert_eq!(moved(ids.clone(), ids[1], "down").unwrap(), Some(vec![ids[0], ids[2], ids[1]]));
        assert_eq!(moved(ids.clone(), ids[0], "up").unwrap(), None);
        assert_eq!(moved(ids.clone(), ids[2], "down").unwrap(), None);
        assert!(matches!(moved(ids.clone(), ids[0], "sideways"), Err(AppError::BadRequest(_))));
        assert!(matches!(moved(ids, Uuid::now_v7(), "up"), Err(AppError::NotFound)));
    }
}
