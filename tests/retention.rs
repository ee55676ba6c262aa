//! Retention (`storage.retention_days`): a race that ended longer ago than
//! the limit loses its samples partition and all but its final leaderboard
//! snapshot; its race row and entry list stay; a newer finished race and a
//! running race keep everything. The store role applies it by itself.

mod common;

use std::time::{Duration, Instant};

use common::history::{
    migrated_db, partition_name, race, sample_count, table_exists, write_samples,
};
use common::{cleanup_settings, TestApp};
use deadpool_postgres::Pool;
use pitwall::app::Role;
use pitwall::db::history::{write_batch, HistoryBatch};
use pitwall::db::retention::drop_expired;
use serde_json::json;

/// A race with samples and three leaderboard snapshots; `ended_days_ago`
/// None leaves it running (started 40 days ago, so age alone proves nothing).
async fn seed_race(pool: &Pool, race_id: &str, ended_days_ago: Option<i32>) -> usize {
    let (started, samples) = race(race_id, 5, 30);
    let snapshots = [1000u64, 2000, 3000]
        .map(|ts| (race_id.to_string(), ts, json!({ "ts_ms": ts })))
        .to_vec();
    let mut batch = HistoryBatch {
        races: vec![started],
        samples: samples.clone(),
        ..Default::default()
    };
    batch.events.snapshots = snapshots;
    if ended_days_ago.is_some() {
        batch.finished.push((race_id.to_string(), 3000, "finished"));
    }
    write_batch(pool, &batch).await.expect("seed");
    let client = pool.get().await.unwrap();
    client
        .execute(
            "UPDATE races SET finished_at = now() - make_interval(days => $2) \
             WHERE race_id = $1 AND status <> 'running'",
            &[&race_id, &ended_days_ago.unwrap_or(0)],
        )
        .await
        .unwrap();
    client
        .execute(
            "UPDATE races SET started_at = now() - interval '40 days' WHERE race_id = $1",
            &[&race_id],
        )
        .await
        .unwrap();
    samples.len()
}

async fn count(pool: &Pool, sql: &str, race_id: &str) -> i64 {
    let client = pool.get().await.unwrap();
    client.query_one(sql, &[&race_id]).await.unwrap().get(0)
}

#[actix_web::test]
async fn expired_races_lose_their_samples_and_nothing_else() {
    let (settings, pool) = migrated_db().await;
    let old = seed_race(&pool, "r-old", Some(10)).await;
    let recent = seed_race(&pool, "r-recent", Some(1)).await;
    let running = seed_race(&pool, "r-running", None).await;

    assert!(
        drop_expired(&pool, 0).await.unwrap().is_empty(),
        "0 keeps everything"
    );
    assert_eq!(sample_count(&pool, "r-old").await, old as i64);

    assert_eq!(drop_expired(&pool, 7).await.unwrap(), vec!["r-old"]);
    assert!(!table_exists(&pool, &partition_name(&pool, "r-old").await).await);
    assert_eq!(sample_count(&pool, "r-old").await, 0);
    let snapshots = "SELECT count(*) FROM leaderboard_snapshots WHERE race_id = $1";
    let final_kept =
        "SELECT count(*) FROM leaderboard_snapshots WHERE race_id = $1 AND ts_ms = 3000";
    assert_eq!(
        count(&pool, snapshots, "r-old").await,
        1,
        "only the final snapshot"
    );
    assert_eq!(count(&pool, final_kept, "r-old").await, 1);
    let entries = "SELECT count(*) FROM entries WHERE race_id = $1";
    assert_eq!(
        count(&pool, entries, "r-old").await,
        5,
        "the entry list stays"
    );
    let dropped =
        "SELECT count(*) FROM races WHERE race_id = $1 AND samples_dropped_at IS NOT NULL";
    assert_eq!(count(&pool, dropped, "r-old").await, 1);

    for (id, n) in [("r-recent", recent), ("r-running", running)] {
        assert_eq!(sample_count(&pool, id).await, n as i64, "{id} untouched");
        assert!(table_exists(&pool, &partition_name(&pool, id).await).await);
        assert_eq!(
            count(&pool, snapshots, id).await,
            3,
            "{id} snapshots untouched"
        );
    }

    // A late replay of the cleared race does not bring its samples back for
    // good: they reach the default partition, and the next run empties it.
    let (_, replayed) = race("r-old", 5, 30);
    write_samples(&pool, &replayed).await;
    assert!(!table_exists(&pool, &partition_name(&pool, "r-old").await).await);
    assert!(drop_expired(&pool, 7).await.unwrap().is_empty());
    assert_eq!(sample_count(&pool, "r-old").await, 0);
    assert_eq!(sample_count(&pool, "r-recent").await, recent as i64);

    drop(pool);
    cleanup_settings(&settings).await;
}

#[actix_web::test]
async fn the_store_role_applies_retention_by_itself() {
    let (mut settings, pool) = migrated_db().await;
    settings.storage.retention_days = 7;
    settings.storage.retention_interval_s = 1;
    seed_race(&pool, "r-old", Some(30)).await;
    seed_race(&pool, "r-recent", Some(1)).await;
    let app = TestApp::spawn_with(settings, Role::Store).await;
    let old_partition = partition_name(&pool, "r-old").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while table_exists(&pool, &old_partition).await {
        assert!(
            Instant::now() < deadline,
            "the store role dropped r-old's samples"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(sample_count(&pool, "r-old").await, 0);
    assert!(sample_count(&pool, "r-recent").await > 0);
    drop(pool);
    app.cleanup().await;
}
