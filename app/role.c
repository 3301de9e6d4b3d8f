/* SPDX-License-Identifier: BSD-3-Clause */
/* The roles' table (role.h). */

#include <stddef.h>

#include "role.h"

static const struct role_ops *const roles[] = {
	[ROLE_SERVER] = &role_server_ops,
	[ROLE_CLIENT] = &role_client_ops,
};

const struct role_ops *
role_ops_find(enum app_role role)
{
	return (unsigned int)role < sizeof(roles) / sizeof(roles[0]) ?
		roles[role] : NULL;
}
