/* Who may use self-service reset: enable = all | group | none. */
#ifndef SSPR_GATE_H
#define SSPR_GATE_H

#include <stdbool.h>

#include "sspr/config.h"

/*
 * True when user exists and the configuration lets them reset: enable =
 * all, or enable = group and they belong to enable_group (as primary or
 * supplementary group).
 */
bool sspr_gate_allowed(const struct sspr_cfg *cfg, const char *user);

#endif
