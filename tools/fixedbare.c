/*
 * fixedbare - benchmark baseline for the fixed-width record: the cost of merely cutting
 * every line of a file into its fields.
 *
 * Reads FILE in 64 KiB chunks with read(2), splits it into lines and copies every field of
 * every record (the positions of the hze layout of 1-based spans below, as rules/hze.yaml
 * declares them) into a NUL-terminated string -- what libcsv does for a CSV field, so that
 * `make bench` compares plausid with the same bare work for both formats.
 *
 * Usage: fixedbare FILE    prints "records=N fields=M".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct {
	unsigned from, to;
} spans[] = {
	{2, 3}, {4, 4}, {5, 6}, {7, 9}, {10, 15}, {16, 20}, {21, 22}, {23, 26}, {27, 27}, {28, 29},
	{30, 31}, {32, 33}, {34, 34}, {35, 36}, {37, 40}, {41, 42},
	{43, 43}, {44, 45}, {46, 49}, {50, 50}, {51, 52}, {53, 56}, {57, 57}, {58, 59}, {60, 63},
	{64, 64}, {65, 66}, {67, 70}, {71, 71}, {72, 73}, {74, 77}, {78, 78}, {79, 80}, {81, 84},
	{85, 85}, {86, 87}, {88, 91}, {92, 92}, {93, 94}, {95, 98}, {99, 99}, {100, 101}, {102, 105},
	{106, 106}, {107, 108}, {109, 112},
	{113, 114}, {115, 115}, {116, 116}, {117, 117}, {118, 118}, {119, 119}, {120, 120}, {121, 121},
	{122, 122}, {123, 123}, {124, 126}, {131, 132}, {133, 134}, {135, 136}, {137, 138}, {139, 142},
	{143, 145}, {151, 152}, {153, 154}, {155, 155}, {156, 163}, {164, 168}, {169, 208},
};
#define NSPANS (sizeof(spans) / sizeof(spans[0]))

static unsigned long long records, fields;
static char field[256];

static void cut(const char *line, size_t n)
{
	for (size_t i = 0; i < NSPANS; i++) {
		size_t from = spans[i].from - 1, to = spans[i].to;
		size_t len = to <= n ? to - from : from < n ? n - from : 0;
		memcpy(field, line + from, len);
		field[len] = 0;
		fields++;
	}
	records++;
}

int main(int argc, char **argv)
{
	static char buf[64 * 1024 + 512];
	if (argc != 2) {
		fprintf(stderr, "usage: fixedbare FILE\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "fixedbare: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	size_t have = 0;
	for (;;) {
		ssize_t got = read(fd, buf + have, sizeof(buf) - have);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "fixedbare: %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
		size_t end = have + (size_t)got, start = 0;
		for (;;) {
			char *nl = memchr(buf + start, '\n', end - start);
			if (!nl)
				break;
			size_t n = (size_t)(nl - (buf + start));
			if (n > 0 && buf[start + n - 1] == '\r')
				n--;
			if (n > 0)
				cut(buf + start, n);
			start = (size_t)(nl - buf) + 1;
		}
		if (got == 0) {
			if (end > start)
				cut(buf + start, end - start);
			break;
		}
		memmove(buf, buf + start, end - start);
		have = end - start;
		if (have == sizeof(buf)) {
			fprintf(stderr, "fixedbare: %s: a line longer than %zu bytes\n", argv[1], sizeof(buf));
			return 1;
		}
	}
	close(fd);
	printf("records=%llu fields=%llu\n", records, fields);
	return 0;
}
