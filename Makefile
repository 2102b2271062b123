# pam_sspr: self-service password reset at the Linux console, synced to
# Microsoft 365.  See README.md.

VERSION    := 0.1.0
BUILD      ?= build
MULTIARCH  ?= $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
PAMDIR     ?= /lib/$(MULTIARCH)/security
BINDIR     ?= /usr/bin
MANDIR     ?= /usr/share/man
SYSCONFDIR ?= /etc
STATEDIR   ?= /var/lib/sspr
LOGDIR     ?= /var/log/sspr
PAMCONFIGS ?= /usr/share/pam-configs
COMPLETIONSDIR ?= /usr/share/bash-completion/completions
LOCALEDIR  ?= /usr/share/locale

CC       ?= cc
# Quiet by default; V=1 shows every command.
Q        := $(if $(V),,@)
CFLAGS   ?= -O2 -g
PKG_LIBS := libcurl libcrypto libcjson libqrencode
WARN     := -std=gnu11 -Wall -Wextra -Wconversion -Wformat=2 -Wshadow -Wvla \
            -Wstrict-prototypes -Wmissing-prototypes -Wnull-dereference \
            -Wpointer-arith -Werror
# dpkg-buildflags already brings its own _FORTIFY_SOURCE.
FORTIFY  := $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS) $(CFLAGS)),,-D_FORTIFY_SOURCE=2)
HARDEN   := -fPIC -fstack-protector-strong -fvisibility=hidden $(FORTIFY)
# One section per function, so that the module's link can drop what a
# login never calls (and the libc symbols it would bind at load time).
SECTIONS := -ffunction-sections -fdata-sections
ALL_CPPFLAGS := -D_GNU_SOURCE -Iinclude -DSSPR_VERSION='"$(VERSION)"' \
                -DSSPR_LOCALEDIR='"$(LOCALEDIR)"' $(CPPFLAGS)
ALL_CFLAGS   := $(WARN) $(HARDEN) $(SECTIONS) $(CFLAGS)
ALL_LDFLAGS  := -Wl,-z,relro,-z,now -Wl,--as-needed -Wl,-z,defs $(LDFLAGS)
HEAVY_LIBS   := $(shell pkg-config --libs $(PKG_LIBS)) -lpam
HEAVY_CFLAGS := $(shell pkg-config --cflags $(PKG_LIBS))

# One folder of pam_sspr/ per link unit or layer (README.md, "Design"):
#   module/  pam_sspr.so, which libpam maps into every login: libc and
#            libpam only, so it links common/ and nothing else;
#   common/  libsspr-common.a, the lean code both artefacts share;
#   auth/ net/ m365/ mail/ sms/ change/ challenge/ reset/ enroll/
#            libsspr-flow.a, everything that needs libcurl, OpenSSL, cJSON
#            or libqrencode;
#   flow/    sspr-flow.so, which the module dlopen()s only on the reset or
#            enrollment branch: the entry table over libsspr-flow.a;
#   cmd/     the sspr command (and its "sspr admin test").
# tests/lint/test_layers.sh keeps the folders in that order.
srcs_in     = $(foreach d,$(1),$(wildcard pam_sspr/$(d)/*.c))
objs_of     = $(patsubst pam_sspr/%.c,$(BUILD)/obj/%.o,$(1))
FLOW_LAYERS := auth net m365 mail sms change challenge reset enroll

COMMON_OBJS := $(call objs_of,$(call srcs_in,common))
MODULE_OBJS := $(call objs_of,$(call srcs_in,module))
FLOW_OBJS   := $(call objs_of,$(call srcs_in,$(FLOW_LAYERS)))
ENTRY_OBJS  := $(call objs_of,$(call srcs_in,flow))
CMD_OBJS    := $(call objs_of,$(call srcs_in,cmd))
ALL_OBJS    := $(COMMON_OBJS) $(MODULE_OBJS) $(FLOW_OBJS) $(ENTRY_OBJS) $(CMD_OBJS)
LIBCOMMON   := $(BUILD)/libsspr-common.a
LIBFLOW     := $(BUILD)/libsspr-flow.a

MODULE  := $(BUILD)/pam_sspr.so
FLOWLIB := $(BUILD)/pam_sspr/sspr-flow.so
COMMAND := $(BUILD)/sspr
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_HELPERS := $(patsubst tests/lib/%.c,$(BUILD)/tests/%,$(wildcard tests/lib/*_tool.c))

# Translations: po/LINGUAS names them, each po/LL.po is compiled into
# $(BUILD)/locale/LL/LC_MESSAGES/pam_sspr.mo (the tests bind the text
# domain there) and installed under $(LOCALEDIR).
LINGUAS  := $(shell sed 's/\#.*//' po/LINGUAS 2>/dev/null)
MO_FILES := $(LINGUAS:%=$(BUILD)/locale/%/LC_MESSAGES/pam_sspr.mo)
POT      ?= po/pam_sspr.pot
# Every marker the sources use: _() and N_(), and dngettext() for plurals
# (singular and plural are its 2nd and 3rd arguments; dcngettext's too).
XGETTEXT_FLAGS := --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ \
    --keyword=dgettext:2 --keyword=dngettext:2,3 --keyword=dcngettext:2,3 \
    --add-comments=TRANSLATORS \
    --package-name=pam_sspr --package-version=$(VERSION) \
    --msgid-bugs-address=maintainers@users.noreply.r-seed-8220440a.example \
    --sort-by-file

.PHONY: all check check-fresh bench demo install deb autopkgtest lint asan fuzz pot update-po clean
all: $(MODULE) $(FLOWLIB) $(COMMAND) $(MO_FILES)

# The lean folders are compiled without the heavy libraries' include paths,
# so an #include of one of them fails here rather than at link time.
$(BUILD)/obj/common/%.o $(BUILD)/obj/module/%.o: FOLDER_CFLAGS :=
$(BUILD)/obj/%.o: FOLDER_CFLAGS = $(HEAVY_CFLAGS)
$(BUILD)/obj/%.o: pam_sspr/%.c
	@echo "  CC      $<"
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(FOLDER_CFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(ALL_OBJS:.o=.d)

$(BUILD)/pam_sspr $(BUILD)/tests:
	mkdir -p $@

$(LIBCOMMON): $(COMMON_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
$(LIBFLOW): $(FLOW_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(MODULE): $(MODULE_OBJS) $(LIBCOMMON) pam_sspr/module/pam_sspr.map
	@echo "  LD      $@"
	$(Q)$(CC) -shared $(ALL_CFLAGS) $(ALL_LDFLAGS) \
	    -Wl,--version-script=pam_sspr/module/pam_sspr.map -Wl,--gc-sections -o $@ \
	    $(MODULE_OBJS) $(LIBCOMMON) -lpam

$(FLOWLIB): $(ENTRY_OBJS) $(LIBFLOW) $(LIBCOMMON) pam_sspr/flow/sspr-flow.map | $(BUILD)/pam_sspr
	@echo "  LD      $@"
	$(Q)$(CC) -shared $(ALL_CFLAGS) $(ALL_LDFLAGS) \
	    -Wl,--version-script=pam_sspr/flow/sspr-flow.map -o $@ \
	    $(ENTRY_OBJS) $(LIBFLOW) $(LIBCOMMON) $(HEAVY_LIBS)

$(COMMAND): $(CMD_OBJS) $(LIBFLOW) $(LIBCOMMON)
	@echo "  LD      $@"
	$(Q)$(CC) -pie $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(CMD_OBJS) \
	    $(LIBFLOW) $(LIBCOMMON) $(HEAVY_LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/check.h $(LIBFLOW) $(LIBCOMMON) | $(BUILD)/tests
	@echo "  TEST    $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(HEAVY_CFLAGS) $(ALL_CFLAGS) -Itests/unit \
	    $(ALL_LDFLAGS) -o $@ $< $(LIBFLOW) $(LIBCOMMON) \
	    $(HEAVY_LIBS) -ldl

$(BUILD)/tests/%: tests/lib/%.c $(LIBFLOW) $(LIBCOMMON) | $(BUILD)/tests
	@echo "  TOOL    $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(HEAVY_CFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) \
	    -o $@ $< $(LIBFLOW) $(LIBCOMMON) $(HEAVY_LIBS)

$(BUILD)/locale/%/LC_MESSAGES/pam_sspr.mo: po/%.po
	@echo "  MSGFMT  $<"
	@mkdir -p $(@D)
	$(Q)msgfmt --check -o $@ $<

check: all $(UNIT_TESTS) $(TEST_HELPERS)
	@BUILD=$(abspath $(BUILD)) bash tests/run.sh $(T)

# The README's two commands in a pristine Debian root, as on a newcomer's
# machine (minutes; not part of check).
check-fresh:
	@BUILD=$(abspath $(BUILD)) bash tests/fresh/check_fresh.sh $(if $(KEEP),--keep)

bench: all $(TEST_HELPERS)
	@BUILD=$(abspath $(BUILD)) bash tests/bench/run.sh

demo: all
	@BUILD=$(abspath $(BUILD)) bash tests/demo/demo.sh

install: all
	install -d $(DESTDIR)$(PAMDIR)/pam_sspr $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/security $(DESTDIR)$(SYSCONFDIR)/pam.d \
	    $(DESTDIR)$(PAMCONFIGS) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(COMPLETIONSDIR)
	install -d -m 0700 $(DESTDIR)$(STATEDIR) $(DESTDIR)$(LOGDIR)
	install -d $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	install -m 0644 conf/logrotate.d/sspr $(DESTDIR)$(SYSCONFDIR)/logrotate.d/sspr
	install -m 0644 $(MODULE) $(DESTDIR)$(PAMDIR)/pam_sspr.so
	install -m 0644 $(FLOWLIB) $(DESTDIR)$(PAMDIR)/pam_sspr/sspr-flow.so
	install -m 4755 $(COMMAND) $(DESTDIR)$(BINDIR)/sspr
	for f in conf/pam.d/*; do \
	    install -m 0644 $$f $(DESTDIR)$(SYSCONFDIR)/pam.d/ || exit 1; done
	install -m 0644 conf/pam-configs/sspr $(DESTDIR)$(PAMCONFIGS)/sspr
	install -m 0644 conf/bash-completion/sspr $(DESTDIR)$(COMPLETIONSDIR)/sspr
	test -e $(DESTDIR)$(SYSCONFDIR)/security/sspr.conf || \
	    install -m 0600 conf/sspr.conf $(DESTDIR)$(SYSCONFDIR)/security/sspr.conf
	for s in 1 5 8; do for f in man/*.$$s; do [ ! -e $$f ] || \
	    install -m 0644 $$f $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; \
	    done; done
	for l in $(LINGUAS); do \
	    install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
	    install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/pam_sspr.mo \
		$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/pam_sspr.mo || exit 1; \
	    for s in 1 5 8; do for f in man/$$l/*.$$s; do [ ! -e $$f ] || { \
		install -d $(DESTDIR)$(MANDIR)/$$l/man$$s && \
		install -m 0644 $$f $(DESTDIR)$(MANDIR)/$$l/man$$s/; } || \
		exit 1; done; done; \
	    done

# debian/rules builds in debian/build; the caller's make variables
# (MAKEFLAGS) must not leak into it.
deb:
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -us -uc -b
	mkdir -p $(BUILD)/deb && mv ../libpam-sspr_* $(BUILD)/deb/ 2>/dev/null; \
	    mv ../libpam-sspr-dbgsym_* $(BUILD)/deb/ 2>/dev/null; \
	    rm -f ../pam-sspr_*.buildinfo ../pam-sspr_*.changes; true

# debian/tests against the new package in a pristine bookworm root (needs
# root and the Debian archive; not part of check).
autopkgtest: deb
	@BUILD=$(abspath $(BUILD)) bash tests/package/autopkgtest.sh || \
	    { rc=$$?; [ $$rc = 77 ] || exit $$rc; }

lint:
	clang-format --dry-run -Werror pam_sspr/*/*.c include/sspr/*.h \
	    include/sspr/*/*.h
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr -D_GNU_SOURCE -Iinclude --std=c11 pam_sspr/

asan:
	$(MAKE) BUILD=$(BUILD)/asan \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=address,undefined" T=$(abspath $(BUILD))/asan/tests/ check

fuzz:
	@BUILD=$(abspath $(BUILD)) bash tests/fuzz/run.sh

# The template translators start from; POT=file writes it elsewhere
# (tests/lint/test_po.sh compares a fresh one with the translations).
pot:
	xgettext $(XGETTEXT_FLAGS) -o $(POT) pam_sspr/*/*.c

# Bring every translation in step with a fresh template (new messages
# untranslated, changed ones fuzzy: po/LL.po then needs a translator).
update-po: pot
	for l in $(LINGUAS); do \
	    msgmerge --quiet --update --backup=none --previous \
		po/$$l.po $(POT) || exit 1; done

clean:
	rm -rf $(BUILD)
