# libFuzzer harnesses: pam_sspr's library sources built with clang,
# coverage instrumentation, AddressSanitizer and UndefinedBehaviorSanitizer.
# Run from the top of the source tree (tests/fuzz/run.sh does):
#   make -f tests/fuzz/fuzz.mk FUZZ_BUILD=DIR
FUZZ_BUILD ?= build/fuzz
FUZZ_CC    ?= clang
Q          := $(if $(V),,@)

PKG_LIBS  := libcurl libcrypto libcjson libqrencode
SAN       := -fsanitize=address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer
# Not -Werror: a clang-only warning in someone's file must not stop the
# fuzzers; it shows up in the build output instead.
FUZZ_CPPFLAGS := -D_GNU_SOURCE -Iinclude -Itests/fuzz -DSSPR_VERSION='"fuzz"' \
                 $(shell pkg-config --cflags $(PKG_LIBS))
FUZZ_CFLAGS   := -std=gnu11 -g -O1 -Wall -Wextra $(SAN)
FUZZ_LIBS     := $(shell pkg-config --libs $(PKG_LIBS)) -lpam -ldl

# The library folders: all but the module's entry points and main().
LIB_SRCS  := $(filter-out pam_sspr/module/% pam_sspr/cmd/main.c,$(wildcard pam_sspr/*/*.c))
LIB_OBJS  := $(LIB_SRCS:pam_sspr/%.c=$(FUZZ_BUILD)/obj/%.o)
HARNESSES := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all
all: $(HARNESSES)

$(FUZZ_BUILD)/obj/%.o: pam_sspr/%.c
	@echo "  FUZZCC  $<"
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/libsspr-fuzz.a: $(LIB_OBJS)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_BUILD)/libsspr-fuzz.a
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_BUILD)/libsspr-fuzz.a $(FUZZ_LIBS)

-include $(LIB_OBJS:.o=.d)
