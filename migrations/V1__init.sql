-- Races, their entry lists and the raw samples: the history the skeleton
-- needs. Natural keys make every write idempotent (ON CONFLICT DO NOTHING),
-- so a replay after a crash inserts nothing twice.

CREATE TABLE races (
    race_id     text PRIMARY KEY,
    name        text NOT NULL,
    track_id    text NOT NULL,
    track       jsonb NOT NULL,
    total_laps  integer NOT NULL,
    sample_hz   double precision NOT NULL,
    seed        bigint NOT NULL,
    -- running | finished | stopped
    status      text NOT NULL DEFAULT 'running',
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    final_ts_ms bigint
);

CREATE INDEX races_started_at ON races (started_at DESC);

CREATE TABLE entries (
    race_id text NOT NULL REFERENCES races (race_id) ON DELETE CASCADE,
    car_id  integer NOT NULL,
    number  integer NOT NULL,
    driver  text NOT NULL,
    team    text NOT NULL,
    PRIMARY KEY (race_id, car_id)
);

-- One row per car per tick. No foreign key: this is the hot path, and a
-- race's samples are dropped together with the race by the retention job.
CREATE TABLE samples (
    race_id        text NOT NULL,
    car_id         integer NOT NULL,
    seq            bigint NOT NULL,
    ts_ms          bigint NOT NULL,
    lap            integer NOT NULL,
    lap_distance_m real NOT NULL,
    speed_kph      real NOT NULL,
    throttle       real NOT NULL,
    brake          real NOT NULL,
    gear           smallint NOT NULL,
    rpm            integer NOT NULL,
    drs            boolean NOT NULL,
    compound       text NOT NULL,
    tyre_age_laps  integer NOT NULL,
    tyre_wear      real NOT NULL,
    fuel_kg        real NOT NULL,
    x              real NOT NULL,
    y              real NOT NULL,
    pit            text NOT NULL,
    PRIMARY KEY (race_id, car_id, seq)
);
