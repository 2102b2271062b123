/* User name -> UPN: format, map file, validity rules, path escaping. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "files.h"
#include "owner.h"
#include "sspr/common/config.h"
#include "sspr/common/util.h"
#include "sspr/m365/upn.h"

static char dir[] = "/tmp/sspr-upn-test.XXXXXX";

static void
test_valid(void)
{
	static const char *good[] = {
		"alice@contoso.com",
		"a@b",
		"o'neil@contoso.com",
		"first.last@contoso.onmicrosoft.com",
		"x_y-z!#^~@sub.contoso.com",
		"john_fabrikam.com#EXT#@contoso.onmicrosoft.com",
		"ALICE@CONTOSO.COM",
	};
	static const char *bad[] = {
		"",
		"alice",
		"@contoso.com",
		"alice@",
		"alice@@contoso.com",
		"a@b@c",
		"al ice@contoso.com",
		"alice@contoso.com ",
		"al%ice@contoso.com",
		"al/ice@contoso.com",
		"al?ice@contoso.com",
		"al\"ice@contoso.com",
		"al&ice@contoso.com",
		"al+ice@contoso.com",
		"al$ice@contoso.com",
		"alice@con'toso.com",
		"alice@con#toso.com",
		"alice@contoso_com",
		".alice@contoso.com",
		"alice.@contoso.com",
		"al..ice@contoso.com",
		"alice@.contoso.com",
		"alice@contoso.com.",
		"alice@contoso..com",
		"al\nice@contoso.com",
		"\xc3\xa9lise@contoso.com",
	};
	char local[80];
	char name[200];
	size_t i;

	for (i = 0; i < SSPR_ARRAY_SIZE(good); i++) {
		if (sspr_upn_valid(good[i]) != 0)
			fprintf(stderr, "  refused good '%s'\n", good[i]);
		CHECK(sspr_upn_valid(good[i]) == 0);
	}
	for (i = 0; i < SSPR_ARRAY_SIZE(bad); i++) {
		if (sspr_upn_valid(bad[i]) != -EINVAL)
			fprintf(stderr, "  accepted bad '%s'\n", bad[i]);
		CHECK(sspr_upn_valid(bad[i]) == -EINVAL);
	}
	CHECK(sspr_upn_valid(NULL) == -EINVAL);

	/* 64 before the '@' is fine, 65 is not */
	memset(local, 'a', 64);
	local[64] = '\0';
	snprintf(name, sizeof(name), "%s@contoso.com", local);
	CHECK(sspr_upn_valid(name) == 0);
	snprintf(name, sizeof(name), "%sa@contoso.com", local);
	CHECK(sspr_upn_valid(name) == -EINVAL);

	/* 48 after the '@' is fine, 49 is not */
	snprintf(name, sizeof(name), "a@%.44s.com",
		 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	CHECK(strlen(strchr(name, '@') + 1) == 48);
	CHECK(sspr_upn_valid(name) == 0);
	snprintf(name, sizeof(name), "a@%.45s.com",
		 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	CHECK(sspr_upn_valid(name) == -EINVAL);

	/* 64 + 1 + 48 = 113 in all: the longest valid name */
	snprintf(name, sizeof(name), "%s@%.44s.com", local,
		 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	CHECK(strlen(name) == SSPR_UPN_MAX);
	CHECK(sspr_upn_valid(name) == 0);
}

static void
cfg_with(struct sspr_cfg *cfg, const char *text)
{
	char err[SSPR_ERR_MAX] = "";

	CHECK(sspr_cfg_defaults(cfg) == 0);
	CHECK(sspr_cfg_parse_buffer(cfg, "test.conf", text, strlen(text), err,
				    sizeof(err)) == 0);
	if (err[0] != '\0')
		fprintf(stderr, "  config: %s\n", err);
}

static void
test_format(void)
{
	struct sspr_cfg cfg;
	char err[SSPR_ERR_MAX];
	char *upn = NULL;

	cfg_with(&cfg, "upn_format = %u@contoso.onmicrosoft.com\n");
	CHECK(sspr_upn_for_user(&cfg, "alice", &upn, err, sizeof(err)) == 0);
	CHECK_STR(upn, "alice@contoso.onmicrosoft.com");
	free(upn);
	upn = NULL;
	CHECK(sspr_upn_for_user(&cfg, "first.last", &upn, err,
				sizeof(err)) == 0);
	CHECK_STR(upn, "first.last@contoso.onmicrosoft.com");
	free(upn);
	upn = NULL;

	/* names that cannot make a UPN are refused, with a reason */
	CHECK(sspr_upn_for_user(&cfg, "bad name", &upn, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(upn == NULL);
	CHECK(sspr_upn_for_user(&cfg, "a@b", &upn, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(sspr_upn_for_user(&cfg, "", &upn, err, sizeof(err)) == -EINVAL);
	CHECK(sspr_upn_for_user(&cfg, "al..ice", &upn, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(strstr(err, "al..ice@contoso.onmicrosoft.com") != NULL);
	CHECK(sspr_upn_for_user(&cfg, "machine$", &upn, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(sspr_upn_for_user(&cfg, NULL, &upn, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(upn == NULL);
	sspr_cfg_done(&cfg);

	/* the default "%u" alone is no UPN */
	cfg_with(&cfg, "");
	CHECK(sspr_upn_for_user(&cfg, "alice", &upn, err, sizeof(err)) ==
	      -EINVAL);
	sspr_cfg_done(&cfg);

	/* a format may put the name anywhere */
	cfg_with(&cfg, "upn_format = ext_%u@contoso.com\n");
	CHECK(sspr_upn_for_user(&cfg, "bob", &upn, err, sizeof(err)) == 0);
	CHECK_STR(upn, "ext_bob@contoso.com");
	free(upn);
	sspr_cfg_done(&cfg);
}

static void
test_map_buffer(void)
{
	const char map[] = "# exceptions\n"
			   "  \n"
			   "alice = alice.smith@contoso.com\n"
			   "\tBob.Jones-2 =bob@fabrikam.com \r\n"
			   "guest = john_x.com#EXT#@contoso.onmicrosoft.com\n"
			   "svc$ = svc@contoso.com";
	char err[SSPR_ERR_MAX] = "";
	char *upn = NULL;

	CHECK(sspr_upn_map_lookup("m", map, sizeof(map) - 1, "alice", &upn,
				  err, sizeof(err)) == 0);
	CHECK_STR(upn, "alice.smith@contoso.com");
	free(upn);
	upn = NULL;
	CHECK(sspr_upn_map_lookup("m", map, sizeof(map) - 1, "Bob.Jones-2",
				  &upn, err, sizeof(err)) == 0);
	CHECK_STR(upn, "bob@fabrikam.com");
	free(upn);
	upn = NULL;
	/* '#' inside a UPN is not a comment */
	CHECK(sspr_upn_map_lookup("m", map, sizeof(map) - 1, "guest", &upn,
				  err, sizeof(err)) == 0);
	CHECK_STR(upn, "john_x.com#EXT#@contoso.onmicrosoft.com");
	free(upn);
	upn = NULL;
	CHECK(sspr_upn_map_lookup("m", map, sizeof(map) - 1, "svc$", &upn,
				  err, sizeof(err)) == 0);
	CHECK_STR(upn, "svc@contoso.com");
	free(upn);
	upn = NULL;
	/* not listed (names are case-sensitive): NULL, no error */
	CHECK(sspr_upn_map_lookup("m", map, sizeof(map) - 1, "Alice", &upn,
				  err, sizeof(err)) == 0);
	CHECK(upn == NULL);
	CHECK(sspr_upn_map_lookup("m", "", 0, "alice", &upn, err,
				  sizeof(err)) == 0);
	CHECK(upn == NULL);
}

static void
map_error(const char *text, const char *expect)
{
	char err[SSPR_ERR_MAX] = "";
	char *upn = NULL;

	CHECK(sspr_upn_map_lookup("/etc/x.map", text, strlen(text), "alice",
				  &upn, err, sizeof(err)) == -EINVAL);
	CHECK(upn == NULL);
	if (strstr(err, expect) == NULL)
		fprintf(stderr, "  '%s' lacks '%s'\n", err, expect);
	CHECK(strstr(err, expect) != NULL);
}

static void
test_map_errors(void)
{
	char big[2000];

	map_error("alice\n", "/etc/x.map:1: expected");
	map_error("# ok\nalice = a@b.com\nalice = c@d.com\n",
		  "/etc/x.map:3: 'alice' is already mapped on line 2");
	/* a broken line anywhere fails the file: no silent partial map */
	map_error("alice = a@b.com\nbob = not a upn\n", "/etc/x.map:2:");
	map_error("-x = a@b.com\n", "/etc/x.map:1: '-x' is not a user name");
	map_error("al ice = a@b.com\n", "is not a user name");
	map_error("alice = \n", "is not a valid user principal name");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	map_error(big, "line too long");
	{
		const char nul[] = "alice = a@b.com\0\n";
		char err[SSPR_ERR_MAX] = "";
		char *upn = NULL;

		CHECK(sspr_upn_map_lookup("m", nul, sizeof(nul) - 1, "alice",
					  &upn, err, sizeof(err)) == -EINVAL);
	}
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	test_write_file(path, text, strlen(text), mode);
}

static void
test_map_file(void)
{
	struct sspr_cfg cfg;
	char conf[512];
	char path[256];
	char err[SSPR_ERR_MAX] = "";
	char *upn = NULL;

	snprintf(path, sizeof(path), "%s/upn.map", dir);
	write_file(path, "alice = alice.smith@contoso.com\n", 0644);
	snprintf(conf, sizeof(conf),
		 "upn_format = %%u@contoso.com\nupn_map_file = %s\n", path);
	cfg_with(&cfg, conf);
	/* the map wins over the format */
	CHECK(sspr_upn_for_user(&cfg, "alice", &upn, err, sizeof(err)) == 0);
	CHECK_STR(upn, "alice.smith@contoso.com");
	free(upn);
	upn = NULL;
	/* users not in the map fall back to the format */
	CHECK(sspr_upn_for_user(&cfg, "bob", &upn, err, sizeof(err)) == 0);
	CHECK_STR(upn, "bob@contoso.com");
	free(upn);
	upn = NULL;
	/* a map file others may write is not trusted */
	CHECK(chmod(path, 0666) == 0);
	CHECK(sspr_upn_for_user(&cfg, "alice", &upn, err, sizeof(err)) ==
	      -EPERM);
	CHECK(strstr(err, path) != NULL);
	CHECK(upn == NULL);
	CHECK(chmod(path, 0644) == 0);
	/* nor one that someone else owns */
	test_foreign_begin(path);
	CHECK(sspr_upn_for_user(&cfg, "alice", &upn, err, sizeof(err)) ==
	      -EPERM);
	CHECK(upn == NULL);
	test_foreign_end(path);
	/* a configured but missing map fails closed */
	CHECK(unlink(path) == 0);
	CHECK(sspr_upn_for_user(&cfg, "bob", &upn, err, sizeof(err)) ==
	      -ENOENT);
	CHECK(upn == NULL);
	/* a broken map refuses every user, naming the line */
	write_file(path, "alice = a@b.com\nbroken\n", 0644);
	CHECK(sspr_upn_for_user(&cfg, "bob", &upn, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(strstr(err, ":2:") != NULL);
	unlink(path);
	sspr_cfg_done(&cfg);
}

static void
test_escape(void)
{
	char out[64];

	CHECK(sspr_upn_path_escape("alice@contoso.com", out, sizeof(out)) ==
	      0);
	CHECK_STR(out, "alice@contoso.com");
	CHECK(sspr_upn_path_escape("o'neil!x^y~z_w-v@c.com", out,
				   sizeof(out)) == 0);
	CHECK_STR(out, "o%27neil%21x%5Ey~z_w-v@c.com");
	CHECK(sspr_upn_path_escape("j_x.com#EXT#@c.com", out, sizeof(out)) ==
	      0);
	CHECK_STR(out, "j_x.com%23EXT%23@c.com");
	CHECK(sspr_upn_path_escape("a/b?c%d e", out, sizeof(out)) == 0);
	CHECK_STR(out, "a%2Fb%3Fc%25d%20e");
	CHECK(sspr_upn_path_escape("\xc3\xa9", out, sizeof(out)) == 0);
	CHECK_STR(out, "%C3%A9");
	/* exact fit and one short */
	CHECK(sspr_upn_path_escape("ab#", out, 6) == 0);
	CHECK_STR(out, "ab%23");
	CHECK(sspr_upn_path_escape("ab#", out, 5) == -ENOBUFS);
	CHECK(sspr_upn_path_escape("abc", out, 3) == -ENOBUFS);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_valid);
	RUN(test_format);
	RUN(test_map_buffer);
	RUN(test_map_errors);
	RUN(test_map_file);
	RUN(test_escape);
	rmdir(dir);
	CHECK_EXIT();
}
