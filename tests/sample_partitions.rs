//! The samples table's partition per race (migrations/V3): storage creates
//! a race's partition when it first writes the race, several writers may do
//! so at once, a replayed batch inserts nothing twice, and rows that reached
//! the default partition move into the race's own partition when it is made;
//! a batch large enough to be split over two connections is stored whole.

mod common;

use common::history::{migrated_db, partition_name, partitions_of, race, sample_count};
use common::{cleanup_settings, history::write_samples};
use futures_util::future::join_all;

#[actix_web::test]
async fn concurrent_writers_of_a_new_race_all_succeed() {
    let (settings, pool) = migrated_db().await;
    let (_, samples) = race("r-concurrent", 10, 40);
    // Eight writers (as from several storage instances) see the race at
    // once, each with a quarter of its samples, overlapping by half.
    let quarter = samples.len() / 4;
    let writes = (0..8).map(|i| {
        let from = (i % 4) * quarter;
        let chunk = samples[from..(from + quarter * 2).min(samples.len())].to_vec();
        let pool = pool.clone();
        async move { pitwall::db::history::write_batch(&pool, &batch(chunk)).await }
    });
    for outcome in join_all(writes).await {
        outcome.expect("every writer succeeds");
    }
    assert_eq!(
        sample_count(&pool, "r-concurrent").await,
        samples.len() as i64
    );
    assert_eq!(
        partitions_of(&pool, "r-concurrent").await,
        vec![partition_name(&pool, "r-concurrent").await],
        "all in the race's own partition"
    );
    drop(pool);
    cleanup_settings(&settings).await;
}

#[actix_web::test]
async fn replayed_and_overlapping_batches_insert_nothing_twice() {
    let (settings, pool) = migrated_db().await;
    let (_, samples) = race("r-replay", 6, 50);
    let half = samples.len() / 2;
    write_samples(&pool, &samples[..half]).await;
    // Overlaps what is stored: the COPY fails on the key and the batch goes
    // in again with ON CONFLICT DO NOTHING.
    write_samples(&pool, &samples[half / 2..]).await;
    write_samples(&pool, &samples).await;
    assert_eq!(sample_count(&pool, "r-replay").await, samples.len() as i64);
    let client = pool.get().await.unwrap();
    let distinct: i64 = client
        .query_one(
            "SELECT count(DISTINCT (car_id, seq)) FROM samples WHERE race_id = 'r-replay'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(distinct, samples.len() as i64);
    drop(client);
    drop(pool);
    cleanup_settings(&settings).await;
}

#[actix_web::test]
async fn rows_in_the_default_partition_move_to_their_race_partition() {
    let (settings, pool) = migrated_db().await;
    let (_, samples) = race("r-stray", 4, 20);
    let half = samples.len() / 2;
    // Written without creating the partition (as by a writer that skipped
    // it): the rows land in the default partition, nothing fails.
    {
        let client = pool.get().await.unwrap();
        let tx_client: &deadpool_postgres::Client = &client;
        pitwall::db::samples::upsert(tx_client, "samples", &samples[..half])
            .await
            .expect("insert into the default partition");
    }
    assert_eq!(
        partitions_of(&pool, "r-stray").await,
        vec!["samples_default"]
    );
    write_samples(&pool, &samples[half..]).await;
    assert_eq!(sample_count(&pool, "r-stray").await, samples.len() as i64);
    assert_eq!(
        partitions_of(&pool, "r-stray").await,
        vec![partition_name(&pool, "r-stray").await]
    );
    drop(pool);
    cleanup_settings(&settings).await;
}

fn batch(
    samples: Vec<(String, pitwall::domain::records::Sample)>,
) -> pitwall::db::history::HistoryBatch {
    pitwall::db::history::HistoryBatch {
        samples,
        ..Default::default()
    }
}

#[actix_web::test]
async fn a_large_batch_split_over_two_connections_is_whole_and_idempotent() {
    let (settings, pool) = migrated_db().await;
    // Over the 10,000 samples from which write_batch splits a batch.
    let (started, samples) = race("r-large", 20, 700);
    assert!(samples.len() >= 10_000, "{} samples", samples.len());
    let large = pitwall::db::history::HistoryBatch {
        races: vec![started],
        samples: samples.clone(),
        finished: vec![("r-large".into(), 70_000, "finished")],
        ..Default::default()
    };
    pitwall::db::history::write_batch(&pool, &large)
        .await
        .expect("written");
    pitwall::db::history::write_batch(&pool, &large)
        .await
        .expect("written again");
    assert_eq!(sample_count(&pool, "r-large").await, samples.len() as i64);
    let client = pool.get().await.unwrap();
    let status: String = client
        .query_one("SELECT status FROM races WHERE race_id = 'r-large'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(status, "finished");
    drop(client);
    drop(pool);
    cleanup_settings(&settings).await;
}
