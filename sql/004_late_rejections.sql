-- plausid schema, version 4: records rejected later, by a delivery that came after them.
-- The running and the ended records of one unit-year may come as two deliveries (the
-- pack's `delivery: part`). A rule across records that finds its stale record in the
-- EARLIER delivery (hze X02 across the parts: a running aid never closed, overlapping an
-- ended one of the other part) cannot reject it in the file being loaded: that record is
-- no longer in it. It is marked here instead, one row per record:
--   delivery_id, line  the marked record (a row of the data set's table)
--   rule               the rule that rejected it
--   by_delivery, by_line  the delivery and record that made it stale
-- CHOICE: a table of marks, not a boolean column of the data set's table. The data set's
-- tables are made from the packs (one per pack, columns by its fields); a table of the
-- register exists for every pack before any view is created, so the derived view v_<dataset>
-- can leave marked rows out from its first version, and the register (deliveries,
-- findings) keeps what a delivery's report needs in one place. The row itself stays in the
-- data set's table with its finding (nothing is lost); a redelivery that replaces the
-- marked record's part deletes the row and, with it, its mark (the loader, parts.c).
CREATE TABLE late_rejections (
    dataset     text NOT NULL,              -- the data set (= the table) of the row
    delivery_id bigint NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    line        integer NOT NULL,
    rule        text NOT NULL,
    by_delivery bigint NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    by_line     integer NOT NULL,
    PRIMARY KEY (delivery_id, line)
);
CREATE INDEX late_rejections_by ON late_rejections (by_delivery);

COMMENT ON TABLE late_rejections IS 'Datensätze einer früheren Lieferung, die eine spätere Lieferung (der andere Teil derselben Einheit und desselben Berichtsjahrs) nachträglich abgewiesen hat; sie bleiben in der Datentabelle, fehlen aber in jeder Sicht';

-- The intervals that a pack's overlap rules of severity error computed for the loaded
-- records of a delivery (begin and end as the rule's expressions give them: months as
-- 12 * year + month - 1, or days since 1970-01-01 for dates; running: the rule's running
-- condition). A later delivery of the other part of the unit-year checks its records
-- against them at load time: the rule's `when`, `begin` and `end` are expressions of the
-- pack that only the checker evaluates, so the checker's own results are kept (one row per
-- record that takes part, e.g. a stationary aid with a person id), not re-derived in SQL.
-- A row counts only while its record is a row of the data set's table.
CREATE TABLE overlap_intervals (
    delivery_id bigint NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    line        integer NOT NULL,
    rule        text NOT NULL,
    grp         text NOT NULL,              -- the rule's group value (hze: person_id)
    begin_at    integer NOT NULL,
    end_at      integer NOT NULL,
    running     boolean NOT NULL,
    is_date     boolean NOT NULL,
    PRIMARY KEY (delivery_id, rule, line)
);
