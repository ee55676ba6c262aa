//! Writes of the `samples` table (a partition per race, migrations/V3).
//! Partitions are made before a batch's transaction; rows go in by binary
//! COPY, and only a batch that repeats rows already stored (a replay after a
//! crash) takes the slower `INSERT … ON CONFLICT DO NOTHING`, so every write
//! stays idempotent on (race_id, car_id, seq).

use std::collections::BTreeSet;
use std::pin::pin;

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{ToSql, Type};

use super::DbError;
use crate::domain::records::Sample;

const COLUMNS: &str = "race_id, car_id, seq, ts_ms, lap, lap_distance_m, speed_kph, throttle, \
     brake, gear, rpm, drs, compound, tyre_age_laps, tyre_wear, fuel_kg, x, y, pit";

const TYPES: [Type; 19] = [
    Type::TEXT,
    Type::INT4,
    Type::INT8,
    Type::INT8,
    Type::INT4,
    Type::FLOAT4,
    Type::FLOAT4,
    Type::FLOAT4,
    Type::FLOAT4,
    Type::INT2,
    Type::INT4,
    Type::BOOL,
    Type::TEXT,
    Type::INT4,
    Type::FLOAT4,
    Type::FLOAT4,
    Type::FLOAT4,
    Type::FLOAT4,
    Type::TEXT,
];

/// Creates the partitions of the batch's races that do not exist yet. Runs
/// on its own, outside the batch's transaction: creating a partition locks
/// `samples` exclusively, and a transaction that already holds a lock on
/// it (its inserts) would deadlock with another instance doing the same.
pub async fn ensure_partitions(
    client: &impl GenericClient,
    samples: &[(String, Sample)],
) -> Result<(), DbError> {
    let races: BTreeSet<&str> = samples.iter().map(|(r, _)| r.as_str()).collect();
    if races.is_empty() {
        return Ok(());
    }
    let races: Vec<&str> = races.into_iter().collect();
    client
        .execute(
            "SELECT ensure_samples_partition(r) FROM unnest($1::text[]) r",
            &[&races],
        )
        .await?;
    Ok(())
}

/// Inserts the samples into `samples` inside `tx`: COPY first, and if the
/// batch holds a row that is already stored, the same rows again with
/// `ON CONFLICT DO NOTHING` (the COPY is undone by its savepoint).
pub async fn insert(tx: &mut Transaction<'_>, samples: &[(String, Sample)]) -> Result<(), DbError> {
    if samples.is_empty() {
        return Ok(());
    }
    let copy = tx.savepoint("samples_copy").await?;
    match copy_in(&copy, "samples", samples).await {
        Ok(()) => copy.commit().await?,
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            copy.rollback().await?;
            upsert(&*tx, "samples", samples).await?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// Binary COPY of the rows into `table`. Fails as a whole on a duplicate key.
pub async fn copy_in(
    client: &tokio_postgres::Transaction<'_>,
    table: &str,
    samples: &[(String, Sample)],
) -> Result<(), tokio_postgres::Error> {
    let sink = client
        .copy_in(&format!(
            "COPY {table} ({COLUMNS}) FROM STDIN (FORMAT binary)"
        ))
        .await?;
    let mut writer = pin!(BinaryCopyInWriter::new(sink, &TYPES));
    for (race_id, s) in samples {
        let row: [&(dyn ToSql + Sync); 19] = [
            race_id,
            &(s.car_id as i32),
            &(s.seq as i64),
            &(s.ts_ms as i64),
            &(s.lap as i32),
            &(s.lap_distance_m as f32),
            &(s.speed_kph as f32),
            &(s.throttle as f32),
            &(s.brake as f32),
            &i16::from(s.gear),
            &(s.rpm as i32),
            &s.drs,
            &s.tyre.compound.as_str(),
            &(s.tyre.age_laps as i32),
            &(s.tyre.wear as f32),
            &(s.fuel_kg as f32),
            &(s.x as f32),
            &(s.y as f32),
            &s.pit.as_str(),
        ];
        writer.as_mut().write(&row).await?;
    }
    writer.finish().await?;
    Ok(())
}

/// One `INSERT … SELECT * FROM UNNEST(…) ON CONFLICT DO NOTHING` of the rows
/// into `table`: idempotent whatever is already stored.
pub async fn upsert(
    client: &impl GenericClient,
    table: &str,
    samples: &[(String, Sample)],
) -> Result<(), DbError> {
    let col = |f: &dyn Fn(&Sample) -> f32| samples.iter().map(|(_, s)| f(s)).collect::<Vec<f32>>();
    let race_ids: Vec<&str> = samples.iter().map(|(r, _)| r.as_str()).collect();
    let car_ids: Vec<i32> = samples.iter().map(|(_, s)| s.car_id as i32).collect();
    let seqs: Vec<i64> = samples.iter().map(|(_, s)| s.seq as i64).collect();
    let ts: Vec<i64> = samples.iter().map(|(_, s)| s.ts_ms as i64).collect();
    let laps: Vec<i32> = samples.iter().map(|(_, s)| s.lap as i32).collect();
    let gears: Vec<i16> = samples.iter().map(|(_, s)| i16::from(s.gear)).collect();
    let rpms: Vec<i32> = samples.iter().map(|(_, s)| s.rpm as i32).collect();
    let drs: Vec<bool> = samples.iter().map(|(_, s)| s.drs).collect();
    let compounds: Vec<&str> = samples
        .iter()
        .map(|(_, s)| s.tyre.compound.as_str())
        .collect();
    let ages: Vec<i32> = samples
        .iter()
        .map(|(_, s)| s.tyre.age_laps as i32)
        .collect();
    let pits: Vec<&str> = samples.iter().map(|(_, s)| s.pit.as_str()).collect();
    let sql = format!(
        "INSERT INTO {table} ({COLUMNS}) \
         SELECT * FROM UNNEST($1::text[], $2::int[], $3::bigint[], $4::bigint[], $5::int[], \
           $6::real[], $7::real[], $8::real[], $9::real[], $10::smallint[], $11::int[], \
           $12::bool[], $13::text[], $14::int[], $15::real[], $16::real[], $17::real[], \
           $18::real[], $19::text[]) \
         ON CONFLICT DO NOTHING"
    );
    client
        .execute(
            &sql,
            &[
                &race_ids,
                &car_ids,
                &seqs,
                &ts,
                &laps,
                &col(&|s| s.lap_distance_m as f32),
                &col(&|s| s.speed_kph as f32),
                &col(&|s| s.throttle as f32),
                &col(&|s| s.brake as f32),
                &gears,
                &rpms,
                &drs,
                &compounds,
                &ages,
                &col(&|s| s.tyre.wear as f32),
                &col(&|s| s.fuel_kg as f32),
                &col(&|s| s.x as f32),
                &col(&|s| s.y as f32),
                &pits,
            ],
        )
        .await?;
    Ok(())
}
