-- plausid core schema, version 1: the delivery register and the error log.
-- Applied by plausid itself (schema.c) inside one transaction, under an advisory lock,
-- into the schema named in the configuration (search_path is set to it). Never edit a
-- migration that has shipped: add the next numbered file.

-- One row per file that plausid was given, whatever became of it.
CREATE TABLE deliveries (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source        text NOT NULL,            -- the configuration's source name
    dataset       text NOT NULL,            -- the rule pack's data set (= the table loaded)
    file_name     text NOT NULL,            -- base name as delivered
    file_size     bigint NOT NULL,
    sha256        text NOT NULL,            -- hex digest of the file's bytes
    received_at   timestamptz NOT NULL,     -- the file's modification time
    loaded_at     timestamptz,              -- when the load committed
    rules_name    text NOT NULL,
    rules_version text NOT NULL,
    rules_sha256  text NOT NULL,            -- digest of the rule pack file
    encoding      text,                     -- the encoding the file turned out to have
    records       integer NOT NULL DEFAULT 0,   -- data records read
    loaded        integer NOT NULL DEFAULT 0,   -- records stored in the data set table
    rejected      integer NOT NULL DEFAULT 0,   -- records with an error finding
    warned        integer NOT NULL DEFAULT 0,   -- records with warnings only
    status        text NOT NULL CHECK (status IN ('loaded', 'rejected', 'duplicate', 'superseded')),
    reason        text,                     -- why rejected / duplicate / superseded (German)
    duplicate_of  bigint REFERENCES deliveries (id),
    superseded_by bigint REFERENCES deliveries (id)
);
-- Exactly once: the same content is loaded at most once per source. Rejected files may
-- come again (with a corrected rule pack they may pass), duplicates are only recorded.
CREATE UNIQUE INDEX deliveries_once ON deliveries (source, sha256)
    WHERE status IN ('loaded', 'superseded');
CREATE INDEX deliveries_source ON deliveries (source, id);

-- What a delivery covers: one row per reporting unit, year and part (e.g. ongoing or
-- ended records) present among its loaded records. A new delivery replaces the rows of
-- earlier deliveries with the same source, unit, year and part.
CREATE TABLE delivery_scopes (
    delivery_id  bigint NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    unit         text NOT NULL,             -- the pack's unit fields joined with '-'
    year         integer NOT NULL,
    part         text NOT NULL,             -- value of the pack's part field, '' without one
    records      integer NOT NULL,
    PRIMARY KEY (delivery_id, unit, year, part)
);
CREATE INDEX delivery_scopes_unit ON delivery_scopes (unit, year, part);

-- Every finding: rejected records, warnings, and findings about the file (line 0).
CREATE TABLE findings (
    delivery_id bigint NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    line        integer NOT NULL,
    key         text NOT NULL,
    rule        text NOT NULL,
    severity    text NOT NULL CHECK (severity IN ('error', 'warning', 'file')),
    field       text NOT NULL,
    value       text NOT NULL,
    message     text NOT NULL
);
CREATE INDEX findings_delivery ON findings (delivery_id, line);

-- The original text of every record that was not loaded because of an error finding,
-- so that it can go back to the caseworker unchanged.
CREATE TABLE rejected_records (
    delivery_id bigint NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    line        integer NOT NULL,
    raw         text NOT NULL,
    PRIMARY KEY (delivery_id, line)
);

-- Code lists and hierarchies of the rule packs, for labels and drill-downs in dashboards.
-- Rewritten from the pack whenever a pack with another digest is loaded.
CREATE TABLE codes (
    dataset text NOT NULL,
    list    text NOT NULL,
    code    text NOT NULL,
    label   text NOT NULL,
    PRIMARY KEY (dataset, list, code)
);
CREATE TABLE hierarchy (
    dataset   text NOT NULL,
    hierarchy text NOT NULL,
    field     text NOT NULL,                -- the code field the hierarchy starts from
    code      text NOT NULL,
    level     text NOT NULL,
    value     text,                         -- NULL when decided by another field
    by_field  text,                         -- that field
    cases     jsonb,                        -- {"08": "stationär", ...}, and "default"
    PRIMARY KEY (dataset, hierarchy, code, level)
);

-- Which packs' tables and views are in place, by digest. A pack's views may need another
-- data set's table (the Eckwert needs hze and bevoelkerung): they wait here, unapplied,
-- until every table they require exists.
CREATE TABLE datasets (
    dataset        text PRIMARY KEY,
    rules_sha256   text NOT NULL,
    views_sql      text,
    views_requires text[] NOT NULL DEFAULT '{}',
    views_applied  boolean NOT NULL DEFAULT false,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
