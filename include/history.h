/*
 * Rules that compare a delivery with the previous Berichtsjahr of the same reporting unit
 * in the database (a pack's previous_year rules: X03 and X04 of hze). They need earlier
 * deliveries, so only `plausid load` runs them, inside the delivery's transaction, after
 * its rows and scopes are in place and earlier deliveries it replaces are gone.
 *
 * A unit-year is compared once it is complete: when the pack splits deliveries into parts
 * (ongoing and ended records), once every part is loaded; the delivery that completes it
 * gets the findings. A previous year without any loaded records is nothing to compare with.
 */
#ifndef PLAUSID_HISTORY_H
#define PLAUSID_HISTORY_H

#include <libpq-fe.h>
#include <stdint.h>

#include "checker.h"
#include "ruleset.h"
#include "table.h"
#include "util.h"

/* Reports the findings through the checker that checked the delivery (line 0, the earlier
 * record's key). Returns 0, or -EIO (with *ret_error), -EBADMSG (a count from the server
 * that is not a number, with *ret_error), -ENOMEM. */
_must_check_ int history_check(PGconn *conn, const struct ruleset *rs, const struct table *t, const char *source,
                               int64_t delivery, struct checker *checker, char **ret_error);

#endif
