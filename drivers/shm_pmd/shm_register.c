/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Registration of the net_shm vdev driver, once per process.
 *
 * One process can hold two copies of net_shm: one built into the
 * application (qosdt, qosdt-test) or given with -d, and the one `make
 * install` put in DPDK's plugin directory, which EAL loads in every
 * shared-library DPDK process, before the -d ones. The vdev bus probes a
 * device with the first driver of its name, so without a rule an installed
 * copy (perhaps older, or built without the sanitizers the test build
 * has) would take the place of the one the user chose. The rule: the copy
 * installed in the plugin directory yields to any other; between two
 * others, the first one registered stays. doc/tools.md.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* dladdr() */
#endif
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "shm_ethdev.h"
#include "shm_log.h"

#ifndef SHM_PLUGIN_DIR
#define SHM_PLUGIN_DIR ""
#endif

/* The vdev bus's driver list head, as bus_vdev declares it: needed to walk
 * the list backwards from our own entry (RTE_TAILQ_ENTRY is sys/queue's). */
TAILQ_HEAD(shm_vdev_driver_list, rte_vdev_driver);

/* The file holding addr, or "" when it cannot be told. */
static const char *
shm_object_of(const void *addr)
{
	Dl_info info;

	if (dladdr(addr, &info) == 0 || info.dli_fname == NULL)
		return "";
	return info.dli_fname;
}

/* Whether the object holding addr was loaded from DPDK's plugin dir. */
static bool
shm_in_plugin_dir(const void *addr)
{
	char obj[PATH_MAX], dir[PATH_MAX];
	char *slash;

	if (SHM_PLUGIN_DIR[0] == '\0' ||
			realpath(shm_object_of(addr), obj) == NULL ||
			realpath(SHM_PLUGIN_DIR, dir) == NULL)
		return false;
	slash = strrchr(obj, '/');
	if (slash == NULL)
		return false;
	*slash = '\0';
	return strcmp(obj, dir) == 0;
}

void
shm_driver_register(struct rte_vdev_driver *drv)
{
	struct rte_vdev_driver *d, *keep, *drop;

	rte_vdev_register(drv);
	for (d = TAILQ_PREV(drv, shm_vdev_driver_list, next); d != NULL;
			d = TAILQ_PREV(d, shm_vdev_driver_list, next)) {
		if (d->driver.name == NULL ||
				strcmp(d->driver.name, drv->driver.name) != 0)
			continue;
		/* d came first; each registration leaves one copy, so d is
		 * the only other one. */
		if (shm_in_plugin_dir(d) && !shm_in_plugin_dir(drv)) {
			keep = drv;
			drop = d;
		} else {
			keep = d;
			drop = drv;
		}
		rte_vdev_unregister(drop);
		SHM_LOG(INFO, "two copies of the driver: using %s, not %s",
			shm_object_of(keep), shm_object_of(drop));
		return;
	}
}
