//! Connections to PostgreSQL (history) and Redis (the live view), and the
//! migrations. Every connection has timeouts: a cut connection must fail, not
//! hang the actor that waits on it.

pub mod checkpoint;
pub mod history;
pub mod history_events;
pub mod live;
pub mod queries;
pub mod retention;
pub mod samples;
pub mod sim_checkpoint;

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use log::info;
use tokio_postgres::NoTls;

use crate::config::{PostgresSettings, RedisSettings};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("postgres pool: {0}")]
    PgPool(#[from] deadpool_postgres::PoolError),
    #[error("redis: {0}")]
    Redis(#[from] deadpool_redis::redis::RedisError),
    #[error("redis pool: {0}")]
    RedisPool(#[from] deadpool_redis::PoolError),
    #[error("migrations: {0}")]
    Migrate(#[from] refinery::Error),
    #[error("database setup: {0}")]
    Setup(String),
    #[error("bad data in the database: {0}")]
    Data(String),
}

mod embedded {
    refinery::embed_migrations!("migrations");
}

fn pg_config(settings: &PostgresSettings) -> Result<tokio_postgres::Config, DbError> {
    let mut config: tokio_postgres::Config = settings.url.parse()?;
    config
        .connect_timeout(Duration::from_millis(settings.connect_timeout_ms))
        .options(format!(
            "-c statement_timeout={}",
            settings.statement_timeout_ms
        ))
        .application_name("pitwall");
    Ok(config)
}

/// A pool whose connections carry `statement_timeout`, so no query runs forever.
pub fn pg_pool(settings: &PostgresSettings) -> Result<Pool, DbError> {
    let manager = Manager::from_config(
        pg_config(settings)?,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let timeout = Some(Duration::from_millis(settings.connect_timeout_ms));
    Pool::builder(manager)
        .max_size(settings.pool_size)
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .wait_timeout(timeout)
        .create_timeout(timeout)
        .recycle_timeout(timeout)
        .build()
        .map_err(|e| DbError::Setup(e.to_string()))
}

pub fn redis_pool(settings: &RedisSettings) -> Result<deadpool_redis::Pool, DbError> {
    let timeout = Some(Duration::from_millis(settings.timeout_ms));
    deadpool_redis::Config::from_url(settings.url.clone())
        .builder()
        .map_err(|e| DbError::Setup(e.to_string()))?
        .max_size(settings.pool_size)
        .runtime(deadpool_redis::Runtime::Tokio1)
        .wait_timeout(timeout)
        .create_timeout(timeout)
        .recycle_timeout(timeout)
        .build()
        .map_err(|e| DbError::Setup(e.to_string()))
}

/// Applies the migrations in `migrations/`. Several roles may start at once:
/// an advisory lock lets one migrate while the others wait.
pub async fn migrate(settings: &PostgresSettings) -> Result<(), DbError> {
    let (mut client, connection) = pg_config(settings)?.connect(NoTls).await?;
    let driver = tokio::spawn(connection);
    const LOCK: &str = "SELECT pg_advisory_lock(hashtext('pitwall-migrations'))";
    client.batch_execute(LOCK).await?;
    let report = embedded::migrations::runner().run_async(&mut client).await;
    client
        .batch_execute("SELECT pg_advisory_unlock(hashtext('pitwall-migrations'))")
        .await?;
    let report = report?;
    for m in report.applied_migrations() {
        info!("applied migration {}", m);
    }
    drop(client);
    let _ = driver.await;
    Ok(())
}

/// Redis key names of the live view, all under the configured prefix.
#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    pub fn new(prefix: &str) -> Keys {
        Keys {
            prefix: prefix.to_owned(),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Set of the ids of races that are running.
    pub fn live_races(&self) -> String {
        format!("{}races:live", self.prefix)
    }

    /// The race's latest leaderboard event, as published.
    pub fn leaderboard(&self, race_id: &str) -> String {
        format!("{}race:{race_id}:leaderboard", self.prefix)
    }

    /// Processing's checkpoint of one partition (see `checkpoint`).
    pub fn checkpoint(&self, topic: &str, partition: i32) -> String {
        format!("{}ckpt:processing:{topic}:{partition}", self.prefix)
    }

    pub fn status(&self, race_id: &str) -> String {
        format!("{}race:{race_id}:status", self.prefix)
    }

    pub fn strategy(&self, race_id: &str) -> String {
        format!("{}race:{race_id}:strategy", self.prefix)
    }

    pub fn samples(&self, race_id: &str) -> String {
        format!("{}race:{race_id}:samples", self.prefix)
    }

    pub fn recent(&self, race_id: &str) -> String {
        format!("{}race:{race_id}:recent", self.prefix)
    }

    /// Every key of a race's live view, for expiry when it ends.
    pub fn race_keys(&self, race_id: &str) -> [String; 6] {
        [
            self.meta(race_id),
            self.leaderboard(race_id),
            self.status(race_id),
            self.strategy(race_id),
            self.samples(race_id),
            self.recent(race_id),
        ]
    }

    /// The race's name, track, laps and status (JSON).
    pub fn meta(&self, race_id: &str) -> String {
        format!("{}race:{race_id}:meta", self.prefix)
    }
}
