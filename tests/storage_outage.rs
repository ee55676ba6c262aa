//! Storage when its databases go away: PostgreSQL and Redis are cut mid-race
//! through loopback proxies (only this test's connections), `/readyz` names
//! them, nothing crashes, and once they return the backlog drains with every
//! published sample stored exactly once; replaying the same records leaves
//! the tables as they were.

mod common;

use std::time::{Duration, Instant};

use common::proxy::Proxy;
use common::{as_set, isolated_settings, raw_samples, TestApp};
use pitwall::app::Role;
use serde_json::{json, Value};

async fn readyz(app: &TestApp) -> (u16, Value) {
    let mut resp = app
        .http
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    (
        resp.status().as_u16(),
        resp.json::<Value>().await.unwrap_or(Value::Null),
    )
}

#[actix_web::test]
async fn databases_cut_mid_race_lose_nothing_and_double_nothing() {
    let mut settings = isolated_settings().await;
    let direct_pg = settings.postgres.url.clone();
    let pg_proxy = Proxy::start("127.0.0.1:5432").await;
    let redis_proxy = Proxy::start("127.0.0.1:6379").await;
    settings.postgres.url = direct_pg.replace(":5432/", &format!(":{}/", pg_proxy.port));
    settings.redis.url = format!("redis://127.0.0.1:{}", redis_proxy.port);
    settings.postgres.connect_timeout_ms = 1000;
    settings.redis.timeout_ms = 1000;
    let app = TestApp::spawn_with(settings.clone(), Role::All).await;

    let race_id = app
        .start_race(json!({"track": "street", "cars": 6, "laps": 3, "sample_hz": 10, "time_scale": 15, "seed": 21}))
        .await;
    // Let it get going, then cut both databases for a while.
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.stored_samples(&race_id).await.len() < 300 {
        assert!(Instant::now() < deadline, "samples stored before the cut");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    pg_proxy.cut();
    redis_proxy.cut();
    let cut_at = Instant::now();
    let mut named = false;
    while cut_at.elapsed() < Duration::from_secs(8) {
        let (code, body) = readyz(&app).await;
        if code == 503 {
            let problems = body["problems"].to_string();
            named |= problems.contains("postgres") && problems.contains("redis");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        named,
        "/readyz named postgres and redis while they were cut"
    );
    pg_proxy.restore();
    redis_proxy.restore();
    app.wait_ready(Duration::from_secs(60)).await;

    app.wait_race_status(&race_id, "finished", Duration::from_secs(120))
        .await;
    let published = raw_samples(&app.settings, &race_id, Duration::from_secs(30)).await;
    let rows = app.stored_samples(&race_id).await;
    assert_eq!(rows.len(), as_set(&rows).len(), "no sample stored twice");
    assert_eq!(
        as_set(&rows),
        as_set(&published),
        "every published sample stored"
    );

    // Replaying every record again (a new storage group from the start)
    // leaves the tables as they were.
    let counts = |pg: tokio_postgres::Client, race: String| async move {
        let mut out = Vec::new();
        for table in [
            "samples",
            "laps",
            "pit_stops",
            "strategy_calls",
            "race_control",
            "leaderboard_snapshots",
        ] {
            let sql = format!("SELECT count(*) FROM {table} WHERE race_id = $1");
            out.push(pg.query_one(&sql, &[&race]).await.unwrap().get::<_, i64>(0));
        }
        out
    };
    let before = counts(app.pg().await, race_id.clone()).await;
    assert!(before[1] >= 6 * 3, "laps stored: {before:?}");
    let mut replay = settings.clone();
    replay.kafka.group_prefix = format!("{}_replay", settings.kafka.group_prefix);
    replay.postgres.url = direct_pg;
    replay.redis.url = "redis://127.0.0.1:6379".into();
    let replayer = TestApp::spawn_with(replay, Role::Store).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        // The replaying group has caught up when its lag is zero on every
        // partition; until then compare what is there.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let mut resp = replayer
            .http
            .get(format!("{}/metrics", replayer.base))
            .send()
            .await
            .unwrap();
        let text = String::from_utf8(resp.body().await.unwrap().to_vec()).unwrap();
        let group = format!("{}_replay-storage", settings.kafka.group_prefix);
        let lags: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("pitwall_consumer_lag") && l.contains(&group))
            .collect();
        if !lags.is_empty() && lags.iter().all(|l| l.ends_with(" 0")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "replay did not catch up: {lags:?}"
        );
    }
    let after = counts(app.pg().await, race_id.clone()).await;
    assert_eq!(before, after, "a replay inserts nothing twice");
    replayer.cleanup_keep_database().await;
    app.cleanup().await;
}
