//! Pitwall: a real-time race event platform. See README.md for the picture
//! and docs/ for the contracts; each module opens with what it owns.

pub mod actors;
pub mod app;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod kafka;
pub mod loadtest;
pub mod metrics;
pub mod schema;
pub mod web;
