//! The load: one `SimulatorActor` per race, the very actor the simulate role
//! runs, publishing through the project's idempotent producer, all on one
//! thread of their own so that thread's CPU time is the generator's cost.
//! Races are stopped with `StopSimulation` (each then publishes its
//! `race_finished`), and the generator waits until the broker has
//! acknowledged every record before the counts are read.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::{Actor, Addr, Arbiter};
use rdkafka::producer::{FutureProducer, Producer};
use tokio::sync::oneshot;

use super::{cost, LoadtestError, Options};
use crate::actors::messages::StopSimulation;
use crate::actors::sim_manager::SimManager;
use crate::actors::simulator::{SimCounters, SimulatorActor};
use crate::config::Settings;
use crate::domain::commands::RaceParams;
use crate::kafka::dlq::DeadLetters;

/// Laps long enough that no race ends by itself within a load test at real
/// time (200 laps is the most the simulator accepts).
const LAPS: u32 = 200;

pub struct Generator {
    arbiter: Arbiter,
    producer: FutureProducer,
    races: Vec<(String, Addr<SimulatorActor>, Arc<SimCounters>)>,
    cars: u32,
}

/// What the simulators report once they have stopped.
#[derive(Debug, Clone, Copy, Default)]
pub struct Delivered {
    pub samples: u64,
    pub records_failed: u64,
    /// Records still unacknowledged when the wait gave up.
    pub in_flight: i32,
}

/// Connects the producer to the broker (a blocking metadata request, off
/// this thread) so the first frames do not wait for the connection.
async fn warm_up(producer: &FutureProducer) -> Result<(), LoadtestError> {
    let producer = producer.clone();
    tokio::task::spawn_blocking(move || {
        producer
            .client()
            .fetch_metadata(None, Duration::from_secs(10))
            .map(|_| ())
    })
    .await
    .map_err(|e| LoadtestError::Setup(format!("producer warm-up: {e}")))??;
    Ok(())
}

impl Generator {
    /// Connects the producer, then starts the races at once, each with
    /// seed = its index.
    pub async fn start(
        settings: &Settings,
        options: &Options,
        race_ids: &[String],
    ) -> Result<Generator, LoadtestError> {
        let kafka = &settings.kafka;
        let producer = crate::kafka::producer(kafka)?;
        warm_up(&producer).await?;
        let dlq = DeadLetters::new(producer.clone(), &kafka.topics.dlq, "loadtest");
        let arbiter = Arbiter::new();
        // The manager only hears that a race ended; the load test keeps the
        // actors' addresses and counters itself.
        let manager = SimManager::start_in_arbiter(&arbiter.handle(), {
            let producer = producer.clone();
            let raw = kafka.topics.raw.clone();
            let simulator = settings.simulator.clone();
            move |_| SimManager::new(producer, &raw, &simulator, dlq)
        });
        let mut races = Vec::with_capacity(race_ids.len());
        for (i, race_id) in race_ids.iter().enumerate() {
            let params = RaceParams {
                name: format!("Load test {}", i + 1),
                cars: options.cars,
                laps: LAPS,
                sample_hz: options.hz,
                time_scale: options.time_scale,
                seed: i as u64,
                ..RaceParams::default()
            };
            let counters = Arc::new(SimCounters::default());
            let actor = SimulatorActor::new(
                race_id.clone(),
                params,
                producer.clone(),
                kafka.topics.raw.clone(),
                manager.clone(),
                counters.clone(),
            )?;
            let addr = SimulatorActor::start_in_arbiter(&arbiter.handle(), move |_| actor);
            races.push((race_id.clone(), addr, counters));
        }
        Ok(Generator {
            arbiter,
            producer,
            races,
            cars: options.cars,
        })
    }

    /// Samples acknowledged so far over all races.
    pub fn delivered(&self) -> u64 {
        self.races
            .iter()
            .map(|(_, _, c)| c.samples_delivered.load(Ordering::Relaxed))
            .sum()
    }

    /// Samples acknowledged for race `i`.
    pub fn delivered_of(&self, i: usize) -> u64 {
        self.races
            .get(i)
            .map(|(_, _, c)| c.samples_delivered.load(Ordering::Relaxed))
            .unwrap_or(0)
    }

    pub fn cars(&self) -> u32 {
        self.cars
    }

    /// CPU time of the simulators' thread so far.
    pub async fn thread_cpu(&self) -> Option<Duration> {
        let (tx, rx) = oneshot::channel();
        self.arbiter.spawn_fn(move || {
            let _ = tx.send(cost::thread_cpu());
        });
        rx.await.ok().flatten()
    }

    /// Stops every race and waits (at most `within`) until each simulator
    /// has stopped and the broker has acknowledged every record.
    pub async fn stop(&self, within: Duration) -> Delivered {
        let deadline = Instant::now() + within;
        for (race_id, addr, _) in &self.races {
            addr.do_send(StopSimulation {
                race_id: race_id.clone(),
            });
        }
        while Instant::now() < deadline
            && (self.races.iter().any(|(_, a, _)| a.connected())
                || self.producer.in_flight_count() > 0)
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Delivery reports reach the counters through futures on the
        // simulators' thread: let them run.
        tokio::time::sleep(Duration::from_millis(300)).await;
        Delivered {
            samples: self.delivered(),
            records_failed: self
                .races
                .iter()
                .map(|(_, _, c)| c.records_failed.load(Ordering::Relaxed))
                .sum(),
            in_flight: self.producer.in_flight_count(),
        }
    }

    /// Ends the simulators' thread.
    pub fn close(self) {
        self.arbiter.stop();
    }
}
