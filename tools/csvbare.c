/*
 * csvbare - benchmark baseline: the cost of merely tokenising a CSV export with libcsv.
 *
 * Reads FILE in 64 KiB chunks with read(2), feeds them to libcsv with ';' as delimiter and
 * counts fields and records in the callbacks; nothing else.  `make bench` compares plausid's
 * wall-clock time against this program's, so it must stay as bare as its name says.
 *
 * Usage: csvbare FILE    prints "records=N fields=M" (records include the header row).
 */
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Counters updated by the libcsv callbacks. */
typedef struct {
	unsigned long long records; /* rows, header included */
	unsigned long long fields;  /* fields over all rows */
} counts_t;

static void on_field(void *s, size_t len, void *data)
{
	(void)s;
	(void)len;
	((counts_t *)data)->fields++;
}

static void on_record(int term, void *data)
{
	(void)term;
	((counts_t *)data)->records++;
}

int main(int argc, char **argv)
{
	static char buf[64 * 1024];
	struct csv_parser p;
	counts_t n = {0, 0};
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: csvbare FILE\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "csvbare: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (csv_init(&p, 0) != 0) {
		fprintf(stderr, "csvbare: csv_init failed\n");
		close(fd);
		return 1;
	}
	csv_set_delim(&p, ';');

	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));
		if (got < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "csvbare: %s: %s\n", argv[1], strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		if (csv_parse(&p, buf, (size_t)got, on_field, on_record, &n) != (size_t)got) {
			fprintf(stderr, "csvbare: %s: %s\n", argv[1],
				csv_strerror(csv_error(&p)));
			goto out;
		}
	}
	if (csv_fini(&p, on_field, on_record, &n) != 0) {
		fprintf(stderr, "csvbare: %s: %s\n", argv[1], csv_strerror(csv_error(&p)));
		goto out;
	}
	printf("records=%llu fields=%llu\n", n.records, n.fields);
	rc = 0;
out:
	csv_free(&p);
	close(fd);
	return rc;
}
