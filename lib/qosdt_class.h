/* SPDX-License-Identifier: BSD-3-Clause */

/**
 * @file
 * The four QoS classes of qosdt (enum qosdt_class), highest priority
 * first, and their names. The classifier that maps a service to one is
 * qosdt_classifier.h.
 */

#ifndef QOSDT_CLASS_H
#define QOSDT_CLASS_H

#include <stdint.h>

/** A QoS class. The values are the original extension's (doc/original.md). */
enum qosdt_class {
	QOSDT_CLASS_REALTIME = 0,    /**< Latency first (echo, flip). */
	QOSDT_CLASS_THROUGHPUT = 1,  /**< Bandwidth first (hashes). */
	QOSDT_CLASS_RELIABLE = 2,    /**< Lossless (ciphers). */
	QOSDT_CLASS_BEST_EFFORT = 3, /**< Everything else. */
};

/** Number of classes. */
#define QOSDT_NB_CLASSES 4

/**
 * The configuration name of a class ("realtime", "throughput", "reliable",
 * "best_effort"): also the key used in JSON configs, results and telemetry.
 *
 * @param cls
 *   A class; any other value gives "unknown".
 * @return
 *   A static string.
 */
const char *qosdt_class_name(unsigned int cls);

/**
 * Look a class up by its configuration name.
 *
 * @param name
 *   "realtime", "throughput", "reliable" or "best_effort".
 * @return
 *   The class, or -1 if @p name is none of them.
 */
int qosdt_class_from_name(const char *name);

#endif /* QOSDT_CLASS_H */
