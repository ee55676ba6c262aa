//! The Redis live view, written only by storage and read by GraphQL and the
//! WebSocket hub. Keys (under the configured prefix, `pitwall:` by default):
//!
//! - `races:live` — set of the ids of running races
//! - `race:{id}:meta` — JSON: name, track, laps, status
//! - `race:{id}:leaderboard` — the latest `leaderboard` event, as published
//! - `race:{id}:status` — the latest `race_status` event
//! - `race:{id}:strategy` — hash car id → the car's latest `strategy` event
//! - `race:{id}:samples` — hash car id → the car's latest raw sample
//! - `race:{id}:recent` — list of the latest `lap_completed` and `pit_stop`
//!   events, newest first, at most `RECENT_EVENTS`
//!
//! A finished race leaves `races:live` and its keys expire after
//! `redis.finished_ttl_s`. Each storage flush is one pipelined round trip.

use std::collections::HashMap;

use deadpool_redis::redis::{self, AsyncCommands};
use deadpool_redis::Pool;
use serde::{Deserialize, Serialize};

use super::{DbError, Keys};
use crate::domain::records::Sample;

/// A race's summary in the live view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceMeta {
    pub race_id: String,
    pub name: String,
    pub track_id: String,
    pub total_laps: u32,
    pub status: String,
}

/// Lap and pit events kept per race in `race:{id}:recent`.
pub const RECENT_EVENTS: isize = 200;

/// What one storage flush writes to Redis. Per race and car only the newest
/// value survives a batch, so a flush costs a few commands per race.
#[derive(Debug, Default)]
pub struct LiveBatch {
    pub started: Vec<RaceMeta>,
    /// race_id → the newest leaderboard JSON
    pub leaderboards: HashMap<String, String>,
    /// race_id → the newest race_status JSON
    pub status: HashMap<String, String>,
    /// race_id → car_id → the newest strategy JSON
    pub strategy: HashMap<String, HashMap<u32, String>>,
    /// race_id → car_id → the newest sample, serialised only at the flush
    /// (a batch sees many samples of each car and keeps one)
    pub samples: HashMap<String, HashMap<u32, Sample>>,
    /// race_id → lap and pit event JSON, oldest first
    pub recent: HashMap<String, Vec<String>>,
    /// (race_id, status)
    pub finished: Vec<(String, &'static str)>,
    /// Races whose keys must (again) expire: processing's final events for
    /// a race can reach storage after its `race_finished`, and a SET clears
    /// a key's TTL.
    pub expire: Vec<String>,
}

impl LiveBatch {
    pub fn is_empty(&self) -> bool {
        self.started.is_empty()
            && self.leaderboards.is_empty()
            && self.status.is_empty()
            && self.strategy.is_empty()
            && self.samples.is_empty()
            && self.recent.is_empty()
            && self.finished.is_empty()
            && self.expire.is_empty()
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
    for (race_id, json) in &batch.status {
        pipe.set(keys.status(race_id), json).ignore();
    }
    for (race_id, calls) in &batch.strategy {
        let pairs: Vec<(u32, &String)> = calls.iter().map(|(car, json)| (*car, json)).collect();
        pipe.hset_multiple(keys.strategy(race_id), &pairs).ignore();
    }
    for (race_id, samples) in &batch.samples {
        let pairs: Vec<(u32, String)> = samples
            .iter()
            .map(|(car, s)| (*car, serde_json::to_string(s).unwrap_or_default()))
            .collect();
        pipe.hset_multiple(keys.samples(race_id), &pairs).ignore();
    }
    for (race_id, events) in &batch.recent {
        let key = keys.recent(race_id);
        pipe.lpush(&key, events).ignore();
        pipe.ltrim(&key, 0, RECENT_EVENTS - 1).ignore();
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
    }
    let ended = batch.finished.iter().map(|(r, _)| r).chain(&batch.expire);
    for race_id in ended {
        for key in keys.race_keys(race_id) {
            pipe.expire(key, finished_ttl_s as i64).ignore();
        }
    }
    let mut conn = pool.get().await?;
    pipe.query_async::<()>(&mut conn).await?;
    Ok(())
}

/// Sets `status` inside the JSON at KEYS[1]; its expiry is set after.
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

/// The latest strategy call of each car of a race (JSON events).
pub async fn strategy(pool: &Pool, keys: &Keys, race_id: &str) -> Result<Vec<String>, DbError> {
    let mut conn = pool.get().await?;
    Ok(conn.hvals(keys.strategy(race_id)).await?)
}
