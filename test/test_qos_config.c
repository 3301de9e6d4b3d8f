/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The JSON configuration (doc/config.md): the shipped files load,
 * config/qos.json equals the built-in defaults, units parse, files that say
 * little keep the defaults, and every validation rule refuses a config that
 * breaks it with "<json.path>: <rule>" (one table row per rule).
 */

#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_red.h>

#include <jansson.h>

#include "qosdt_config.h"
#include "test.h"

/* Rule text and path of a refused config. */
struct bad_config {
	const char *json;
	const char *path;   /* the message starts with it */
	const char *rule;   /* and contains this after it */
};

/* One row per rule of doc/config.md, in its order. */
static const struct bad_config bad_configs[] = {
	/* Structure and JSON types. */
	{ "{\"chanel\": {}}", "chanel", "unknown key" },
	{ "{\"classes\": {\"realtime\": {\"slo\": {\"max_latncy\": \"1us\"}}}}",
	  "classes.realtime.slo.max_latncy", "unknown key" },
	{ "{\"services\": {\"map\": [{\"ids\": 1, \"class\": \"realtime\", \"x\": 1}]}}",
	  "services.map[0].x", "unknown key" },
	{ "{\"classes\": {\"bulk\": {}}}", "classes.bulk", "unknown class" },
	{ "{\"adaptive\": {\"bounds\": {\"bulk\": {}}}}", "adaptive.bounds.bulk",
	  "unknown class" },
	{ "[1, 2]", "<string>", "must be a JSON object" },
	{ "{\"channel\": 5}", "channel", "must be an object" },
	{ "{\"classes\": {\"best_effort\": {\"red\": 5}}}",
	  "classes.best_effort.red", "must be an object" },
	{ "{\"buffers\": {\"count\": \"8192\"}}", "buffers.count", "must be a number" },
	{ "{\"buffers\": {\"count\": 8192.5}}", "buffers.count", "whole number" },
	{ "{\"channel\": {\"max_frame\": null}}", "channel.max_frame", "must be a number" },
	{ "{\"adaptive\": {\"enabled\": \"yes\"}}", "adaptive.enabled", "true or false" },
	{ "{\"monitor\": {\"window_ms\": 1, \"window_ms\": 2}}", "<string>:1:",
	  "duplicate object key" },
	{ "{\"monitor\": }", "<string>:1:", "unexpected token" },
	/* Units. */
	{ "{\"channel\": {\"rate\": true}}", "channel.rate", "must be a rate" },
	{ "{\"channel\": {\"rate\": \"1 G\"}}", "channel.rate", "is not a rate" },
	{ "{\"channel\": {\"rate\": \"10Gbs\"}}", "channel.rate", "is not a rate" },
	{ "{\"channel\": {\"rate\": \"1.5\"}}", "channel.rate", "is not a rate" },
	{ "{\"channel\": {\"rate\": \"50%\"}}", "channel.rate",
	  "percentage is not allowed" },
	{ "{\"classes\": {\"realtime\": {\"rate\": {\"cap\": \"150%\"}}}}",
	  "classes.realtime.rate.cap", "at most 100% of channel.rate" },
	{ "{\"classes\": {\"realtime\": {\"slo\": {\"max_latency\": \"100\"}}}}",
	  "classes.realtime.slo.max_latency", "must be a duration" },
	{ "{\"classes\": {\"realtime\": {\"slo\": {\"max_latency\": 100}}}}",
	  "classes.realtime.slo.max_latency", "must be a duration" },
	{ "{\"classes\": {\"realtime\": {\"slo\": {\"max_latency\": \"1.5xs\"}}}}",
	  "classes.realtime.slo.max_latency", "must be a duration" },
	{ "{\"classes\": {\"realtime\": {\"buffer_share\": \"20\"}}}",
	  "classes.realtime.buffer_share", "must be a percentage" },
	{ "{\"classes\": {\"realtime\": {\"buffer_share\": 0.2}}}",
	  "classes.realtime.buffer_share", "must be a percentage" },
	{ "{\"buffers\": {\"shared\": \"2k\"}}", "buffers.shared",
	  "count or a percentage" },
	/* channel */
	{ "{\"channel\": {\"rate\": 0}}", "channel.rate", "must be > 0" },
	{ "{\"channel\": {\"rate\": \"401G\"}}", "channel.rate", "<= 400G" },
	{ "{\"channel\": {\"max_frame\": 39}}", "channel.max_frame", "must be 40..65535" },
	{ "{\"channel\": {\"max_frame\": 65536}}", "channel.max_frame", "must be 40..65535" },
	{ "{\"channel\": {\"max_frame\": 2049}}", "channel.max_frame",
	  "does not fit one mbuf" },
	{ "{\"channel\": {\"overhead\": 65}}", "channel.overhead", "must be 0..64" },
	{ "{\"channel\": {\"overhead\": -1}}", "channel.overhead", "must be 0..64" },
	{ "{\"channel\": {\"rate\": \"1M\"}, \"scheduler\": {\"tc_period_ms\": 1}}",
	  "channel.rate", "would never send" },
	/* scheduler */
	{ "{\"scheduler\": {\"mode\": \"drr\"}}", "scheduler.mode",
	  "must be \"priority\", \"wrr\" or \"fifo\"" },
	{ "{\"scheduler\": {\"queue_slots\": 15}}", "scheduler.queue_slots",
	  "must be 16..32768" },
	{ "{\"scheduler\": {\"queue_slots\": 32769}}", "scheduler.queue_slots",
	  "must be 16..32768" },
	{ "{\"scheduler\": {\"tc_period_ms\": 0}}", "scheduler.tc_period_ms",
	  "must be 1..1000" },
	{ "{\"scheduler\": {\"tc_period_ms\": 1001}}", "scheduler.tc_period_ms",
	  "must be 1..1000" },
	{ "{\"scheduler\": {\"bucket\": \"9us\"}}", "scheduler.bucket",
	  "must be 10us..1s" },
	{ "{\"scheduler\": {\"bucket\": \"2s\"}}", "scheduler.bucket",
	  "must be 10us..1s" },
	{ "{\"scheduler\": {\"bucket\": 1000}}", "scheduler.bucket", "" },
	/* buffers */
	{ "{\"buffers\": {\"count\": 63}}", "buffers.count", "must be 64..1048576" },
	{ "{\"buffers\": {\"count\": 1048577}}", "buffers.count", "must be 64..1048576" },
	{ "{\"buffers\": {\"shared\": 8192}}", "buffers.shared", "below buffers.count" },
	{ "{\"buffers\": {\"shared\": \"100%\"}}", "buffers.shared", "below buffers.count" },
	{ "{\"buffers\": {\"shared\": \"101%\"}}", "buffers.shared",
	  "at most 100% of buffers.count" },
	{ "{\"buffers\": {\"data_room\": 65536}}", "buffers.data_room",
	  "must be 0..65535" },
	/* classes: shares and sizes */
	{ "{\"classes\": {\"realtime\": {\"buffer_share\": \"0%\"}}}",
	  "classes.realtime.buffer_share", "must be in (0%, 100%]" },
	{ "{\"classes\": {\"realtime\": {\"queue_share\": \"100.5%\"}}}",
	  "classes.realtime.queue_share", "must be in (0%, 100%]" },
	{ "{\"classes\": {\"realtime\": {\"buffer_share\": \"25%\"}}}",
	  "classes", "buffer_share sums to 105% over the four classes" },
	{ "{\"classes\": {\"realtime\": {\"queue_share\": \"20%\"}}}",
	  "classes", "queue_share sums to 95% over the four classes" },
	{ "{\"buffers\": {\"count\": 200, \"shared\": 0}}",
	  "classes.best_effort.buffer_share", "gives 20 buffers, fewer than one burst" },
	{ "{\"scheduler\": {\"queue_slots\": 64}}",
	  "classes.best_effort.queue_share", "gives 7 queue slots, fewer than 8" },
	/* classes: weights and the rte_sched WRR trap */
	{ "{\"classes\": {\"realtime\": {\"weight\": 0}}}", "classes.realtime.weight",
	  "must be 1..255" },
	{ "{\"classes\": {\"realtime\": {\"weight\": 256}}}", "classes.realtime.weight",
	  "must be 1..255" },
	{ "{\"classes\": {\"throughput\": {\"weight\": 16}, \"reliable\": {\"weight\": 17, \"strict\": false, \"rate\": {\"cap\": null}}}}",
	  "classes", "in priority mode rte_sched's WRR gets 16:17:1:1 and lcm/min = 272" },
	{ "{\"scheduler\": {\"mode\": \"wrr\"}, \"classes\": {\"realtime\": {\"weight\": 16}, \"throughput\": {\"weight\": 17}}}",
	  "classes", "in wrr mode rte_sched's WRR gets 16:17:2:1 and lcm/min = 272" },
	{ "{\"classes\": {\"reliable\": {\"strict\": false, \"rate\": {\"cap\": null}}}, \"adaptive\": {\"bounds\": {\"throughput\": {\"weight\": [1, 16]}, \"reliable\": {\"weight\": [1, 17]}, \"best_effort\": {\"weight\": [1, 1]}}}}",
	  "adaptive.bounds", "WRR gets 16:17:1:1 and lcm/min = 272" },
	/* classes: rate cap */
	{ "{\"classes\": {\"throughput\": {\"rate\": {\"cap\": \"10%\"}}}}",
	  "classes.throughput.rate.cap", "only a strict class may be capped" },
	{ "{\"classes\": {\"realtime\": {\"rate\": {\"cap\": \"0\"}}}}",
	  "classes.realtime.rate.cap", "must be > 0" },
	{ "{\"classes\": {\"realtime\": {\"rate\": {\"cap\": \"2G\"}}}}",
	  "classes.realtime.rate.cap", "2G is above channel.rate (1G)" },
	{ "{\"classes\": {\"realtime\": {\"rate\": {\"cap\": \"1M\"}}}}",
	  "classes.realtime.rate.cap", "each of its 2 TCs at 1/2 of it, 500k x tc_period_ms 10 = 625 bytes, less than max_frame + overhead (2048)" },
	/* classes: strict (priority mode: strict-priority TCs, one per objective) */
	{ "{\"classes\": {\"best_effort\": {\"strict\": true}}}",
	  "classes.best_effort.rate.cap", "required for a strict class" },
	{ "{\"classes\": {\"reliable\": {\"strict\": false}}}",
	  "classes.reliable.rate.cap", "only a strict class may be capped" },
	{ "{\"classes\": {\"realtime\": {\"strict\": false}}}",
	  "classes.realtime.strict", "realtime is always strict" },
	{ "{\"classes\": {\"reliable\": {\"strict\": 1}}}",
	  "classes.reliable.strict", "true or false" },
	{ "{\"classes\": {\"reliable\": {\"strict\": true, \"rate\": {\"cap\": \"4M\"}}}}",
	  "classes.reliable.rate.cap", "each of its 3 TCs at 1/3 of it, 1333333 x tc_period_ms 10 = 1666 bytes" },
	{ "{\"classes\": {\"reliable\": {\"strict\": true, \"rate\": {\"cap\": \"80%\"}}}}",
	  "classes.throughput.rate.guarantee", "the strict classes' caps" },
	{ "{\"classes\": {\"throughput\": {\"strict\": true, \"rate\": {\"cap\": \"10%\", \"guarantee\": \"20%\"}}}}",
	  "classes.throughput.rate.guarantee", "above the class's rate.cap (100M)" },
	{ "{\"classes\": {\"best_effort\": {\"strict\": true, \"rate\": {\"cap\": \"10%\"}}}, \"services\": {\"map\": [{\"ids\": 1, \"class\": \"realtime\", \"max_latency\": \"1us\"}, {\"ids\": 2, \"class\": \"realtime\", \"max_latency\": \"2us\"}, {\"ids\": 3, \"class\": \"realtime\", \"max_latency\": \"3us\"}, {\"ids\": 4, \"class\": \"realtime\", \"max_latency\": \"4us\"}, {\"ids\": 5, \"class\": \"realtime\", \"max_latency\": \"5us\"}, {\"ids\": 6, \"class\": \"realtime\", \"max_latency\": \"6us\"}, {\"ids\": 7, \"class\": \"realtime\", \"max_latency\": \"7us\"}, {\"ids\": 8, \"class\": \"best_effort\", \"max_latency\": \"8us\"}, {\"ids\": 9, \"class\": \"best_effort\", \"max_latency\": \"9us\"}, {\"ids\": 10, \"class\": \"best_effort\", \"max_latency\": \"10us\"}, {\"ids\": 11, \"class\": \"best_effort\", \"max_latency\": \"11us\"}, {\"ids\": 12, \"class\": \"best_effort\", \"max_latency\": \"12us\"}]}}",
	  "classes", "the strict classes need 14 strict-priority traffic classes" },
	/* classes: rate guarantee */
	{ "{\"classes\": {\"realtime\": {\"rate\": {\"guarantee\": \"300M\"}}, \"throughput\": {\"rate\": {\"guarantee\": \"800M\"}}}}",
	  "classes", "rate.guarantee sums to 1100M, above channel.rate (1G)" },
	{ "{\"classes\": {\"throughput\": {\"rate\": {\"guarantee\": \"300M\"}}}}",
	  "classes.throughput.rate.guarantee", "WRR share in priority mode (200M" },
	{ "{\"classes\": {\"realtime\": {\"rate\": {\"guarantee\": \"400M\"}}}}",
	  "classes.realtime.rate.guarantee", "above the class's rate.cap (300M)" },
	{ "{\"classes\": {\"realtime\": {\"rate\": {\"cap\": null}}}}",
	  "classes.throughput.rate.guarantee", "realtime has none" },
	{ "{\"scheduler\": {\"mode\": \"wrr\"}, \"classes\": {\"throughput\": {\"rate\": {\"guarantee\": \"300M\"}}}}",
	  "classes.throughput.rate.guarantee", "WRR share in wrr mode (222222222" },
	/* classes: drop policy and RED */
	{ "{\"classes\": {\"realtime\": {\"drop\": \"wred\"}}}", "classes.realtime.drop",
	  "must be \"none\", \"tail\", \"red\" or \"sojourn\"" },
	/* classes: the sojourn-time drop */
	{ "{\"classes\": {\"realtime\": {\"drop\": \"sojourn\"}}}",
	  "classes.realtime.sojourn", "required with drop \"sojourn\"" },
	{ "{\"classes\": {\"realtime\": {\"sojourn\": {\"target\": \"50us\"}}}}",
	  "classes.realtime.sojourn", "only with drop \"sojourn\"" },
	{ "{\"classes\": {\"reliable\": {\"sojourn\": {\"target\": \"100us\"}}}}",
	  "classes.reliable.sojourn", "a lossless class (drop \"none\") keeps backpressure instead" },
	{ "{\"classes\": {\"throughput\": {\"drop\": \"sojourn\", \"sojourn\": {\"target\": \"1ms\"}}}}",
	  "classes.throughput.sojourn.target", "1ms is not below the class's slo.max_latency (1ms)" },
	{ "{\"classes\": {\"throughput\": {\"drop\": \"sojourn\", \"sojourn\": {\"target\": \"5s\"}}}}",
	  "classes.throughput.sojourn.target", "must be 1us..4s" },
	{ "{\"classes\": {\"throughput\": {\"drop\": \"sojourn\", \"sojourn\": {\"target\": \"500us\", \"interval\": \"1ms\"}}}}",
	  "classes.throughput.sojourn.interval", "unknown key" },
	{ "{\"classes\": {\"throughput\": {\"drop\": \"sojourn\", \"sojourn\": {\"target\": \"fast\"}}}}",
	  "classes.throughput.sojourn.target", "" },
	{ "{\"classes\": {\"realtime\": {\"drop\": \"red\"}}}", "classes.realtime.red",
	  "required with drop \"red\"" },
	{ "{\"classes\": {\"realtime\": {\"red\": {\"min_th\": 1, \"max_th\": 2, \"maxp_inv\": 10, \"wq_log2\": 9}}}}",
	  "classes.realtime.red", "only with drop \"red\"" },
	{ "{\"classes\": {\"best_effort\": {\"red\": {\"min_th\": 0}}}}",
	  "classes.best_effort.red.min_th", "must be 1..1023" },
	{ "{\"classes\": {\"best_effort\": {\"red\": {\"min_th\": 96}}}}",
	  "classes.best_effort.red.min_th", "96 must be below max_th (96)" },
	{ "{\"classes\": {\"best_effort\": {\"red\": {\"max_th\": 200}}}}",
	  "classes.best_effort.red.max_th", "above the class's queue_limit (103)" },
	{ "{\"scheduler\": {\"queue_slots\": 32768}, \"classes\": {\"best_effort\": {\"red\": {\"max_th\": 1024}}}}",
	  "classes.best_effort.red.max_th", "must be 1..1023" },
	{ "{\"classes\": {\"best_effort\": {\"red\": {\"maxp_inv\": 0}}}}",
	  "classes.best_effort.red.maxp_inv", "must be 1..255" },
	{ "{\"classes\": {\"best_effort\": {\"red\": {\"maxp_inv\": 256}}}}",
	  "classes.best_effort.red.maxp_inv", "must be 1..255" },
	{ "{\"classes\": {\"best_effort\": {\"red\": {\"wq_log2\": 0}}}}",
	  "classes.best_effort.red.wq_log2", "must be 1..12" },
	{ "{\"classes\": {\"best_effort\": {\"red\": {\"wq_log2\": 13}}}}",
	  "classes.best_effort.red.wq_log2", "must be 1..12" },
	/* classes: borrowing */
	{ "{\"classes\": {\"realtime\": {\"borrow_cap\": 2049}}}",
	  "classes.realtime.borrow_cap", "2049 is more than the shared pool (2048 buffers)" },
	{ "{\"classes\": {\"realtime\": {\"borrow_cap\": \"101%\"}}}",
	  "classes.realtime.borrow_cap", "at most 100% of the shared pool" },
	/* classes: SLO */
	{ "{\"classes\": {\"realtime\": {\"slo\": {\"max_latency\": \"500ns\"}}}}",
	  "classes.realtime.slo.max_latency", "must be 1us..4s" },
	{ "{\"classes\": {\"realtime\": {\"slo\": {\"max_latency\": \"5s\"}}}}",
	  "classes.realtime.slo.max_latency", "must be 1us..4s" },
	{ "{\"classes\": {\"throughput\": {\"slo\": {\"min_bandwidth\": \"2G\"}}}}",
	  "classes.throughput.slo.min_bandwidth", "2G is above channel.rate (1G)" },
	{ "{\"classes\": {\"reliable\": {\"slo\": {\"max_loss\": \"101%\"}}}}",
	  "classes.reliable.slo.max_loss", "must be 0%..100%" },
	/* services */
	{ "{\"services\": {\"default\": \"gold\"}}", "services.default", "must be a class" },
	{ "{\"services\": {\"default\": 3}}", "services.default", "must be a class" },
	{ "{\"services\": {\"map\": {}}}", "services.map", "must be an array" },
	{ "{\"services\": {\"map\": [1]}}", "services.map[0]", "must be an object" },
	{ "{\"services\": {\"map\": [{\"ids\": 70000, \"class\": \"realtime\"}]}}",
	  "services.map[0].ids", "must be 0..65535" },
	{ "{\"services\": {\"map\": [{\"ids\": \"3-70000\", \"class\": \"realtime\"}]}}",
	  "services.map[0].ids", "must be 0..65535" },
	{ "{\"services\": {\"map\": [{\"ids\": \"9-3\", \"class\": \"realtime\"}]}}",
	  "services.map[0].ids", "9-3: the first id must not be above the last" },
	{ "{\"services\": {\"map\": [{\"ids\": \"3..4\", \"class\": \"realtime\"}]}}",
	  "services.map[0].ids", "must be an id 0..65535 or a range" },
	{ "{\"services\": {\"map\": [{\"ids\": -1, \"class\": \"realtime\"}]}}",
	  "services.map[0].ids", "must be an id 0..65535 or a range" },
	{ "{\"services\": {\"map\": [{\"ids\": true, \"class\": \"realtime\"}]}}",
	  "services.map[0].ids", "must be an id 0..65535 or a range" },
	{ "{\"services\": {\"map\": [{\"ids\": 1, \"class\": \"gold\"}]}}",
	  "services.map[0].class", "must be a class" },
	{ "{\"services\": {\"map\": [{\"ids\": 1}]}}", "services.map[0].class", "required" },
	{ "{\"services\": {\"map\": [{\"class\": \"realtime\"}]}}",
	  "services.map[0].ids", "required" },
	{ "{\"services\": {\"map\": [{\"ids\": 1, \"class\": \"realtime\", \"max_latency\": \"0ns\"}]}}",
	  "services.map[0].max_latency", "must be 1us..4s" },
	{ "{\"services\": {\"map\": [{\"ids\": \"1-2\", \"class\": \"realtime\"}, {\"ids\": \"3-8\", \"class\": \"reliable\"}, {\"ids\": 12, \"class\": \"best_effort\"}, {\"ids\": \"5-9\", \"class\": \"reliable\"}]}}",
	  "services.map[3].ids", "5-9 overlaps services.map[1] (3-8)" },
	/* monitor */
	{ "{\"monitor\": {\"window_ms\": 0}}", "monitor.window_ms", "must be 1..60000" },
	{ "{\"monitor\": {\"window_ms\": 60001}}", "monitor.window_ms", "must be 1..60000" },
	/* adaptive */
	{ "{\"adaptive\": {\"period_ms\": 0}}", "adaptive.period_ms", "must be 1..60000" },
	{ "{\"adaptive\": {\"period_ms\": 60001}}", "adaptive.period_ms", "must be 1..60000" },
	{ "{\"adaptive\": {\"healthy_windows\": 0}}", "adaptive.healthy_windows",
	  "must be 1..1000" },
	{ "{\"adaptive\": {\"healthy_windows\": 1001}}", "adaptive.healthy_windows",
	  "must be 1..1000" },
	{ "{\"adaptive\": {\"weight_step\": 0}}", "adaptive.weight_step", "must be 1..64" },
	{ "{\"adaptive\": {\"weight_step\": 65}}", "adaptive.weight_step", "must be 1..64" },
	{ "{\"adaptive\": {\"rate_step\": \"0%\"}}", "adaptive.rate_step",
	  "must be in (0%, 100%]" },
	{ "{\"adaptive\": {\"rate_step\": \"100.01%\"}}", "adaptive.rate_step",
	  "must be in (0%, 100%]" },
	{ "{\"adaptive\": {\"bounds\": {\"realtime\": {\"weight\": [2]}}}}",
	  "adaptive.bounds.realtime.weight", "must be [min, max]" },
	{ "{\"adaptive\": {\"bounds\": {\"realtime\": {\"weight\": [0, 16]}}}}",
	  "adaptive.bounds.realtime.weight[0]", "must be 1..255" },
	{ "{\"adaptive\": {\"bounds\": {\"realtime\": {\"weight\": [2, 256]}}}}",
	  "adaptive.bounds.realtime.weight[1]", "must be 1..255" },
	{ "{\"adaptive\": {\"bounds\": {\"realtime\": {\"weight\": [5, 16]}}}}",
	  "adaptive.bounds.realtime.weight", "must hold the class weight 4" },
	{ "{\"adaptive\": {\"bounds\": {\"realtime\": {\"weight\": [2, 3]}}}}",
	  "adaptive.bounds.realtime.weight", "must hold the class weight 4" },
	{ "{\"adaptive\": {\"bounds\": {\"realtime\": {\"rate_cap\": [\"0\", \"60%\"]}}}}",
	  "adaptive.bounds.realtime.rate_cap[0]", "must be > 0" },
	{ "{\"adaptive\": {\"bounds\": {\"realtime\": {\"rate_cap\": [\"40%\", \"60%\"]}}}}",
	  "adaptive.bounds.realtime.rate_cap", "[400M, 600M] must hold the cap 300M" },
	{ "{\"adaptive\": {\"bounds\": {\"realtime\": {\"rate_cap\": [\"10%\", \"20%\"]}}}}",
	  "adaptive.bounds.realtime.rate_cap", "[100M, 200M] must hold the cap 300M" },
	{ "{\"adaptive\": {\"bounds\": {\"realtime\": {\"rate_cap\": [\"10%\", \"2G\"]}}}}",
	  "adaptive.bounds.realtime.rate_cap", "max <= channel.rate (1G)" },
	{ "{\"adaptive\": {\"bounds\": {\"realtime\": {\"rate_cap\": [\"1k\", \"60%\"]}}}}",
	  "adaptive.bounds.realtime.rate_cap", "would never send" },
	{ "{\"adaptive\": {\"bounds\": {\"reliable\": {\"rate_cap\": [\"10%\", \"20%\"]}}}}",
	  "adaptive.bounds.reliable.rate_cap", "[100M, 200M] must hold the cap 400M" },
	{ "{\"classes\": {\"realtime\": {\"rate\": {\"cap\": null}}, \"throughput\": {\"rate\": {\"guarantee\": null}}}}",
	  "adaptive.bounds.realtime.rate_cap", "classes.realtime has no rate.cap" },
	/* The controller's reachable settings must fit rte_sched's profiles. */
	{ "{\"scheduler\": {\"mode\": \"wrr\"}, \"adaptive\": {\"enabled\": true, \"bounds\": {\"realtime\": {\"weight\": [1, 16]}, \"throughput\": {\"weight\": [1, 16]}, \"reliable\": {\"weight\": [1, 16]}}}}",
	  "adaptive.bounds", "could reach 16384 weight settings in wrr mode, more than rte_sched's 4096" },
	{ "{\"adaptive\": {\"enabled\": true, \"rate_step\": \"0.01%\"}}",
	  "adaptive.bounds", "could reach 20009001 settings of the strict classes' caps" },
	/* tenants: structure */
	{ "{\"tenants\": 3}", "tenants", "must be an object" },
	{ "{\"tenants\": {\"cont\": 2}}", "tenants.cont", "unknown key" },
	{ "{\"tenants\": {\"count\": 0}}", "tenants.count", "must be 1..64" },
	{ "{\"tenants\": {\"count\": 65}}", "tenants.count", "must be 1..64" },
	{ "{\"tenants\": {\"count\": \"3\"}}", "tenants.count", "must be a number" },
	{ "{\"tenants\": {\"list\": []}}", "tenants.list",
	  "must be an array of 1..64 tenants" },
	{ "{\"tenants\": {\"list\": {}}}", "tenants.list",
	  "must be an array of 1..64 tenants" },
	{ "{\"tenants\": {\"list\": [{}, 5]}}", "tenants.list[1]", "must be an object" },
	{ "{\"tenants\": {\"list\": [{\"nam\": \"vm-a\"}]}}", "tenants.list[0].nam",
	  "unknown key" },
	{ "{\"tenants\": {\"count\": 3, \"list\": [{}, {}]}}", "tenants.count",
	  "3 but tenants.list has 2 entries" },
	{ "{\"tenants\": {\"list\": [{}, {}], \"count\": 1}}", "tenants.count",
	  "1 but tenants.list has 2 entries" },
	/* tenants: names */
	{ "{\"tenants\": {\"list\": [{\"name\": \"\"}]}}", "tenants.list[0].name",
	  "must be a name of 1..31 characters" },
	{ "{\"tenants\": {\"list\": [{\"name\": \"abcdefghijklmnopqrstuvwxyz012345\"}]}}",
	  "tenants.list[0].name", "must be a name of 1..31 characters" },
	{ "{\"tenants\": {\"list\": [{\"name\": 7}]}}", "tenants.list[0].name",
	  "must be a name of 1..31 characters" },
	{ "{\"tenants\": {\"list\": [{\"name\": \"vm a\"}]}}", "tenants.list[0].name",
	  "must be 1..31 characters of [A-Za-z0-9_]" },
	{ "{\"tenants\": {\"list\": [{}, {\"name\": \"vm-b\"}]}}", "tenants.list[1].name",
	  "must be 1..31 characters of [A-Za-z0-9_]" },
	{ "{\"tenants\": {\"list\": [{\"name\": \"vm_a\"}, {\"name\": \"vm_a\"}]}}",
	  "tenants.list[1].name", "\"vm_a\" is tenants.list[0]'s name too: names must be unique" },
	{ "{\"tenants\": {\"list\": [{\"name\": \"tenant1\"}, {}]}}",
	  "tenants.list[1].name", "\"tenant1\" is tenants.list[0]'s name too" },
	/* tenants: weights */
	{ "{\"tenants\": {\"list\": [{\"weight\": 0}]}}", "tenants.list[0].weight",
	  "must be 1..255" },
	{ "{\"tenants\": {\"list\": [{}, {\"weight\": 256}]}}", "tenants.list[1].weight",
	  "must be 1..255" },
	/* tenants: capacity and rates */
	{ "{\"tenants\": {\"capacity\": 0}}", "tenants.capacity", "must be > 0" },
	{ "{\"tenants\": {\"capacity\": \"fast\"}}", "tenants.capacity", "is not a rate" },
	{ "{\"tenants\": {\"capacity\": \"101%\"}}", "tenants.capacity",
	  "at most 100% of tenants.count x channel.rate" },
	{ "{\"tenants\": {\"capacity\": \"1M\"}}", "tenants.capacity",
	  "the subport at 1M x tc_period_ms 10 = 1250 bytes, less than max_frame + overhead (2048)" },
	{ "{\"tenants\": {\"capacity\": \"10M\", \"list\": [{\"weight\": 255}, {\"weight\": 1}]}}",
	  "tenants.capacity", "tenants.list[1]'s weighted share (weight 1) at 39062 x tc_period_ms 10 = 48 bytes" },
	{ "{\"tenants\": {\"list\": [{\"rate\": 0}]}}", "tenants.list[0].rate",
	  "must be > 0 and <= 400G (null: no cap)" },
	{ "{\"tenants\": {\"list\": [{\"rate\": \"10 M\"}]}}", "tenants.list[0].rate",
	  "is not a rate" },
	{ "{\"tenants\": {\"list\": [{\"rate\": \"101%\"}]}}", "tenants.list[0].rate",
	  "at most 100% of tenants.capacity" },
	{ "{\"tenants\": {\"list\": [{\"rate\": \"2G\"}]}}", "tenants.list[0].rate",
	  "2G is above the capacity (1G)" },
	{ "{\"tenants\": {\"capacity\": \"500M\", \"list\": [{}, {\"rate\": \"600M\"}]}}",
	  "tenants.list[1].rate", "600M is above the capacity (500M)" },
	{ "{\"tenants\": {\"count\": 2, \"list\": [{}, {\"rate\": \"1M\"}]}}",
	  "tenants.list[1].rate", "its pipe at 1M x tc_period_ms 10 = 1250 bytes, less than max_frame + overhead (2048)" },
	/* tenants: one controller per client VM */
	{ "{\"tenants\": {\"count\": 2}, \"adaptive\": {\"enabled\": true}}",
	  "adaptive.enabled", "not with more than one tenant (doc/tenants.md: each client VM runs its own controller)" },
	/* tenants: the smallest tenant's class pools and queue slots */
	{ "{\"tenants\": {\"count\": 32}}", "buffers.count",
	  "gives tenant \"tenant0\" 256 buffers, 20 of them in its best_effort pool, fewer than one burst (32)" },
	{ "{\"tenants\": {\"list\": [{\"weight\": 20}, {\"weight\": 1}]}}",
	  "tenants.list[1].weight", "gives tenant \"tenant1\" 390 buffers, 31 of them in its best_effort pool" },
	{ "{\"buffers\": {\"count\": 65536}, \"tenants\": {\"count\": 16}}",
	  "scheduler.queue_slots", "gives tenant \"tenant0\" 64 queue slots, 7 of them for its best_effort class, fewer than 8" },
	{ "{\"buffers\": {\"count\": 65536}, \"tenants\": {\"list\": [{\"name\": \"big\", \"weight\": 30}, {\"name\": \"small\"}]}}",
	  "tenants.list[1].weight", "gives tenant \"small\" 33 queue slots, 4 of them for its best_effort class, fewer than 8" },
};

/* ------------------------------------------------------------------ */
/* Helpers.                                                            */

/* Name of the first field where @p a and @p b differ, or NULL. */
#define DIFF(a, b, field, what) do { \
	if ((a)->field != (b)->field) { \
		snprintf(what, sizeof(what), "%s", #field); \
		return what; \
	} \
} while (0)

static const char *
class_diff(const struct qosdt_class_config *a, const struct qosdt_class_config *b)
{
	static char what[64];

	DIFF(a, b, buffer_share_ppm, what);
	DIFF(a, b, queue_share_ppm, what);
	DIFF(a, b, weight, what);
	DIFF(a, b, rate_guarantee_bps, what);
	DIFF(a, b, rate_cap_bps, what);
	DIFF(a, b, strict, what);
	DIFF(a, b, drop, what);
	DIFF(a, b, sojourn.target_ns, what);
	DIFF(a, b, red.min_th, what);
	DIFF(a, b, red.max_th, what);
	DIFF(a, b, red.maxp_inv, what);
	DIFF(a, b, red.wq_log2, what);
	DIFF(a, b, borrow_cap, what);
	DIFF(a, b, slo.max_latency_ns, what);
	DIFF(a, b, slo.min_bandwidth_bps, what);
	DIFF(a, b, slo.max_loss_ppm, what);
	DIFF(a, b, slo.has_max_loss, what);
	DIFF(a, b, nb_buffers, what);
	DIFF(a, b, queue_limit, what);
	return NULL;
}

static const char *
rule_diff(const struct qosdt_service_rule *a, const struct qosdt_service_rule *b)
{
	static char what[64];

	DIFF(a, b, first, what);
	DIFF(a, b, last, what);
	DIFF(a, b, cls, what);
	DIFF(a, b, max_latency_ns, what);
	return NULL;
}

static const char *
bounds_diff(const struct qosdt_adaptive_bounds *a,
		const struct qosdt_adaptive_bounds *b)
{
	static char what[64];

	DIFF(a, b, weight_min, what);
	DIFF(a, b, weight_max, what);
	DIFF(a, b, rate_cap_min_bps, what);
	DIFF(a, b, rate_cap_max_bps, what);
	return NULL;
}

static const char *
tenant_diff(const struct qosdt_tenant_config *a,
		const struct qosdt_tenant_config *b)
{
	static char what[64];

	if (strncmp(a->name, b->name, sizeof(a->name)) != 0)
		return "name";
	DIFF(a, b, weight, what);
	DIFF(a, b, rate_bps, what);
	return NULL;
}

/* The first field (by name) where two configs differ, or NULL. */
static const char *
config_diff(const struct qosdt_config *a, const struct qosdt_config *b)
{
	static char what[96];
	const char *sub;
	unsigned int i;

	DIFF(a, b, channel_rate_bps, what);
	DIFF(a, b, max_frame_len, what);
	DIFF(a, b, frame_overhead, what);
	DIFF(a, b, mode, what);
	DIFF(a, b, queue_slots, what);
	DIFF(a, b, tc_period_ms, what);
	DIFF(a, b, bucket_ns, what);
	DIFF(a, b, nb_buffers, what);
	DIFF(a, b, shared_buffers, what);
	DIFF(a, b, buffer_data_room, what);
	for (i = 0; i < QOSDT_NB_CLASSES; i++) {
		sub = class_diff(&a->classes[i], &b->classes[i]);
		if (sub != NULL) {
			snprintf(what, sizeof(what), "classes[%u].%s", i, sub);
			return what;
		}
	}
	DIFF(a, b, nb_rules, what);
	for (i = 0; i < a->nb_rules; i++) {
		sub = rule_diff(&a->rules[i], &b->rules[i]);
		if (sub != NULL) {
			snprintf(what, sizeof(what), "rules[%u].%s", i, sub);
			return what;
		}
	}
	DIFF(a, b, window_ms, what);
	DIFF(a, b, adaptive.enabled, what);
	DIFF(a, b, adaptive.period_ms, what);
	DIFF(a, b, adaptive.healthy_windows, what);
	DIFF(a, b, adaptive.weight_step, what);
	DIFF(a, b, adaptive.rate_step_ppm, what);
	for (i = 0; i < QOSDT_NB_CLASSES; i++) {
		sub = bounds_diff(&a->adaptive.bounds[i], &b->adaptive.bounds[i]);
		if (sub != NULL) {
			snprintf(what, sizeof(what), "adaptive.bounds[%u].%s", i, sub);
			return what;
		}
	}
	DIFF(a, b, tenants.nb, what);
	DIFF(a, b, tenants.capacity_bps, what);
	for (i = 0; i < QOSDT_MAX_TENANTS; i++) {
		sub = tenant_diff(&a->tenants.t[i], &b->tenants.t[i]);
		if (sub != NULL) {
			snprintf(what, sizeof(what), "tenants.t[%u].%s", i, sub);
			return what;
		}
	}
	return NULL;
}

/* Parse @p json; the caller asserts on the result. */
static int
parse(const char *json, struct qosdt_config *cfg, char *err)
{
	err[0] = '\0';
	return qosdt_config_parse(json, cfg, err, QOSDT_CONFIG_ERRLEN);
}

/* Write @p text to a new temporary file; its name goes to @p path. */
static int
write_temp(const char *text, char *path, size_t len)
{
	FILE *f;
	int fd;

	snprintf(path, len, "/tmp/qosdt-config-XXXXXX.json");
	fd = mkstemps(path, 5);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(path);
		return -1;
	}
	fputs(text, f);
	fclose(f);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Cases.                                                              */

/* The defaults are valid and share the buffers and slots out exactly. */
static int
test_defaults(void)
{
	static const uint32_t buffers[] = { 1228, 3072, 1228, 616 };
	static const uint32_t slots[] = { 256, 409, 256, 103 };
	static const uint32_t borrow[] = { 1024, 1024, 1024, 512 };
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg;
	unsigned int i;

	qosdt_config_defaults(&cfg);
	TEST_ASSERT_SUCCESS(qosdt_config_validate(&cfg, err, sizeof(err)),
		"defaults refused: %s", err);
	TEST_ASSERT_EQUAL(cfg.shared_buffers, 2048u, "25%% of 8192");
	for (i = 0; i < QOSDT_NB_CLASSES; i++) {
		TEST_ASSERT_EQUAL(cfg.classes[i].nb_buffers, buffers[i],
			"class %u buffers %u", i, cfg.classes[i].nb_buffers);
		TEST_ASSERT_EQUAL(cfg.classes[i].queue_limit, slots[i],
			"class %u slots %u", i, cfg.classes[i].queue_limit);
		TEST_ASSERT_EQUAL(cfg.classes[i].borrow_cap, borrow[i],
			"class %u borrow cap %u", i, cfg.classes[i].borrow_cap);
	}
	TEST_ASSERT_EQUAL(cfg.classes[QOSDT_CLASS_REALTIME].rate_cap_bps,
		UINT64_C(300000000), "30%% of 1G");
	TEST_ASSERT_EQUAL(cfg.adaptive.bounds[0].rate_cap_min_bps,
		UINT64_C(100000000), "10%% of 1G");
	TEST_ASSERT_EQUAL(cfg.adaptive.bounds[0].rate_cap_max_bps,
		UINT64_C(600000000), "60%% of 1G");
	TEST_ASSERT_EQUAL(cfg.nb_rules, 8u, "default rule + 7 map entries");
	TEST_ASSERT(cfg.rules[0].first == 0 && cfg.rules[0].last == 65535 &&
		cfg.rules[0].cls == QOSDT_CLASS_BEST_EFFORT &&
		cfg.rules[0].max_latency_ns == 0, "rule 0 is the default");
	return TEST_SUCCESS;
}

/* config/qos.json is the defaults, field by field. */
static int
test_qos_json_is_defaults(void)
{
	const char *root = getenv("QOSDT_SOURCE_ROOT");
	struct qosdt_config file, defaults;
	char err[QOSDT_CONFIG_ERRLEN];
	char path[PATH_MAX];
	const char *diff;

	if (root == NULL)
		TEST_SKIP("QOSDT_SOURCE_ROOT is not set: run through meson test");
	snprintf(path, sizeof(path), "%s/config/qos.json", root);
	TEST_ASSERT_SUCCESS(qosdt_config_load(path, &file, err, sizeof(err)),
		"%s", err);
	qosdt_config_defaults(&defaults);
	diff = config_diff(&file, &defaults);
	TEST_ASSERT_NULL(diff, "qos.json and the defaults differ in %s", diff);
	return TEST_SUCCESS;
}

/* Every JSON file in config/ of the source tree loads. */
/* A client scenario (app/scenario.h) lives in config/ too: it has phases. */
static bool
is_scenario_file(const char *path)
{
	json_t *root = json_load_file(path, 0, NULL);
	bool scenario = json_object_get(root, "phases") != NULL;

	json_decref(root);
	return scenario;
}

static int
test_source_configs_load(void)
{
	const char *root = getenv("QOSDT_SOURCE_ROOT");
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg;
	char pattern[PATH_MAX];
	size_t i, nb_configs = 0;
	glob_t g;

	if (root == NULL)
		TEST_SKIP("QOSDT_SOURCE_ROOT is not set: run through meson test");
	snprintf(pattern, sizeof(pattern), "%s/config/*.json", root);
	TEST_ASSERT_SUCCESS(glob(pattern, 0, NULL, &g), "no %s", pattern);
	for (i = 0; i < g.gl_pathc; i++) {
		if (is_scenario_file(g.gl_pathv[i]))
			continue;
		nb_configs++;
		if (qosdt_config_load(g.gl_pathv[i], &cfg, err, sizeof(err)) != 0) {
			printf("%s: %s\n", g.gl_pathv[i], err);
			globfree(&g);
			return TEST_FAILED;
		}
	}
	printf("%zu config files load\n", nb_configs);
	globfree(&g);
	TEST_ASSERT(nb_configs > 0, "no config file in %s", pattern);
	return TEST_SUCCESS;
}

/* A file keeps the defaults of what it does not say. */
static int
test_partial_files(void)
{
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg, defaults;
	const char *diff;

	qosdt_config_defaults(&defaults);
	TEST_ASSERT_SUCCESS(parse("{}", &cfg, err), "%s", err);
	diff = config_diff(&cfg, &defaults);
	TEST_ASSERT_NULL(diff, "{} differs from the defaults in %s", diff);

	/* Default percentages follow a new channel rate; absolute ones stay. */
	TEST_ASSERT_SUCCESS(parse("{\"channel\": {\"rate\": \"10G\"}}", &cfg, err),
		"%s", err);
	TEST_ASSERT_EQUAL(cfg.classes[0].rate_cap_bps, UINT64_C(3000000000),
		"realtime cap is 30%% of 10G");
	TEST_ASSERT_EQUAL(cfg.adaptive.bounds[0].rate_cap_max_bps,
		UINT64_C(6000000000), "cap bound is 60%% of 10G");
	TEST_ASSERT_EQUAL(cfg.classes[1].rate_guarantee_bps, UINT64_C(100000000),
		"throughput guarantee stays 100M");

	/* Pools follow a new buffer count. */
	TEST_ASSERT_SUCCESS(parse("{\"buffers\": {\"count\": 16384}}", &cfg, err),
		"%s", err);
	TEST_ASSERT_EQUAL(cfg.shared_buffers, 4096u, "shared is 25%%");
	TEST_ASSERT_EQUAL(cfg.classes[0].borrow_cap, 2048u, "borrow is 50%%");

	/* A count replaces a percentage. */
	TEST_ASSERT_SUCCESS(parse("{\"buffers\": {\"shared\": 1000}}", &cfg, err),
		"%s", err);
	TEST_ASSERT(cfg.shared_buffers == 1000 && cfg.classes[0].borrow_cap == 500,
		"shared %u, realtime borrows %u", cfg.shared_buffers,
		cfg.classes[0].borrow_cap);

	/* Turning RED off drops the default RED parameters. */
	TEST_ASSERT_SUCCESS(parse("{\"classes\": {\"best_effort\": {\"drop\": \"tail\"}}}",
		&cfg, err), "%s", err);
	TEST_ASSERT(cfg.classes[3].drop == QOSDT_DROP_TAIL &&
		cfg.classes[3].red.max_th == 0, "best_effort is tail drop");

	/* null removes an optional value. */
	TEST_ASSERT_SUCCESS(parse("{\"classes\": {\"reliable\": {\"slo\": {\"max_loss\": null, \"max_latency\": null}}}}",
		&cfg, err), "%s", err);
	TEST_ASSERT(!cfg.classes[2].slo.has_max_loss &&
		cfg.classes[2].slo.max_latency_ns == 0, "reliable SLO removed");

	/* A present map replaces the whole default map. */
	TEST_ASSERT_SUCCESS(parse("{\"services\": {\"default\": \"reliable\", \"map\": [{\"ids\": \"100-199\", \"class\": \"throughput\", \"max_latency\": \"1.5ms\"}]}}",
		&cfg, err), "%s", err);
	TEST_ASSERT_EQUAL(cfg.nb_rules, 2u, "default rule + 1 entry");
	TEST_ASSERT_EQUAL(cfg.rules[0].cls, QOSDT_CLASS_RELIABLE, "default class");
	TEST_ASSERT(cfg.rules[1].first == 100 && cfg.rules[1].last == 199 &&
		cfg.rules[1].cls == QOSDT_CLASS_THROUGHPUT &&
		cfg.rules[1].max_latency_ns == 1500000, "map entry");
	TEST_ASSERT_SUCCESS(parse("{\"services\": {\"map\": []}}", &cfg, err),
		"%s", err);
	TEST_ASSERT_EQUAL(cfg.nb_rules, 1u, "an empty map leaves the default rule");
	return TEST_SUCCESS;
}

/* Class pools and queue limits add up exactly, whatever the totals. */
static int
test_derived_sums(void)
{
	static const uint32_t counts[] = { 1000, 4097, 8192, 99991, 1048576 };
	static const uint32_t slots[] = { 1000, 1024, 3001, 32768 };
	char err[QOSDT_CONFIG_ERRLEN], json[128];
	struct qosdt_config cfg;
	uint64_t bufs, queues;
	unsigned int i, j, c;

	for (i = 0; i < RTE_DIM(counts); i++) {
		for (j = 0; j < RTE_DIM(slots); j++) {
			snprintf(json, sizeof(json),
				"{\"buffers\": {\"count\": %u}, \"scheduler\": {\"queue_slots\": %u}}",
				counts[i], slots[j]);
			TEST_ASSERT_SUCCESS(parse(json, &cfg, err), "%s: %s",
				json, err);
			bufs = cfg.shared_buffers;
			queues = 0;
			for (c = 0; c < QOSDT_NB_CLASSES; c++) {
				bufs += cfg.classes[c].nb_buffers;
				queues += cfg.classes[c].queue_limit;
			}
			TEST_ASSERT_EQUAL(bufs, counts[i], "buffers sum to %" PRIu64, bufs);
			TEST_ASSERT_EQUAL(queues, slots[j], "slots sum to %" PRIu64, queues);
		}
	}
	return TEST_SUCCESS;
}

/* Shares may sum to 100% +- 0.01%, no further. */
static int
test_share_tolerance(void)
{
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg;

	TEST_ASSERT_SUCCESS(parse("{\"classes\": {\"realtime\": {\"buffer_share\": \"20.01%\"}}}",
		&cfg, err), "100.01%% refused: %s", err);
	TEST_ASSERT_SUCCESS(parse("{\"classes\": {\"realtime\": {\"queue_share\": \"24.99%\"}}}",
		&cfg, err), "99.99%% refused: %s", err);
	TEST_ASSERT_FAIL(parse("{\"classes\": {\"realtime\": {\"buffer_share\": \"20.02%\"}}}",
		&cfg, err), "100.02%% accepted");
	TEST_ASSERT_FAIL(parse("{\"classes\": {\"realtime\": {\"queue_share\": \"24.98%\"}}}",
		&cfg, err), "99.98%% accepted");
	return TEST_SUCCESS;
}

static int
test_units(void)
{
	static const struct {
		const char *s;
		uint64_t bps;
	} rates[] = {
		{ "10G", UINT64_C(10000000000) }, { "500M", 500000000 },
		{ "64k", 64000 }, { "64K", 64000 }, { "1.5G", 1500000000 },
		{ "1200", 1200 }, { "1200bps", 1200 }, { "10Gbit", UINT64_C(10000000000) },
		{ "2.5Mbps", 2500000 }, { "1T", UINT64_C(1000000000000) },
		{ "0", 0 }, { "20%", 200000000 }, { "0.1%", 1000000 },
		{ "12.5%", 125000000 },
	};
	static const char * const bad_rates[] = {
		"", "G", "1.5", "1,5G", "-1G", "+1G", "1 G", "1Gb", "1.G", ".5G",
		"1e9", "10g", "1m", "99999999999999999999", "20000000000T", "%",
		"1%%", "1.0000001k",
	};
	static const struct {
		const char *s;
		uint64_t ns;
	} durations[] = {
		{ "500ns", 500 }, { "100us", 100000 }, { "1.5ms", 1500000 },
		{ "2s", 2000000000 }, { "0.5us", 500 }, { "0.000001s", 1000 },
	};
	static const char * const bad_durations[] = {
		"", "100", "1.5ns", "1m", "us", "1.5.ms", "1 ms", "-1ms", "1msec",
	};
	uint64_t v;
	unsigned int i;

	for (i = 0; i < RTE_DIM(rates); i++) {
		TEST_ASSERT_SUCCESS(qosdt_rate_parse(rates[i].s, UINT64_C(1000000000),
			&v), "\"%s\" refused", rates[i].s);
		TEST_ASSERT_EQUAL(v, rates[i].bps, "\"%s\" = %" PRIu64, rates[i].s, v);
	}
	for (i = 0; i < RTE_DIM(bad_rates); i++)
		TEST_ASSERT_FAIL(qosdt_rate_parse(bad_rates[i], UINT64_C(1000000000),
			&v), "\"%s\" accepted as %" PRIu64, bad_rates[i], v);
	TEST_ASSERT_FAIL(qosdt_rate_parse("20%", 0, &v),
		"a percentage without a reference");
	TEST_ASSERT_FAIL(qosdt_rate_parse(NULL, 1, &v), "NULL accepted");
	for (i = 0; i < RTE_DIM(durations); i++) {
		TEST_ASSERT_SUCCESS(qosdt_duration_parse(durations[i].s, &v),
			"\"%s\" refused", durations[i].s);
		TEST_ASSERT_EQUAL(v, durations[i].ns, "\"%s\" = %" PRIu64,
			durations[i].s, v);
	}
	for (i = 0; i < RTE_DIM(bad_durations); i++)
		TEST_ASSERT_FAIL(qosdt_duration_parse(bad_durations[i], &v),
			"\"%s\" accepted as %" PRIu64, bad_durations[i], v);
	return TEST_SUCCESS;
}

static int
test_mode_names(void)
{
	static const char * const names[] = { "priority", "wrr", "fifo" };
	unsigned int m;

	for (m = 0; m < RTE_DIM(names); m++) {
		TEST_ASSERT(strcmp(qosdt_mode_name(m), names[m]) == 0,
			"mode %u is %s", m, qosdt_mode_name(m));
		TEST_ASSERT_EQUAL(qosdt_mode_from_name(names[m]), (int)m,
			"%s", names[m]);
	}
	TEST_ASSERT(strcmp(qosdt_mode_name(3), "unknown") == 0, "mode 3");
	TEST_ASSERT_EQUAL(qosdt_mode_from_name("Priority"), -1, "case matters");
	TEST_ASSERT_EQUAL(qosdt_mode_from_name(""), -1, "empty name");
	TEST_ASSERT_EQUAL(qosdt_mode_from_name(NULL), -1, "NULL name");
	return TEST_SUCCESS;
}

/* The rte_sched WRR trap and which weights each mode hands rte_sched. */
static int
test_wrr_weights(void)
{
	static const uint8_t trap[4] = { 1, 16, 17, 1 };
	static const uint8_t original[4] = { 4, 2, 2, 1 };
	static const uint8_t edge[4] = { 255, 255, 1, 1 };
	struct qosdt_config cfg;
	uint8_t wrr[4];

	qosdt_config_defaults(&cfg);
	TEST_ASSERT(!qosdt_wrr_weights_fit(trap), "1:16:17:1 fits");
	TEST_ASSERT(qosdt_wrr_weights_fit(original), "4:2:2:1 does not fit");
	TEST_ASSERT(qosdt_wrr_weights_fit(edge), "255:255:1:1 does not fit");
	cfg.mode = QOSDT_MODE_PRIORITY;
	cfg.classes[QOSDT_CLASS_RELIABLE].strict = false;
	TEST_ASSERT_EQUAL(qosdt_config_wrr_weights(&cfg, original, wrr), 3u,
		"priority: three WRR classes");
	TEST_ASSERT(wrr[0] == 2 && wrr[1] == 2 && wrr[2] == 1 && wrr[3] == 1,
		"priority: throughput, reliable, best_effort x2");
	/* A strict reliable leaves the WRR to throughput and best effort. */
	cfg.classes[QOSDT_CLASS_RELIABLE].strict = true;
	TEST_ASSERT_EQUAL(qosdt_config_wrr_weights(&cfg, original, wrr), 2u,
		"priority, strict reliable: two WRR classes");
	TEST_ASSERT(wrr[0] == 2 && wrr[1] == 1 && wrr[2] == 1 && wrr[3] == 1,
		"priority, strict reliable: throughput, best_effort x3");
	cfg.mode = QOSDT_MODE_WRR;
	TEST_ASSERT_EQUAL(qosdt_config_wrr_weights(&cfg, original, wrr), 4u,
		"wrr uses WRR");
	TEST_ASSERT(memcmp(wrr, original, 4) == 0, "wrr: the four classes");
	cfg.mode = QOSDT_MODE_FIFO;
	TEST_ASSERT_EQUAL(qosdt_config_wrr_weights(&cfg, original, wrr), 0u,
		"fifo has no WRR");
	return TEST_SUCCESS;
}

/* Weights that trap rte_sched in one mode are fine where it does not look. */
static int
test_wrr_mode_dependent(void)
{
	static const char fifo[] = "{\"scheduler\": {\"mode\": \"fifo\"}, "
		"\"classes\": {\"throughput\": {\"weight\": 16}, \"reliable\": {\"weight\": 17}}, "
		"\"adaptive\": {\"bounds\": {\"throughput\": {\"weight\": [1, 16]}, "
		"\"reliable\": {\"weight\": [1, 17]}}}}";
	static const char priority[] = "{\"classes\": {\"realtime\": {\"weight\": 16}, "
		"\"throughput\": {\"weight\": 17}}, "
		"\"adaptive\": {\"bounds\": {\"throughput\": {\"weight\": [1, 17]}}}}";
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg;

	/* Refused in priority mode with a reliable that is not strict
	 * (16:17:1:1), rows of test_bad_configs. */
	TEST_ASSERT_SUCCESS(parse(fifo, &cfg, err), "fifo: %s", err);
	/* Refused in wrr mode (16:17:2:1); priority mode sees 17:1:1:1. */
	TEST_ASSERT_SUCCESS(parse(priority, &cfg, err), "priority: %s", err);
	return TEST_SUCCESS;
}

/* Every rule: refused, with its path first and its rule after it. */
static int
test_bad_configs(void)
{
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg;
	const struct bad_config *b;
	unsigned int i, failed = 0;
	size_t len;

	for (i = 0; i < RTE_DIM(bad_configs); i++) {
		b = &bad_configs[i];
		len = strlen(b->path);
		if (parse(b->json, &cfg, err) != -1) {
			printf("row %u accepted: %s\n", i, b->json);
			failed++;
		} else if (strncmp(err, b->path, len) != 0 ||
				strstr(err + len, b->rule) == NULL ||
				strchr(err, '\n') != NULL) {
			printf("row %u: got \"%s\", want \"%s\" ... \"%s\"\n",
				i, err, b->path, b->rule);
			failed++;
		}
	}
	TEST_ASSERT_EQUAL(failed, 0u, "%u of %zu rows", failed, RTE_DIM(bad_configs));
	printf("%zu refused configs, each with its path and rule\n",
		RTE_DIM(bad_configs));
	return TEST_SUCCESS;
}

/* The map holds QOSDT_MAX_RULES - 1 entries, not one more. */
static int
test_map_size_limit(void)
{
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg;
	size_t len = 0, size = 64 * QOSDT_MAX_RULES;
	char *json = malloc(size);
	unsigned int i, n;
	int rc[2];

	TEST_ASSERT_NOT_NULL(json, "out of memory");
	for (n = QOSDT_MAX_RULES - 1; n <= QOSDT_MAX_RULES; n++) {
		len = snprintf(json, size, "{\"services\": {\"map\": [");
		for (i = 0; i < n; i++)
			len += snprintf(json + len, size - len,
				"%s{\"ids\": %u, \"class\": \"realtime\"}",
				i ? ", " : "", 1000 + i);
		snprintf(json + len, size - len, "]}}");
		rc[n - (QOSDT_MAX_RULES - 1)] = parse(json, &cfg, err);
	}
	free(json);
	TEST_ASSERT_SUCCESS(rc[0], "%u entries refused", QOSDT_MAX_RULES - 1);
	TEST_ASSERT_FAIL(rc[1], "%u entries accepted", QOSDT_MAX_RULES);
	TEST_ASSERT(strncmp(err, "services.map: at most 254 entries", 33) == 0,
		"%s", err);
	return TEST_SUCCESS;
}

/*
 * Our RED rule agrees with rte_red_config_init() on every combination,
 * except that we also refuse min_th 0 (RED acting on an empty queue).
 */
static int
test_red_agrees_with_dpdk(void)
{
	static const uint32_t th[] = { 0, 1, 2, 500, 1022, 1023, 1024 };
	static const uint32_t maxp[] = { 0, 1, 10, 255, 256 };
	static const uint32_t wq[] = { 0, 1, 9, 12, 13 };
	struct qosdt_class_config *be;
	struct rte_red_config red;
	struct qosdt_config cfg;
	unsigned int a, b, c, d;
	bool ours, dpdk;

	for (a = 0; a < RTE_DIM(th); a++)
	for (b = 0; b < RTE_DIM(th); b++)
	for (c = 0; c < RTE_DIM(maxp); c++)
	for (d = 0; d < RTE_DIM(wq); d++) {
		qosdt_config_defaults(&cfg);
		cfg.queue_slots = 32768;  /* best_effort: 3276 slots */
		be = &cfg.classes[QOSDT_CLASS_BEST_EFFORT];
		be->red.min_th = th[a];
		be->red.max_th = th[b];
		be->red.maxp_inv = maxp[c];
		be->red.wq_log2 = wq[d];
		ours = qosdt_config_validate(&cfg, NULL, 0) == 0;
		dpdk = rte_red_config_init(&red, wq[d], th[a], th[b], maxp[c]) == 0;
		TEST_ASSERT_EQUAL(ours, dpdk && th[a] >= 1, "min_th %u max_th %u maxp_inv %u wq_log2 %u: ours %d, DPDK %d",
			th[a], th[b], maxp[c], wq[d], ours, dpdk);
	}
	return TEST_SUCCESS;
}

static int
test_bad_file(void)
{
	static const char missing[] = "/nonexistent/qosdt/qos.json";
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg;

	TEST_ASSERT_FAIL(qosdt_config_load(missing, &cfg, err, sizeof(err)),
		"a missing file loaded");
	TEST_ASSERT(strncmp(err, missing, strlen(missing)) == 0 &&
		err[strlen(missing)] == ':', "%s", err);
	return TEST_SUCCESS;
}

/* A syntax error names file:line:column. */
static int
test_syntax_error_file(void)
{
	static const char text[] = "{\n  \"channel\": {\n    \"rate\": 1G\n  }\n}\n";
	char err[QOSDT_CONFIG_ERRLEN], path[64], want[80];
	struct qosdt_config cfg;
	int rc;

	TEST_ASSERT_SUCCESS(write_temp(text, path, sizeof(path)),
		"cannot write a temporary file");
	rc = qosdt_config_load(path, &cfg, err, sizeof(err));
	unlink(path);
	TEST_ASSERT_FAIL(rc, "bad JSON loaded");
	snprintf(want, sizeof(want), "%s:3:", path);
	TEST_ASSERT(strncmp(err, want, strlen(want)) == 0, "%s", err);
	return TEST_SUCCESS;
}

/* A refused config leaves the caller's structure untouched. */
static int
test_error_keeps_cfg(void)
{
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg, copy;

	memset(&cfg, 0xa5, sizeof(cfg));
	memcpy(&copy, &cfg, sizeof(cfg));
	TEST_ASSERT_FAIL(parse("{\"channel\": {\"rate\": \"2G\"}, \"monitor\": {\"window_ms\": 0}}",
		&cfg, err), "accepted");
	TEST_ASSERT(memcmp(&cfg, &copy, sizeof(cfg)) == 0, "cfg changed");
	return TEST_SUCCESS;
}

/* validate() checks configs built in code and changes nothing; derive()
 * recomputes the derived fields. */
static int
test_validate_code_built(void)
{
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg;

	qosdt_config_defaults(&cfg);
	cfg.classes[QOSDT_CLASS_THROUGHPUT].weight = 0;
	TEST_ASSERT_FAIL(qosdt_config_validate(&cfg, err, sizeof(err)), "weight 0");
	TEST_ASSERT(strcmp(err, "classes.throughput.weight: must be 1..255") == 0,
		"%s", err);

	qosdt_config_defaults(&cfg);
	cfg.mode = 7;
	TEST_ASSERT_FAIL(qosdt_config_validate(&cfg, err, sizeof(err)), "mode 7");
	TEST_ASSERT(strncmp(err, "scheduler.mode: ", 16) == 0, "%s", err);

	qosdt_config_defaults(&cfg);
	cfg.rules[cfg.nb_rules - 1].cls = QOSDT_NB_CLASSES;
	TEST_ASSERT_FAIL(qosdt_config_validate(&cfg, err, sizeof(err)), "class 4");
	TEST_ASSERT(strncmp(err, "services.map[6].class: ", 23) == 0, "%s", err);

	/* Values set in code are kept: validation never rewrites them. */
	qosdt_config_defaults(&cfg);
	cfg.channel_rate_bps = UINT64_C(2000000000);
	cfg.classes[QOSDT_CLASS_REALTIME].rate_cap_bps = 250000000;
	cfg.classes[QOSDT_CLASS_REALTIME].borrow_cap = 7;
	cfg.shared_buffers = 1100;
	TEST_ASSERT_SUCCESS(qosdt_config_validate(&cfg, err, sizeof(err)), "%s", err);
	TEST_ASSERT(cfg.classes[QOSDT_CLASS_REALTIME].rate_cap_bps == 250000000 &&
		cfg.classes[QOSDT_CLASS_REALTIME].borrow_cap == 7 &&
		cfg.shared_buffers == 1100 &&
		cfg.adaptive.bounds[QOSDT_CLASS_REALTIME].rate_cap_max_bps == 600000000,
		"validation changed a value set in code");

	/* The class pools follow a changed total, once derived. */
	cfg.nb_buffers = 4096;
	TEST_ASSERT_SUCCESS(qosdt_config_validate(&cfg, err, sizeof(err)), "%s", err);
	TEST_ASSERT_EQUAL(cfg.classes[QOSDT_CLASS_THROUGHPUT].nb_buffers, 3072u,
		"validate changed a derived field");
	qosdt_config_derive(&cfg);
	TEST_ASSERT_EQUAL(cfg.classes[QOSDT_CLASS_THROUGHPUT].nb_buffers, 1498u,
		"half of 4096 - 1100");

	/* validate() checks the sizes derive() would give, not stale ones. */
	cfg.nb_buffers = cfg.shared_buffers + 100;
	TEST_ASSERT_FAIL(qosdt_config_validate(&cfg, err, sizeof(err)),
		"100 class buffers");
	TEST_ASSERT(strcmp(err, "classes.realtime.buffer_share: gives 20 buffers, fewer than one burst (32)") == 0,
		"%s", err);
	return TEST_SUCCESS;
}

/* The defaults: one tenant, "tenant<i>", weight 1, no cap, capacity 0. */
static int
test_tenants_defaults(void)
{
	struct qosdt_config cfg;
	char name[QOSDT_TENANT_NAMELEN];
	unsigned int i;

	qosdt_config_defaults(&cfg);
	TEST_ASSERT_EQUAL(cfg.tenants.nb, 1u, "one tenant");
	TEST_ASSERT_EQUAL(cfg.tenants.capacity_bps, UINT64_C(0), "capacity 0");
	for (i = 0; i < QOSDT_MAX_TENANTS; i++) {
		snprintf(name, sizeof(name), "tenant%u", i);
		TEST_ASSERT(strcmp(cfg.tenants.t[i].name, name) == 0,
			"tenant %u is named %s", i, cfg.tenants.t[i].name);
		TEST_ASSERT_EQUAL(cfg.tenants.t[i].weight, 1, "tenant %u weight", i);
		TEST_ASSERT_EQUAL(cfg.tenants.t[i].rate_bps, UINT64_C(0),
			"tenant %u rate", i);
	}
	/* One tenant has it all: the single-client instance. */
	TEST_ASSERT_EQUAL(qosdt_config_capacity(&cfg), UINT64_C(1000000000),
		"1 x channel.rate");
	TEST_ASSERT_EQUAL(qosdt_config_tenant_buffers(&cfg, 0), 8192u, "buffers");
	TEST_ASSERT_EQUAL(qosdt_config_tenant_queue_slots(&cfg, 0), 1024u, "slots");
	TEST_ASSERT_EQUAL(qosdt_config_tenant_share_bps(&cfg, 0),
		UINT64_C(1000000000), "share");
	/* A tenant that is not used has nothing. */
	TEST_ASSERT_EQUAL(qosdt_config_tenant_buffers(&cfg, 1), 0u, "tenant 1");
	TEST_ASSERT_EQUAL(qosdt_config_tenant_queue_slots(&cfg, 1), 0u, "tenant 1");
	TEST_ASSERT_EQUAL(qosdt_config_tenant_share_bps(&cfg, 1), UINT64_C(0),
		"tenant 1");
	return TEST_SUCCESS;
}

/* A tenants section is read as written; the rest keeps its defaults. */
static int
test_tenants_section(void)
{
	static const char json[] = "{\"tenants\": {\"capacity\": \"3G\", \"count\": 3, "
		"\"list\": [{\"name\": \"vm_a\", \"weight\": 2, \"rate\": \"1G\"}, "
		"{\"name\": \"vm_b\", \"rate\": \"50%\"}, {}]}}";
	static const uint32_t buffers[] = { 4096, 2048, 2048 };
	static const uint32_t slots[] = { 512, 256, 256 };
	static const uint64_t share[] = { 1500000000, 750000000, 750000000 };
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg;
	unsigned int i;

	TEST_ASSERT_SUCCESS(parse(json, &cfg, err), "%s", err);
	TEST_ASSERT_EQUAL(cfg.tenants.nb, 3u, "count");
	TEST_ASSERT_EQUAL(cfg.tenants.capacity_bps, UINT64_C(3000000000), "capacity");
	TEST_ASSERT_EQUAL(qosdt_config_capacity(&cfg), UINT64_C(3000000000),
		"the capacity given");
	TEST_ASSERT(strcmp(cfg.tenants.t[0].name, "vm_a") == 0 &&
		strcmp(cfg.tenants.t[1].name, "vm_b") == 0 &&
		strcmp(cfg.tenants.t[2].name, "tenant2") == 0 &&
		strcmp(cfg.tenants.t[3].name, "tenant3") == 0,
		"names %s %s %s %s", cfg.tenants.t[0].name, cfg.tenants.t[1].name,
		cfg.tenants.t[2].name, cfg.tenants.t[3].name);
	TEST_ASSERT(cfg.tenants.t[0].weight == 2 && cfg.tenants.t[1].weight == 1 &&
		cfg.tenants.t[2].weight == 1, "weights");
	TEST_ASSERT_EQUAL(cfg.tenants.t[0].rate_bps, UINT64_C(1000000000), "1G");
	TEST_ASSERT_EQUAL(cfg.tenants.t[1].rate_bps, UINT64_C(1500000000),
		"50%% of the capacity");
	TEST_ASSERT_EQUAL(cfg.tenants.t[2].rate_bps, UINT64_C(0), "no cap");
	for (i = 0; i < 3; i++) {
		TEST_ASSERT_EQUAL(qosdt_config_tenant_buffers(&cfg, i), buffers[i],
			"tenant %u buffers", i);
		TEST_ASSERT_EQUAL(qosdt_config_tenant_queue_slots(&cfg, i), slots[i],
			"tenant %u slots", i);
		TEST_ASSERT_EQUAL(qosdt_config_tenant_share_bps(&cfg, i), share[i],
			"tenant %u share", i);
	}
	/* Nothing outside the section changed. */
	TEST_ASSERT_EQUAL(cfg.channel_rate_bps, UINT64_C(1000000000), "channel.rate");
	TEST_ASSERT_EQUAL(cfg.nb_buffers, 8192u, "buffers.count");
	return TEST_SUCCESS;
}

/* count or list alone; the capacity's default and percentages, resolved
 * once the whole file is read; null; what more than one tenant allows. */
static int
test_tenants_forms(void)
{
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg;

	/* count alone: default names and weights; capacity nb x channel.rate. */
	TEST_ASSERT_SUCCESS(parse("{\"tenants\": {\"count\": 3}}", &cfg, err),
		"%s", err);
	TEST_ASSERT_EQUAL(cfg.tenants.nb, 3u, "count");
	TEST_ASSERT_EQUAL(cfg.tenants.capacity_bps, UINT64_C(0), "capacity 0");
	TEST_ASSERT_EQUAL(qosdt_config_capacity(&cfg), UINT64_C(3000000000),
		"3 x 1G");
	TEST_ASSERT_EQUAL(qosdt_config_tenant_buffers(&cfg, 2), 2730u,
		"floor(8192 / 3)");
	TEST_ASSERT_EQUAL(qosdt_config_tenant_queue_slots(&cfg, 2), 341u,
		"floor(1024 / 3)");
	TEST_ASSERT_EQUAL(qosdt_config_tenant_share_bps(&cfg, 2),
		UINT64_C(1000000000), "3G / 3");

	/* list alone sets the count; percentages follow a channel.rate given
	 * after them: capacity 50% of 4 x 2G, a rate 25% of that. */
	TEST_ASSERT_SUCCESS(parse("{\"tenants\": {\"capacity\": \"50%\", "
		"\"list\": [{\"rate\": \"25%\"}, {}, {}, {\"name\": \"abcdefghijklmnopqrstuvwxyz_0123\"}]}, "
		"\"channel\": {\"rate\": \"2G\"}}", &cfg, err), "%s", err);
	TEST_ASSERT_EQUAL(cfg.tenants.nb, 4u, "list length");
	TEST_ASSERT_EQUAL(cfg.tenants.capacity_bps, UINT64_C(4000000000),
		"50%% of 4 x 2G");
	TEST_ASSERT_EQUAL(cfg.tenants.t[0].rate_bps, UINT64_C(1000000000),
		"25%% of 4G");
	TEST_ASSERT(strcmp(cfg.tenants.t[3].name, "abcdefghijklmnopqrstuvwxyz_0123") == 0,
		"31 characters: %s", cfg.tenants.t[3].name);

	/* A rate's percentage of the default capacity: 10% of 3 x 1G. */
	TEST_ASSERT_SUCCESS(parse("{\"tenants\": {\"count\": 3, "
		"\"list\": [{}, {}, {\"rate\": \"10%\"}]}}", &cfg, err), "%s", err);
	TEST_ASSERT_EQUAL(cfg.tenants.t[2].rate_bps, UINT64_C(300000000),
		"10%% of 3G");

	/* null: back to the defaults. */
	TEST_ASSERT_SUCCESS(parse("{\"tenants\": {\"capacity\": null, "
		"\"list\": [{\"rate\": null}, {}]}}", &cfg, err), "%s", err);
	TEST_ASSERT_EQUAL(cfg.tenants.capacity_bps, UINT64_C(0), "capacity null");
	TEST_ASSERT_EQUAL(cfg.tenants.t[0].rate_bps, UINT64_C(0), "rate null");

	/* fifo serves many tenants; one tenant keeps its controller. */
	TEST_ASSERT_SUCCESS(parse("{\"scheduler\": {\"mode\": \"fifo\"}, "
		"\"tenants\": {\"count\": 3}}", &cfg, err), "fifo: %s", err);
	TEST_ASSERT_SUCCESS(parse("{\"tenants\": {\"list\": [{\"name\": \"solo\"}]}, "
		"\"adaptive\": {\"enabled\": true}}", &cfg, err), "one tenant: %s", err);
	TEST_ASSERT_EQUAL(cfg.tenants.nb, 1u, "one tenant");
	return TEST_SUCCESS;
}

/* QOSDT_MAX_TENANTS tenants load (with buffers and slots enough for
 * each), one more does not. */
static int
test_tenants_limit(void)
{
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg;
	size_t len, size = 64 + 4 * (QOSDT_MAX_TENANTS + 1) + 128;
	char *json = malloc(size);
	unsigned int i, n;
	int rc[2];

	TEST_ASSERT_NOT_NULL(json, "out of memory");
	for (n = QOSDT_MAX_TENANTS; n <= QOSDT_MAX_TENANTS + 1; n++) {
		len = snprintf(json, size, "{\"buffers\": {\"count\": 32768}, "
			"\"scheduler\": {\"queue_slots\": 8192}, \"tenants\": {\"list\": [");
		for (i = 0; i < n; i++)
			len += snprintf(json + len, size - len, "%s{}", i ? ", " : "");
		snprintf(json + len, size - len, "]}}");
		rc[n - QOSDT_MAX_TENANTS] = parse(json, &cfg, err);
		if (n == QOSDT_MAX_TENANTS) {
			TEST_ASSERT_SUCCESS(rc[0], "%u tenants refused: %s", n, err);
			TEST_ASSERT_EQUAL(cfg.tenants.nb, n, "count");
			TEST_ASSERT(strcmp(cfg.tenants.t[n - 1].name, "tenant63") == 0,
				"%s", cfg.tenants.t[n - 1].name);
			TEST_ASSERT_EQUAL(qosdt_config_tenant_buffers(&cfg, n - 1),
				512u, "32768 / 64");
		}
	}
	free(json);
	TEST_ASSERT_FAIL(rc[1], "%u tenants accepted", QOSDT_MAX_TENANTS + 1);
	TEST_ASSERT(strncmp(err, "tenants.list: must be an array of 1..64 tenants",
		47) == 0, "%s", err);
	return TEST_SUCCESS;
}

/*
 * config/tenants.json is config/qos.json with three tenants, and three
 * times its queue slots and buffers: each tenant gets what one client has.
 */
static int
test_tenants_json(void)
{
	const char *root = getenv("QOSDT_SOURCE_ROOT");
	struct qosdt_config file, want;
	char err[QOSDT_CONFIG_ERRLEN];
	char path[PATH_MAX];
	const char *diff;

	if (root == NULL)
		TEST_SKIP("QOSDT_SOURCE_ROOT is not set: run through meson test");
	snprintf(path, sizeof(path), "%s/config/tenants.json", root);
	TEST_ASSERT_SUCCESS(qosdt_config_load(path, &file, err, sizeof(err)),
		"%s", err);
	TEST_ASSERT_SUCCESS(qosdt_config_parse("{\"scheduler\": {\"queue_slots\": 3072}, "
		"\"buffers\": {\"count\": 24576}, \"tenants\": {\"count\": 3}}",
		&want, err, sizeof(err)), "%s", err);
	diff = config_diff(&file, &want);
	TEST_ASSERT_NULL(diff, "tenants.json and the defaults with 3 tenants differ in %s",
		diff);
	TEST_ASSERT_EQUAL(qosdt_config_capacity(&file), UINT64_C(3000000000),
		"3 x 1G");
	return TEST_SUCCESS;
}

/* The tenant rules on configs built in code: the paths are the JSON's. */
static int
test_tenants_code_built(void)
{
	char err[QOSDT_CONFIG_ERRLEN];
	struct qosdt_config cfg;

	qosdt_config_defaults(&cfg);
	cfg.tenants.nb = 0;
	TEST_ASSERT_FAIL(qosdt_config_validate(&cfg, err, sizeof(err)), "nb 0");
	TEST_ASSERT(strcmp(err, "tenants.count: must be 1..64") == 0, "%s", err);
	cfg.tenants.nb = QOSDT_MAX_TENANTS + 1;
	TEST_ASSERT_FAIL(qosdt_config_validate(&cfg, err, sizeof(err)), "nb 65");
	TEST_ASSERT(strcmp(err, "tenants.count: must be 1..64") == 0, "%s", err);

	qosdt_config_defaults(&cfg);
	cfg.tenants.nb = 2;
	cfg.tenants.t[1].weight = 0;
	TEST_ASSERT_FAIL(qosdt_config_validate(&cfg, err, sizeof(err)), "weight 0");
	TEST_ASSERT(strcmp(err, "tenants.list[1].weight: must be 1..255") == 0,
		"%s", err);
	/* A tenant beyond nb is not used, so not checked. */
	cfg.tenants.nb = 1;
	TEST_ASSERT_SUCCESS(qosdt_config_validate(&cfg, err, sizeof(err)), "%s", err);

	/* A name without its NUL, or empty. */
	qosdt_config_defaults(&cfg);
	memset(cfg.tenants.t[0].name, 'a', sizeof(cfg.tenants.t[0].name));
	TEST_ASSERT_FAIL(qosdt_config_validate(&cfg, err, sizeof(err)), "no NUL");
	TEST_ASSERT(strncmp(err, "tenants.list[0].name: ", 22) == 0, "%s", err);
	cfg.tenants.t[0].name[0] = '\0';
	TEST_ASSERT_FAIL(qosdt_config_validate(&cfg, err, sizeof(err)), "empty");
	TEST_ASSERT(strncmp(err, "tenants.list[0].name: ", 22) == 0, "%s", err);

	/* Without a capacity, a weight that leaves a tenant's share under one
	 * frame per period is named: 2G x 1/256 = 7.8M, 976 bytes per 1 ms. */
	qosdt_config_defaults(&cfg);
	cfg.tc_period_ms = 1;
	cfg.tenants.nb = 2;
	cfg.tenants.t[0].weight = 255;
	TEST_ASSERT_FAIL(qosdt_config_validate(&cfg, err, sizeof(err)), "share");
	TEST_ASSERT(strncmp(err, "tenants.list[1].weight: tenants.list[1]'s weighted share (weight 1) at 7812500 x tc_period_ms 1 = 976 bytes",
		106) == 0, "%s", err);
	return TEST_SUCCESS;
}

static struct unit_test_suite qos_config_suite = {
	.suite_name = "qos config",
	.unit_test_cases = {
		TEST_CASE(test_defaults),
		TEST_CASE(test_qos_json_is_defaults),
		TEST_CASE(test_source_configs_load),
		TEST_CASE(test_partial_files),
		TEST_CASE(test_derived_sums),
		TEST_CASE(test_share_tolerance),
		TEST_CASE(test_units),
		TEST_CASE(test_mode_names),
		TEST_CASE(test_wrr_weights),
		TEST_CASE(test_wrr_mode_dependent),
		TEST_CASE(test_bad_configs),
		TEST_CASE(test_map_size_limit),
		TEST_CASE(test_red_agrees_with_dpdk),
		TEST_CASE(test_bad_file),
		TEST_CASE(test_syntax_error_file),
		TEST_CASE(test_error_keeps_cfg),
		TEST_CASE(test_validate_code_built),
		TEST_CASE(test_tenants_defaults),
		TEST_CASE(test_tenants_section),
		TEST_CASE(test_tenants_forms),
		TEST_CASE(test_tenants_limit),
		TEST_CASE(test_tenants_json),
		TEST_CASE(test_tenants_code_built),
		TEST_CASES_END()
	}
};

static int
test_qos_config(void)
{
	return unit_test_suite_runner(&qos_config_suite);
}

REGISTER_TEST_COMMAND(qos_config_autotest, test_qos_config);
