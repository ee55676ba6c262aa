//! The actors of the pipeline, one file each, named after the actor:
//!
//! - `sim_manager` / `simulator`: simulate role — commands in, races out to
//!   `telemetry_raw` (`sim_progress`: what the broker acknowledged of a race,
//!   checkpointed so a restarted simulator resumes it).
//! - `router` / `race`: process role — `telemetry_raw` in, one `RaceActor` per
//!   race, events out to `telemetry_processed`.
//! - `storage`: store role — both topics in, Redis and PostgreSQL out.
//! - `hub` / `session`: serve role — `telemetry_processed` in, WebSocket out
//!   (`latest_boards`: the hub's newest leaderboard per race, which GraphQL
//!   reads too; `outbox`: each connection's queue of frames the hub writes).
//!
//! Every message is in `messages`.

pub mod hub;
pub mod latest_boards;
pub mod messages;
pub mod outbox;
pub mod race;
pub mod router;
pub mod session;
pub mod sim_manager;
pub mod sim_progress;
pub mod simulator;
pub mod storage;
