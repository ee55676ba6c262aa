//! Processing's own checkpoint (keys `<prefix>ckpt:processing:<topic>:<partition>`,
//! a hash race id → offset of its `race_started`): where each running race's
//! records begin. When a partition is assigned (after a restart or a
//! rebalance) processing replays from the oldest of them to rebuild the
//! races' state; a finished race leaves the hash.

use std::time::Duration;

use deadpool_redis::redis::{self, AsyncCommands};
use log::warn;

use super::{DbError, Keys};
use crate::kafka::source::ReplayPlanner;

const PLAN_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct Checkpoints {
    pool: deadpool_redis::Pool,
    /// A plain client for the planner, which runs inside a rebalance
    /// callback where nothing can be awaited.
    client: redis::Client,
    keys: Keys,
}

impl Checkpoints {
    pub fn new(pool: deadpool_redis::Pool, url: &str, keys: Keys) -> Result<Self, DbError> {
        Ok(Checkpoints {
            pool,
            client: redis::Client::open(url)?,
            keys,
        })
    }

    pub async fn race_started(
        &self,
        topic: &str,
        partition: i32,
        race_id: &str,
        offset: i64,
    ) -> Result<(), DbError> {
        let mut conn = self.pool.get().await?;
        // The first start stays: a simulator resumed right after it began
        // announces the race again, and replaying from the later copy would
        // miss the frames in between.
        conn.hset_nx::<_, _, _, ()>(self.keys.checkpoint(topic, partition), race_id, offset)
            .await?;
        Ok(())
    }

    pub async fn race_closed(
        &self,
        topic: &str,
        partition: i32,
        race_id: &str,
    ) -> Result<(), DbError> {
        let mut conn = self.pool.get().await?;
        conn.hdel::<_, _, ()>(self.keys.checkpoint(topic, partition), race_id)
            .await?;
        Ok(())
    }

    fn oldest(&self, topic: &str, partition: i32) -> Result<Option<i64>, DbError> {
        let mut conn = self.client.get_connection_with_timeout(PLAN_TIMEOUT)?;
        conn.set_read_timeout(Some(PLAN_TIMEOUT))?;
        let offsets: Vec<i64> = redis::cmd("HVALS")
            .arg(self.keys.checkpoint(topic, partition))
            .query(&mut conn)?;
        Ok(offsets.into_iter().min())
    }
}

impl ReplayPlanner for Checkpoints {
    fn replay_from(&self, topic: &str, partition: i32) -> Option<i64> {
        match self.oldest(topic, partition) {
            Ok(from) => from,
            Err(e) => {
                // Without the checkpoint the races of this partition cannot
                // be rebuilt; say so loudly and go on from the committed offset.
                warn!("checkpoint for {topic}/{partition} unavailable, races there restart empty: {e}");
                None
            }
        }
    }
}
