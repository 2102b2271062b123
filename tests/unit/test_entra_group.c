/*
 * The enable_entra_group cache (change/entra_group.c): an answer is used
 * for the same groups within the TTL only, never from a loose or
 * malformed file, and a GUID check for the configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "files.h"
#include "owner.h"
#include "sspr/change/entra_group.h"
#include "sspr/common/config.h"
#include "sspr/common/encode.h"

#define G1 "11111111-1111-4111-8111-111111111111"
#define G2 "22222222-2222-4222-8222-222222222222"

static char dir[] = "/tmp/sspr-entra-test.XXXXXX";

static void
write_raw(const char *text, mode_t mode)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/g-alice", dir);
	test_write_file(p, text, strlen(text), mode);
}

static void
test_round_trip(void)
{
	const time_t now = 1800000000;
	bool member = false;

	CHECK(sspr_entra_cache_read(dir, "alice", G1, now, &member) == -ENOENT);
	CHECK(sspr_entra_cache_write(dir, "alice", G1 " " G2, now, true) == 0);
	CHECK(sspr_entra_cache_read(dir, "alice", G1 " " G2, now + 10,
				    &member) == 0);
	CHECK(member);
	/* other groups, too old, from the future: ask again */
	CHECK(sspr_entra_cache_read(dir, "alice", G1, now + 10, &member) ==
	      -ENOENT);
	CHECK(sspr_entra_cache_read(dir, "alice", G1 " " G2,
				    now + SSPR_ENTRA_CACHE_TTL,
				    &member) == -ENOENT);
	CHECK(sspr_entra_cache_read(dir, "alice", G1 " " G2, now - 1,
				    &member) == -ENOENT);
	/* a "no" is kept as well */
	CHECK(sspr_entra_cache_write(dir, "alice", G1, now, false) == 0);
	member = true;
	CHECK(sspr_entra_cache_read(dir, "alice", G1, now + 1, &member) == 0);
	CHECK(!member);
	/* names that are no record name are refused */
	CHECK(sspr_entra_cache_write(dir, "../etc", G1, now, true) == -EINVAL);
	CHECK(sspr_entra_cache_read(dir, "../etc", G1, now, &member) ==
	      -EINVAL);
}

static void
test_untrusted(void)
{
	char p[PATH_MAX];
	bool member = false;

	/* a loose file is never trusted, even with a "yes" in it */
	write_raw("1 1800000000 1 " G1 "\n", 0644);
	CHECK(sspr_entra_cache_read(dir, "alice", G1, 1800000001, &member) ==
	      -EPERM);
	CHECK(!member);
	/* nor one of another owner */
	write_raw("1 1800000000 1 " G1 "\n", 0600);
	snprintf(p, sizeof(p), "%s/g-alice", dir);
	test_foreign_begin(p);
	CHECK(sspr_entra_cache_read(dir, "alice", G1, 1800000001, &member) ==
	      -EPERM);
	test_foreign_end(p);
	CHECK(sspr_entra_cache_read(dir, "alice", G1, 1800000001, &member) ==
	      0);
	member = false;
	write_raw("2 1800000000 1 " G1 "\n", 0600);
	CHECK(sspr_entra_cache_read(dir, "alice", G1, 1800000001, &member) ==
	      -ENOENT);
	write_raw("1 1800000000 yes " G1 "\n", 0600);
	CHECK(sspr_entra_cache_read(dir, "alice", G1, 1800000001, &member) ==
	      -ENOENT);
	write_raw("1 1800000000 1 " G1, 0600); /* cut short */
	CHECK(sspr_entra_cache_read(dir, "alice", G1, 1800000001, &member) ==
	      -ENOENT);
	write_raw("1 99999999999999999999999 1 " G1 "\n", 0600);
	CHECK(sspr_entra_cache_read(dir, "alice", G1, 1800000001, &member) ==
	      -ENOENT);
	CHECK(!member);
}

static void
test_unset_is_member(void)
{
	struct sspr_cfg cfg = { .state_dir = dir };
	char log[SSPR_ERR_MAX];
	bool cached = true;

	/* Without enable_entra_group nobody asks Microsoft 365. */
	CHECK(sspr_entra_member(&cfg, "alice", &cached, log, sizeof(log)) == 1);
	CHECK(!cached);
}

static void
test_guid_ok(void)
{
	CHECK(sspr_guid_ok(G1, strlen(G1)));
	CHECK(sspr_guid_ok("3F2504E0-4F89-11D3-9A0C-0305E82C3301", 36));
	CHECK(!sspr_guid_ok("3f2504e0-4f89-11d3-9a0c-0305e82c330", 35));
	CHECK(!sspr_guid_ok("3f2504e0-4f89-11d3-9a0c-0305e82c33011", 37));
	CHECK(!sspr_guid_ok("3f2504e0+4f89-11d3-9a0c-0305e82c3301", 36));
	CHECK(!sspr_guid_ok("3f2504g0-4f89-11d3-9a0c-0305e82c3301", 36));
}

static void
test_config(void)
{
	struct sspr_cfg cfg;
	char err[SSPR_ERR_MAX] = "";
	const char *bad = "enable = all\nenable_entra_group = " G1 " sales\n"
			  "tenant = t\nclient_id = c\n"
			  "client_secret_file = /etc/s\n";
	const char *good = "enable = all\nenable_entra_group = " G1 " " G2
			   "\ntenant = t\nclient_id = c\n"
			   "client_secret_file = /etc/s\n";
	const char *no_tenant = "enable = all\nenable_entra_group = " G1 "\n";

	CHECK(sspr_cfg_defaults(&cfg) == 0);
	CHECK(cfg.reconfirm_days == 180);
	CHECK(sspr_cfg_parse_buffer(&cfg, "t", good, strlen(good), err,
				    sizeof(err)) == 0);
	CHECK(sspr_cfg_finish(&cfg, err, sizeof(err)) == 0);
	CHECK_STR(cfg.enable_entra_group, G1 " " G2);
	sspr_cfg_done(&cfg);
	CHECK(sspr_cfg_defaults(&cfg) == 0);
	CHECK(sspr_cfg_parse_buffer(&cfg, "t", bad, strlen(bad), err,
				    sizeof(err)) == 0);
	CHECK(sspr_cfg_finish(&cfg, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "enable_entra_group") != NULL);
	sspr_cfg_done(&cfg);
	CHECK(sspr_cfg_defaults(&cfg) == 0);
	CHECK(sspr_cfg_parse_buffer(&cfg, "t", no_tenant, strlen(no_tenant),
				    err, sizeof(err)) == 0);
	CHECK(sspr_cfg_finish(&cfg, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "needs tenant") != NULL);
	sspr_cfg_done(&cfg);
	CHECK(sspr_cfg_defaults(&cfg) == 0);
	CHECK(sspr_cfg_parse_buffer(&cfg, "t", "reconfirm_days = 731\n", 21,
				    err, sizeof(err)) < 0);
	sspr_cfg_done(&cfg);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	chmod(dir, 0700);
	RUN(test_round_trip);
	RUN(test_untrusted);
	RUN(test_unset_is_member);
	RUN(test_guid_ok);
	RUN(test_config);
	{
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/g-alice", dir);
		unlink(p);
		rmdir(dir);
	}
	CHECK_EXIT();
}
