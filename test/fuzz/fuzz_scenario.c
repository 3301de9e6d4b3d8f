/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * libFuzzer target: the client's scenario parser, scenario_parse()
 * (app/scenario.h), on any text, without EAL, for a 1 Gbit/s channel.
 * What it accepts is then used as the client would: frame check against a
 * 1518-byte max frame, total duration, scaling to 3 s. A finding is a
 * sanitizer report, or:
 * - a refused text whose message is empty or more than one line;
 * - an accepted scenario with no phase, a phase with no flow or no
 *   duration, a flow with a rate that is not > 0, or a scaled total that
 *   is not about 3 s.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "scenario.h"

#define CHANNEL_BPS	UINT64_C(1000000000)
#define MAX_FRAME	1518
#define SCALED_NS	UINT64_C(3000000000)

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
	fprintf(stderr, "fuzz_scenario: %s: \"%s\"\n", what, err);
	abort();
}

static void
check_accepted(struct scenario *sc)
{
	char err[SCENARIO_ERRLEN];
	uint64_t total;
	uint32_t p, f;

	if (sc->nb_phases == 0 || sc->nb_phases > SCENARIO_MAX_PHASES)
		fail("accepted with a bad phase count", sc->name);
	for (p = 0; p < sc->nb_phases; p++) {
		const struct phase *ph = &sc->phases[p];

		if (ph->duration_ns == 0 || ph->nb_flows == 0 ||
				ph->nb_flows > SCENARIO_MAX_FLOWS)
			fail("accepted a phase without duration or flows", ph->name);
		for (f = 0; f < ph->nb_flows; f++)
			if (!(ph->flows[f].rate_pps > 0))
				fail("accepted a flow whose rate is not > 0", ph->name);
	}
	err[0] = '\0';
	if (scenario_check_frames(sc, MAX_FRAME, err, sizeof(err)) != 0 &&
			(err[0] == '\0' || strchr(err, '\n') != NULL))
		fail("frame check refused without a one-line message", err);
	if (scenario_duration_ns(sc) == 0)
		fail("accepted a scenario of no duration", sc->name);
	scenario_scale(sc, SCALED_NS);
	total = scenario_duration_ns(sc);
	if (total + sc->nb_phases < SCALED_NS || total > SCALED_NS + sc->nb_phases)
		fail("scaled total is not the duration asked for", sc->name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scenario sc;
	char err[SCENARIO_ERRLEN];
	char *text;

	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	if (scenario_parse(text, CHANNEL_BPS, &sc, err, sizeof(err)) != 0) {
		if (err[0] == '\0' || strchr(err, '\n') != NULL)
			fail("refused without a one-line message", err);
	} else {
		check_accepted(&sc);
	}
	free(text);
	return 0;
}
