-- Samples become one partition per race (LIST on race_id), so a long race
-- stays fast to query (the planner prunes to one race's partition) and
-- retention is a DROP TABLE, not a DELETE of hundreds of millions of rows.
-- The key stays (race_id, car_id, seq); ts_ms gets a BRIN index instead of
-- the (race_id, car_id, ts_ms) B-tree: samples arrive in race-clock order,
-- so BRIN ranges are tight, and one B-tree less per row is cheaper ingest.
-- docs/storage.md has the measurements behind this.

ALTER TABLE samples RENAME TO samples_unpartitioned;
ALTER INDEX samples_pkey RENAME TO samples_unpartitioned_pkey;
DROP INDEX samples_car_time;

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
) PARTITION BY LIST (race_id);

-- GraphQL's telemetry(carId, from, to) is answered by a BitmapAnd of the
-- primary key (the car) and this index (the stretch of race clock).
CREATE INDEX samples_ts_brin ON samples USING brin (ts_ms);

-- Set by the retention job (src/db/retention.rs) when it drops a race's
-- samples; the race, its entries, laps, pit stops, strategy and race
-- control stay.
ALTER TABLE races ADD COLUMN samples_dropped_at timestamptz;

-- The safety net: a row whose race has no partition (yet, or any more)
-- lands here instead of failing its whole batch. Storage creates a race's
-- partition before writing its samples, so this stays empty in normal
-- running; ensure_samples_partition moves any rows it finds here.
CREATE TABLE samples_default PARTITION OF samples DEFAULT;

-- The partition of a race: readable, and unique whatever the race id holds.
CREATE FUNCTION samples_partition_name(race text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT 'samples_'
        || left(regexp_replace(lower(race), '[^a-z0-9]+', '_', 'g'), 36)
        || '_' || left(md5(race), 8)
$$;

-- Whether the race's partition exists. A query, not to_regclass: the
-- relation cache is not refreshed by taking an advisory lock, a fresh
-- snapshot of pg_class is.
CREATE FUNCTION samples_partition_exists(part text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'samples'::regclass AND c.relname = part)
$$;

-- Creates the race's partition unless it exists; returns its name, or NULL
-- for a race whose samples retention has dropped (a late replay of it goes
-- to the default partition, which retention empties). Safe to
-- call from several storage instances at once: CREATE TABLE IF NOT EXISTS
-- alone is not (two sessions can both pass the check and one fails on the
-- catalog's unique index), so creation is serialised by an advisory lock
-- and the check repeated under it. Call it outside a transaction that has
-- written to samples: creating a partition locks the parent exclusively.
CREATE FUNCTION ensure_samples_partition(race text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    part text := samples_partition_name(race);
BEGIN
    IF samples_partition_exists(part) THEN
        RETURN part;
    END IF;
    IF EXISTS (SELECT 1 FROM races WHERE race_id = race AND samples_dropped_at IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('pitwall-samples-partitions'));
    IF samples_partition_exists(part) THEN
        RETURN part;
    END IF;
    -- Rows of this race already in the default partition would make the new
    -- partition's constraint fail: take them out, create it, put them in.
    IF EXISTS (SELECT 1 FROM samples_default WHERE race_id = race) THEN
        CREATE TEMP TABLE pitwall_moved_samples (LIKE samples) ON COMMIT DROP;
        WITH moved AS (DELETE FROM samples_default WHERE race_id = race RETURNING *)
        INSERT INTO pitwall_moved_samples SELECT * FROM moved;
        EXECUTE format('CREATE TABLE %I PARTITION OF samples FOR VALUES IN (%L)', part, race);
        EXECUTE format('INSERT INTO %I SELECT * FROM pitwall_moved_samples', part);
        DROP TABLE pitwall_moved_samples;
    ELSE
        EXECUTE format('CREATE TABLE %I PARTITION OF samples FOR VALUES IN (%L)', part, race);
    END IF;
    RETURN part;
END
$$;

-- Existing rows: a partition per race they belong to, then the rows.
SELECT ensure_samples_partition(race_id)
FROM (SELECT DISTINCT race_id FROM samples_unpartitioned) races;
INSERT INTO samples SELECT * FROM samples_unpartitioned;
DROP TABLE samples_unpartitioned;
