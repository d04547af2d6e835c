/*
 * The daemon: `plausid run`. This is the main loop of the pipeline watch -> read -> check
 * -> load, the one place of the daemon that logs, talks to systemd and decides to exit.
 * Its sources are opened by source.h, as `plausid load` and `plausid config check` open
 * theirs.
 */
#ifndef PLAUSID_RUN_H
#define PLAUSID_RUN_H

/* Runs in the foreground until SIGTERM or SIGINT; returns the exit status (0 after a
 * signal, 2 when it could not start). */
int run_daemon(const char *config_path);

#endif
