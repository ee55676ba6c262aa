//! Tests of the hub's routing: channel bits, filters, and how a full
//! session is coalesced.

use super::*;

#[test]
fn every_channel_has_a_bit_of_its_own() {
    let bits: Vec<u8> = CHANNELS.iter().filter_map(|c| channel_bit(c)).collect();
    assert_eq!(bits.len(), CHANNELS.len());
    assert_eq!(
        bits.iter().fold(0, |a, b| a | b).count_ones() as usize,
        CHANNELS.len()
    );
    assert_eq!(channel_bit("weather"), None);
}

#[test]
fn a_filter_passes_its_channels_and_cars() {
    let bit = |c| channel_bit(c).unwrap();
    let filter = Filter {
        channels: bit("leaderboard") | bit("laps"),
        car_ids: Some([3, 7].into_iter().collect()),
    };
    assert!(filter.wants(bit("leaderboard"), None));
    assert!(filter.wants(bit("laps"), Some(7)));
    assert!(!filter.wants(bit("laps"), Some(4)));
    assert!(!filter.wants(bit("pits"), Some(3)));
}

/// A session whose client reads nothing while the test sends: its queue
/// (room for one frame) stays as full as the sends made it.
fn full_session(hub: &mut Hub) -> tokio::sync::mpsc::Receiver<Bytes> {
    let (outbox, frames) = outbox::channel(1);
    let evict = Evicted.start().recipient();
    let mut entry = SessionEntry::new(outbox, evict);
    entry.races.insert("r".to_owned());
    hub.sessions.insert(1, entry);
    frames
}

struct Evicted;

impl Actor for Evicted {
    type Context = Context<Self>;
}

impl Handler<Evict> for Evicted {
    type Result = ();
    fn handle(&mut self, _: Evict, _: &mut Context<Self>) {}
}

fn text(frame: Bytes) -> String {
    match outbox::decode(&frame).as_slice() {
        [actix_http::ws::Frame::Text(t)] => String::from_utf8(t.to_vec()).unwrap(),
        other => panic!("not one text frame: {other:?}"),
    }
}

#[actix::test]
async fn a_full_client_is_handed_the_newest_leaderboard_once_it_has_room() {
    let mut hub = Hub::default();
    let mut frames = full_session(&mut hub);
    let (board, laps) = (
        channel_bit("leaderboard").unwrap(),
        channel_bit("laps").unwrap(),
    );
    hub.by_race.entry("r".into()).or_default().insert(
        1,
        Filter {
            channels: board | laps,
            car_ids: None,
        },
    );
    for i in 0..6 {
        let frame = outbox::text_frame(&format!("board {i}"));
        hub.fan_out("r", board, None, &frame, true);
    }
    hub.fan_out("r", laps, Some(3), &outbox::text_frame("lap"), false);
    let entry = &hub.sessions[&1];
    assert_eq!(
        entry.held.get("r").cloned().map(text).as_deref(),
        Some("board 5"),
        "the newest refused leaderboard is held, older ones are not"
    );
    assert_eq!(entry.missed, 6);

    // The client reads what it had; the held board goes next.
    assert_eq!(text(frames.try_recv().unwrap()), "board 0");
    hub.sessions.get_mut(&1).unwrap().release_held();
    assert_eq!(text(frames.try_recv().unwrap()), "board 5");
    assert!(
        frames.try_recv().is_err(),
        "stale leaderboards were dropped"
    );
    assert!(hub.sessions[&1].held.is_empty());
}

#[actix::test]
async fn a_subscriber_gets_the_snapshot_before_any_event() {
    let latest = Arc::new(LatestBoards::default());
    let mut hub = Hub::new(latest.clone());
    let (outbox, mut frames) = outbox::channel(8);
    hub.sessions
        .insert(1, SessionEntry::new(outbox, Evicted.start().recipient()));
    let subscribe = || Subscribe {
        id: 1,
        race_id: "r".into(),
        channels: vec!["leaderboard".into()],
        car_ids: None,
    };
    let snapshot = |text: &str| Snapshot {
        id: 1,
        race_id: "r".into(),
        text: text.into(),
    };
    let board = channel_bit("leaderboard").unwrap();
    let mut ctx = Context::new();

    // Without a board of its own the hub says so; the session reads Redis.
    assert_eq!(hub.handle(subscribe(), &mut ctx), None);
    // Events that come while the snapshot is made wait for it.
    hub.fan_out("r", board, None, &outbox::text_frame("live 1"), true);
    assert!(frames.try_recv().is_err(), "nothing before the snapshot");
    hub.handle(snapshot("snapshot 1"), &mut ctx);
    assert_eq!(text(frames.try_recv().unwrap()), "snapshot 1");
    assert_eq!(text(frames.try_recv().unwrap()), "live 1");
    hub.fan_out("r", board, None, &outbox::text_frame("live 2"), true);
    assert_eq!(text(frames.try_recv().unwrap()), "live 2");

    // Subscribing again: the hub hands over its own board, and the new
    // snapshot again goes before the events.
    latest.set("r", ByteString::from_static(r#"{"from":"hub"}"#));
    assert_eq!(
        hub.handle(subscribe(), &mut ctx).as_deref(),
        Some(r#"{"from":"hub"}"#)
    );
    hub.fan_out("r", board, None, &outbox::text_frame("live 3"), true);
    hub.handle(snapshot("snapshot 2"), &mut ctx);
    assert_eq!(text(frames.try_recv().unwrap()), "snapshot 2");
    assert_eq!(text(frames.try_recv().unwrap()), "live 3");
    assert!(frames.try_recv().is_err());
}
