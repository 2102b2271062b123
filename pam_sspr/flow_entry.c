/* The one symbol sspr-flow.so exports: the table pam_sspr.so looks up. */
#include "sspr/enroll.h"
#include "sspr/flow.h"
#include "sspr/flow_api.h"

__attribute__((visibility("default"))) const struct sspr_flow_api
	sspr_flow_api = {
		.abi = SSPR_FLOW_ABI,
		.cfg_size = sizeof(struct sspr_cfg),
		.reset = sspr_flow_reset,
		.enroll_at_login = sspr_enroll_at_login,
		.chauthtok = sspr_passwd_chauthtok,
	};
