/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The devargs of a net_shm port.
 */

#ifndef SHM_DEVARGS_H
#define SHM_DEVARGS_H

#include <stdbool.h>
#include <limits.h>

#include <rte_ether.h>

#include "shm_pci.h"
#include "shm_region.h"

#define SHM_DEVARG_PATH		"path"
#define SHM_DEVARG_ROLE		"role"
#define SHM_DEVARG_OFFSET	"offset"
#define SHM_DEVARG_SIZE		"size"
#define SHM_DEVARG_QUEUES	"queues"
#define SHM_DEVARG_RING_SIZE	"ring_size"
#define SHM_DEVARG_BUF_SIZE	"buf_size"
#define SHM_DEVARG_MAC		"mac"
#define SHM_DEVARG_PCI		"pci"
#define SHM_DEVARG_WC		"wc"

/**
 * Parsed devargs; the geometry fields are 0 where a client left them out.
 * With pci=, path is left empty: the BAR's file is found at probe
 * (shm_pci_bar_path()).
 */
struct shm_devargs {
	char path[PATH_MAX];
	char pci[SHM_PCI_ADDR_LEN];	/**< pci=: the device, or "" */
	bool wc;			/**< wc=1: map the BAR write-combining */
	enum shm_role role;
	uint64_t offset;
	uint64_t size;
	struct shm_geometry geo;
	struct rte_ether_addr mac;
	bool has_mac;
};

/**
 * Parse a net_shm devargs string.
 *
 * @param name
 *   Device name, for log messages.
 * @param args
 *   The devargs string (may be NULL or empty: path is then missing).
 * @param da
 *   Filled in with the values, or their defaults.
 * @return
 *   0 on success; -EINVAL after logging the key and value that are wrong,
 *   missing or unknown.
 */
int shm_devargs_parse(const char *name, const char *args,
		struct shm_devargs *da);

#endif /* SHM_DEVARGS_H */
