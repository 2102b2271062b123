/* The PAM conversation as a struct sspr_ui. */
#ifndef SSPR_CONV_H
#define SSPR_CONV_H

#include <security/pam_modules.h>

#include "sspr/common/ui.h"

/* Fill ui so that it talks through pamh's conversation function. */
void sspr_conv_ui(pam_handle_t *pamh, struct sspr_ui *ui);

#endif
