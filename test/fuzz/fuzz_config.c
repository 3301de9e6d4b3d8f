/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * libFuzzer target: qosdt_config_parse() (lib/qosdt_config.h) on any text,
 * without EAL. A finding is a sanitizer report, or:
 * - a refused text whose message is empty or more than one line;
 * - an accepted configuration that qosdt_config_validate() then refuses,
 *   or that it changes (the loader must hand back a validated config).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "qosdt_config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	rte_log_set_global_level(RTE_LOG_CRIT);	/* no per-run chatter */
	return 0;
}

static void
fail(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_config: %s: \"%s\"\n", what, err);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct qosdt_config cfg, again;
	char err[QOSDT_CONFIG_ERRLEN];
	char *text;

	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	if (qosdt_config_parse(text, &cfg, err, sizeof(err)) != 0) {
		if (err[0] == '\0' || strchr(err, '\n') != NULL)
			fail("refused without a one-line message", err);
	} else {
		again = cfg;
		if (qosdt_config_validate(&again, err, sizeof(err)) != 0)
			fail("accepted, then refused by validate", err);
		if (memcmp(&again, &cfg, sizeof(cfg)) != 0)
			fail("accepted config changed by validate", "");
	}
	free(text);
	return 0;
}
