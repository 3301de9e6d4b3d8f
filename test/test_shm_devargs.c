/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Devargs of net_shm ports: every bad value of every devarg makes the probe
 * fail with a log line naming the key (and the value), leaving no port
 * behind; the good forms probe and show up in the port (MAC, dev_info,
 * region file size); a client's geometry devargs must match the region;
 * the default region stays within 16 MiB.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_string_fns.h>

#include "shm_pci.h"
#include "shm_region.h"
#include "shm_test_util.h"
#include "test.h"

#define MIB			(UINT64_C(1) << 20)
#define DEFAULT_REGION_BOUND	(16 * MIB)

#define LOG_LEN		4096
#define ARGS_LEN	512

static uint64_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_size : UINT64_MAX;
}

/* Probe a default server on path, to give a client a region. */
static int
server_create(const char *name, const char *path, const char *extra)
{
	char args[ARGS_LEN];

	snprintf(args, sizeof(args), "path=%s,role=server%s%s", path,
		extra != NULL ? "," : "", extra != NULL ? extra : "");
	return shm_test_port_create(name, args);
}

/*
 * Bad devargs. Unless no_path, the string is appended to "path=<file>,";
 * PATH in it stands for <file>.
 * The refusal's log must name key=value (or only key when value is NULL).
 */
struct bad_devargs {
	const char *args;
	bool no_path;
	bool client;		/* a server formats the region first */
	const char *key;
	const char *value;
};

static const struct bad_devargs bad_devargs[] = {
	/* path */
	{ .args = "", .no_path = true, .key = "path" },
	{ .args = "queues=4", .no_path = true, .key = "path" },
	{ .args = "role=client", .no_path = true, .key = "path" },
	{ .args = "path=", .no_path = true, .key = "path" },
	{ .args = "path=PATH", .key = "path" },
	{ .args = "path=PATH-2", .key = "path" },
	/* unknown and duplicate keys */
	{ .args = "colour=red", .key = "colour", .value = "red" },
	{ .args = "queue=4", .key = "queue", .value = "4" },
	{ .args = "queues=4,queues=4", .key = "queues" },
	{ .args = "role=server,role=server", .key = "role" },
	{ .args = "mac=02:00:00:00:00:01,mac=02:00:00:00:00:02",
		.key = "mac" },
	/* role */
	{ .args = "role=bogus", .key = "role", .value = "bogus" },
	{ .args = "role=SERVER", .key = "role", .value = "SERVER" },
	{ .args = "role=", .key = "role" },
	/* offset */
	{ .args = "offset=100", .key = "offset", .value = "100" },
	{ .args = "offset=2048", .key = "offset", .value = "2048" },
	{ .args = "offset=abc", .key = "offset", .value = "abc" },
	{ .args = "offset=-4096", .key = "offset", .value = "-4096" },
	{ .args = "offset= -4096", .key = "offset", .value = " -4096" },
	{ .args = "offset=4096x", .key = "offset", .value = "4096x" },
	{ .args = "offset=18446744073709547520", .key = "offset" },
	{ .args = "offset=9223372036854775808", .key = "offset" },
	/* size: the default geometry needs 8429568 bytes */
	{ .args = "size=8388608", .key = "size", .value = "8388608" },
	{ .args = "size=4096", .key = "size", .value = "4096" },
	{ .args = "queues=16,size=16777216", .key = "size",
		.value = "16777216" },
	{ .args = "size=xyz", .key = "size", .value = "xyz" },
	{ .args = "size=16MB", .key = "size", .value = "16MB" },
	{ .args = "size=-16M", .key = "size", .value = "-16M" },
	{ .args = "size=99999999999999999999", .key = "size",
		.value = "99999999999999999999" },
	{ .args = "size=17179869184G", .key = "size",
		.value = "17179869184G" },
	/* queues */
	{ .args = "queues=0", .key = "queues", .value = "0" },
	{ .args = "queues=17", .key = "queues", .value = "17" },
	{ .args = "queues=abc", .key = "queues", .value = "abc" },
	{ .args = "queues=4x", .key = "queues", .value = "4x" },
	{ .args = "queues=-1", .key = "queues", .value = "-1" },
	{ .args = "queues=4294967300", .key = "queues",
		.value = "4294967300" },
	{ .args = "queues", .key = "queues" },
	/* ring_size */
	{ .args = "ring_size=0", .key = "ring_size", .value = "0" },
	{ .args = "ring_size=100", .key = "ring_size", .value = "100" },
	{ .args = "ring_size=32", .key = "ring_size", .value = "32" },
	{ .args = "ring_size=32768", .key = "ring_size", .value = "32768" },
	{ .args = "ring_size=abc", .key = "ring_size", .value = "abc" },
	{ .args = "ring_size=512x", .key = "ring_size", .value = "512x" },
	/* buf_size */
	{ .args = "buf_size=100", .key = "buf_size", .value = "100" },
	{ .args = "buf_size=64", .key = "buf_size", .value = "64" },
	{ .args = "buf_size=65600", .key = "buf_size", .value = "65600" },
	{ .args = "buf_size=abc", .key = "buf_size", .value = "abc" },
	{ .args = "buf_size=0", .key = "buf_size", .value = "0" },
	{ .args = "buf_size=2048k", .key = "buf_size" },
	/* mac */
	{ .args = "mac=zz", .key = "mac", .value = "zz" },
	{ .args = "mac=01:00:00:00:00:01", .key = "mac",
		.value = "01:00:00:00:00:01" },
	{ .args = "mac=ff:ff:ff:ff:ff:ff", .key = "mac",
		.value = "ff:ff:ff:ff:ff:ff" },
	{ .args = "mac=02:00:00:00:00", .key = "mac",
		.value = "02:00:00:00:00" },
	/* a client's geometry devargs are checked like a server's */
	{ .args = "role=client,queues=0", .client = true, .key = "queues",
		.value = "0" },
	{ .args = "role=client,queues=17", .client = true, .key = "queues",
		.value = "17" },
	{ .args = "role=client,ring_size=100", .client = true,
		.key = "ring_size", .value = "100" },
	{ .args = "role=client,buf_size=100", .client = true,
		.key = "buf_size", .value = "100" },
	{ .args = "role=client,queues=4x", .client = true, .key = "queues",
		.value = "4x" },
	{ .args = "role=client,offset=100", .client = true, .key = "offset",
		.value = "100" },
};

/* "path=<path>,<row>" with PATH in row replaced by path. */
static void
expand_path(char *buf, size_t len, const char *path, const char *row)
{
	const char *s = strstr(row, "PATH");

	if (s == NULL)
		snprintf(buf, len, "path=%s,%s", path, row);
	else
		snprintf(buf, len, "path=%s,%.*s%s%s", path, (int)(s - row),
			row, path, s + 4);
}

static int
check_bad_devargs(const struct bad_devargs *b, const char *name,
		const char *args)
{
	char log[LOG_LEN], want[128];
	uint16_t nb_ports = rte_eth_dev_count_avail();
	uint16_t port;
	int ret;

	ret = shm_test_probe_logged(name, args, log, sizeof(log));
	TEST_ASSERT(ret != 0, "devargs \"%s\" were accepted", args);
	TEST_ASSERT(rte_eth_dev_get_port_by_name(name, &port) != 0,
		"devargs \"%s\": refused, but port %u exists", args, port);
	TEST_ASSERT_EQUAL(rte_eth_dev_count_avail(), nb_ports,
		"devargs \"%s\": refused, but the port count changed", args);
	if (b->value != NULL)
		snprintf(want, sizeof(want), "%s=%s", b->key, b->value);
	else
		snprintf(want, sizeof(want), "%s", b->key);
	TEST_ASSERT_NOT_NULL(strstr(log, want),
		"devargs \"%s\": the log does not name \"%s\": %s", args, want,
		log);
	return TEST_SUCCESS;
}

static int
test_bad_devargs(void)
{
	char path[128], name[32], sname[32], args[ARGS_LEN];
	unsigned int i, failed = 0;

	for (i = 0; i < RTE_DIM(bad_devargs); i++) {
		const struct bad_devargs *b = &bad_devargs[i];
		int server = -1;

		shm_test_path(path, sizeof(path), "bad");
		unlink(path);
		snprintf(name, sizeof(name), "net_shm_bad%u", i);
		snprintf(sname, sizeof(sname), "net_shm_badsrv%u", i);
		if (b->client) {
			server = server_create(sname, path, NULL);
			TEST_ASSERT(server >= 0, "row %u: no server", i);
		}
		if (b->no_path)
			snprintf(args, sizeof(args), "%s", b->args);
		else
			expand_path(args, sizeof(args), path, b->args);

		if (check_bad_devargs(b, name, args) != TEST_SUCCESS) {
			printf("row %u failed: devargs \"%s\"\n", i, args);
			failed++;
		}
		shm_test_port_remove(name);
		if (server >= 0)
			shm_test_port_destroy(server, sname);
		unlink(path);
		strlcat(path, "-2", sizeof(path));
		unlink(path);
	}
	TEST_ASSERT_EQUAL(failed, 0, "%u of %zu bad devargs rows failed",
		failed, RTE_DIM(bad_devargs));
	return TEST_SUCCESS;
}

/* Good server devargs and what the port and the file must show. */
struct good_devargs {
	const char *args;	/* appended to "path=<file>" */
	uint32_t queues;
	uint32_t ring_size;
	uint32_t buf_size;
	uint64_t size;		/* file size; 0: the geometry's minimum */
};

static const struct good_devargs good_devargs[] = {
	{ "", 4, 512, 2048, 0 },
	{ ",role=server", 4, 512, 2048, 0 },
	{ ",queues=1", 1, 512, 2048, 0 },
	{ ",queues=16", 16, 512, 2048, 0 },
	{ ",ring_size=64", 4, 64, 2048, 0 },
	{ ",buf_size=128", 4, 512, 128, 0 },
	{ ",queues=16,ring_size=64,buf_size=128", 16, 64, 128, 0 },
	{ ",queues=1,ring_size=16384,buf_size=128", 1, 16384, 128, 0 },
	{ ",queues=1,ring_size=64,buf_size=65536", 1, 64, 65536, 0 },
	{ ",buf_size=192,ring_size=128,queues=3", 3, 128, 192, 0 },
	{ ",queues=0x2,ring_size=0x100", 2, 256, 2048, 0 },
	/* size and its suffixes (binary multiples) */
	{ ",size=8429568", 4, 512, 2048, 8429568 },
	{ ",size=16777216", 4, 512, 2048, 16 * MIB },
	{ ",size=16M", 4, 512, 2048, 16 * MIB },
	{ ",size=16m", 4, 512, 2048, 16 * MIB },
	{ ",size=16384K", 4, 512, 2048, 16 * MIB },
	{ ",size=16384k", 4, 512, 2048, 16 * MIB },
	{ ",size=1G", 4, 512, 2048, 1024 * MIB },
	{ ",size=1g", 4, 512, 2048, 1024 * MIB },
	{ ",size=0x1000000", 4, 512, 2048, 16 * MIB },
	{ ",ring_size=64,size=2M", 4, 64, 2048, 2 * MIB },
	{ ",mac=02:00:00:00:00:01", 4, 512, 2048, 0 },
};

static int
check_port_geometry(uint16_t port, uint32_t queues, uint32_t ring_size,
		uint32_t buf_size)
{
	struct rte_eth_dev_info info;

	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(port, &info),
		"no dev_info for port %u", port);
	TEST_ASSERT_EQUAL(info.max_rx_queues, queues,
		"max_rx_queues %u, expected %u", info.max_rx_queues, queues);
	TEST_ASSERT_EQUAL(info.max_tx_queues, queues,
		"max_tx_queues %u, expected %u", info.max_tx_queues, queues);
	TEST_ASSERT_EQUAL(info.max_rx_pktlen, buf_size,
		"max_rx_pktlen %u, expected %u", info.max_rx_pktlen, buf_size);
	/*
	 * Any nb_desc is accepted (a queue always gets the region's ring):
	 * the ring size is the default ring size, nb_max only allows it.
	 */
	TEST_ASSERT_EQUAL(info.default_rxportconf.ring_size, ring_size,
		"default_rxportconf.ring_size %u, expected %u",
		info.default_rxportconf.ring_size, ring_size);
	TEST_ASSERT_EQUAL(info.default_txportconf.ring_size, ring_size,
		"default_txportconf.ring_size %u, expected %u",
		info.default_txportconf.ring_size, ring_size);
	TEST_ASSERT(info.rx_desc_lim.nb_max >= ring_size,
		"rx_desc_lim.nb_max %u < ring_size %u",
		info.rx_desc_lim.nb_max, ring_size);
	TEST_ASSERT(info.tx_desc_lim.nb_max >= ring_size,
		"tx_desc_lim.nb_max %u < ring_size %u",
		info.tx_desc_lim.nb_max, ring_size);
	TEST_ASSERT_EQUAL(info.default_rxportconf.nb_queues, queues,
		"default_rxportconf.nb_queues %u, expected %u",
		info.default_rxportconf.nb_queues, queues);
	TEST_ASSERT_EQUAL(info.max_mtu, buf_size - RTE_ETHER_HDR_LEN,
		"max_mtu %u with buf_size %u", info.max_mtu, buf_size);
	return TEST_SUCCESS;
}

static int
check_good_devargs(const struct good_devargs *g, const char *name,
		const char *path, const char *args)
{
	struct shm_geometry geo = {
		.nb_queues = g->queues,
		.ring_size = g->ring_size,
		.buf_size = g->buf_size,
	};
	uint64_t want = g->size != 0 ? g->size : shm_geometry_region_size(&geo);
	int port;

	port = shm_test_port_create(name, args);
	TEST_ASSERT(port >= 0, "devargs \"%s\" were refused", args);
	if (check_port_geometry(port, g->queues, g->ring_size,
			g->buf_size) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(file_size(path), want,
		"file size %" PRIu64 ", expected %" PRIu64, file_size(path),
		want);
	return TEST_SUCCESS;
}

static int
test_good_devargs(void)
{
	char path[128], name[32], args[ARGS_LEN];
	unsigned int i, failed = 0;

	for (i = 0; i < RTE_DIM(good_devargs); i++) {
		const struct good_devargs *g = &good_devargs[i];

		shm_test_path(path, sizeof(path), "good");
		unlink(path);
		snprintf(name, sizeof(name), "net_shm_good%u", i);
		snprintf(args, sizeof(args), "path=%s%s", path, g->args);
		if (check_good_devargs(g, name, path, args) != TEST_SUCCESS) {
			printf("row %u failed: devargs \"%s\"\n", i, args);
			failed++;
		}
		shm_test_port_remove(name);
		unlink(path);
	}
	TEST_ASSERT_EQUAL(failed, 0, "%u of %zu good devargs rows failed",
		failed, RTE_DIM(good_devargs));
	return TEST_SUCCESS;
}

/* offset: any page multiple, the region starts there in the file. */
static int
check_offset(const char *name, const char *path, const char *args,
		uint64_t offset)
{
	struct shm_geometry geo = {
		.nb_queues = SHM_DEFAULT_QUEUES,
		.ring_size = SHM_DEFAULT_RING_SIZE,
		.buf_size = SHM_DEFAULT_BUF_SIZE,
	};
	uint64_t want = offset + shm_geometry_region_size(&geo);

	TEST_ASSERT(shm_test_port_create(name, args) >= 0,
		"devargs \"%s\" were refused", args);
	TEST_ASSERT_EQUAL(file_size(path), want,
		"file size %" PRIu64 ", expected %" PRIu64, file_size(path),
		want);
	return TEST_SUCCESS;
}

static int
test_offset(void)
{
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	char path[128], name[32], args[ARGS_LEN];
	struct {
		char value[32];
		uint64_t offset;
	} rows[4];
	unsigned int i, n = 0, failed = 0;

	snprintf(rows[n].value, sizeof(rows[n].value), "0");
	rows[n++].offset = 0;
	snprintf(rows[n].value, sizeof(rows[n].value), "%" PRIu64, pg);
	rows[n++].offset = pg;
	snprintf(rows[n].value, sizeof(rows[n].value), "%" PRIu64, 3 * pg);
	rows[n++].offset = 3 * pg;
	snprintf(rows[n].value, sizeof(rows[n].value), "%" PRIu64 "K",
		4 * pg / 1024);
	rows[n++].offset = 4 * pg;

	for (i = 0; i < n; i++) {
		shm_test_path(path, sizeof(path), "offset");
		unlink(path);
		snprintf(name, sizeof(name), "net_shm_off%u", i);
		snprintf(args, sizeof(args), "path=%s,offset=%s", path,
			rows[i].value);
		if (check_offset(name, path, args, rows[i].offset) !=
				TEST_SUCCESS) {
			printf("row %u failed: devargs \"%s\"\n", i, args);
			failed++;
		}
		shm_test_port_remove(name);
		unlink(path);
	}
	TEST_ASSERT_EQUAL(failed, 0, "%u offset rows failed", failed);
	return TEST_SUCCESS;
}

/* A mac devarg is the port's MAC address. */
static const char * const good_macs[] = {
	"02:00:00:00:00:01",
	"00:11:22:33:44:55",
	"0a:1b:2c:3d:4e:5f",
	"0A:1B:2C:3D:4E:5F",
	"fe:ff:ff:ff:ff:ff",
};

static int
check_mac(const char *name, const char *args, const char *mac)
{
	struct rte_ether_addr want, got;
	int port;

	TEST_ASSERT_SUCCESS(rte_ether_unformat_addr(mac, &want),
		"test table: bad MAC %s", mac);
	port = shm_test_port_create(name, args);
	TEST_ASSERT(port >= 0, "devargs \"%s\" were refused", args);
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(port, &got),
		"no MAC on port %d", port);
	TEST_ASSERT(rte_is_same_ether_addr(&want, &got),
		"port MAC " RTE_ETHER_ADDR_PRT_FMT ", devarg mac=%s",
		RTE_ETHER_ADDR_BYTES(&got), mac);
	return TEST_SUCCESS;
}

static int
test_mac(void)
{
	char path[128], name[32], args[ARGS_LEN];
	struct rte_ether_addr got;
	unsigned int i, failed = 0;
	bool ok;
	int port;

	for (i = 0; i < RTE_DIM(good_macs); i++) {
		shm_test_path(path, sizeof(path), "mac");
		unlink(path);
		snprintf(name, sizeof(name), "net_shm_mac%u", i);
		snprintf(args, sizeof(args), "path=%s,mac=%s", path,
			good_macs[i]);
		if (check_mac(name, args, good_macs[i]) != TEST_SUCCESS) {
			printf("row %u failed: devargs \"%s\"\n", i, args);
			failed++;
		}
		shm_test_port_remove(name);
		unlink(path);
	}
	TEST_ASSERT_EQUAL(failed, 0, "%u MAC rows failed", failed);

	/* Without the devarg: some valid unicast address. */
	shm_test_path(path, sizeof(path), "mac");
	unlink(path);
	snprintf(args, sizeof(args), "path=%s", path);
	port = shm_test_port_create("net_shm_macrand", args);
	TEST_ASSERT(port >= 0, "devargs \"%s\" were refused", args);
	ok = rte_eth_macaddr_get(port, &got) == 0 &&
		rte_is_valid_assigned_ether_addr(&got);
	shm_test_port_remove("net_shm_macrand");
	unlink(path);
	TEST_ASSERT(ok, "port without mac devarg has MAC "
		RTE_ETHER_ADDR_PRT_FMT, RTE_ETHER_ADDR_BYTES(&got));
	return TEST_SUCCESS;
}

/* Client devargs on a region of queues=2 ring_size=128 buf_size=256. */
#define CLI_REGION_ARGS	"queues=2,ring_size=128,buf_size=256"

static const char * const client_match_args[] = {
	"",
	",queues=2",
	",ring_size=128",
	",buf_size=256",
	",queues=2,ring_size=128,buf_size=256",
	",size=SIZE",	/* SIZE: the region's size */
	",queues=2,size=SIZE,mac=02:00:00:00:00:02",
};

struct client_contra {
	const char *args;
	const char *key;
	const char *value;	/* NULL: the log need not name it */
};

static const struct client_contra client_contra_args[] = {
	{ ",queues=4", "queues", NULL },
	{ ",queues=1", "queues", NULL },
	{ ",ring_size=512", "ring_size", NULL },
	{ ",ring_size=64", "ring_size", NULL },
	{ ",buf_size=2048", "buf_size", NULL },
	{ ",buf_size=128", "buf_size", NULL },
	{ ",queues=2,ring_size=128,buf_size=192", "buf_size", NULL },
	{ ",size=16M", "size", "16777216" },
};

/* Expand SIZE in a client devargs row. */
static void
client_args(char *buf, size_t len, const char *path, const char *row,
		uint64_t size)
{
	const char *s = strstr(row, "SIZE");

	if (s == NULL)
		snprintf(buf, len, "path=%s,role=client%s", path, row);
	else
		snprintf(buf, len, "path=%s,role=client%.*s%" PRIu64 "%s",
			path, (int)(s - row), row, size, s + 4);
}

static int
check_client_match(const char *name, const char *args)
{
	int port;

	port = shm_test_port_create(name, args);
	TEST_ASSERT(port >= 0, "client devargs \"%s\" were refused", args);
	return check_port_geometry(port, 2, 128, 256);
}

static int
test_client_matching_geometry(void)
{
	struct shm_geometry geo = {
		.nb_queues = 2, .ring_size = 128, .buf_size = 256,
	};
	uint64_t size = shm_geometry_region_size(&geo);
	char path[128], name[32], args[ARGS_LEN];
	unsigned int i, failed = 0;
	int server;

	shm_test_path(path, sizeof(path), "climatch");
	unlink(path);
	server = server_create("net_shm_cmsrv", path, CLI_REGION_ARGS);
	TEST_ASSERT(server >= 0, "no server");
	for (i = 0; i < RTE_DIM(client_match_args); i++) {
		snprintf(name, sizeof(name), "net_shm_cm%u", i);
		client_args(args, sizeof(args), path, client_match_args[i],
			size);
		if (check_client_match(name, args) != TEST_SUCCESS) {
			printf("row %u failed: devargs \"%s\"\n", i, args);
			failed++;
		}
		shm_test_port_remove(name);
	}
	shm_test_port_destroy(server, "net_shm_cmsrv");
	unlink(path);
	TEST_ASSERT_EQUAL(failed, 0, "%u matching client rows failed",
		failed);
	return TEST_SUCCESS;
}

static int
test_client_contradicting_geometry(void)
{
	char path[128], name[32], args[ARGS_LEN];
	unsigned int i, failed = 0;
	int server;

	shm_test_path(path, sizeof(path), "clicontra");
	unlink(path);
	server = server_create("net_shm_ccsrv", path, CLI_REGION_ARGS);
	TEST_ASSERT(server >= 0, "no server");
	for (i = 0; i < RTE_DIM(client_contra_args); i++) {
		const struct client_contra *c = &client_contra_args[i];
		struct bad_devargs b = {
			.key = c->key,
			.value = c->value,
		};

		snprintf(name, sizeof(name), "net_shm_cc%u", i);
		client_args(args, sizeof(args), path, c->args, 0);
		if (check_bad_devargs(&b, name, args) != TEST_SUCCESS) {
			printf("row %u failed: devargs \"%s\"\n", i, args);
			failed++;
		}
		shm_test_port_remove(name);
	}
	/* The refusals left the region alone: a plain client attaches. */
	snprintf(args, sizeof(args), "path=%s,role=client", path);
	if (check_client_match("net_shm_ccok", args) != TEST_SUCCESS)
		failed++;
	shm_test_port_remove("net_shm_ccok");
	shm_test_port_destroy(server, "net_shm_ccsrv");
	unlink(path);
	TEST_ASSERT_EQUAL(failed, 0, "%u contradicting client rows failed",
		failed);
	return TEST_SUCCESS;
}

/* The memory bound: a default region fits in 16 MiB. */
static int
test_default_region_bound(void)
{
	struct shm_geometry geo = {
		.nb_queues = SHM_DEFAULT_QUEUES,
		.ring_size = SHM_DEFAULT_RING_SIZE,
		.buf_size = SHM_DEFAULT_BUF_SIZE,
	};
	char path[128], args[ARGS_LEN];
	uint64_t size;
	int port;

	shm_test_path(path, sizeof(path), "bound");
	unlink(path);
	snprintf(args, sizeof(args), "path=%s", path);
	port = shm_test_port_create("net_shm_bound", args);
	size = file_size(path);
	if (port >= 0)
		shm_test_port_destroy(port, "net_shm_bound");
	unlink(path);
	TEST_ASSERT(port >= 0, "default devargs were refused");
	TEST_ASSERT(size <= DEFAULT_REGION_BOUND,
		"default region file is %" PRIu64 " bytes, more than %" PRIu64,
		size, DEFAULT_REGION_BOUND);
	TEST_ASSERT_EQUAL(size, shm_geometry_region_size(&geo),
		"default region file is %" PRIu64 " bytes, the geometry needs %"
		PRIu64, size, shm_geometry_region_size(&geo));
	return TEST_SUCCESS;
}

/*
 * pci=: the address forms accepted (and their full form), the ones refused;
 * which region paths are write-combining BAR files.
 */
static const struct {
	const char *in;
	const char *full;	/* NULL: refused */
} pci_addrs[] = {
	{ "0000:00:02.0", "0000:00:02.0" },
	{ "00:02.0", "0000:00:02.0" },
	{ "0001:af:1f.7", "0001:af:1f.7" },
	{ "0000:00:1F.7", "0000:00:1f.7" },
	{ "0000:00:20.0", NULL },	/* device 0x20: beyond 0x1f */
	{ "0000:00:02.8", NULL },	/* function 8 */
	{ "00:02", NULL },
	{ "0000:00:02.0x", NULL },
	{ " 00:02.0", NULL },
	{ "zz:02.0", NULL },
	{ "", NULL },
};

static const struct {
	const char *path;
	bool wc;
} wc_paths[] = {
	{ "/sys/bus/pci/devices/0000:00:02.0/resource2_wc", true },
	{ "resource0_wc", true },
	{ "/sys/bus/pci/devices/0000:00:02.0/resource2", false },
	{ "/sys/bus/pci/devices/0000:00:02.0/resource_wc", false },
	{ "/dev/shm/resource2_wcx", false },
	{ "/dev/shm/chan_wc", false },
	{ "/dev/mem", false },
};

static int
test_pci_devarg_forms(void)
{
	char out[SHM_PCI_ADDR_LEN];
	unsigned int i;

	for (i = 0; i < RTE_DIM(pci_addrs); i++) {
		int ret = shm_pci_addr_parse(pci_addrs[i].in, out);

		if (pci_addrs[i].full == NULL) {
			TEST_ASSERT(ret != 0, "pci=%s accepted as %s",
				pci_addrs[i].in, out);
			continue;
		}
		TEST_ASSERT_SUCCESS(ret, "pci=%s refused", pci_addrs[i].in);
		TEST_ASSERT_EQUAL(strcmp(out, pci_addrs[i].full), 0,
			"pci=%s read as %s, expected %s", pci_addrs[i].in, out,
			pci_addrs[i].full);
	}
	for (i = 0; i < RTE_DIM(wc_paths); i++)
		TEST_ASSERT_EQUAL(shm_pci_path_is_wc(wc_paths[i].path),
			wc_paths[i].wc, "%s: write-combining %s",
			wc_paths[i].path, wc_paths[i].wc ? "not seen" :
			"seen where it is not");
	return TEST_SUCCESS;
}

static struct unit_test_suite shm_devargs_suite = {
	.suite_name = "net_shm devargs",
	.setup = NULL,
	.teardown = NULL,
	.unit_test_cases = {
		TEST_CASE(test_bad_devargs),
		TEST_CASE(test_good_devargs),
		TEST_CASE(test_offset),
		TEST_CASE(test_mac),
		TEST_CASE(test_client_matching_geometry),
		TEST_CASE(test_client_contradicting_geometry),
		TEST_CASE(test_default_region_bound),
		TEST_CASE(test_pci_devarg_forms),
		TEST_CASES_END()
	},
};

static int
test_shm_devargs(void)
{
	return unit_test_suite_runner(&shm_devargs_suite);
}

REGISTER_TEST_COMMAND(shm_devargs_autotest, test_shm_devargs);
