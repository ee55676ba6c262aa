//! What every resolver may use: the PostgreSQL and Redis pools, the newest
//! leaderboards this server's hub has seen, the rows of those races, and
//! the places left for subscriptions.

use std::sync::Arc;

use super::live_races::LiveRaces;
use super::subscription::SubscriptionSlots;
use crate::actors::latest_boards::LatestBoards;
use crate::db::Keys;

#[derive(Clone)]
pub struct Context {
    pub pg: deadpool_postgres::Pool,
    pub redis: deadpool_redis::Pool,
    pub keys: Keys,
    pub latest: Arc<LatestBoards>,
    pub live_races: Arc<LiveRaces>,
    pub subscriptions: Arc<SubscriptionSlots>,
}

impl juniper::Context for Context {}
