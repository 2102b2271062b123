/*
 * Mail through Microsoft Graph (mail_transport = graph), for mail.c's
 * dispatch and the Graph test tool.
 */
#ifndef SSPR_SEND_GRAPH_H
#define SSPR_SEND_GRAPH_H

#include <stddef.h>

#include "sspr/common/config.h"

/*
 * mail_transport = graph: POST /v1.0/users/{mail_from}/sendMail with a
 * Text body, saveToSentItems false; 202 is success. Retried only on
 * 429/503/504; never after a timeout or a dropped connection (the mail
 * may have gone out). The JSON body (it may hold a code) is wiped.
 * Returns 0 or a negative errno (-EINVAL for a bad recipient or no
 * mail_from, -EACCES 403, -ENOENT 404, -EIO other statuses, or the
 * errors of sspr_graph_token()); err gets one line for the admin's log
 * (never a secret).
 */
int sspr_mail_graph_send(const struct sspr_cfg *cfg, const char *to,
			 const char *subject, const char *body, char *err,
			 size_t errlen);

#endif
