/*
 * The daemon: `plausid run` and `plausid config check`. This is the main loop of the
 * pipeline watch -> read -> check -> load, the one place of the daemon that logs, talks
 * to systemd and decides to exit.
 */
#ifndef PLAUSID_RUN_H
#define PLAUSID_RUN_H

/* Runs in the foreground until SIGTERM or SIGINT; returns the exit status (0 after a
 * signal, 2 when it could not start). */
int run_daemon(const char *config_path);

/* Reads the configuration and compiles every rule pack, printing every error as
 * file:line; returns 0 when all is well, 1 otherwise. */
int run_config_check(const char *config_path);

#endif
