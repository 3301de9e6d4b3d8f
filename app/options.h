/* SPDX-License-Identifier: BSD-3-Clause */
/* The application's own command line (after EAL's and "--"). */

#ifndef QOSDT_APP_OPTIONS_H
#define QOSDT_APP_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pipeline_stage.h"

/** Which side of the channel the process is. */
enum app_role {
	ROLE_NONE = 0,
	ROLE_SERVER,  /**< The service VM: answers requests. */
	ROLE_CLIENT,  /**< The requesting VM: the load generator. */
};

/** Most client VMs one client process emulates (one --scenario each). */
#define APP_MAX_CLIENTS 16

/** Parsed options. */
struct app_options {
	enum app_role role;
	const char *config_path;
	const char *scenario_path;  /**< The first --scenario. */
	/**
	 * Client: each --scenario, in order: client i runs scenario i on port
	 * --port + i, a client VM each (doc/tenants.md).
	 */
	const char *scenario_paths[APP_MAX_CLIENTS];
	unsigned int nb_scenarios;
	int mode;                 /**< enum qosdt_sched_mode, -1 = the config's. */
	int adaptive;             /**< 1 on, 0 off, -1 = the config's. */
	double duration_s;        /**< 0 = the scenario's (client) / until a signal. */
	double stats_period_s;    /**< 0 = no live table. */
	const char *results_path; /**< NULL = none. */
	const char *trace_path;   /**< --trace: hop stamps (hop_trace.h); NULL = none. */
	const char *msg_log_path; /**< client: --msg-log, NULL = none. */
	uint16_t port_id;
	int stage_lcore[STAGE_MAX]; /**< By enum pipeline_stage; -1 = the main lcore. */
	double link_wait_s;
	int services;             /**< Server: enum svc_semantics. */
	uint32_t dedup_entries;   /**< Server: dedup table slots, 0 = off. */
	bool dedup_set;           /**< --dedup-entries was given. */
	const char *dedup_path;   /**< Server: the table's file; NULL = memory. */
};

/**
 * Parse the application's arguments (those after EAL's).
 *
 * @param argc
 *   Argument count (argv[0] is the program name).
 * @param argv
 *   Arguments.
 * @param o
 *   Filled with defaults, then the options.
 * @return
 *   0 to run; 1 when --help was printed (exit 0); -1 on a bad option,
 *   after printing what was wrong to stderr (exit 1).
 */
int options_parse(int argc, char **argv, struct app_options *o);

/**
 * Print the usage text.
 *
 * @param f
 *   Where.
 * @param prog
 *   The program name.
 */
void options_usage(FILE *f, const char *prog);

/**
 * The --check-config mode, run before (and without) EAL: validate a
 * configuration file and optionally a scenario against it.
 *
 * @param argc
 *   Argument count.
 * @param argv
 *   Arguments, argv[1] being "--check-config".
 * @return
 *   The exit status: 0 valid, 1 invalid or bad usage.
 */
int options_check_config(int argc, char **argv);

/**
 * Parse a number of seconds, printing "PROG: --OPT: ..." when it is not
 * one in [min, max].
 *
 * @param prog
 *   Program name for the message.
 * @param opt
 *   Option name (without "--").
 * @param arg
 *   The text.
 * @param min
 *   Smallest value.
 * @param max
 *   Largest value.
 * @param out
 *   The value.
 * @return
 *   0, or -1 (message printed).
 */
int options_parse_seconds(const char *prog, const char *opt, const char *arg,
		double min, double max, double *out);

/**
 * Parse a decimal integer in [0, max] (digits only), printing
 * "PROG: --OPT: ..." when it is not one.
 *
 * @param prog
 *   Program name for the message.
 * @param opt
 *   Option name (without "--").
 * @param arg
 *   The text.
 * @param max
 *   Largest value.
 * @param out
 *   The value.
 * @return
 *   0, or -1 (message printed).
 */
int options_parse_uint(const char *prog, const char *opt, const char *arg,
		unsigned long max, unsigned long *out);

/**
 * Print a config or scenario loader's error for a file: "PATH: ERROR",
 * without repeating PATH when the loader already put it first (file-level
 * errors: cannot open, JSON syntax).
 *
 * @param path
 *   The file.
 * @param err
 *   The loader's message.
 */
void options_file_error(const char *path, const char *err);

/**
 * Where client @p client writes its results: --results itself with one
 * --scenario; with several, the path with "-<client>" before its ".json"
 * (or at its end).
 *
 * @param o
 *   The options.
 * @param client
 *   The client (its --scenario's index).
 * @param buf
 *   Receives the path.
 * @param len
 *   Size of @p buf.
 * @return
 *   0, or -1 when the path does not fit (said on stderr).
 */
int options_results_path(const struct app_options *o, unsigned int client,
		char *buf, size_t len);

#endif /* QOSDT_APP_OPTIONS_H */
