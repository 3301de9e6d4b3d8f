/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The net_shm shared region: its layout (version 1) and the local view one
 * side keeps of it. doc/shm_region.md describes the layout in prose.
 *
 * Everything in the region is addressed by offsets computed from a geometry
 * (queues, ring size, slot size) that each side keeps in local memory: the
 * header is read once at attach, then only compared, never trusted again.
 */

#ifndef SHM_REGION_H
#define SHM_REGION_H

#include <stdbool.h>
#include <stdint.h>
#include <limits.h>

#include <rte_common.h>

/** "QDTSHM01" read as a little-endian 64-bit word. */
#define SHM_REGION_MAGIC	UINT64_C(0x31304d4853544451)
#define SHM_REGION_VERSION	1

/** Bytes before the first ring: header, the two side states, padding. */
#define SHM_HDR_AREA		4096u
/** The region size is a multiple of this, and so is the buffer area offset. */
#define SHM_REGION_ALIGN	4096u

#define SHM_MAX_QUEUES		16u
#define SHM_MIN_RING_SIZE	64u
#define SHM_MAX_RING_SIZE	16384u
#define SHM_MIN_BUF_SIZE	128u
#define SHM_MAX_BUF_SIZE	65536u

#define SHM_DEFAULT_QUEUES	4u
#define SHM_DEFAULT_RING_SIZE	512u
#define SHM_DEFAULT_BUF_SIZE	2048u

/** Each attached side bumps its heartbeat this often (microseconds). */
#define SHM_HEARTBEAT_PERIOD_US	10000u
/** A peer whose heartbeat has not moved for this long is dead (microseconds). */
#define SHM_PEER_TIMEOUT_US	50000u

/** Value of shm_side_state.attached while that side is attached. */
#define SHM_SIDE_ATTACHED	UINT32_C(0x41545443)	/* "CTTA" */

enum shm_role {
	SHM_ROLE_SERVER = 0,	/**< creates and formats the region */
	SHM_ROLE_CLIENT = 1,	/**< attaches to a formatted region */
};

/** A ring direction; the ring's producer is named first. */
enum shm_dir {
	SHM_DIR_S2C = 0,	/**< server produces, client consumes */
	SHM_DIR_C2S = 1,	/**< client produces, server consumes */
};

/** Region header, at offset 0. Written by the server when it formats. */
struct shm_region_header {
	uint64_t magic;		/**< SHM_REGION_MAGIC, written last */
	uint32_t version;	/**< SHM_REGION_VERSION */
	uint32_t nb_queues;	/**< queue pairs */
	uint32_t ring_size;	/**< descriptors per ring, power of two */
	uint32_t buf_size;	/**< bytes per slot, multiple of 64 */
	uint64_t region_size;	/**< bytes of the whole region */
	uint64_t rings_offset;	/**< offset of the first ring */
	uint64_t bufs_offset;	/**< offset of the first ring's slots */
};

/** State of one side, at offset 64 (server) and 128 (client). */
struct shm_side_state {
	uint32_t attached;	/**< SHM_SIDE_ATTACHED while attached */
	uint32_t generation;	/**< bumped each time the side attaches */
	uint64_t heartbeat;	/**< bumped every heartbeat period */
	uint32_t pid;		/**< informational only */
} __rte_cache_aligned;

/**
 * Control block of one ring. Each index is written by one side only and
 * free-running (wraps at 2^32); the slot of index i is i & (ring_size - 1).
 */
struct shm_ring_ctl {
	uint32_t head __rte_cache_aligned;	/**< producer: next index to fill */
	uint32_t tail __rte_cache_aligned;	/**< consumer: next index to read */
} __rte_cache_aligned;

/**
 * A descriptor: where the frame of one ring entry is. The offset is
 * relative to the ring's own slot area. Read and written as one 64-bit word
 * so the consumer fetches it exactly once.
 */
union shm_desc {
	uint64_t raw;
	struct {
		uint32_t off;	/**< byte offset in the ring's slot area */
		uint32_t len;	/**< frame length, 1..buf_size */
	};
};

/** The geometry that fixes every offset of the region. */
struct shm_geometry {
	uint32_t nb_queues;
	uint32_t ring_size;
	uint32_t buf_size;
};

/** Parameters of shm_region_open(). */
struct shm_region_params {
	const char *path;	/**< any mmap-able file or device */
	uint64_t offset;	/**< where the region starts in the file */
	uint64_t size;		/**< server: region size, 0 for the minimum */
	enum shm_role role;
	struct shm_geometry geo; /**< server: wanted; client: 0 fields = any */
	int numa_node;		/**< node to bind pages to, or -1 */
	const char *name;	/**< for log messages */
};

/** One side's local view of a mapped region. */
struct shm_region {
	uint8_t *base;		/**< start of the region in our address space */
	void *map_addr;		/**< what mmap returned */
	size_t map_len;
	uint64_t size;		/**< region size (local copy) */
	struct shm_geometry geo; /**< local copy, the only one ever used */
	uint64_t rings_offset;
	uint64_t bufs_offset;
	uint64_t ring_stride;	/**< bytes of one ring control + descriptors */
	enum shm_role role;
	bool formatted;		/**< this open formatted the region */
	bool wc;		/**< mapped write-combining: stores need fences */
	int fd;
	char path[PATH_MAX];
};

/**
 * Check a geometry against the limits of the layout.
 *
 * @param geo
 *   The geometry to check.
 * @param err
 *   Receives a message naming the bad field and value.
 * @param errlen
 *   Size of err.
 * @return
 *   0 if valid, -EINVAL otherwise.
 */
int shm_geometry_check(const struct shm_geometry *geo, char *err, size_t errlen);

/**
 * Smallest region size for a valid geometry (the formula in doc/).
 *
 * @param geo
 *   A geometry that passed shm_geometry_check().
 * @return
 *   Size in bytes, a multiple of SHM_REGION_ALIGN.
 */
uint64_t shm_geometry_region_size(const struct shm_geometry *geo);

/**
 * Map a region. A server creates the file if it is missing and its
 * directory is one where regular files live (not /dev itself, sysfs or
 * procfs: a missing device or BAR file is "no such file"), and formats the region
 * unless it already holds a valid region of the same geometry, which it
 * re-uses (a restarted server resumes with a live client). A client checks
 * magic, version and geometry against the file. Either refuses a region
 * that does not fit what the file or device holds after the offset (a
 * BAR's size as sysfs gives it; the BAR /dev/mem maps at the offset), and
 * refuses when a live process already holds its side. A sysfs resourceN_wc
 * file is mapped write-combining (reg->wc).
 *
 * @param reg
 *   Filled in on success.
 * @param p
 *   What to open.
 * @return
 *   0 on success, a negative errno after logging what was wrong.
 */
int shm_region_open(struct shm_region *reg, const struct shm_region_params *p);

/**
 * Unmap a region and close its file. The file itself stays, so that a
 * restarted side finds it.
 *
 * @param reg
 *   A region opened by shm_region_open(); may be zeroed.
 */
void shm_region_close(struct shm_region *reg);

/**
 * Does the header in the region still describe the geometry this side
 * works with? The peer could have changed it (a hostile or re-formatting
 * peer); our side goes on using its local copy either way.
 *
 * @param reg
 *   An open region.
 * @return
 *   true if magic, version and geometry match the local copy.
 */
bool shm_region_header_matches(const struct shm_region *reg);

/** Offset of a ring's control block. */
static inline uint64_t
shm_ring_offset(const struct shm_region *reg, enum shm_dir dir, uint32_t q)
{
	return reg->rings_offset +
		(uint64_t)(dir * reg->geo.nb_queues + q) * reg->ring_stride;
}

/** A ring's control block. */
static inline struct shm_ring_ctl *
shm_ring_ctl(const struct shm_region *reg, enum shm_dir dir, uint32_t q)
{
	return (struct shm_ring_ctl *)(reg->base + shm_ring_offset(reg, dir, q));
}

/** A ring's descriptor array (ring_size entries). */
static inline union shm_desc *
shm_ring_descs(const struct shm_region *reg, enum shm_dir dir, uint32_t q)
{
	return (union shm_desc *)(reg->base + shm_ring_offset(reg, dir, q) +
		sizeof(struct shm_ring_ctl));
}

/** A ring's slot area (ring_size slots of buf_size bytes). */
static inline uint8_t *
shm_ring_slots(const struct shm_region *reg, enum shm_dir dir, uint32_t q)
{
	uint64_t area = (uint64_t)reg->geo.ring_size * reg->geo.buf_size;

	return reg->base + reg->bufs_offset +
		(uint64_t)(dir * reg->geo.nb_queues + q) * area;
}

/** The region header. */
static inline struct shm_region_header *
shm_region_hdr(const struct shm_region *reg)
{
	return (struct shm_region_header *)reg->base;
}

/** The state block of one side. */
static inline struct shm_side_state *
shm_side(const struct shm_region *reg, enum shm_role side)
{
	return (struct shm_side_state *)(reg->base + RTE_CACHE_LINE_SIZE *
		(1 + side));
}

#endif /* SHM_REGION_H */
