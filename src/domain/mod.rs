//! Plain data and pure logic: record shapes, the race model, timing. No I/O,
//! so everything here is unit-tested without a broker or a database.

pub mod board_policy;
pub mod commands;
pub mod downsample;
pub mod events;
pub mod leaderboard_chunks;
pub mod records;
#[cfg(test)]
mod records_props;
pub mod sim;
pub mod strategy;
pub mod timing;
