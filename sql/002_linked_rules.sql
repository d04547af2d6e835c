-- plausid schema, version 2: the linked rules of every rule pack.
-- A linked rule checks the records of its own data set against another data set's table.
-- Loading EITHER data set runs it, so the loader of the other one must know it without
-- the pack: every pack's linked rules are written here, rewritten whenever a pack with
-- another digest is loaded (as codes and hierarchy are). The fields of both data sets
-- are named by the pack that has the rule: match, unit and year_field alike in both,
-- other_field in the other one.

CREATE TABLE linked_rules (
    dataset       text NOT NULL,            -- the data set whose records are checked
    rule          text NOT NULL,            -- the rule's id
    severity      text NOT NULL CHECK (severity = 'warning'),
    title         text NOT NULL,
    field         text NOT NULL,            -- the field a finding names (its value is {value})
    other_dataset text NOT NULL,            -- the data set whose records are looked for
    where_field   text,                     -- the records checked: where_field = where_code;
    where_code    text,                     --   NULL: every record
    match         text[] NOT NULL,          -- fields equal in both records
    window_field  text NOT NULL,            -- this record's month ...
    other_field   text NOT NULL,            -- ... and the other record's, whose month must lie
    months_from   integer NOT NULL,         --   within [months_from, months_to] months of it
    months_to     integer NOT NULL,
    unit          text[] NOT NULL,          -- the pack's reporting unit (delivery: unit)
    key           text[] NOT NULL,          -- the pack's key, for the findings' key
    year_field    text NOT NULL,            -- the pack's Berichtsjahr
    message       text NOT NULL,            -- the message template, filled in by plausid
    PRIMARY KEY (dataset, rule)
);
-- A load looks up the rules that point at its data set.
CREATE INDEX linked_rules_other ON linked_rules (other_dataset);
