//! What every resolver may use: the PostgreSQL and Redis pools.

use crate::db::Keys;

#[derive(Clone)]
pub struct Context {
    pub pg: deadpool_postgres::Pool,
    pub redis: deadpool_redis::Pool,
    pub keys: Keys,
}

impl juniper::Context for Context {}
