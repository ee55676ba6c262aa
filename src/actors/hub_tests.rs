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

/// A session that never gets to run while the test sends: its mailbox
/// stays as full as the sends made it.
struct Sink(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Actor for Sink {
    type Context = Context<Self>;
}

impl Handler<Push> for Sink {
    type Result = ();
    fn handle(&mut self, msg: Push, _: &mut Context<Self>) {
        self.0.lock().unwrap().push(msg.0.to_string());
    }
}

impl Handler<Evict> for Sink {
    type Result = ();
    fn handle(&mut self, _: Evict, _: &mut Context<Self>) {}
}

#[actix::test]
async fn a_full_client_is_handed_the_newest_leaderboard_once_it_has_room() {
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Sink::create({
        let got = got.clone();
        |ctx| {
            ctx.set_mailbox_capacity(1);
            Sink(got)
        }
    });
    let mut hub = Hub::default();
    hub.sessions.insert(
        1,
        SessionEntry {
            addr: sink.clone().recipient(),
            evict: sink.recipient(),
            races: ["r".to_owned()].into_iter().collect(),
            missed: 0,
            held: HashMap::new(),
        },
    );
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
        hub.fan_out(
            "r",
            board,
            None,
            &ByteString::from(format!("board {i}")),
            true,
        );
    }
    hub.fan_out("r", laps, Some(3), &ByteString::from("lap"), false);
    let entry = &hub.sessions[&1];
    assert_eq!(
        entry.held.get("r").map(|b| b.to_string()).as_deref(),
        Some("board 5"),
        "the newest refused leaderboard is held, older ones are not"
    );
    assert!(entry.missed >= 2);

    // The client reads what it had; the held board goes next.
    tokio::time::sleep(Duration::from_millis(20)).await;
    hub.sessions.get_mut(&1).unwrap().release_held();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let got = got.lock().unwrap().clone();
    assert_eq!(got.last().map(String::as_str), Some("board 5"), "{got:?}");
    assert!(
        got.len() < 7,
        "stale leaderboards were dropped, not queued: {got:?}"
    );
    assert!(hub.sessions[&1].held.is_empty());
}
