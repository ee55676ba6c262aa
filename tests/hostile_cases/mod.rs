//! The hostile cases, one file per surface. Order matters only in that
//! the WebSocket floods and the client that never reads come last, so the
//! memory they cost is measured apart from the rest.

pub mod control;
pub mod graphql;
pub mod kafka;
pub mod websocket;

use crate::Case;

pub fn all() -> Vec<Case> {
    let mut cases = kafka::cases();
    cases.extend(graphql::cases());
    cases.extend(control::cases());
    cases.extend(websocket::cases());
    cases
}
