/*
 * Inside the Graph client (m365/): the session's access token, for
 * graph.c (sspr_graph_token() and sspr_graph_drop_cache() are declared
 * with the client's interface in include/sspr/m365/graph.h).
 */
#ifndef SSPR_TOKEN_H
#define SSPR_TOKEN_H

#include "sspr/m365/graph.h"

/*
 * g->token from the cache, else fetched under the cache lock with the
 * cache read again once the lock is held. Errors as sspr_graph_token().
 */
int sspr_graph_token_get(struct sspr_graph *g, struct sspr_graph_result *res);

/* A fresh token from the token endpoint, cached; the old one is wiped. */
int sspr_graph_token_fetch(struct sspr_graph *g, struct sspr_graph_result *res);

/* Wipe g's token and delete its cache (the service refused it). */
void sspr_graph_token_drop(struct sspr_graph *g);

#endif
