/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * net_shm on a PCI device's memory (an ivshmem BAR in a VM): the devarg
 * pci=<address> named as the BAR's sysfs file, and the BAR a /dev/mem
 * offset falls in. Nothing here maps memory: sysfs is only read.
 */

#ifndef SHM_PCI_H
#define SHM_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The BAR whose memory holds the region (ivshmem: BAR2, the shared memory). */
#define SHM_PCI_BAR		2

/** Room for a PCI address "DDDD:BB:DD.F" and its NUL. */
#define SHM_PCI_ADDR_LEN	13

/** Where a BAR is, as sysfs tells it. */
struct shm_pci_bar {
	char addr[SHM_PCI_ADDR_LEN];	/**< the device, DDDD:BB:DD.F */
	unsigned int bar;		/**< BAR number */
	uint64_t start;			/**< physical address */
	uint64_t size;			/**< bytes */
};

/**
 * Parse a PCI address, DDDD:BB:DD.F or BB:DD.F (domain 0), hexadecimal.
 *
 * @param s
 *   The devarg's value.
 * @param out
 *   Receives the address in its full form, DDDD:BB:DD.F.
 * @return
 *   0, or -EINVAL if s is not a PCI address.
 */
int shm_pci_addr_parse(const char *s, char out[SHM_PCI_ADDR_LEN]);

/**
 * The sysfs file that maps BAR SHM_PCI_BAR of a device: resource2, or
 * resource2_wc (write-combining) when wc. Checks that the device exists,
 * has that BAR as memory, and is enabled (its BAR decodes).
 *
 * @param addr
 *   A parsed address, DDDD:BB:DD.F.
 * @param wc
 *   Map write-combining (resource2_wc).
 * @param path
 *   Receives the file's path.
 * @param len
 *   Size of path.
 * @param err
 *   Receives what is wrong, with the fix when there is one.
 * @param errlen
 *   Size of err.
 * @return
 *   0, or a negative errno with err filled in.
 */
int shm_pci_bar_path(const char *addr, bool wc, char *path, size_t len,
		char *err, size_t errlen);

/**
 * The memory BAR of any PCI device that holds a physical address (what
 * /dev/mem maps at that offset).
 *
 * @param phys
 *   The physical address.
 * @param bar
 *   Filled in when found.
 * @return
 *   true if a BAR holds phys.
 */
bool shm_pci_bar_of_phys(uint64_t phys, struct shm_pci_bar *bar);

/**
 * Is path a PCI resource file mapped write-combining (sysfs resourceN_wc)?
 * Stores into such a mapping are weakly ordered.
 *
 * @param path
 *   The region's path.
 * @return
 *   true for a write-combining resource file.
 */
bool shm_pci_path_is_wc(const char *path);

#endif /* SHM_PCI_H */
