/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Creating, formatting, validating and mapping the net_shm region.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_cycles.h>
#include <rte_memory.h>

#ifdef QOSDT_HAS_LIBNUMA
#include <numa.h>
#include <numaif.h>
#endif

#include "shm_log.h"
#include "shm_pci.h"
#include "shm_region.h"

#define HUGETLBFS_MAGIC_NUMBER	0x958458f6
#define SYSFS_MAGIC_NUMBER	0x62656572
#define PROC_MAGIC_NUMBER	0x9fa0

static const char *
role_name(enum shm_role role)
{
	return role == SHM_ROLE_SERVER ? "server" : "client";
}

int
shm_geometry_check(const struct shm_geometry *geo, char *err, size_t errlen)
{
	if (geo->nb_queues < 1 || geo->nb_queues > SHM_MAX_QUEUES) {
		snprintf(err, errlen, "queues=%u: must be 1..%u",
			geo->nb_queues, SHM_MAX_QUEUES);
		return -EINVAL;
	}
	if (geo->ring_size < SHM_MIN_RING_SIZE ||
			geo->ring_size > SHM_MAX_RING_SIZE ||
			!rte_is_power_of_2(geo->ring_size)) {
		snprintf(err, errlen,
			"ring_size=%u: must be a power of two in %u..%u",
			geo->ring_size, SHM_MIN_RING_SIZE, SHM_MAX_RING_SIZE);
		return -EINVAL;
	}
	if (geo->buf_size < SHM_MIN_BUF_SIZE ||
			geo->buf_size > SHM_MAX_BUF_SIZE ||
			geo->buf_size % RTE_CACHE_LINE_SIZE != 0) {
		snprintf(err, errlen,
			"buf_size=%u: must be a multiple of %u in %u..%u",
			geo->buf_size, RTE_CACHE_LINE_SIZE, SHM_MIN_BUF_SIZE,
			SHM_MAX_BUF_SIZE);
		return -EINVAL;
	}
	return 0;
}

static uint64_t
ring_stride(const struct shm_geometry *geo)
{
	return sizeof(struct shm_ring_ctl) +
		(uint64_t)geo->ring_size * sizeof(union shm_desc);
}

static uint64_t
bufs_offset(const struct shm_geometry *geo)
{
	uint64_t rings_end = SHM_HDR_AREA +
		2 * (uint64_t)geo->nb_queues * ring_stride(geo);

	return RTE_ALIGN_CEIL(rings_end, (uint64_t)SHM_REGION_ALIGN);
}

uint64_t
shm_geometry_region_size(const struct shm_geometry *geo)
{
	uint64_t slots = 2 * (uint64_t)geo->nb_queues * geo->ring_size *
		geo->buf_size;

	return RTE_ALIGN_CEIL(bufs_offset(geo) + slots,
		(uint64_t)SHM_REGION_ALIGN);
}

/*
 * Is a process holding this side right now? Its attached mark alone may be
 * left over from a process that was killed, so watch the heartbeat move.
 */
static bool
side_is_live(const struct shm_region *reg, enum shm_role side)
{
	const struct shm_side_state *st = shm_side(reg, side);
	uint64_t hb;
	unsigned int i;

	if (__atomic_load_n(&st->attached, __ATOMIC_ACQUIRE) != SHM_SIDE_ATTACHED)
		return false;
	hb = __atomic_load_n(&st->heartbeat, __ATOMIC_ACQUIRE);
	for (i = 0; i < SHM_PEER_TIMEOUT_US / SHM_HEARTBEAT_PERIOD_US; i++) {
		rte_delay_us_sleep(SHM_HEARTBEAT_PERIOD_US);
		if (__atomic_load_n(&st->heartbeat, __ATOMIC_ACQUIRE) != hb)
			return true;
	}
	return false;
}

static void
region_set_geometry(struct shm_region *reg, const struct shm_geometry *geo,
		uint64_t size)
{
	reg->geo = *geo;
	reg->size = size;
	reg->rings_offset = SHM_HDR_AREA;
	reg->ring_stride = ring_stride(geo);
	reg->bufs_offset = bufs_offset(geo);
}

bool
shm_region_header_matches(const struct shm_region *reg)
{
	const struct shm_region_header *h = shm_region_hdr(reg);

	return h->magic == SHM_REGION_MAGIC &&
		h->version == SHM_REGION_VERSION &&
		h->nb_queues == reg->geo.nb_queues &&
		h->ring_size == reg->geo.ring_size &&
		h->buf_size == reg->geo.buf_size &&
		h->region_size == reg->size &&
		h->rings_offset == reg->rings_offset &&
		h->bufs_offset == reg->bufs_offset;
}

static void
region_format(struct shm_region *reg)
{
	struct shm_region_header *h = shm_region_hdr(reg);

	__atomic_store_n(&h->magic, 0, __ATOMIC_RELEASE);
	rte_wmb();
	memset(reg->base, 0, reg->bufs_offset);
	h->version = SHM_REGION_VERSION;
	h->nb_queues = reg->geo.nb_queues;
	h->ring_size = reg->geo.ring_size;
	h->buf_size = reg->geo.buf_size;
	h->region_size = reg->size;
	h->rings_offset = reg->rings_offset;
	h->bufs_offset = reg->bufs_offset;
	rte_wmb();	/* a write-combining mapping orders no store: fence */
	__atomic_store_n(&h->magic, SHM_REGION_MAGIC, __ATOMIC_RELEASE);
	rte_wmb();
	reg->formatted = true;
}

static void
region_bind_numa(struct shm_region *reg, int node, const char *name)
{
#ifdef QOSDT_HAS_LIBNUMA
	struct bitmask *mask;

	if (node < 0 || numa_available() < 0 || numa_num_configured_nodes() < 2)
		return;
	mask = numa_allocate_nodemask();
	if (mask == NULL)
		return;
	numa_bitmask_setbit(mask, node);
	if (mbind(reg->map_addr, reg->map_len, MPOL_PREFERRED, mask->maskp,
			mask->size + 1, 0) != 0)
		SHM_LOG(WARNING, "%s: cannot bind region to NUMA node %d: %s",
			name, node, strerror(errno));
	numa_free_nodemask(mask);
#else
	RTE_SET_USED(reg);
	RTE_SET_USED(node);
	RTE_SET_USED(name);
#endif
}

static int
region_map(struct shm_region *reg, uint64_t offset, uint64_t len,
		const char *name)
{
	void *addr;

	addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, reg->fd,
		(off_t)offset);
	if (addr == MAP_FAILED) {
		int err = errno;

		SHM_LOG(ERR, "%s: cannot map %" PRIu64 " bytes at offset %" PRIu64
			" of %s: %s", name, len, offset, reg->path,
			strerror(err));
		return -err;
	}
	reg->map_addr = addr;
	reg->map_len = len;
	reg->base = addr;
	return 0;
}

/*
 * What a file or device can hold after the region's offset. A regular file
 * (not on sysfs) grows to fit; a BAR's sysfs file, a block device and the
 * BAR /dev/mem maps at the offset have a fixed size; other character
 * devices do not tell theirs (room is then UINT64_MAX).
 */
struct file_room {
	uint64_t room;		/**< bytes after offset, UINT64_MAX: unknown */
	uint64_t page;		/**< hugetlbfs page size, or 0 */
	bool fixed;		/**< cannot grow */
	char what[PATH_MAX + 160]; /**< what holds the bytes, for messages */
};

static bool
is_dev_mem(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 &&
		minor(st->st_rdev) == 1;
}

static int
file_room(struct shm_region *reg, uint64_t offset, struct file_room *fr,
		const char *name)
{
	struct shm_pci_bar bar;
	struct statfs sfs;
	struct stat st;
	uint64_t size;
	bool sysfs;

	memset(fr, 0, sizeof(*fr));
	if (fstat(reg->fd, &st) != 0) {
		int err = errno;

		SHM_LOG(ERR, "%s: path=%s: %s", name, reg->path, strerror(err));
		return -err;
	}
	sysfs = fstatfs(reg->fd, &sfs) == 0 &&
		(uint64_t)sfs.f_type == SYSFS_MAGIC_NUMBER;
	if (!sysfs && (uint64_t)sfs.f_type == HUGETLBFS_MAGIC_NUMBER)
		fr->page = sfs.f_bsize;
	if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
		fr->room = size > offset ? size - offset : 0;
		fr->fixed = sysfs;	/* a BAR: ftruncate succeeds, changes nothing */
		snprintf(fr->what, sizeof(fr->what), "%s (%" PRIu64 " bytes%s)",
			reg->path, size, sysfs ? ", a device's memory" : "");
	} else if (S_ISBLK(st.st_mode) &&
			ioctl(reg->fd, BLKGETSIZE64, &size) == 0) {
		fr->room = size > offset ? size - offset : 0;
		fr->fixed = true;
		snprintf(fr->what, sizeof(fr->what), "%s (a block device of %"
			PRIu64 " bytes)", reg->path, size);
	} else if (is_dev_mem(&st) && shm_pci_bar_of_phys(offset, &bar)) {
		fr->room = bar.start + bar.size - offset;
		fr->fixed = true;
		snprintf(fr->what, sizeof(fr->what), "%s at 0x%" PRIx64 ", in "
			"BAR%u of %s (%" PRIu64 " bytes at 0x%" PRIx64 ")",
			reg->path, offset, bar.bar, bar.addr, bar.size,
			bar.start);
	} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		fr->room = UINT64_MAX;	/* the device does not tell its size */
		fr->fixed = true;
		snprintf(fr->what, sizeof(fr->what), "%s (a device)", reg->path);
	} else {
		SHM_LOG(ERR, "%s: path=%s: not a file or device", name,
			reg->path);
		return -EINVAL;
	}
	return 0;
}

/*
 * May a missing region file be created in path's directory? Only where
 * regular files live: not in /dev itself (devices), nor on sysfs or procfs
 * (a mistyped BAR path must not look like a permission problem). On
 * refusal, why is filled in.
 */
static int
may_create(const char *path, char *why, size_t len)
{
	char dir[PATH_MAX];
	struct statfs sfs;
	struct stat st, dev;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, len, "its directory %s does not exist", dir);
		return -ENOENT;
	}
	if (statfs(dir, &sfs) == 0 &&
			((uint64_t)sfs.f_type == SYSFS_MAGIC_NUMBER ||
			(uint64_t)sfs.f_type == PROC_MAGIC_NUMBER)) {
		snprintf(why, len, "not created: %s is on %s, where only the "
			"kernel makes files", dir,
			(uint64_t)sfs.f_type == PROC_MAGIC_NUMBER ? "procfs" :
			"sysfs");
		return -ENOENT;
	}
	if (stat("/dev", &dev) == 0 && dev.st_dev == st.st_dev &&
			dev.st_ino == st.st_ino) {
		snprintf(why, len, "not created: /dev holds devices (a region "
			"file belongs in /dev/shm, hugetlbfs or any other "
			"directory)");
		return -ENOENT;
	}
	return 0;
}

/* Open the server's region file, creating it only where may_create() says. */
static int
server_open_file(struct shm_region *reg, const struct shm_region_params *p)
{
	char why[PATH_MAX + 128];
	int ret, tries;

	for (tries = 0; tries < 2; tries++) {
		reg->fd = open(p->path, O_RDWR | O_CLOEXEC);
		if (reg->fd >= 0)
			return 0;
		ret = -errno;
		if (ret != -ENOENT)
			break;
		ret = may_create(p->path, why, sizeof(why));
		if (ret != 0) {
			SHM_LOG(ERR, "%s: path=%s: no such file (%s)", p->name,
				p->path, why);
			return ret;
		}
		reg->fd = open(p->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
			0600);
		if (reg->fd >= 0)
			return 0;
		ret = -errno;
		if (ret != -EEXIST)	/* else made meanwhile: open it */
			break;
	}
	SHM_LOG(ERR, "%s: path=%s: %s", p->name, p->path, strerror(-ret));
	return ret;
}

static int
server_open(struct shm_region *reg, const struct shm_region_params *p)
{
	struct file_room fr;
	uint64_t need, size;
	struct stat st;
	int ret;

	need = shm_geometry_region_size(&p->geo);
	size = p->size != 0 ? p->size : need;
	if (size < need) {
		SHM_LOG(ERR, "%s: size=%" PRIu64 ": too small for queues=%u "
			"ring_size=%u buf_size=%u, which need %" PRIu64 " bytes",
			p->name, p->size, p->geo.nb_queues, p->geo.ring_size,
			p->geo.buf_size, need);
		return -EINVAL;
	}
	ret = server_open_file(reg, p);
	if (ret != 0)
		return ret;
	ret = file_room(reg, p->offset, &fr, p->name);
	if (ret != 0)
		return ret;
	if (fr.page != 0)
		size = RTE_ALIGN_CEIL(size, fr.page);
	size = RTE_ALIGN_CEIL(size, (uint64_t)SHM_REGION_ALIGN);
	if (size > (uint64_t)INT64_MAX || p->offset > (uint64_t)INT64_MAX - size) {
		SHM_LOG(ERR, "%s: offset=%" PRIu64 ": offset + size (%" PRIu64
			") is beyond the largest file offset", p->name,
			p->offset, size);
		return -EINVAL;
	}
	if (fr.room < size && fr.fixed) {
		SHM_LOG(ERR, "%s: size=%" PRIu64 ": the region needs %" PRIu64
			" bytes at offset %" PRIu64 ", more than the %" PRIu64
			" there are in %s", p->name, p->size, size, p->offset,
			fr.room, fr.what);
		return -ENOSPC;
	}
	if (fr.room < size) {
		const char *why = NULL;

		if (ftruncate(reg->fd, (off_t)(p->offset + size)) != 0)
			why = strerror(errno);
		else if (fstat(reg->fd, &st) != 0)
			why = strerror(errno);
		else if ((uint64_t)st.st_size < p->offset + size)
			why = "ftruncate left its size as it was";
		if (why != NULL) {
			SHM_LOG(ERR, "%s: path=%s has %" PRIu64 " bytes after "
				"offset %" PRIu64 ", the region needs %" PRIu64
				" and the file cannot grow: %s", p->name,
				p->path, fr.room, p->offset, size, why);
			return -ENOSPC;
		}
	}
	ret = region_map(reg, p->offset, size, p->name);
	if (ret != 0)
		return ret;
	region_set_geometry(reg, &p->geo, size);
	region_bind_numa(reg, p->numa_node, p->name);

	if (side_is_live(reg, SHM_ROLE_SERVER)) {
		SHM_LOG(ERR, "%s: path=%s: another server is attached and alive",
			p->name, p->path);
		return -EBUSY;
	}
	if (shm_region_header_matches(reg)) {
		SHM_LOG(INFO, "%s: re-using the region at %s", p->name, p->path);
		return 0;
	}
	if (side_is_live(reg, SHM_ROLE_CLIENT)) {
		SHM_LOG(ERR, "%s: path=%s: a live client uses this region with "
			"another geometry; refusing to re-format it", p->name,
			p->path);
		return -EBUSY;
	}
	region_format(reg);
	SHM_LOG(INFO, "%s: formatted %" PRIu64 " bytes at %s", p->name, size,
		p->path);
	return 0;
}

/* A geometry devarg a client gave (non-zero) that the region contradicts. */
static bool
mismatch(const struct shm_region_params *p, const char *key, uint32_t given,
		uint32_t region)
{
	if (given == 0 || given == region)
		return false;
	SHM_LOG(ERR, "%s: devarg %s=%u contradicts the region at %s, which has "
		"%s=%u", p->name, key, given, p->path, key, region);
	return true;
}

static int
client_check_header(const struct shm_region_header *h,
		const struct shm_region_params *p, const struct file_room *fr)
{
	struct shm_geometry geo = {
		.nb_queues = h->nb_queues,
		.ring_size = h->ring_size,
		.buf_size = h->buf_size,
	};
	char err[128];

	if (h->magic != SHM_REGION_MAGIC) {
		SHM_LOG(ERR, "%s: path=%s: bad magic 0x%016" PRIx64 " (not a "
			"net_shm region, or not formatted yet)", p->name,
			p->path, h->magic);
		return -EPROTO;
	}
	if (h->version != SHM_REGION_VERSION) {
		SHM_LOG(ERR, "%s: path=%s: region version %u, this driver "
			"speaks version %u", p->name, p->path, h->version,
			SHM_REGION_VERSION);
		return -EPROTO;
	}
	if (shm_geometry_check(&geo, err, sizeof(err)) != 0) {
		SHM_LOG(ERR, "%s: path=%s: region header has %s", p->name,
			p->path, err);
		return -EPROTO;
	}
	if (h->rings_offset != SHM_HDR_AREA || h->bufs_offset != bufs_offset(&geo) ||
			h->region_size < shm_geometry_region_size(&geo) ||
			h->region_size % SHM_REGION_ALIGN != 0) {
		SHM_LOG(ERR, "%s: path=%s: region header geometry is "
			"inconsistent (rings at %" PRIu64 ", slots at %" PRIu64
			", size %" PRIu64 ")", p->name, p->path,
			h->rings_offset, h->bufs_offset, h->region_size);
		return -EPROTO;
	}
	if (h->region_size > fr->room) {
		SHM_LOG(ERR, "%s: path=%s %s: the region needs %" PRIu64
			" bytes, there are %" PRIu64 " after offset %" PRIu64
			" in %s", p->name, p->path, fr->fixed ?
			"is too small" : "is truncated", h->region_size,
			fr->room, p->offset, fr->what);
		return -EPROTO;
	}
	if (mismatch(p, "queues", p->geo.nb_queues, geo.nb_queues) ||
			mismatch(p, "ring_size", p->geo.ring_size,
				geo.ring_size) ||
			mismatch(p, "buf_size", p->geo.buf_size, geo.buf_size))
		return -EINVAL;
	if (p->size != 0 && p->size != h->region_size) {
		SHM_LOG(ERR, "%s: size=%" PRIu64 ": the region has %" PRIu64
			" bytes", p->name, p->size, h->region_size);
		return -EINVAL;
	}
	return 0;
}

static int
client_open(struct shm_region *reg, const struct shm_region_params *p)
{
	struct shm_region_header h;
	struct shm_geometry geo;
	struct file_room fr;
	int ret;

	reg->fd = open(p->path, O_RDWR | O_CLOEXEC);
	if (reg->fd < 0) {
		ret = -errno;
		SHM_LOG(ERR, "%s: path=%s: %s%s", p->name, p->path,
			ret == -ENOENT ? "no such file" : strerror(-ret),
			ret == -ENOENT ? " (start the server side first, or "
			"check the path)" : "");
		return ret;
	}
	ret = file_room(reg, p->offset, &fr, p->name);
	if (ret != 0)
		return ret;
	if (fr.room < SHM_HDR_AREA) {
		SHM_LOG(ERR, "%s: path=%s %s: %" PRIu64 " bytes after "
			"offset %" PRIu64 ", less than a region header, in %s",
			p->name, p->path, fr.fixed ? "is too small" :
			"is truncated", fr.room, p->offset, fr.what);
		return -EPROTO;
	}
	/* on hugetlbfs, mappings come in whole huge pages */
	ret = region_map(reg, p->offset,
		RTE_MAX((uint64_t)SHM_HDR_AREA, fr.page), p->name);
	if (ret != 0)
		return ret;
	memcpy(&h, reg->base, sizeof(h));	/* read the header once */
	munmap(reg->map_addr, reg->map_len);
	reg->map_addr = NULL;
	reg->base = NULL;

	ret = client_check_header(&h, p, &fr);
	if (ret != 0)
		return ret;
	geo.nb_queues = h.nb_queues;
	geo.ring_size = h.ring_size;
	geo.buf_size = h.buf_size;
	ret = region_map(reg, p->offset, h.region_size, p->name);
	if (ret != 0)
		return ret;
	region_set_geometry(reg, &geo, h.region_size);
	region_bind_numa(reg, p->numa_node, p->name);
	if (side_is_live(reg, SHM_ROLE_CLIENT)) {
		SHM_LOG(ERR, "%s: path=%s: another client is attached and alive",
			p->name, p->path);
		return -EBUSY;
	}
	return 0;
}

int
shm_region_open(struct shm_region *reg, const struct shm_region_params *p)
{
	long pgsz = sysconf(_SC_PAGESIZE);
	char err[128];
	int ret;

	memset(reg, 0, sizeof(*reg));
	reg->fd = -1;
	reg->role = p->role;
	if (strlen(p->path) >= sizeof(reg->path)) {
		SHM_LOG(ERR, "%s: path is longer than %zu bytes", p->name,
			sizeof(reg->path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(reg->path, p->path);
	if (p->offset % (uint64_t)pgsz != 0) {
		SHM_LOG(ERR, "%s: offset=%" PRIu64 ": must be a multiple of the "
			"page size %ld", p->name, p->offset, pgsz);
		return -EINVAL;
	}
	if (p->role == SHM_ROLE_SERVER &&
			shm_geometry_check(&p->geo, err, sizeof(err)) != 0) {
		SHM_LOG(ERR, "%s: %s", p->name, err);
		return -EINVAL;
	}
	reg->wc = shm_pci_path_is_wc(p->path);
	ret = p->role == SHM_ROLE_SERVER ? server_open(reg, p) :
		client_open(reg, p);
	if (ret != 0) {
		shm_region_close(reg);
		return ret;
	}
	SHM_LOG(INFO, "%s: %s attached to %s: queues=%u ring_size=%u "
		"buf_size=%u size=%" PRIu64 "%s", p->name, role_name(p->role),
		p->path, reg->geo.nb_queues, reg->geo.ring_size,
		reg->geo.buf_size, reg->size, reg->wc ? ", write-combining: "
		"a store fence before each index it publishes" : "");
	return 0;
}

void
shm_region_close(struct shm_region *reg)
{
	if (reg->map_addr != NULL)
		munmap(reg->map_addr, reg->map_len);
	if (reg->fd >= 0)
		close(reg->fd);
	reg->map_addr = NULL;
	reg->base = NULL;
	reg->fd = -1;
}
