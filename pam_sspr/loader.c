/* dlopen() of sspr-flow.so on the reset and enrollment branches only. */
#include "sspr/loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sspr/safefile.h"
#include "sspr/util.h"

/* The directory of the object this function is linked into. */
static int
own_directory(char *dir, size_t size)
{
	Dl_info info;
	char *slash;

	if (dladdr((void *)own_directory, &info) == 0 ||
	    info.dli_fname == NULL || info.dli_fname[0] != '/')
		return -ENOENT;
	if (sspr_strlcpy(dir, info.dli_fname, size) >= size)
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	*slash = '\0';
	return 0;
}

/* The library runs as root inside login: only root may have written it. */
static int
check_library(const char *path)
{
	int fd;
	int r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	r = sspr_check_fd(fd, SSPR_FILE_TRUSTED);
	close(fd);
	return r;
}

int
sspr_flow_load(const struct sspr_flow_api **ret_api, char *err, size_t errlen)
{
	char path[PATH_MAX];
	char dir[PATH_MAX];
	const struct sspr_flow_api *api;
	void *handle;
	int r;

	r = own_directory(dir, sizeof(dir));
	if (r < 0) {
		snprintf(err, errlen, "cannot tell where pam_sspr.so is");
		return r;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
			     SSPR_FLOW_FILE) >= sizeof(path))
		return -ENAMETOOLONG;
	r = check_library(path);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, sspr_file_strerror(r));
		return r;
	}
	/*
	 * RTLD_NODELETE: libcurl and OpenSSL keep global state and exit
	 * handlers, so the library stays mapped once loaded.
	 */
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (handle == NULL) {
		snprintf(err, errlen, "%s", dlerror());
		return -ENOEXEC;
	}
	api = dlsym(handle, SSPR_FLOW_SYMBOL);
	if (api == NULL || api->abi != SSPR_FLOW_ABI ||
	    api->cfg_size != sizeof(struct sspr_cfg)) {
		snprintf(err, errlen, "%s: does not match this pam_sspr.so",
			 path);
		dlclose(handle);
		return -ENOEXEC;
	}
	*ret_api = api;
	return 0;
}
