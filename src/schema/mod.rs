//! The GraphQL API (Juniper): live fields read Redis, history fields read
//! PostgreSQL, and one query may ask for both; a subscription streams a
//! race's leaderboard. One file per object.

pub mod context;
pub mod eager;
pub mod history;
pub mod leaderboard;
pub mod limits;
pub mod live_races;
pub mod prepared;
pub mod query;
pub mod race;
pub mod subscription;
pub mod telemetry;

use juniper::{EmptyMutation, RootNode};

pub use context::Context;
pub use query::Query;
pub use subscription::Subscription;

pub type Schema = RootNode<Query, EmptyMutation<Context>, Subscription>;

/// The schema with the parse limits Juniper enforces itself: nesting depth
/// and fields per operation (see `limits` for the rest).
pub fn schema() -> Schema {
    Schema::new(Query, EmptyMutation::new(), Subscription)
        .limit_depth(limits::MAX_DEPTH)
        .limit_fields(limits::MAX_FIELDS)
}
