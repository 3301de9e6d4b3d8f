/* SPDX-License-Identifier: BSD-3-Clause */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_hash_crc.h>
#ifdef RTE_ARCH_X86
#include <immintrin.h>
#endif

#include "dedup.h"

/* Largest reply a slot may keep, and largest store. */
#define DEDUP_MAX_REPLY_CAP (1u << 20)
#define DEDUP_MAX_MAP_LEN (UINT64_C(16) << 30)

_Static_assert(sizeof(struct dedup_slot) == 64,
	"a slot's fields take a cache line: the reply starts on the next");

static void
dedup_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* splitmix64's finaliser: every bit of the key and the id reaches the
 * cell's bits, so a peer that does not know the key cannot choose ids
 * that crowd one run of cells. */
static inline uint32_t
idx_home(const struct dedup *d, uint64_t id)
{
	uint64_t x = id ^ d->hash_key;

	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return (uint32_t)x & d->index_mask;
}

/* The cell that holds id, or -1. The index is at most half full: every
 * probe ends at an empty cell. */
static int64_t
idx_find(const struct dedup *d, uint64_t id)
{
	const struct dedup_cell *e;
	uint32_t c;

	for (c = idx_home(d, id);; c = (c + 1) & d->index_mask) {
		e = &d->index[c];
		if (e->slot1 == 0)
			return -1;
		if (e->id == id)
			return c;
	}
}

static void
idx_insert(struct dedup *d, uint64_t id, uint32_t slot)
{
	uint32_t c;

	for (c = idx_home(d, id); d->index[c].slot1 != 0;
			c = (c + 1) & d->index_mask)
		;
	d->index[c].id = id;
	d->index[c].slot1 = slot + 1;
}

/* Empty cell c, moving back the cells after it whose home allows it
 * (linear probing's deletion: no tombstones). */
static void
idx_delete(struct dedup *d, uint32_t c)
{
	uint32_t i = c, j = c, k;

	for (;;) {
		j = (j + 1) & d->index_mask;
		if (d->index[j].slot1 == 0)
			break;
		k = idx_home(d, d->index[j].id);
		/* Leave j where it is if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		d->index[i] = d->index[j];
		i = j;
	}
	d->index[i].slot1 = 0;
}

static uint64_t
random_u64(void)
{
	uint64_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	/* The pool not ready yet: the TSC's low bits move fast enough that
	 * a peer cannot guess them from the outside. */
	v = rte_rdtsc();
	return v * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)getpid() << 32;
}

static bool
hdr_matches(const struct dedup_store_hdr *h, const struct dedup *d)
{
	return h->magic == DEDUP_MAGIC && h->version == DEDUP_VERSION &&
		h->nb_entries == d->nb_entries && h->reply_cap == d->reply_cap &&
		h->slot_size == d->slot_size;
}

/* Map the store's file: re-used when it holds a store of this geometry,
 * else truncated to nothing and grown (zeroes) to be formatted. Sets
 * *fresh when the store is to be formatted. */
static int
store_map_file(struct dedup *d, const char *path, bool *fresh, char *err,
		size_t errlen)
{
	struct dedup_store_hdr h;
	struct stat st;
	void *p;

	d->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (d->fd < 0) {
		dedup_err(err, errlen, "--dedup-file: cannot open %s: %s", path,
			strerror(errno));
		return -1;
	}
	if (fstat(d->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		dedup_err(err, errlen, "--dedup-file: %s is not a regular file",
			path);
		return -1;
	}
	if (flock(d->fd, LOCK_EX | LOCK_NB) != 0) {
		dedup_err(err, errlen, errno == EWOULDBLOCK ?
			"--dedup-file: %s is in use by another server process" :
			"--dedup-file: cannot lock %s: %s", path, strerror(errno));
		return -1;
	}
	*fresh = (uint64_t)st.st_size != d->map_len ||
		pread(d->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
		!hdr_matches(&h, d);
	if (*fresh && (ftruncate(d->fd, 0) != 0 ||
			ftruncate(d->fd, (off_t)d->map_len) != 0)) {
		dedup_err(err, errlen, "--dedup-file: cannot size %s to %zu bytes: %s",
			path, d->map_len, strerror(errno));
		return -1;
	}
	p = mmap(NULL, d->map_len, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_POPULATE, d->fd, 0);
	if (p == MAP_FAILED) {
		dedup_err(err, errlen, "--dedup-file: cannot map %zu bytes of %s: %s",
			d->map_len, path, strerror(errno));
		return -1;
	}
	d->hdr = p;
	return 0;
}

/* Index the slots the store holds; free those that cannot be right (a
 * state or length out of range, a slot not where its number puts it, an
 * id held twice: the older copy goes). */
static void
store_load(struct dedup *d)
{
	struct dedup_store_hdr *h = d->hdr;
	uint32_t i, mask = d->nb_entries - 1;

	for (i = 0; i < d->nb_entries; i++) {
		struct dedup_slot *e = dedup_slot_at(d, i), *o;
		int64_t c;

		if (e->state == DEDUP_SLOT_FREE)
			continue;
		if (e->state > DEDUP_SLOT_UNSTORED || e->reply_len > d->reply_cap ||
				e->seq >= h->next || (e->seq & mask) != i) {
			e->state = DEDUP_SLOT_FREE;
			d->dropped_slots++;
			continue;
		}
		c = idx_find(d, e->id);
		if (c >= 0) {
			o = dedup_slot_at(d, d->index[c].slot1 - 1);
			d->dropped_slots++;
			if (o->seq > e->seq) {
				e->state = DEDUP_SLOT_FREE;
				continue;
			}
			o->state = DEDUP_SLOT_FREE;
			d->index[c].slot1 = i + 1;
			continue;
		}
		idx_insert(d, e->id, i);
		d->loaded++;
	}
}

int
dedup_open(struct dedup *d, const char *path, uint32_t nb_entries,
		uint32_t reply_cap, char *err, size_t errlen)
{
	bool fresh = true;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (nb_entries < DEDUP_MIN_ENTRIES || nb_entries > DEDUP_MAX_ENTRIES ||
			!rte_is_power_of_2(nb_entries)) {
		dedup_err(err, errlen, "--dedup-entries: %u is not a power of two in [%u, %u]",
			nb_entries, DEDUP_MIN_ENTRIES, DEDUP_MAX_ENTRIES);
		return -1;
	}
	if (reply_cap > DEDUP_MAX_REPLY_CAP) {
		dedup_err(err, errlen, "dedup: replies of %u bytes: at most %u are kept",
			reply_cap, DEDUP_MAX_REPLY_CAP);
		return -1;
	}
	d->nb_entries = nb_entries;
	d->reply_cap = reply_cap;
	d->slot_size = RTE_ALIGN_CEIL((uint32_t)sizeof(struct dedup_slot) +
		reply_cap, RTE_CACHE_LINE_SIZE);
	d->map_len = DEDUP_HDR_SIZE + (size_t)nb_entries * d->slot_size;
	if (d->map_len > DEDUP_MAX_MAP_LEN) {
		dedup_err(err, errlen, "--dedup-entries: %u slots of %u bytes are %zu MiB, more than %" PRIu64 " MiB",
			nb_entries, d->slot_size, d->map_len >> 20,
			DEDUP_MAX_MAP_LEN >> 20);
		return -1;
	}
	if (path != NULL) {
		if (store_map_file(d, path, &fresh, err, errlen) < 0)
			goto fail;
	} else {
		void *p = mmap(NULL, d->map_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		if (p == MAP_FAILED) {
			dedup_err(err, errlen, "dedup: cannot map %zu bytes: %s",
				d->map_len, strerror(errno));
			goto fail;
		}
		d->hdr = p;
	}
	d->index_mask = 2 * nb_entries - 1;
	d->index = calloc(2 * (size_t)nb_entries, sizeof(d->index[0]));
	if (d->index == NULL) {
		dedup_err(err, errlen, "dedup: out of memory for an index of %u slots",
			nb_entries);
		goto fail;
	}
	d->hash_key = random_u64();
	if (fresh) {
		d->hdr->version = DEDUP_VERSION;
		d->hdr->nb_entries = nb_entries;
		d->hdr->reply_cap = reply_cap;
		d->hdr->slot_size = d->slot_size;
		__atomic_store_n(&d->hdr->magic, DEDUP_MAGIC, __ATOMIC_RELEASE);
	} else {
		store_load(d);
	}
	d->life = ++d->hdr->lives;
	return 0;
fail:
	dedup_close(d);
	return -1;
}

void
dedup_close(struct dedup *d)
{
	if (d->hdr != NULL)
		munmap(d->hdr, d->map_len);
	d->hdr = NULL;
	if (d->fd >= 0)
		close(d->fd);    /* releases the lock */
	d->fd = -1;
	free(d->index);
	d->index = NULL;
}

/* count += 1, in this life's counters and the store's. */
#define DEDUP_COUNT(d, field) do { \
	__atomic_store_n(&(d)->cnt.field, (d)->cnt.field + 1, \
		__ATOMIC_RELAXED); \
	__atomic_store_n(&(d)->hdr->total.field, \
		(d)->hdr->total.field + 1, __ATOMIC_RELAXED); \
} while (0)

static uint32_t
req_hash(uint16_t service, const uint8_t *payload, uint32_t len)
{
	return rte_hash_crc(payload, len, 0xFFFFFFFFu ^ service);
}

enum dedup_verdict
dedup_begin(struct dedup *d, uint64_t id, uint16_t service,
		const uint8_t *payload, uint32_t len, uint32_t *slot)
{
	struct dedup_store_hdr *h = d->hdr;
	uint32_t hash = req_hash(service, payload, len), s;
	struct dedup_slot *e;
	int64_t c = idx_find(d, id);

	if (c >= 0) {
		s = d->index[c].slot1 - 1;
		e = dedup_slot_at(d, s);
		if (e->service == service && e->req_len == len &&
				e->req_hash == hash) {
			*slot = s;
			if (e->state == DEDUP_SLOT_SERVED) {
				d->deepest_replay = RTE_MAX(d->deepest_replay,
					h->next - 1 - e->seq);
				DEDUP_COUNT(d, replayed);
				if (e->life != d->life)
					DEDUP_COUNT(d, replayed_earlier);
				return DEDUP_REPLAY;
			}
			e->life = d->life;
			if (e->state == DEDUP_SLOT_SERVING) {
				/* A life that died serving it (this life
				 * finishes what it begins before the next):
				 * its reply never left. */
				DEDUP_COUNT(d, redone);
				return DEDUP_REDO;
			}
			/* UNSTORED: served, its reply may have left. */
			__atomic_store_n(&e->state, DEDUP_SLOT_SERVING,
				__ATOMIC_RELEASE);
			DEDUP_COUNT(d, duplicates_served);
			return DEDUP_AGAIN;
		}
		/* The id of another request: that one is forgotten. */
		DEDUP_COUNT(d, conflicts);
		idx_delete(d, (uint32_t)c);
		__atomic_store_n(&e->state, DEDUP_SLOT_FREE, __ATOMIC_RELEASE);
	}
	s = (uint32_t)(h->next & (d->nb_entries - 1));
	e = dedup_slot_at(d, s);
	if (e->state != DEDUP_SLOT_FREE) {
		c = idx_find(d, e->id);
		if (c >= 0 && d->index[c].slot1 == s + 1)
			idx_delete(d, (uint32_t)c);
		DEDUP_COUNT(d, evicted);
	}
	/* Free while its fields change: a death in between leaves it free. */
	__atomic_store_n(&e->state, DEDUP_SLOT_FREE, __ATOMIC_RELEASE);
	e->id = id;
	e->seq = h->next;
	e->req_hash = hash;
	e->req_len = len;
	e->service = service;
	e->life = d->life;
	e->reply_len = 0;
	e->result = 0;
	__atomic_store_n(&e->state, DEDUP_SLOT_SERVING, __ATOMIC_RELEASE);
	h->next++;
	idx_insert(d, id, s);
	*slot = s;
	return DEDUP_NEW;
}

/*
 * Copy a reply into its slot (64-byte aligned) around the caches: a kept
 * reply is read again only for a duplicate, and a 1000-byte reply written
 * through the cache into a cold 16 MiB ring would first read its lines and
 * then push the worker's own data out of the cache, at every lossless
 * request. Ordered before the state that publishes it (the caller's
 * release store follows an sfence).
 */
static void
reply_copy(uint8_t *dst, const uint8_t *src, uint32_t len)
{
#ifdef RTE_ARCH_X86
	uint32_t i = 0;

	for (; i + 16 <= len; i += 16)
		_mm_stream_si128((__m128i *)(dst + i),
			_mm_loadu_si128((const __m128i *)(src + i)));
	if (i < len)
		memcpy(dst + i, src + i, len - i);
	_mm_sfence();
#else
	memcpy(dst, src, len);
#endif
}

void
dedup_done(struct dedup *d, uint32_t slot, uint8_t result,
		const uint8_t *reply, uint32_t len)
{
	struct dedup_slot *e = dedup_slot_at(d, slot);

	e->result = result;
	if (len > d->reply_cap) {
		e->reply_len = 0;
		__atomic_store_n(&e->state, DEDUP_SLOT_UNSTORED, __ATOMIC_RELEASE);
		DEDUP_COUNT(d, served);
		DEDUP_COUNT(d, unstored);
		return;
	}
	if (len > 0)
		reply_copy(e->reply, reply, len);
	e->reply_len = len;
	/* The reply before the state: a death in between leaves SERVING. */
	__atomic_store_n(&e->state, DEDUP_SLOT_SERVED, __ATOMIC_RELEASE);
	/* Counted once the state says served: counted before, a death while
	 * the reply is copied would count a run its successor does again
	 * (redone). A death between the two stores counts one run short. */
	DEDUP_COUNT(d, served);
}

const uint8_t *
dedup_reply(const struct dedup *d, uint32_t slot, uint8_t *result,
		uint32_t *len)
{
	const struct dedup_slot *e = dedup_slot_at(d, slot);

	*result = e->result;
	*len = e->reply_len;
	return e->reply;
}

static void
counters_copy(struct dedup_counters *out, const struct dedup_counters *in)
{
	out->served = __atomic_load_n(&in->served, __ATOMIC_RELAXED);
	out->replayed = __atomic_load_n(&in->replayed, __ATOMIC_RELAXED);
	out->duplicates_served = __atomic_load_n(&in->duplicates_served,
		__ATOMIC_RELAXED);
	out->conflicts = __atomic_load_n(&in->conflicts, __ATOMIC_RELAXED);
	out->unstored = __atomic_load_n(&in->unstored, __ATOMIC_RELAXED);
	out->evicted = __atomic_load_n(&in->evicted, __ATOMIC_RELAXED);
	out->replayed_earlier = __atomic_load_n(&in->replayed_earlier,
		__ATOMIC_RELAXED);
	out->redone = __atomic_load_n(&in->redone, __ATOMIC_RELAXED);
}

uint32_t
dedup_counters_read(const struct dedup *d, struct dedup_counters *life,
		struct dedup_counters *total)
{
	if (life != NULL)
		counters_copy(life, &d->cnt);
	if (total != NULL)
		counters_copy(total, &d->hdr->total);
	return d->hdr->lives;
}
