//! The Redis live view: a running race's keys are there for GraphQL and
//! snapshots; once the race finishes it leaves the live set and its keys
//! expire after `redis.finished_ttl_s`.

mod common;

use std::time::{Duration, Instant};

use common::{isolated_settings, TestApp};
use deadpool_redis::redis;
use pitwall::app::Role;
use serde_json::json;

#[actix_web::test]
async fn a_finished_race_leaves_the_live_view_and_its_keys_expire() {
    let mut settings = isolated_settings().await;
    settings.redis.finished_ttl_s = 3;
    let prefix = settings.redis.prefix.clone();
    let app = TestApp::spawn_with(settings, Role::All).await;
    let client = redis::Client::open("redis://127.0.0.1:6379").unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let race_id = app
        .start_race(json!({"track": "street", "cars": 4, "laps": 1, "sample_hz": 10, "time_scale": 30, "seed": 2}))
        .await;

    // While it runs: in the live set, with its keys.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let live: Vec<String> = redis::cmd("SMEMBERS")
            .arg(format!("{prefix}races:live"))
            .query_async(&mut conn)
            .await
            .unwrap();
        let board: Option<String> = redis::cmd("GET")
            .arg(format!("{prefix}race:{race_id}:leaderboard"))
            .query_async(&mut conn)
            .await
            .unwrap();
        if live.contains(&race_id) && board.is_some() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "race in the live view while running"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.wait_race_status(&race_id, "finished", Duration::from_secs(60))
        .await;

    let keys = |conn: &mut redis::aio::MultiplexedConnection| {
        let pattern = format!("{prefix}race:{race_id}:*");
        let mut conn = conn.clone();
        async move {
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(pattern)
                .query_async(&mut conn)
                .await
                .unwrap();
            keys
        }
    };
    // Left the live set; every key has a TTL of at most the setting.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let live: Vec<String> = redis::cmd("SMEMBERS")
            .arg(format!("{prefix}races:live"))
            .query_async(&mut conn)
            .await
            .unwrap();
        if !live.contains(&race_id) {
            break;
        }
        assert!(Instant::now() < deadline, "race left the live set");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let present = keys(&mut conn).await;
    for key in &present {
        let ttl: i64 = redis::cmd("TTL")
            .arg(key)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!((0..=3).contains(&ttl), "{key} expires (ttl {ttl})");
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    while !keys(&mut conn).await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "keys expired: {:?}",
            keys(&mut conn).await
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // GraphQL still answers for the race, from PostgreSQL.
    let body = app
        .graphql(&format!(
            r#"{{ race(id: "{race_id}") {{ leaderboard {{ entries {{ carId }} }} }} }}"#
        ))
        .await;
    assert_eq!(
        body["data"]["race"]["leaderboard"]["entries"]
            .as_array()
            .unwrap()
            .len(),
        4,
        "{body}"
    );
    app.cleanup().await;
}
