/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Parsing the devargs of a net_shm port with rte_kvargs. Every refusal names
 * the key and the value.
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_kvargs.h>

#include "shm_devargs.h"
#include "shm_log.h"

static const char * const shm_valid_keys[] = {
	SHM_DEVARG_PATH,
	SHM_DEVARG_ROLE,
	SHM_DEVARG_OFFSET,
	SHM_DEVARG_SIZE,
	SHM_DEVARG_QUEUES,
	SHM_DEVARG_RING_SIZE,
	SHM_DEVARG_BUF_SIZE,
	SHM_DEVARG_MAC,
	SHM_DEVARG_PCI,
	SHM_DEVARG_WC,
	NULL,
};

/* The context handed to each kvargs handler. */
struct devarg_ctx {
	const char *name;	/* device name */
	void *out;
};

/*
 * Parse an unsigned decimal (or 0x hexadecimal) number with an optional K, M
 * or G (binary) suffix.
 */
static int
parse_u64(const char *value, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	/* strtoull would skip blanks and accept a sign: refuse both */
	if (value == NULL || !isdigit((unsigned char)*value))
		return -EINVAL;
	errno = 0;
	v = strtoull(value, &end, (value[0] == '0' &&
		(value[1] == 'x' || value[1] == 'X')) ? 16 : 10);
	if (errno != 0 || end == value)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		end++;
		break;
	case 'm': case 'M':
		shift = 20;
		end++;
		break;
	case 'g': case 'G':
		shift = 30;
		end++;
		break;
	default:
		break;
	}
	if (*end != '\0' || (shift != 0 && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int
bad_value(const char *name, const char *key, const char *value,
		const char *rule)
{
	SHM_LOG(ERR, "%s: devarg %s=%s: %s", name, key,
		value != NULL ? value : "", rule);
	return -EINVAL;
}

static int
handle_path(const char *key, const char *value, void *opaque)
{
	struct devarg_ctx *ctx = opaque;
	struct shm_devargs *da = ctx->out;

	if (value == NULL || *value == '\0')
		return bad_value(ctx->name, key, value, "must not be empty");
	if (strlen(value) >= sizeof(da->path))
		return bad_value(ctx->name, key, value, "path too long");
	strcpy(da->path, value);
	return 0;
}

static int
handle_pci(const char *key, const char *value, void *opaque)
{
	struct devarg_ctx *ctx = opaque;
	struct shm_devargs *da = ctx->out;

	if (value == NULL || shm_pci_addr_parse(value, da->pci) != 0)
		return bad_value(ctx->name, key, value,
			"must be a PCI address like 0000:00:02.0");
	return 0;
}

static int
handle_wc(const char *key, const char *value, void *opaque)
{
	struct devarg_ctx *ctx = opaque;
	struct shm_devargs *da = ctx->out;

	if (value != NULL && strcmp(value, "1") == 0)
		da->wc = true;
	else if (value != NULL && strcmp(value, "0") == 0)
		da->wc = false;
	else
		return bad_value(ctx->name, key, value, "must be 0 or 1");
	return 0;
}

static int
handle_role(const char *key, const char *value, void *opaque)
{
	struct devarg_ctx *ctx = opaque;
	struct shm_devargs *da = ctx->out;

	if (value != NULL && strcmp(value, "server") == 0)
		da->role = SHM_ROLE_SERVER;
	else if (value != NULL && strcmp(value, "client") == 0)
		da->role = SHM_ROLE_CLIENT;
	else
		return bad_value(ctx->name, key, value,
			"must be server or client");
	return 0;
}

static int
handle_u64(const char *key, const char *value, void *opaque)
{
	struct devarg_ctx *ctx = opaque;

	if (parse_u64(value, ctx->out) != 0)
		return bad_value(ctx->name, key, value,
			"must be an unsigned number, optionally with K, M or G");
	return 0;
}

static int
handle_u32(const char *key, const char *value, void *opaque)
{
	struct devarg_ctx *ctx = opaque;
	uint64_t v;

	if (parse_u64(value, &v) != 0 || v > UINT32_MAX)
		return bad_value(ctx->name, key, value,
			"must be an unsigned 32-bit number");
	*(uint32_t *)ctx->out = (uint32_t)v;
	return 0;
}

static int
handle_mac(const char *key, const char *value, void *opaque)
{
	struct devarg_ctx *ctx = opaque;
	struct shm_devargs *da = ctx->out;

	if (value == NULL || rte_ether_unformat_addr(value, &da->mac) != 0)
		return bad_value(ctx->name, key, value,
			"must be a MAC address like 02:00:00:00:00:01");
	if (!rte_is_unicast_ether_addr(&da->mac))
		return bad_value(ctx->name, key, value,
			"must be a unicast address");
	da->has_mac = true;
	return 0;
}

/* Refuse keys we do not know and keys given twice, naming them. */
static int
check_keys(const char *name, const struct rte_kvargs *kv)
{
	unsigned int i, j;

	for (i = 0; i < kv->count; i++) {
		const char *key = kv->pairs[i].key;

		for (j = 0; shm_valid_keys[j] != NULL; j++)
			if (strcmp(key, shm_valid_keys[j]) == 0)
				break;
		if (shm_valid_keys[j] == NULL) {
			SHM_LOG(ERR, "%s: unknown devarg %s=%s (valid: path, "
				"role, offset, size, queues, ring_size, "
				"buf_size, mac, pci, wc)", name, key,
				kv->pairs[i].value != NULL ?
				kv->pairs[i].value : "");
			return -EINVAL;
		}
		if (rte_kvargs_count(kv, key) > 1) {
			SHM_LOG(ERR, "%s: devarg %s given more than once", name,
				key);
			return -EINVAL;
		}
	}
	return 0;
}

static bool
given(const struct rte_kvargs *kv, const char *key)
{
	return kv != NULL && rte_kvargs_count(kv, key) != 0;
}

static int
process(struct rte_kvargs *kv, const char *name, const char *key,
		arg_handler_t handler, void *out)
{
	struct devarg_ctx ctx = { .name = name, .out = out };

	return rte_kvargs_process(kv, key, handler, &ctx) == 0 ? 0 : -EINVAL;
}

int
shm_devargs_parse(const char *name, const char *args, struct shm_devargs *da)
{
	struct rte_kvargs *kv = NULL;
	int ret = -EINVAL;

	memset(da, 0, sizeof(*da));
	da->role = SHM_ROLE_SERVER;
	if (args != NULL && *args != '\0') {
		kv = rte_kvargs_parse(args, NULL);
		if (kv == NULL) {
			SHM_LOG(ERR, "%s: cannot parse devargs \"%s\" (expected "
				"key=value,key=value)", name, args);
			return -EINVAL;
		}
		if (check_keys(name, kv) != 0 ||
		    process(kv, name, SHM_DEVARG_PATH, handle_path, da) != 0 ||
		    process(kv, name, SHM_DEVARG_ROLE, handle_role, da) != 0 ||
		    process(kv, name, SHM_DEVARG_OFFSET, handle_u64,
			    &da->offset) != 0 ||
		    process(kv, name, SHM_DEVARG_SIZE, handle_u64,
			    &da->size) != 0 ||
		    process(kv, name, SHM_DEVARG_QUEUES, handle_u32,
			    &da->geo.nb_queues) != 0 ||
		    process(kv, name, SHM_DEVARG_RING_SIZE, handle_u32,
			    &da->geo.ring_size) != 0 ||
		    process(kv, name, SHM_DEVARG_BUF_SIZE, handle_u32,
			    &da->geo.buf_size) != 0 ||
		    process(kv, name, SHM_DEVARG_MAC, handle_mac, da) != 0 ||
		    process(kv, name, SHM_DEVARG_PCI, handle_pci, da) != 0 ||
		    process(kv, name, SHM_DEVARG_WC, handle_wc, da) != 0)
			goto out;
	}
	if (da->path[0] != '\0' && da->pci[0] != '\0') {
		SHM_LOG(ERR, "%s: devargs path=%s and pci=%s: give one of them",
			name, da->path, da->pci);
		goto out;
	}
	if (da->path[0] == '\0' && da->pci[0] == '\0') {
		SHM_LOG(ERR, "%s: devarg path is missing (e.g. "
			"path=/dev/shm/qosdt, or pci=0000:00:02.0 for a "
			"device's BAR%u)", name, SHM_PCI_BAR);
		goto out;
	}
	if (given(kv, SHM_DEVARG_WC) && da->pci[0] == '\0') {
		SHM_LOG(ERR, "%s: devarg wc=%s: only with pci= (with path=, "
			"name the write-combining file, resourceN_wc)", name,
			da->wc ? "1" : "0");
		goto out;
	}
	if (da->role == SHM_ROLE_SERVER) {
		char err[128];

		if (!given(kv, SHM_DEVARG_QUEUES))
			da->geo.nb_queues = SHM_DEFAULT_QUEUES;
		if (!given(kv, SHM_DEVARG_RING_SIZE))
			da->geo.ring_size = SHM_DEFAULT_RING_SIZE;
		if (!given(kv, SHM_DEVARG_BUF_SIZE))
			da->geo.buf_size = SHM_DEFAULT_BUF_SIZE;
		if (shm_geometry_check(&da->geo, err, sizeof(err)) != 0) {
			SHM_LOG(ERR, "%s: devarg %s", name, err);
			goto out;
		}
	} else {
		/* A client takes the geometry from the region; a value it
		 * gives must be valid and is then required to match.
		 */
		struct shm_geometry g = {
			.nb_queues = given(kv, SHM_DEVARG_QUEUES) ?
				da->geo.nb_queues : 1,
			.ring_size = given(kv, SHM_DEVARG_RING_SIZE) ?
				da->geo.ring_size : SHM_MIN_RING_SIZE,
			.buf_size = given(kv, SHM_DEVARG_BUF_SIZE) ?
				da->geo.buf_size : SHM_MIN_BUF_SIZE,
		};
		char err[128];

		if (shm_geometry_check(&g, err, sizeof(err)) != 0) {
			SHM_LOG(ERR, "%s: devarg %s", name, err);
			goto out;
		}
	}
	ret = 0;
out:
	rte_kvargs_free(kv);
	return ret;
}
