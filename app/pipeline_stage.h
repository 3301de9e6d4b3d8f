/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pipeline's stages (pipeline.h): what --stage-lcores places on
 * lcores (options.h) and what the pipeline runs.
 */

#ifndef QOSDT_APP_PIPELINE_STAGE_H
#define QOSDT_APP_PIPELINE_STAGE_H

/** The pipeline's stages, each run by one lcore (several may share one). */
enum pipeline_stage {
	STAGE_RX = 0,   /**< Receive from the port's class queues. */
	STAGE_WORKER,   /**< Classify and schedule (and serve, or generate). */
	STAGE_TX,       /**< Transmit on the class queues. */
	STAGE_MAX,
};

/**
 * Name of a stage ("rx", "worker", "tx").
 *
 * @param stage
 *   enum pipeline_stage.
 * @return
 *   A static string, "?" for an invalid value.
 */
static inline const char *
pipeline_stage_name(enum pipeline_stage stage)
{
	static const char *const names[STAGE_MAX] = {
		[STAGE_RX] = "rx",
		[STAGE_WORKER] = "worker",
		[STAGE_TX] = "tx",
	};

	return stage < STAGE_MAX ? names[stage] : "?";
}

#endif /* QOSDT_APP_PIPELINE_STAGE_H */
