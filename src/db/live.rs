//! The Redis live view, written only by storage and read by GraphQL and the
//! WebSocket hub. Keys (under the configured prefix, `pitwall:` by default):
//!
//! - `races:live` — set of the ids of running races
//! - `race:{id}:meta` — JSON: name, track, laps, status
//! - `race:{id}:leaderboard` — the latest `leaderboard` event, as published
//!
//! A finished race leaves `races:live` and its keys expire after
//! `redis.finished_ttl_s`. Each storage flush is one pipelined round trip.

use deadpool_redis::redis::{self, AsyncCommands};
use deadpool_redis::Pool;
use serde::{Deserialize, Serialize};

use super::{DbError, Keys};

/// A race's summary in the live view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceMeta {
    pub race_id: String,
    pub name: String,
    pub track_id: String,
    pub total_laps: u32,
    pub status: String,
}

/// What one storage flush writes to Redis.
#[derive(Debug, Default)]
pub struct LiveBatch {
    pub started: Vec<RaceMeta>,
    /// (race_id, leaderboard JSON): only the newest per race is kept.
    pub leaderboards: Vec<(String, String)>,
    /// (race_id, status)
    pub finished: Vec<(String, &'static str)>,
}

impl LiveBatch {
    pub fn is_empty(&self) -> bool {
        self.started.is_empty() && self.leaderboards.is_empty() && self.finished.is_empty()
    }
}

pub async fn write_batch(
    pool: &Pool,
    keys: &Keys,
    batch: &LiveBatch,
    finished_ttl_s: u64,
) -> Result<(), DbError> {
    let mut pipe = redis::pipe();
    for meta in &batch.started {
        let json = serde_json::to_string(meta).map_err(|e| DbError::Data(e.to_string()))?;
        pipe.set(keys.meta(&meta.race_id), json).ignore();
        pipe.sadd(keys.live_races(), &meta.race_id).ignore();
    }
    for (race_id, json) in &batch.leaderboards {
        pipe.set(keys.leaderboard(race_id), json).ignore();
    }
    for (race_id, status) in &batch.finished {
        pipe.srem(keys.live_races(), race_id).ignore();
        // The meta's status is rewritten in place; a missing meta (storage
        // started after the race) stays missing rather than half-invented.
        pipe.cmd("EVAL")
            .arg(SET_STATUS)
            .arg(1)
            .arg(keys.meta(race_id))
            .arg(*status)
            .ignore();
        for key in [keys.meta(race_id), keys.leaderboard(race_id)] {
            pipe.expire(key, finished_ttl_s as i64).ignore();
        }
    }
    let mut conn = pool.get().await?;
    pipe.query_async::<()>(&mut conn).await?;
    Ok(())
}

/// Sets `status` inside the JSON at KEYS[1], keeping its TTL-less value.
const SET_STATUS: &str = "local v = redis.call('GET', KEYS[1]) \
    if v then local m = cjson.decode(v) m['status'] = ARGV[1] \
    redis.call('SET', KEYS[1], cjson.encode(m)) end return 1";

/// The latest leaderboard event of a race, as JSON.
pub async fn leaderboard(
    pool: &Pool,
    keys: &Keys,
    race_id: &str,
) -> Result<Option<String>, DbError> {
    let mut conn = pool.get().await?;
    Ok(conn.get(keys.leaderboard(race_id)).await?)
}

pub async fn meta(pool: &Pool, keys: &Keys, race_id: &str) -> Result<Option<RaceMeta>, DbError> {
    let mut conn = pool.get().await?;
    let json: Option<String> = conn.get(keys.meta(race_id)).await?;
    json.map(|j| serde_json::from_str(&j).map_err(|e| DbError::Data(e.to_string())))
        .transpose()
}

pub async fn live_races(pool: &Pool, keys: &Keys) -> Result<Vec<String>, DbError> {
    let mut conn = pool.get().await?;
    let mut ids: Vec<String> = conn.smembers(keys.live_races()).await?;
    ids.sort();
    Ok(ids)
}
