/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * PCI devices as sysfs shows them: the BAR file of pci=<address>, and the
 * BAR holding a /dev/mem offset (doc/vm.md).
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "shm_pci.h"

#define SYSFS_PCI_DEVICES	"/sys/bus/pci/devices"
/* IORESOURCE_MEM in the flags column of a device's resource file. */
#define PCI_RESOURCE_MEM	UINT64_C(0x200)

int
shm_pci_addr_parse(const char *s, char out[SHM_PCI_ADDR_LEN])
{
	unsigned int dom = 0, bus, dev, fn;
	int n = 0;
	const char *p;

	for (p = s; *p != '\0'; p++)
		if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
			return -EINVAL;
	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &n) == 4 &&
			s[n] == '\0' && n == 12)
		;
	else if (dom = 0, n = 0, sscanf(s, "%2x:%2x.%1x%n", &bus, &dev, &fn,
			&n) == 3 && s[n] == '\0' && n == 7)
		;
	else
		return -EINVAL;
	if (dev > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(out, SHM_PCI_ADDR_LEN, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

/* Read a device's resource file: line bar holds "start end flags". */
static int
read_resource(const char *addr, unsigned int bar, uint64_t *start,
		uint64_t *end, uint64_t *flags)
{
	char path[128], line[128];
	unsigned int i = 0;
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/resource", addr);
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (i++ != bar)
			continue;
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, start, end,
				flags) == 3)
			ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

int
shm_pci_bar_path(const char *addr, bool wc, char *path, size_t len,
		char *err, size_t errlen)
{
	uint64_t start, end, flags;
	char dir[96], file[128];
	struct stat st;
	FILE *f;
	int enabled = -1;

	snprintf(dir, sizeof(dir), SYSFS_PCI_DEVICES "/%s", addr);
	if (stat(dir, &st) != 0) {
		snprintf(err, errlen, "no such PCI device (%s does not exist; "
			"lspci -D lists the devices)", dir);
		return -ENODEV;
	}
	if (read_resource(addr, SHM_PCI_BAR, &start, &end, &flags) != 0 ||
			end <= start || (flags & PCI_RESOURCE_MEM) == 0) {
		snprintf(err, errlen, "the device has no memory BAR%u "
			"(an ivshmem device's shared memory is its BAR%u)",
			SHM_PCI_BAR, SHM_PCI_BAR);
		return -ENODEV;
	}
	snprintf(file, sizeof(file), "%s/enable", dir);
	f = fopen(file, "re");
	if (f != NULL) {
		if (fscanf(f, "%d", &enabled) != 1)
			enabled = -1;
		fclose(f);
	}
	if (enabled == 0) {
		snprintf(err, errlen, "the device is not enabled, so its BAR%u "
			"does not decode (as root: echo 1 > %s)", SHM_PCI_BAR,
			file);
		return -ENODEV;
	}
	if ((size_t)snprintf(path, len, "%s/resource%u%s", dir, SHM_PCI_BAR,
			wc ? "_wc" : "") >= len) {
		snprintf(err, errlen, "path too long");
		return -ENAMETOOLONG;
	}
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s does not exist%s", path, wc ?
			" (the kernel offers resource_wc files only for "
			"prefetchable BARs)" : "");
		return -ENODEV;
	}
	return 0;
}

bool
shm_pci_bar_of_phys(uint64_t phys, struct shm_pci_bar *bar)
{
	struct dirent *e;
	bool found = false;
	DIR *d;

	d = opendir(SYSFS_PCI_DEVICES);
	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		unsigned int i;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= SHM_PCI_ADDR_LEN)
			continue;
		for (i = 0; i < 6; i++) {
			uint64_t start, end, flags;

			if (read_resource(e->d_name, i, &start, &end, &flags) != 0)
				break;
			if ((flags & PCI_RESOURCE_MEM) == 0 || end <= start ||
					phys < start || phys > end)
				continue;
			snprintf(bar->addr, sizeof(bar->addr), "%s", e->d_name);
			bar->bar = i;
			bar->start = start;
			bar->size = end - start + 1;
			found = true;
			break;
		}
	}
	closedir(d);
	return found;
}

bool
shm_pci_path_is_wc(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base != NULL ? base + 1 : path;
	if (strncmp(base, "resource", 8) != 0)
		return false;
	base += 8;
	n = strspn(base, "0123456789");
	return n > 0 && strcmp(base + n, "_wc") == 0;
}
