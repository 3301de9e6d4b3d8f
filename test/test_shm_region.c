/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The net_shm region file, checked by reading and crafting it directly:
 * the geometry limits and size formula; what a server formats (header,
 * zeroed control area, file size, bytes before offset left alone); the
 * client's refusal of missing, empty, garbage, wrong-version, truncated and
 * inconsistent regions; a server re-using a region of its geometry but
 * reformatting one of another; and refusal (-EBUSY) of a second live server
 * or client, or of a reformat under a live client.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "shm_region.h"
#include "shm_test_util.h"
#include "test.h"

#define MIB		(UINT64_C(1) << 20)
#define LOG_LEN		4096
#define ARGS_LEN	512
#define LINK_WAIT_MS	2000

#define DEFAULT_GEO { \
	.nb_queues = SHM_DEFAULT_QUEUES, \
	.ring_size = SHM_DEFAULT_RING_SIZE, \
	.buf_size = SHM_DEFAULT_BUF_SIZE, \
}

/* Where the test writes markers: the first descriptor of ring 0. */
#define RING_MARKER_OFF	(SHM_HDR_AREA + sizeof(struct shm_ring_ctl))
#define MARKER		UINT64_C(0x5eed5eed12345678)

static struct rte_mempool *mp;

/* The layout, computed here from the documented formula. */
struct layout {
	uint64_t bufs_offset;
	uint64_t region_size;
};

static struct layout
expected_layout(const struct shm_geometry *geo)
{
	uint64_t stride = sizeof(struct shm_ring_ctl) +
		(uint64_t)geo->ring_size * sizeof(union shm_desc);
	uint64_t rings_end = SHM_HDR_AREA +
		2 * (uint64_t)geo->nb_queues * stride;
	struct layout l;

	l.bufs_offset = RTE_ALIGN_CEIL(rings_end, (uint64_t)SHM_REGION_ALIGN);
	l.region_size = RTE_ALIGN_CEIL(l.bufs_offset + 2 *
		(uint64_t)geo->nb_queues * geo->ring_size * geo->buf_size,
		(uint64_t)SHM_REGION_ALIGN);
	return l;
}

static bool
port_exists(const char *name)
{
	uint16_t port;

	return rte_eth_dev_get_port_by_name(name, &port) == 0;
}

static uint64_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_size : UINT64_MAX;
}

static int
file_pread(const char *path, void *buf, size_t len, uint64_t off)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, buf, len, (off_t)off);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static int
file_pwrite(const char *path, const void *buf, size_t len, uint64_t off)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pwrite(fd, buf, len, (off_t)off);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* Make path a file of len bytes of fill (created or replaced). */
static int
file_fill(const char *path, uint64_t len, int fill)
{
	uint8_t buf[4096];
	uint64_t done = 0;
	int fd;

	memset(buf, fill, sizeof(buf));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	while (done < len) {
		size_t n = RTE_MIN((uint64_t)sizeof(buf), len - done);

		if (write(fd, buf, n) != (ssize_t)n) {
			close(fd);
			return -1;
		}
		done += n;
	}
	close(fd);
	return 0;
}

static int
file_truncate(const char *path, uint64_t len)
{
	return truncate(path, (off_t)len);
}

static int
hdr_read(const char *path, uint64_t off, struct shm_region_header *h)
{
	return file_pread(path, h, sizeof(*h), off);
}

static int
side_read(const char *path, uint64_t off, enum shm_role side,
		struct shm_side_state *st)
{
	return file_pread(path, st, sizeof(*st),
		off + RTE_CACHE_LINE_SIZE * (1 + side));
}

static uint64_t
u64_read(const char *path, uint64_t off)
{
	uint64_t v = 0;

	if (file_pread(path, &v, sizeof(v), off) != 0)
		return UINT64_MAX;
	return v;
}

static int
u64_write(const char *path, uint64_t off, uint64_t v)
{
	return file_pwrite(path, &v, sizeof(v), off);
}

/* Probe a port: "path=<path>,role=<role>[,<extra>]". Returns port or -1. */
static int
port_create(const char *name, const char *path, const char *role,
		const char *extra)
{
	char args[ARGS_LEN];

	snprintf(args, sizeof(args), "path=%s,role=%s%s%s", path, role,
		extra != NULL ? "," : "", extra != NULL ? extra : "");
	return shm_test_port_create(name, args);
}

/* Probe with the log captured; returns rte_vdev_init()'s value. */
static int
port_probe_logged(const char *name, const char *path, const char *role,
		const char *extra, char *log, size_t len)
{
	char args[ARGS_LEN];

	snprintf(args, sizeof(args), "path=%s,role=%s%s%s", path, role,
		extra != NULL ? "," : "", extra != NULL ? extra : "");
	return shm_test_probe_logged(name, args, log, len);
}

/* A server formats path (with extra devargs) and goes away. */
static int
region_format(const char *path, const char *extra)
{
	int port = port_create("net_shm_fmt", path, "server", extra);

	if (port < 0)
		return -1;
	shm_test_port_destroy(port, "net_shm_fmt");
	return 0;
}

static int
port_start(uint16_t port)
{
	return shm_test_port_start(port, 1, mp);
}

/* Check a header against a geometry and region size. */
static int
check_header(const struct shm_region_header *h,
		const struct shm_geometry *geo, uint64_t size)
{
	struct layout l = expected_layout(geo);

	TEST_ASSERT_EQUAL(h->magic, SHM_REGION_MAGIC,
		"magic 0x%016" PRIx64, h->magic);
	TEST_ASSERT_EQUAL(memcmp(&h->magic, "QDTSHM01", 8), 0,
		"magic bytes are not \"QDTSHM01\"");
	TEST_ASSERT_EQUAL(h->version, SHM_REGION_VERSION,
		"version %u", h->version);
	TEST_ASSERT_EQUAL(h->nb_queues, geo->nb_queues,
		"nb_queues %u, expected %u", h->nb_queues, geo->nb_queues);
	TEST_ASSERT_EQUAL(h->ring_size, geo->ring_size,
		"ring_size %u, expected %u", h->ring_size, geo->ring_size);
	TEST_ASSERT_EQUAL(h->buf_size, geo->buf_size,
		"buf_size %u, expected %u", h->buf_size, geo->buf_size);
	TEST_ASSERT_EQUAL(h->rings_offset, (uint64_t)SHM_HDR_AREA,
		"rings_offset %" PRIu64, h->rings_offset);
	TEST_ASSERT_EQUAL(h->bufs_offset, l.bufs_offset,
		"bufs_offset %" PRIu64 ", expected %" PRIu64, h->bufs_offset,
		l.bufs_offset);
	TEST_ASSERT_EQUAL(h->region_size, size != 0 ? size : l.region_size,
		"region_size %" PRIu64 ", expected %" PRIu64, h->region_size,
		size != 0 ? size : l.region_size);
	TEST_ASSERT_EQUAL(h->region_size % SHM_REGION_ALIGN, 0,
		"region_size %" PRIu64 " not aligned", h->region_size);
	return TEST_SUCCESS;
}

/*
 * Geometry limits and the region size formula (called directly).
 */
struct geo_row {
	struct shm_geometry geo;
	const char *bad;	/* NULL if valid, else "field=value" */
};

static const struct geo_row geo_rows[] = {
	{ { 4, 512, 2048 }, NULL },
	{ { 1, 64, 128 }, NULL },
	{ { 16, 16384, 65536 }, NULL },
	{ { 3, 128, 192 }, NULL },
	{ { 0, 512, 2048 }, "queues=0" },
	{ { 17, 512, 2048 }, "queues=17" },
	{ { 4, 0, 2048 }, "ring_size=0" },
	{ { 4, 32, 2048 }, "ring_size=32" },
	{ { 4, 100, 2048 }, "ring_size=100" },
	{ { 4, 32768, 2048 }, "ring_size=32768" },
	{ { 4, 512, 0 }, "buf_size=0" },
	{ { 4, 512, 64 }, "buf_size=64" },
	{ { 4, 512, 100 }, "buf_size=100" },
	{ { 4, 512, 65600 }, "buf_size=65600" },
	{ { 4, 512, 131072 }, "buf_size=131072" },
};

static int
test_geometry(void)
{
	struct shm_geometry def = DEFAULT_GEO;
	unsigned int i;
	char err[128];

	for (i = 0; i < RTE_DIM(geo_rows); i++) {
		const struct geo_row *r = &geo_rows[i];
		int ret;

		err[0] = '\0';
		ret = shm_geometry_check(&r->geo, err, sizeof(err));
		if (r->bad == NULL) {
			struct layout l = expected_layout(&r->geo);
			uint64_t size = shm_geometry_region_size(&r->geo);

			TEST_ASSERT_SUCCESS(ret, "row %u refused: %s", i, err);
			TEST_ASSERT_EQUAL(size, l.region_size,
				"row %u: region size %" PRIu64 ", expected %"
				PRIu64, i, size, l.region_size);
		} else {
			TEST_ASSERT_EQUAL(ret, -EINVAL,
				"row %u (%s) not refused", i, r->bad);
			TEST_ASSERT_NOT_NULL(strstr(err, r->bad),
				"row %u: message \"%s\" does not name %s", i,
				err, r->bad);
		}
	}
	/* 4096 + 8 rings of (128 + 512 * 8), aligned, + 8 * 512 * 2048 */
	TEST_ASSERT_EQUAL(shm_geometry_region_size(&def), UINT64_C(8429568),
		"default region size %" PRIu64,
		shm_geometry_region_size(&def));
	return TEST_SUCCESS;
}

/*
 * A server formats: fresh files, garbage files, files larger than the
 * region, at an offset.
 */
struct format_row {
	const char *args;
	struct shm_geometry geo;
	uint64_t size;		/* region size devarg; 0: minimum */
	unsigned int pages;	/* offset, in pages */
	uint64_t prefill;	/* bytes of garbage in the file before */
};

static const struct format_row format_rows[] = {
	{ NULL, DEFAULT_GEO, 0, 0, 0 },
	{ "queues=1,ring_size=64,buf_size=128", { 1, 64, 128 }, 0, 0, 0 },
	{ "queues=16,ring_size=128,buf_size=192", { 16, 128, 192 }, 0, 0, 0 },
	{ "queues=3,ring_size=16384,buf_size=128", { 3, 16384, 128 }, 0, 0,
		0 },
	{ "size=16M", DEFAULT_GEO, 16 * MIB, 0, 0 },
	{ "size=8429569", DEFAULT_GEO, 8429568 + 4096, 0, 0 },
	{ NULL, DEFAULT_GEO, 0, 0, 65536 },
	{ NULL, DEFAULT_GEO, 0, 0, 9 * MIB },
	{ "queues=2,ring_size=64,buf_size=128", { 2, 64, 128 }, 0, 0, MIB },
	{ NULL, DEFAULT_GEO, 0, 1, 0 },
	{ NULL, DEFAULT_GEO, 0, 2, 4 * 65536 },
};

static int
check_format(const struct format_row *r, const char *path)
{
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t off = r->pages * pg;
	struct layout l = expected_layout(&r->geo);
	uint64_t size = r->size != 0 ? r->size : l.region_size;
	uint64_t want_file = RTE_MAX(off + size, r->prefill);
	struct shm_region_header h;
	char extra[128];
	uint8_t *buf;
	uint64_t i;
	int ret;

	if (r->prefill != 0)
		TEST_ASSERT_SUCCESS(file_fill(path, r->prefill, 0xa5),
			"cannot write %s", path);
	snprintf(extra, sizeof(extra), "offset=%" PRIu64 "%s%s", off,
		r->args != NULL ? "," : "", r->args != NULL ? r->args : "");
	TEST_ASSERT_SUCCESS(region_format(path, extra),
		"server refused \"%s\"", extra);
	TEST_ASSERT_EQUAL(file_size(path), want_file,
		"file size %" PRIu64 ", expected %" PRIu64, file_size(path),
		want_file);
	TEST_ASSERT_SUCCESS(hdr_read(path, off, &h), "cannot read header");
	if (check_header(&h, &r->geo, size) != TEST_SUCCESS)
		return TEST_FAILED;

	/* After the header, the whole control area reads zero. */
	buf = malloc(l.bufs_offset);
	TEST_ASSERT_NOT_NULL(buf, "no memory");
	ret = file_pread(path, buf, l.bufs_offset, off);
	for (i = sizeof(h); ret == 0 && i < l.bufs_offset; i++)
		if (buf[i] != 0)
			break;
	free(buf);
	TEST_ASSERT_SUCCESS(ret, "cannot read the control area");
	TEST_ASSERT_EQUAL(i, l.bufs_offset,
		"control area byte %" PRIu64 " not zeroed", i);

	/* The bytes before the offset are not the region's. */
	for (i = 0; i < off && i < r->prefill; i += 8)
		TEST_ASSERT_EQUAL(u64_read(path, i),
			UINT64_C(0xa5a5a5a5a5a5a5a5),
			"byte %" PRIu64 " before offset %" PRIu64 " changed",
			i, off);
	return TEST_SUCCESS;
}

static int
test_server_formats(void)
{
	unsigned int i, failed = 0;
	char path[128];

	for (i = 0; i < RTE_DIM(format_rows); i++) {
		shm_test_path(path, sizeof(path), "fmt");
		unlink(path);
		if (check_format(&format_rows[i], path) != TEST_SUCCESS) {
			printf("format row %u failed\n", i);
			failed++;
		}
		shm_test_port_remove("net_shm_fmt");
		unlink(path);
	}
	TEST_ASSERT_EQUAL(failed, 0, "%u format rows failed", failed);
	return TEST_SUCCESS;
}

/*
 * A client refuses a file that is not a good region. Each row prepares the
 * file (most from a default region a server formatted) and names what the
 * refusal's log must say.
 */
enum prep {
	PREP_NONE,		/* the formatted region as is */
	PREP_MISSING,		/* no file */
	PREP_FILL,		/* arg bytes of 0xa5 (no region) */
	PREP_ZEROS,		/* arg bytes of zeros (no region) */
	PREP_SET32,		/* formatted; header field = arg */
	PREP_SET64,		/* formatted; header field = arg */
	PREP_ADD64,		/* formatted; header field += arg */
	PREP_SET64_FILE,	/* formatted; header field = file size + arg */
	PREP_TRUNCATE,		/* formatted; file cut to arg bytes */
	PREP_TRUNCATE_BY,	/* formatted; file cut by arg bytes */
};

struct client_row {
	const char *what;
	enum prep prep;
	size_t field;		/* offsetof in struct shm_region_header */
	int64_t arg;
	const char *log;	/* NULL: the client must attach */
};

#define HDR(f)	offsetof(struct shm_region_header, f)

static const struct client_row client_rows[] = {
	{ "intact region", PREP_NONE, 0, 0, NULL },
	{ "missing file", PREP_MISSING, 0, 0, "no such file (start the server" },
	{ "empty file", PREP_FILL, 0, 0, "less than a region header" },
	{ "100-byte file", PREP_FILL, 0, 100, "less than a region header" },
	{ "garbage file", PREP_FILL, 0, 1 << 20, "bad magic" },
	{ "zero-filled file", PREP_ZEROS, 0, 16 << 20, "bad magic" },
	{ "magic off by one", PREP_ADD64, HDR(magic), 1, "bad magic" },
	{ "version 2", PREP_SET32, HDR(version), 2, "region version 2" },
	{ "version 0", PREP_SET32, HDR(version), 0, "region version 0" },
	{ "truncated by a page", PREP_TRUNCATE_BY, 0, 4096, "truncated" },
	{ "truncated to half", PREP_TRUNCATE, 0, 8429568 / 2, "truncated" },
	{ "truncated to the header area", PREP_TRUNCATE, 0, SHM_HDR_AREA,
		"truncated" },
	{ "truncated inside the header area", PREP_TRUNCATE, 0, 2048,
		"truncated" },
	{ "queues 0", PREP_SET32, HDR(nb_queues), 0, "queues=0" },
	{ "queues 17", PREP_SET32, HDR(nb_queues), 17, "queues=17" },
	{ "ring_size 100", PREP_SET32, HDR(ring_size), 100, "ring_size=100" },
	{ "ring_size 32", PREP_SET32, HDR(ring_size), 32, "ring_size=32" },
	{ "ring_size 32768", PREP_SET32, HDR(ring_size), 32768,
		"ring_size=32768" },
	{ "buf_size 100", PREP_SET32, HDR(buf_size), 100, "buf_size=100" },
	{ "buf_size 64", PREP_SET32, HDR(buf_size), 64, "buf_size=64" },
	{ "queues 2, offsets of 4", PREP_SET32, HDR(nb_queues), 2,
		"inconsistent" },
	{ "ring_size 1024, offsets of 512", PREP_SET32, HDR(ring_size), 1024,
		"inconsistent" },
	{ "bufs_offset + 4096", PREP_ADD64, HDR(bufs_offset), 4096,
		"inconsistent" },
	{ "bufs_offset - 4096", PREP_ADD64, HDR(bufs_offset), -4096,
		"inconsistent" },
	{ "bufs_offset 0", PREP_SET64, HDR(bufs_offset), 0, "inconsistent" },
	{ "rings_offset 0", PREP_SET64, HDR(rings_offset), 0, "inconsistent" },
	{ "rings_offset 8192", PREP_SET64, HDR(rings_offset), 8192,
		"inconsistent" },
	{ "region_size - 4096", PREP_ADD64, HDR(region_size), -4096,
		"inconsistent" },
	{ "region_size + 1", PREP_ADD64, HDR(region_size), 1,
		"inconsistent" },
	{ "region_size 0", PREP_SET64, HDR(region_size), 0, "inconsistent" },
	{ "region_size past the file", PREP_SET64_FILE, HDR(region_size), 4096,
		"truncated" },
	{ "region_size 2^62", PREP_SET64, HDR(region_size), INT64_C(1) << 62,
		"truncated" },
};

static int
client_prepare(const struct client_row *r, const char *path)
{
	uint64_t v;
	uint32_t v32;
	int fd;

	switch (r->prep) {
	case PREP_MISSING:
		return 0;
	case PREP_FILL:
		return file_fill(path, (uint64_t)r->arg, 0xa5);
	case PREP_ZEROS:
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			return -1;
		close(fd);
		return file_truncate(path, (uint64_t)r->arg);
	default:
		break;
	}
	if (region_format(path, NULL) != 0)
		return -1;
	switch (r->prep) {
	case PREP_SET32:
		v32 = (uint32_t)r->arg;
		return file_pwrite(path, &v32, sizeof(v32), r->field);
	case PREP_SET64:
		return u64_write(path, r->field, (uint64_t)r->arg);
	case PREP_ADD64:
		v = u64_read(path, r->field);
		return u64_write(path, r->field, v + (uint64_t)r->arg);
	case PREP_SET64_FILE:
		return u64_write(path, r->field,
			file_size(path) + (uint64_t)r->arg);
	case PREP_TRUNCATE:
		return file_truncate(path, (uint64_t)r->arg);
	case PREP_TRUNCATE_BY:
		return file_truncate(path, file_size(path) - (uint64_t)r->arg);
	default:
		return 0;
	}
}

static int
check_client_row(const struct client_row *r, const char *path)
{
	char log[LOG_LEN], want[160];
	int ret;

	TEST_ASSERT_SUCCESS(client_prepare(r, path), "cannot prepare %s",
		path);
	ret = port_probe_logged("net_shm_cli", path, "client", NULL, log,
		sizeof(log));
	if (r->log == NULL) {
		TEST_ASSERT_SUCCESS(ret, "client refused a good region");
		TEST_ASSERT(port_exists("net_shm_cli"), "no client port");
		return TEST_SUCCESS;
	}
	TEST_ASSERT(ret < 0, "client attached (returned %d)", ret);
	TEST_ASSERT(!port_exists("net_shm_cli"),
		"client refused, but the port exists");
	if (r->prep == PREP_MISSING)
		TEST_ASSERT_EQUAL(ret, -ENOENT, "returned %d", ret);
	TEST_ASSERT_NOT_NULL(strstr(log, r->log),
		"the log does not say \"%s\": %s", r->log, log);
	snprintf(want, sizeof(want), "path=%s", path);
	TEST_ASSERT_NOT_NULL(strstr(log, want),
		"the log does not name %s: %s", want, log);
	return TEST_SUCCESS;
}

static int
test_client_refuses(void)
{
	unsigned int i, failed = 0;
	char path[128];

	for (i = 0; i < RTE_DIM(client_rows); i++) {
		shm_test_path(path, sizeof(path), "cli");
		unlink(path);
		if (check_client_row(&client_rows[i], path) != TEST_SUCCESS) {
			printf("client row %u (%s) failed\n", i,
				client_rows[i].what);
			failed++;
		}
		shm_test_port_remove("net_shm_cli");
		shm_test_port_remove("net_shm_fmt");
		unlink(path);
	}
	TEST_ASSERT_EQUAL(failed, 0, "%u client rows failed", failed);
	return TEST_SUCCESS;
}

/*
 * The region at an offset: the server leaves the bytes before it alone, a
 * client at the same offset attaches, one at another offset does not.
 */
static char offset_path[128];

static void
offset_teardown(void)
{
	shm_test_port_remove("net_shm_offcli");
	shm_test_port_remove("net_shm_offsrv");
	unlink(offset_path);
}

static int
test_offset(void)
{
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	struct shm_geometry geo = DEFAULT_GEO;
	struct shm_region_header h;
	char extra[64], log[LOG_LEN];
	int port, ret;

	shm_test_path(offset_path, sizeof(offset_path), "off");
	TEST_ASSERT_SUCCESS(file_fill(offset_path, 2 * pg, 0xa5),
		"cannot write %s", offset_path);
	snprintf(extra, sizeof(extra), "offset=%" PRIu64, 2 * pg);
	port = port_create("net_shm_offsrv", offset_path, "server", extra);
	TEST_ASSERT(port >= 0, "server refused %s", extra);
	TEST_ASSERT_SUCCESS(hdr_read(offset_path, 2 * pg, &h),
		"cannot read header");
	if (check_header(&h, &geo, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(u64_read(offset_path, 0),
		UINT64_C(0xa5a5a5a5a5a5a5a5), "byte 0 changed");
	TEST_ASSERT_EQUAL(u64_read(offset_path, 2 * pg - 8),
		UINT64_C(0xa5a5a5a5a5a5a5a5), "bytes before offset changed");

	ret = port_probe_logged("net_shm_offcli", offset_path, "client",
		"offset=0", log, sizeof(log));
	TEST_ASSERT(ret < 0, "client at offset 0 attached");
	TEST_ASSERT_NOT_NULL(strstr(log, "bad magic"), "log: %s", log);
	snprintf(extra, sizeof(extra), "offset=%" PRIu64, pg);
	ret = port_probe_logged("net_shm_offcli", offset_path, "client",
		extra, log, sizeof(log));
	TEST_ASSERT(ret < 0, "client at %s attached", extra);
	snprintf(extra, sizeof(extra), "offset=%" PRIu64, 2 * pg);
	port = port_create("net_shm_offcli", offset_path, "client", extra);
	TEST_ASSERT(port >= 0, "client at %s refused", extra);
	return TEST_SUCCESS;
}

/*
 * An offset past what the file can address is refused without touching an
 * existing region: offset + size must not wrap around.
 */
static const char * const huge_offsets[] = {
	"offset=18446744073709547520",	/* 2^64 - 4096 */
	"offset=18446744073701163008",	/* 2^64 - 8 MiB */
	"offset= -4096",
	"offset=9223372036854775808",	/* 2^63 */
	"offset=9223372036854771712",	/* 2^63 - 4096 */
};

static int
test_huge_offset(void)
{
	struct shm_geometry geo = DEFAULT_GEO;
	struct shm_region_header h;
	char log[LOG_LEN];
	unsigned int i, failed = 0;
	uint64_t size;
	int ret;

	shm_test_path(offset_path, sizeof(offset_path), "hugeoff");
	unlink(offset_path);
	TEST_ASSERT_SUCCESS(region_format(offset_path, NULL),
		"cannot format %s", offset_path);
	size = file_size(offset_path);
	for (i = 0; i < RTE_DIM(huge_offsets); i++) {
		ret = port_probe_logged("net_shm_offsrv", offset_path,
			"server", huge_offsets[i], log, sizeof(log));
		shm_test_port_remove("net_shm_offsrv");
		if (ret == 0) {
			printf("server with %s attached\n", huge_offsets[i]);
			failed++;
		}
		if (file_size(offset_path) != size) {
			printf("server with %s changed the file size from %"
				PRIu64 " to %" PRIu64 "\n", huge_offsets[i],
				size, file_size(offset_path));
			failed++;
			/* restore it for the next rows */
			file_truncate(offset_path, size);
		}
	}
	TEST_ASSERT_SUCCESS(hdr_read(offset_path, 0, &h), "cannot read header");
	if (check_header(&h, &geo, 0) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(failed, 0, "%u huge offset rows failed", failed);
	return TEST_SUCCESS;
}

/*
 * Server restarts: the same geometry (however spelled) re-uses the region,
 * another one reformats it.
 */
static char restart_path[128];

static void
restart_teardown(void)
{
	shm_test_port_remove("net_shm_rs0");
	shm_test_port_remove("net_shm_rs1");
	shm_test_port_remove("net_shm_rscli");
	unlink(restart_path);
}

/* Probe a server, start and stop it, remove it. */
static int
server_cycle(const char *name, const char *path, const char *extra)
{
	int port = port_create(name, path, "server", extra);

	if (port < 0)
		return -1;
	if (port_start(port) != 0) {
		shm_test_port_destroy(port, name);
		return -1;
	}
	shm_test_port_destroy(port, name);
	return 0;
}

static const char * const same_geometry[] = {
	NULL,
	"queues=4",
	"queues=4,ring_size=512,buf_size=2048",
	"size=8429568",
	"buf_size=2048,size=8429568",
};

static int
test_server_reuses(void)
{
	struct shm_geometry geo = DEFAULT_GEO;
	struct layout l = expected_layout(&geo);
	struct shm_region_header h;
	struct shm_side_state st;
	unsigned int i;

	shm_test_path(restart_path, sizeof(restart_path), "reuse");
	unlink(restart_path);
	TEST_ASSERT_SUCCESS(server_cycle("net_shm_rs0", restart_path, NULL),
		"first server failed");
	TEST_ASSERT_SUCCESS(side_read(restart_path, 0, SHM_ROLE_SERVER, &st),
		"cannot read side state");
	TEST_ASSERT_EQUAL(st.generation, 1, "generation %u", st.generation);
	TEST_ASSERT_EQUAL(st.attached, 0, "stopped server still attached");
	TEST_ASSERT_SUCCESS(u64_write(restart_path, RING_MARKER_OFF, MARKER),
		"cannot write marker");
	TEST_ASSERT_SUCCESS(u64_write(restart_path, l.bufs_offset, MARKER),
		"cannot write marker");

	for (i = 0; i < RTE_DIM(same_geometry); i++) {
		TEST_ASSERT_SUCCESS(server_cycle("net_shm_rs1", restart_path,
			same_geometry[i]), "restart %u (%s) failed", i,
			same_geometry[i]);
		TEST_ASSERT_EQUAL(u64_read(restart_path, RING_MARKER_OFF),
			MARKER, "restart %u (%s) reformatted the region", i,
			same_geometry[i]);
		TEST_ASSERT_EQUAL(u64_read(restart_path, l.bufs_offset), MARKER,
			"restart %u (%s) wiped the slots", i,
			same_geometry[i]);
		TEST_ASSERT_SUCCESS(side_read(restart_path, 0, SHM_ROLE_SERVER,
			&st), "cannot read side state");
		TEST_ASSERT_EQUAL(st.generation, i + 2,
			"restart %u (%s): server generation %u", i,
			same_geometry[i], st.generation);
		TEST_ASSERT_SUCCESS(hdr_read(restart_path, 0, &h),
			"cannot read header");
		if (check_header(&h, &geo, 0) != TEST_SUCCESS)
			return TEST_FAILED;
	}
	TEST_ASSERT_EQUAL(file_size(restart_path), l.region_size,
		"file size %" PRIu64, file_size(restart_path));
	return TEST_SUCCESS;
}

struct reformat_row {
	const char *args;
	struct shm_geometry geo;
	uint64_t size;
};

static const struct reformat_row reformat_rows[] = {
	{ "queues=2", { 2, 512, 2048 }, 0 },
	{ "ring_size=1024", { 4, 1024, 2048 }, 0 },
	{ "buf_size=4096", { 4, 512, 4096 }, 0 },
	{ "queues=8,ring_size=64,buf_size=128", { 8, 64, 128 }, 0 },
	{ "size=16M", DEFAULT_GEO, 16 * MIB },
};

static int
check_reformat(const struct reformat_row *r)
{
	struct shm_region_header h;
	struct shm_side_state st;
	struct rte_eth_dev_info info;
	int port;

	TEST_ASSERT_SUCCESS(server_cycle("net_shm_rs0", restart_path, NULL),
		"first server failed");
	TEST_ASSERT_SUCCESS(u64_write(restart_path, RING_MARKER_OFF, MARKER),
		"cannot write marker");
	TEST_ASSERT_SUCCESS(server_cycle("net_shm_rs1", restart_path, r->args),
		"server with %s failed", r->args);
	TEST_ASSERT_SUCCESS(hdr_read(restart_path, 0, &h),
		"cannot read header");
	if (check_header(&h, &r->geo, r->size) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(u64_read(restart_path, RING_MARKER_OFF), 0,
		"%s: the ring area was not reformatted", r->args);
	TEST_ASSERT_SUCCESS(side_read(restart_path, 0, SHM_ROLE_SERVER, &st),
		"cannot read side state");
	TEST_ASSERT_EQUAL(st.generation, 1,
		"%s: server generation %u after a reformat", r->args,
		st.generation);

	/* A client attaches with the new geometry. */
	port = port_create("net_shm_rscli", restart_path, "client", NULL);
	TEST_ASSERT(port >= 0, "%s: client refused the new region", r->args);
	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(port, &info), "no info");
	TEST_ASSERT_EQUAL(info.max_rx_queues, r->geo.nb_queues,
		"client sees %u queues", info.max_rx_queues);
	TEST_ASSERT_EQUAL(info.default_rxportconf.ring_size, r->geo.ring_size,
		"client sees ring_size %u", info.default_rxportconf.ring_size);
	TEST_ASSERT_EQUAL(info.max_rx_pktlen, r->geo.buf_size,
		"client sees buf_size %u", info.max_rx_pktlen);
	return TEST_SUCCESS;
}

static int
test_server_reformats(void)
{
	unsigned int i, failed = 0;

	for (i = 0; i < RTE_DIM(reformat_rows); i++) {
		shm_test_path(restart_path, sizeof(restart_path), "reformat");
		unlink(restart_path);
		if (check_reformat(&reformat_rows[i]) != TEST_SUCCESS) {
			printf("reformat row %u (%s) failed\n", i,
				reformat_rows[i].args);
			failed++;
		}
		restart_teardown();
	}
	TEST_ASSERT_EQUAL(failed, 0, "%u reformat rows failed", failed);
	return TEST_SUCCESS;
}

/*
 * Live sides: a second server or client on a region whose side is held by
 * a live (started, heartbeating) port is refused with -EBUSY; so is a
 * server that would reformat under a live client.
 */
static char live_path[128];

static void
live_teardown(void)
{
	shm_test_port_remove("net_shm_lvcli2");
	shm_test_port_remove("net_shm_lvcli");
	shm_test_port_remove("net_shm_lvsrv2");
	shm_test_port_remove("net_shm_lvsrv");
	unlink(live_path);
}

static int
test_second_live_server(void)
{
	struct shm_geometry geo = DEFAULT_GEO;
	struct shm_region_header h;
	char log[LOG_LEN];
	uint16_t a;
	int port, ret;

	shm_test_path(live_path, sizeof(live_path), "livesrv");
	unlink(live_path);
	port = port_create("net_shm_lvsrv", live_path, "server", NULL);
	TEST_ASSERT(port >= 0, "server A refused");
	a = port;
	TEST_ASSERT_SUCCESS(port_start(a), "server A did not start");
	rte_delay_us_sleep(3 * SHM_HEARTBEAT_PERIOD_US);

	ret = port_probe_logged("net_shm_lvsrv2", live_path, "server", NULL,
		log, sizeof(log));
	TEST_ASSERT_EQUAL(ret, -EBUSY, "server B on a live region: %d", ret);
	TEST_ASSERT(!port_exists("net_shm_lvsrv2"), "server B exists");
	TEST_ASSERT_NOT_NULL(strstr(log, "another server"), "log: %s", log);

	/* Nor may it reformat the live server's region. */
	ret = port_probe_logged("net_shm_lvsrv2", live_path, "server",
		"queues=2", log, sizeof(log));
	TEST_ASSERT_EQUAL(ret, -EBUSY, "server B (queues=2): %d", ret);
	TEST_ASSERT(!port_exists("net_shm_lvsrv2"), "server B exists");
	TEST_ASSERT_SUCCESS(hdr_read(live_path, 0, &h), "cannot read header");
	if (check_header(&h, &geo, 0) != TEST_SUCCESS)
		return TEST_FAILED;

	/* Once A stops, its side is free. */
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(a), "cannot stop A");
	port = port_create("net_shm_lvsrv2", live_path, "server", NULL);
	TEST_ASSERT(port >= 0, "server B refused after A stopped");
	return TEST_SUCCESS;
}

/* A started server and client on live_path, link up. */
static int
live_pair(uint16_t *s, uint16_t *c)
{
	int port;

	port = port_create("net_shm_lvsrv", live_path, "server", NULL);
	TEST_ASSERT(port >= 0, "server refused");
	*s = port;
	port = port_create("net_shm_lvcli", live_path, "client", NULL);
	TEST_ASSERT(port >= 0, "client refused");
	*c = port;
	TEST_ASSERT_SUCCESS(port_start(*s), "server did not start");
	TEST_ASSERT_SUCCESS(port_start(*c), "client did not start");
	TEST_ASSERT_SUCCESS(shm_test_wait_link(*c, true, LINK_WAIT_MS, NULL),
		"client link not up");
	return TEST_SUCCESS;
}

static int
test_second_live_client(void)
{
	char log[LOG_LEN];
	uint16_t s, c;
	int port, ret;

	shm_test_path(live_path, sizeof(live_path), "livecli");
	unlink(live_path);
	TEST_ASSERT_SUCCESS(live_pair(&s, &c), "live server and client");

	ret = port_probe_logged("net_shm_lvcli2", live_path, "client", NULL,
		log, sizeof(log));
	TEST_ASSERT_EQUAL(ret, -EBUSY, "client B on a live region: %d", ret);
	TEST_ASSERT(!port_exists("net_shm_lvcli2"), "client B exists");
	TEST_ASSERT_NOT_NULL(strstr(log, "another client"), "log: %s", log);

	/* Client A is unharmed. */
	TEST_ASSERT_SUCCESS(shm_test_wait_link(c, true, LINK_WAIT_MS, NULL),
		"client A link went down");

	/* Once A stops, its side is free. */
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(c), "cannot stop client A");
	port = port_create("net_shm_lvcli2", live_path, "client", NULL);
	TEST_ASSERT(port >= 0, "client B refused after A stopped");
	return TEST_SUCCESS;
}

static int
test_live_client_blocks_reformat(void)
{
	struct shm_geometry geo = DEFAULT_GEO;
	struct shm_region_header h;
	char log[LOG_LEN];
	uint16_t s, c;
	int port, ret;

	shm_test_path(live_path, sizeof(live_path), "livefmt");
	unlink(live_path);
	TEST_ASSERT_SUCCESS(live_pair(&s, &c), "live server and client");
	shm_test_port_destroy(s, "net_shm_lvsrv");

	/* Another geometry would pull the region from under the client. */
	ret = port_probe_logged("net_shm_lvsrv2", live_path, "server",
		"queues=2", log, sizeof(log));
	TEST_ASSERT_EQUAL(ret, -EBUSY, "reformat under a live client: %d",
		ret);
	TEST_ASSERT(!port_exists("net_shm_lvsrv2"), "server exists");
	TEST_ASSERT_SUCCESS(hdr_read(live_path, 0, &h), "cannot read header");
	if (check_header(&h, &geo, 0) != TEST_SUCCESS)
		return TEST_FAILED;

	/* The same geometry resumes with the client. */
	port = port_create("net_shm_lvsrv2", live_path, "server", NULL);
	TEST_ASSERT(port >= 0, "restarted server refused");
	s = port;
	TEST_ASSERT_SUCCESS(port_start(s), "restarted server did not start");
	TEST_ASSERT_SUCCESS(shm_test_wait_link(s, true, LINK_WAIT_MS, NULL),
		"restarted server link not up");
	TEST_ASSERT_SUCCESS(shm_test_wait_link(c, true, LINK_WAIT_MS, NULL),
		"client link not up after the server restarted");
	return TEST_SUCCESS;
}

static int
suite_setup(void)
{
	mp = rte_pktmbuf_pool_create("shm_region_mp", 1024, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	return mp != NULL ? TEST_SUCCESS : TEST_FAILED;
}

static void
suite_teardown(void)
{
	rte_mempool_free(mp);
	mp = NULL;
}

static struct unit_test_suite shm_region_suite = {
	.suite_name = "net_shm region",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases = {
		TEST_CASE(test_geometry),
		TEST_CASE(test_server_formats),
		TEST_CASE(test_client_refuses),
		TEST_CASE_ST(NULL, offset_teardown, test_offset),
		TEST_CASE_ST(NULL, offset_teardown, test_huge_offset),
		TEST_CASE_ST(NULL, restart_teardown, test_server_reuses),
		TEST_CASE(test_server_reformats),
		TEST_CASE_ST(NULL, live_teardown, test_second_live_server),
		TEST_CASE_ST(NULL, live_teardown, test_second_live_client),
		TEST_CASE_ST(NULL, live_teardown,
			test_live_client_blocks_reformat),
		TEST_CASES_END()
	},
};

static int
test_shm_region(void)
{
	return unit_test_suite_runner(&shm_region_suite);
}

REGISTER_TEST_COMMAND(shm_region_autotest, test_shm_region);
