/*
 * Files that appear whole or not at all (see atomicfile.h). The temporary name is
 * ".NAME.PID.N.tmp" beside the final one: the drop-directory watch and the report readers
 * skip names beginning with '.', and O_EXCL with a counter makes two writers of the same
 * name in one process (or two processes) never share one.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"

/* "dir/.name.PID.N.tmp" for "dir/name". */
static char *temporary_name(const char *path, unsigned n) {
        const char *slash = strrchr(path, '/');
        int dir_len = slash ? (int) (slash - path + 1) : 0;
        char *tmp;
        if (asprintf(&tmp, "%.*s.%s.%ld.%u.tmp", dir_len, path, path + dir_len, (long) getpid(), n) < 0)
                return NULL;
        return tmp;
}

int atomic_file_open(struct atomic_file *af, int dir, const char *path, mode_t mode, int gid) {
        static unsigned counter;
        *af = (struct atomic_file) {.dir = dir};
        _cleanup_(freep) char *final = strdup(path);
        _cleanup_(freep) char *tmp = NULL;
        _cleanup_(closep) int fd = -1;
        if (!final)
                return -ENOMEM;
        for (unsigned tries = 0; fd < 0; tries++) {
                free(tmp);
                tmp = temporary_name(path, counter++);
                if (!tmp)
                        return -ENOMEM;
                fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0 && (errno != EEXIST || tries >= 100))
                        return -errno;
        }
        /* fchmod is not subject to the umask: the mode is exactly the one asked for. */
        if (fchmod(fd, mode) < 0 || (gid >= 0 && fchown(fd, (uid_t) -1, (gid_t) gid) < 0)) {
                int r = -errno;
                (void) unlinkat(dir, tmp, 0);
                return r;
        }
        FILE *f = fdopen(fd, "w");
        if (!f) {
                (void) unlinkat(dir, tmp, 0);
                return -ENOMEM;
        }
        fd = -1;
        *af = (struct atomic_file) {.f = f, .dir = dir, .path = TAKE_PTR(final), .tmp = TAKE_PTR(tmp)};
        return 0;
}

void atomic_file_abort(struct atomic_file *af) {
        if (af->f)
                fclose(af->f);
        if (af->tmp)
                (void) unlinkat(af->dir, af->tmp, 0);
        free(af->tmp);
        free(af->path);
        *af = (struct atomic_file) {.dir = AT_FDCWD};
}

/* The rename is durable only once the directory that holds the new name is synced. Some
 * file systems cannot sync a directory (EINVAL): the rename stands there as it is. */
static int sync_directory(int dir, const char *path) {
        _cleanup_(freep) char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        _cleanup_(closep) int fd = openat(dir, dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || (fsync(fd) < 0 && errno != EINVAL))
                return -errno;
        return 0;
}

int atomic_file_commit(struct atomic_file *af) {
        int r = 0;
        if (fflush(af->f) != 0 || ferror(af->f) || fsync(fileno(af->f)) < 0)
                r = errno ? -errno : -EIO;
        if (fclose(af->f) != 0 && r >= 0)
                r = errno ? -errno : -EIO;
        af->f = NULL;
        if (r >= 0 && renameat(af->dir, af->tmp, af->dir, af->path) < 0)
                r = -errno;
        if (r >= 0) {
                free(af->tmp);
                af->tmp = NULL;     /* renamed: nothing left to remove */
                r = sync_directory(af->dir, af->path);
        }
        atomic_file_abort(af);
        return r;
}

int atomic_file_write(int dir, const char *path, mode_t mode, int gid, const void *data, size_t len) {
        _cleanup_(atomic_file_abort) struct atomic_file af = {0};
        int r = atomic_file_open(&af, dir, path, mode, gid);
        if (r < 0)
                return r;
        if (len && fwrite(data, 1, len, af.f) != len)
                return -EIO;
        return atomic_file_commit(&af);
}
