-- What processing works out, kept for analysts and for replaying finished
-- races: laps with sectors, pit stops, strategy calls, race control and
-- rate-limited leaderboard snapshots. Every table has a natural key, so a
-- replayed event inserts nothing twice.

CREATE TABLE laps (
    race_id       text NOT NULL,
    car_id        integer NOT NULL,
    lap           integer NOT NULL,
    lap_ms        integer NOT NULL,
    -- sector times; NULL where timing could not see a sector line
    sector1_ms    integer,
    sector2_ms    integer,
    sector3_ms    integer,
    compound      text NOT NULL,
    tyre_age_laps integer NOT NULL,
    personal_best boolean NOT NULL,
    overall_best  boolean NOT NULL,
    -- race clock when the lap was completed
    ts_ms         bigint NOT NULL,
    PRIMARY KEY (race_id, car_id, lap)
);

CREATE TABLE pit_stops (
    race_id       text NOT NULL,
    car_id        integer NOT NULL,
    lap           integer NOT NULL,
    entry_ts_ms   bigint NOT NULL,
    exit_ts_ms    bigint NOT NULL,
    stationary_ms integer NOT NULL,
    pit_lane_ms   integer NOT NULL,
    compound_in   text NOT NULL,
    compound_out  text NOT NULL,
    PRIMARY KEY (race_id, car_id, entry_ts_ms)
);

CREATE TABLE strategy_calls (
    race_id         text NOT NULL,
    car_id          integer NOT NULL,
    ts_ms           bigint NOT NULL,
    lap             integer NOT NULL,
    kind            text NOT NULL,
    rejoin_position integer NOT NULL,
    rejoin_behind   integer,
    pit_loss_ms     integer NOT NULL,
    deg_ms_per_lap  double precision NOT NULL,
    laps_to_cliff   integer NOT NULL,
    pit_window_lap  integer,
    next_compound   text NOT NULL,
    rival           integer,
    reason          text NOT NULL,
    PRIMARY KEY (race_id, car_id, ts_ms)
);

CREATE TABLE race_control (
    race_id text NOT NULL,
    ts_ms   bigint NOT NULL,
    kind    text NOT NULL,
    -- 0 when the message concerns no car (part of the key, so not NULL)
    car_id  integer NOT NULL,
    message text NOT NULL,
    PRIMARY KEY (race_id, ts_ms, kind, car_id)
);

-- At most one a second of race clock per race, plus the final one.
CREATE TABLE leaderboard_snapshots (
    race_id text NOT NULL,
    ts_ms   bigint NOT NULL,
    board   jsonb NOT NULL,
    PRIMARY KEY (race_id, ts_ms)
);

-- A car's telemetry over a stretch of race clock (GraphQL `telemetry`).
CREATE INDEX samples_car_time ON samples (race_id, car_id, ts_ms);
