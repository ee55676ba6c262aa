//! The simulator's own checkpoint, one hash per race
//! (`<prefix>ckpt:simulator:<race id>`): `tick`, the last tick every record
//! of which the broker has acknowledged (0: `race_started`), and `ended`
//! once the race is over. A simulator that reads a start command again
//! (after a crash, its offset is still uncommitted) asks here whether to
//! start the race, resume it after `tick`, or leave it alone.

use std::time::Duration;

use deadpool_redis::redis::{self, AsyncCommands};

use super::{DbError, Keys};

/// Long enough to outlive any race that could hold an earlier command's
/// offset back: a later command is read again as long as that one runs.
const KEEP_S: i64 = 7 * 24 * 3600;

/// Moves `tick` forward only: a late write from an instance that lost the
/// race in a rebalance must not move the new owner's checkpoint back.
const ADVANCE: &str = r"
local now = tonumber(redis.call('HGET', KEYS[1], 'tick') or '-1')
if tonumber(ARGV[1]) > now then redis.call('HSET', KEYS[1], 'tick', ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
";

/// Where a race stands, according to the checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// Never published: start from `race_started`.
    Fresh,
    /// Published and acknowledged up to this tick: regenerate silently up
    /// to it and go on from the next one.
    After(u64),
    /// Over (finished or stopped): do not run it again.
    Ended,
}

#[derive(Clone)]
pub struct SimCheckpoints {
    pool: deadpool_redis::Pool,
    keys: Keys,
}

impl SimCheckpoints {
    pub fn new(pool: deadpool_redis::Pool, keys: Keys) -> Self {
        SimCheckpoints { pool, keys }
    }

    fn key(&self, race_id: &str) -> String {
        format!("{}ckpt:simulator:{race_id}", self.keys.prefix())
    }

    pub async fn lookup(&self, race_id: &str) -> Result<Resume, DbError> {
        let mut conn = self.pool.get().await?;
        let (tick, ended): (Option<u64>, Option<u8>) = redis::cmd("HMGET")
            .arg(self.key(race_id))
            .arg("tick")
            .arg("ended")
            .query_async(&mut conn)
            .await?;
        Ok(match (tick, ended) {
            (_, Some(_)) => Resume::Ended,
            (Some(tick), None) => Resume::After(tick),
            (None, None) => Resume::Fresh,
        })
    }

    /// Every record up to and including `tick` is on the broker.
    pub async fn acknowledged(&self, race_id: &str, tick: u64) -> Result<(), DbError> {
        let mut conn = self.pool.get().await?;
        redis::cmd("EVAL")
            .arg(ADVANCE)
            .arg(1)
            .arg(self.key(race_id))
            .arg(tick)
            .arg(KEEP_S)
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    pub async fn ended(&self, race_id: &str) -> Result<(), DbError> {
        let mut conn = self.pool.get().await?;
        let key = self.key(race_id);
        conn.hset::<_, _, _, ()>(&key, "ended", 1).await?;
        conn.expire::<_, ()>(&key, KEEP_S).await?;
        Ok(())
    }

    /// Marks the race ended, retrying until Redis answers: its start
    /// command must not be committed (and the race forgotten) before.
    pub async fn ended_with_retry(&self, race_id: &str) {
        let mut wait = Duration::from_millis(200);
        while let Err(e) = self.ended(race_id).await {
            log::warn!("race {race_id}: end not recorded yet ({e}); retrying in {wait:?}");
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(5));
        }
    }
}
