/*
 * Reports from the database, after `plausid load` committed: a delivery's report (the HTML
 * of htmlreport.h and the findings CSV of report.h) filled from the delivery register, and
 * the overview of every delivery since a day. Each reads in one read-only snapshot with
 * the configuration's schema as search path, so that a daemon loading meanwhile changes
 * nothing in a report half written.
 *
 * The database holds neither the rules' titles nor the fields' labels nor which field a
 * report groups by: they come from the source's rule pack when the caller has it. Nothing
 * here logs; a failure comes back as a negative errno and a malloc'd message.
 */
#ifndef PLAUSID_REPORT_DB_H
#define PLAUSID_REPORT_DB_H

#include <libpq-fe.h>
#include <stddef.h>

#include "ruleset.h"
#include "util.h"

/*
 * The report of one delivery: writes delivery-<id>.html and delivery-<id>.csv (every
 * finding, the --rejects format) into out_dir, mode 0640, group gid (-1: the process's).
 * rs, if not NULL, is the source's rule pack: the rules' titles, the fields' labels and
 * the field the report groups by (without it, or without a group field, the report has no
 * group section). On success *ret_path (if not NULL) is the HTML file's path, malloc'd; on
 * failure *ret_error says why (-ENOENT: no such delivery, -EIO: the database, -EBADMSG: a
 * value the database gave that is not what it should be, other values: writing the files).
 */
_must_check_ int report_delivery_from_db(PGconn *conn, const char *schema, const struct ruleset *rs,
                                         long long delivery_id, const char *out_dir, int gid, unsigned max_records,
                                         char **ret_path, char **ret_error);

/* One source of the overview: its name and rule pack (NULL when the configuration no
 * longer has it, or it does not compile), to name the rules and to find a rejected
 * delivery's reporting unit. */
struct report_source {
        const char *name;
        const struct ruleset *rs;
};

/*
 * The overview of every delivery received since the day `since` (YYYY-MM-DD): per source
 * and reporting unit the deliveries with their rejection rates and a trend chart, the most
 * frequent rules per month, and links to the delivery reports, which it (re)writes into
 * out_dir beside it. The overview is out_dir/uebersicht-<since>.html (*ret_path, if not
 * NULL); *ret_count gets the number of deliveries.
 */
_must_check_ int report_overview_from_db(PGconn *conn, const char *schema, const struct report_source *sources,
                                         size_t nsources, const char *since, const char *out_dir, int gid,
                                         unsigned max_records, char **ret_path, size_t *ret_count,
                                         char **ret_error);

#endif
