/*
 * Private to daemon/report/: a delivery's report from the database inside a snapshot the
 * caller began (schema_begin_read), so that the overview writes the reports it links to
 * from the same snapshot as itself. report_delivery_from_db (report_db.h) is this in a
 * snapshot of its own; the arguments and results are the same.
 */
#ifndef PLAUSID_REPORT_DELIVERY_DB_H
#define PLAUSID_REPORT_DELIVERY_DB_H

#include <libpq-fe.h>

#include "ruleset.h"
#include "util.h"

_must_check_ int delivery_db_write(PGconn *conn, const char *schema, const struct ruleset *rs, long long delivery_id,
                                   const char *out_dir, int gid, unsigned max_records, char **ret_path,
                                   char **ret_error);

#endif
