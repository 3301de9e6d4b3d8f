/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server's memory of lossless requests, so that a service runs once per
 * request although the client sends a request again after a restart
 * (doc/hardening.md, "Across a restart"). Keyed by the 64-bit request id,
 * which carries the client's incarnation (req_id.h).
 *
 * A store of N slots (N a power of two), filled in order and reused oldest
 * first: slot i holds the i-th request served modulo N, with a hash of what
 * was asked (service, length, payload) and the reply, up to reply_cap bytes.
 * A request whose id is in the store and whose hash matches is a duplicate:
 * it is answered with the stored reply, and the service does not run. Once
 * N later requests have been served, a request's slot is reused and a
 * duplicate of it would be served again (uncounted: nothing is left to
 * know it by).
 *
 * The store lives in the process (anonymous memory) or in a file
 * (--dedup-file), where it survives the process: a restarted server
 * answers the duplicates of what its predecessor served. Each opening is a
 * new "life". A slot is marked as being served before its service runs,
 * and its reply is kept before the reply is handed on (the caller's
 * order): a slot an earlier life left marked as being served is a run
 * that died with its process before its reply could leave, and nothing
 * of it is left (the services keep no state beyond the process): it is
 * served (redone, counted apart), not a duplicate.
 *
 * The index (id -> slot) is in process memory, rebuilt from the store at
 * open: linear probing over 2N cells with a keyed hash (a random key per
 * process), so that ids the peer chooses cannot be aimed at one cluster.
 * A cell holds the id with the slot, so that a lookup touches no slot it
 * does not return (2N x 16 bytes: 256 KiB for 8192 slots, cache-sized;
 * the slots are 16 MiB). The store is faulted in at open, not by the
 * worker's first requests.
 * Nothing here needs EAL; one thread (the server's worker) uses a table.
 */

#ifndef QOSDT_APP_DEDUP_H
#define QOSDT_APP_DEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Default slots (--dedup-entries). */
#define DEDUP_DEFAULT_ENTRIES 8192
/** Fewest slots a table may have (0 turns it off). */
#define DEDUP_MIN_ENTRIES 64
/** Most slots a table may have. */
#define DEDUP_MAX_ENTRIES (1u << 20)
/** Room for an error message. */
#define DEDUP_ERRLEN 256

/** What the table says of a request. */
enum dedup_verdict {
	DEDUP_NEW = 0,   /**< Not served before: serve it, then dedup_done(). */
	DEDUP_REPLAY,    /**< Served: answer with dedup_reply(), do not serve. */
	DEDUP_REDO,      /**< An earlier life died serving it, before its reply
			  *   was kept (so before it could leave): nothing of
			  *   that run is left; serve it, then dedup_done(). */
	DEDUP_AGAIN,     /**< Served, its reply not kept (longer than
			  *   reply_cap): serve it again (counted in
			  *   duplicates_served), then dedup_done(). */
};

/** An index cell: a request id and its slot. */
struct dedup_cell {
	uint64_t id;
	uint32_t slot1;               /**< Its slot + 1; 0: the cell is empty. */
	uint32_t reserved;
};

/** Counters (one life's, or the store's since it was formatted). */
struct dedup_counters {
	uint64_t served;             /**< Services run to their end (dedup_done()). */
	uint64_t replayed;           /**< Duplicates answered from the store. */
	uint64_t duplicates_served;  /**< Requests served again after a service
				      *   whose reply may have left (DEDUP_AGAIN). */
	uint64_t conflicts;          /**< Known id, other request: served as new. */
	uint64_t unstored;           /**< Replies longer than reply_cap (not kept). */
	uint64_t evicted;            /**< Slots reused while holding a request. */
	uint64_t replayed_earlier;   /**< Of replayed: replies an earlier life kept. */
	uint64_t redone;             /**< Services an earlier life died in (DEDUP_REDO). */
};

/*
 * The store's format (host byte order: the file is only ever read by
 * the server that wrote it or its successor on the same machine): a
 * header, then from offset DEDUP_HDR_SIZE nb_entries slots of slot_size
 * bytes, each 64-byte aligned (struct dedup_slot, then its reply). Whatever
 * a file holds is checked at open before it is used.
 */

/** "QDTDDUP1" read as a little-endian u64. */
#define DEDUP_MAGIC UINT64_C(0x3150554444544451)
/**
 * The store's format version. 2: a slot's fields take 64 bytes and its
 * reply starts on the next cache line (1: 40 bytes, the reply right after).
 * A file of another version is formatted afresh at open, like one of
 * another geometry.
 */
#define DEDUP_VERSION 2
/** The header's room: the slots start on the next page. */
#define DEDUP_HDR_SIZE 4096

/** A slot's state. */
enum dedup_slot_state {
	DEDUP_SLOT_FREE = 0,
	DEDUP_SLOT_SERVING,   /**< Its service is running, or was when a life died. */
	DEDUP_SLOT_SERVED,    /**< Its reply is kept. */
	DEDUP_SLOT_UNSTORED,  /**< Served; its reply was longer than reply_cap. */
};

/** The store's header, at offset 0. */
struct dedup_store_hdr {
	uint64_t magic;          /**< DEDUP_MAGIC, written last when formatting. */
	uint32_t version;        /**< DEDUP_VERSION. */
	uint32_t nb_entries;     /**< Slots. */
	uint32_t reply_cap;      /**< Reply bytes a slot keeps. */
	uint32_t slot_size;      /**< 64 + reply_cap, rounded up to 64. */
	uint32_t lives;          /**< Openings so far. */
	uint32_t reserved;
	uint64_t next;           /**< Requests taken so far: the next slot is
				  *   next % nb_entries. */
	struct dedup_counters total; /**< Every life's counts. */
};

/** One slot; reply_cap bytes of reply follow. */
struct dedup_slot {
	uint64_t id;             /**< The request id. */
	uint64_t seq;            /**< hdr->next when it was taken. */
	uint32_t req_hash;       /**< CRC32-C of the payload, seeded with the service. */
	uint32_t state;          /**< enum dedup_slot_state. */
	uint32_t life;           /**< The life that last took or served it. */
	uint32_t req_len;        /**< The request's payload bytes. */
	uint32_t reply_len;      /**< The reply's payload bytes (kept). */
	uint16_t service;        /**< The request's service id. */
	uint8_t result;          /**< The reply's result. */
	uint8_t reserved[25];
	uint8_t reply[];         /**< The reply's payload, 64-byte aligned. */
};

/** A table. */
struct dedup {
	struct dedup_store_hdr *hdr;  /**< The mapping: header, then the slots. */
	size_t map_len;
	int fd;                       /**< The file, -1 when anonymous. */
	uint32_t nb_entries;          /**< N. */
	uint32_t reply_cap;           /**< Largest reply kept. */
	uint32_t slot_size;
	uint32_t life;                /**< This opening's number (1 for the first). */
	uint32_t loaded;              /**< Requests found in the file at open. */
	uint32_t dropped_slots;       /**< Inconsistent slots freed at open. */
	uint64_t hash_key;            /**< The index's hash key. */
	struct dedup_cell *index;     /**< 2N cells. */
	uint32_t index_mask;
	uint64_t deepest_replay;      /**< Most requests served between a
				       *   request and a replayed duplicate of it. */
	struct dedup_counters cnt;    /**< This life's. */
};

/**
 * A slot of an open table (to inspect the store; the table's users need
 * only dedup_begin(), dedup_done() and dedup_reply()).
 *
 * @param d
 *   The table.
 * @param i
 *   The slot, below nb_entries.
 * @return
 *   The slot in the mapping.
 */
static inline struct dedup_slot *
dedup_slot_at(const struct dedup *d, uint32_t i)
{
	return (struct dedup_slot *)((uint8_t *)d->hdr + DEDUP_HDR_SIZE +
		(size_t)i * d->slot_size);
}

/**
 * Open a table: map its store (a file, created or re-used, or anonymous
 * memory), take the file's lock, build the index. Needs no EAL.
 *
 * A file that holds a store of the same geometry and format version
 * (DEDUP_VERSION) is re-used (its requests are remembered); any other file
 * content, or a size that does not match, is formatted afresh. Slots whose fields are inconsistent (a reply longer
 * than reply_cap, an unknown state) are freed.
 *
 * @param d
 *   The table (zeroed by the call).
 * @param path
 *   The store's file (a regular file, created mode 0600), or NULL for
 *   anonymous memory.
 * @param nb_entries
 *   Slots: a power of two in [DEDUP_MIN_ENTRIES, DEDUP_MAX_ENTRIES].
 * @param reply_cap
 *   The largest reply to keep, at most 1 MiB.
 * @param err
 *   Receives the reason on failure.
 * @param errlen
 *   Its size.
 * @return
 *   0, or -1 (err says why: names the file and what is wrong with it).
 */
int dedup_open(struct dedup *d, const char *path, uint32_t nb_entries,
		uint32_t reply_cap, char *err, size_t errlen);

/**
 * Unmap the store and release the file (the file stays).
 *
 * @param d
 *   An opened or zeroed table.
 */
void dedup_close(struct dedup *d);

/**
 * Look a request up, and take a slot for it unless it is a duplicate.
 *
 * @param d
 *   The table.
 * @param id
 *   The request id.
 * @param service
 *   Its service id.
 * @param payload
 *   Its payload (read, not kept).
 * @param len
 *   Payload bytes.
 * @param slot
 *   Receives the request's slot, for dedup_done() or dedup_reply().
 * @return
 *   enum dedup_verdict.
 */
enum dedup_verdict dedup_begin(struct dedup *d, uint64_t id, uint16_t service,
		const uint8_t *payload, uint32_t len, uint32_t *slot);

/**
 * Record the reply of a request dedup_begin() said to serve.
 *
 * @param d
 *   The table.
 * @param slot
 *   From dedup_begin().
 * @param result
 *   The reply's result (enum qosdt_msg_result).
 * @param reply
 *   The reply's payload.
 * @param len
 *   Its bytes; a reply longer than reply_cap is not kept (counted in
 *   unstored), and a duplicate of its request is served again.
 */
void dedup_done(struct dedup *d, uint32_t slot, uint8_t result,
		const uint8_t *reply, uint32_t len);

/**
 * The stored reply of a request dedup_begin() found served.
 *
 * @param d
 *   The table.
 * @param slot
 *   From dedup_begin().
 * @param result
 *   Receives the reply's result.
 * @param len
 *   Receives its length (at most reply_cap).
 * @return
 *   The reply's bytes (valid until the next dedup_begin()).
 */
const uint8_t *dedup_reply(const struct dedup *d, uint32_t slot,
		uint8_t *result, uint32_t *len);

/**
 * Read the counters (any thread: relaxed loads of single-writer counts).
 *
 * @param d
 *   The table.
 * @param life
 *   Receives this life's counters (NULL: not wanted).
 * @param total
 *   Receives the store's since it was formatted: every life's, also those
 *   of processes that were killed (NULL: not wanted).
 * @return
 *   The lives the store has seen (1 for an anonymous one).
 */
uint32_t dedup_counters_read(const struct dedup *d,
		struct dedup_counters *life, struct dedup_counters *total);

#endif /* QOSDT_APP_DEDUP_H */
