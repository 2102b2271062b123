/* dlopen() of sspr-flow.so on the reset and enrollment branches only. */
#include "sspr/module/loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sspr/common/safefile.h"
#include "sspr/common/util.h"

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

/* Root-owned and not writable by others: nobody else could swap files. */
static int
check_directory(const char *path)
{
	struct stat st;
	int fd;
	int r = 0;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0)
		r = -errno;
	else if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		r = -EPERM;
	close(fd);
	return r;
}

/*
 * The library runs as root inside login: only root may have written it.
 * The open descriptor that was checked is the one loaded (through
 * /proc/self/fd), so the file cannot be swapped in between.
 */
static int
open_library(const char *path, int *ret_fd)
{
	char *slash;
	char dir[PATH_MAX];
	int fd;
	int r;

	sspr_strlcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	r = check_directory(dir);
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	r = sspr_check_fd(fd, SSPR_FILE_TRUSTED);
	if (r < 0) {
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int
sspr_flow_load(const struct sspr_flow_api **ret_api, char *err, size_t errlen)
{
	char path[PATH_MAX];
	char dir[PATH_MAX];
	char by_fd[64];
	const struct sspr_flow_api *api;
	void *handle;
	int fd = -1;
	int r;

	r = own_directory(dir, sizeof(dir));
	if (r < 0) {
		snprintf(err, errlen, "cannot tell where pam_sspr.so is");
		return r;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
			     SSPR_FLOW_FILE) >= sizeof(path))
		return -ENAMETOOLONG;
	r = open_library(path, &fd);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, sspr_file_strerror(r));
		return r;
	}
	snprintf(by_fd, sizeof(by_fd), "/proc/self/fd/%d", fd);
	/*
	 * RTLD_NODELETE: libcurl and OpenSSL keep global state and exit
	 * handlers, so the library stays mapped once loaded. Without /proc
	 * (a bare chroot) the checked path is loaded by name.
	 */
	handle = dlopen(access(by_fd, R_OK) == 0 ? by_fd : path,
			RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	close(fd);
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
