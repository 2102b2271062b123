/*
 * Loading sspr-flow.so, the part of pam_sspr that needs libcurl, OpenSSL,
 * cJSON and libqrencode, only when a user takes the reset or enrollment
 * branch.
 */
#ifndef SSPR_LOADER_H
#define SSPR_LOADER_H

#include <stddef.h>

#include "sspr/flow_api.h"

/*
 * Find sspr-flow.so beside the module that contains this code
 * (<dir of pam_sspr.so>/pam_sspr/sspr-flow.so), check that root owns it
 * and nobody else can write it, load it and return its table.
 * Returns 0 or a negative errno value with a reason in err.
 */
int sspr_flow_load(const struct sspr_flow_api **ret_api, char *err,
		   size_t errlen);

#endif
