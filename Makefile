# ataua - SIP user agent for analog telephone adapters
#
# Targets: all (default), deps, run, test, test-unit, test-asan,
# test-integration, fuzz, bench, soak, install, ccheck, clean.
# CC, CFLAGS, LDFLAGS, PKG_CONFIG, DESTDIR and PREFIX come from the
# environment for cross builds (Buildroot, OpenWrt).

CC         ?= cc
PKG_CONFIG ?= pkg-config
PREFIX     ?= /usr/local
BUILD      ?= build
SAN        ?=

PKGS       := libre librem libsrtp2 yaml-0.1 alsa openssl
# libsrtp2 and libyaml are compiled against (their headers give the
# types) but opened with dlopen(): libsrtp2 on the first SRTP call
# (core/srtp_lib.c), libyaml for each config parse (core/yaml_lib.c), to
# keep them out of memory during calls: see README "Memory".
LINK_PKGS  := $(filter-out libsrtp2 yaml-0.1,$(PKGS))

# libre 1.1.0 headers need the defines its re.mk sets on Linux.
RE_DEFS    := -DHAVE_INTTYPES_H -DHAVE_STDBOOL_H -DHAVE_INET6 \
	      -DHAVE_PTHREAD -DHAVE_GETIFADDRS -DHAVE_STRERROR_R \
	      -DHAVE_GETOPT -DHAVE_SYSLOG -DHAVE_DLFCN_H -DHAVE_EPOLL \
	      -DHAVE_PWD_H -DHAVE_POLL -DHAVE_SIGNAL -DHAVE_UNISTD_H \
	      -DHAVE_SELECT -DHAVE_FORK -DHAVE_INET_NTOP

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(LINK_PKGS) 2>/dev/null)

CFLAGS     ?= -O2 -g
WARN       := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	      -Wmissing-prototypes -Wno-unused-parameter
ALL_CFLAGS := -std=gnu11 $(WARN) -fPIC $(VIS) \
	      $(RE_DEFS) -Icore $(PKG_CFLAGS) $(CFLAGS) $(SAN)
ALL_LDFLAGS := $(LDFLAGS) $(SAN)
LIBS       := $(PKG_LIBS) -lm -lpthread -ldl

# ---- sources --------------------------------------------------------------
CORE_SRCS  := $(filter-out core/main.c,$(wildcard core/*.c))
CORE_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(CORE_SRCS))
CLI_SRCS   := $(wildcard core/cli/*.c)
CLI_OBJS   := $(patsubst %.c,$(BUILD)/%.o,$(CLI_SRCS))
MODULES    := upnp stun turn alg-hint audio-alsa
MOD_SOS    := $(foreach m,$(MODULES),modules/$(m)/$(m).so)
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
TESTMOD_SRCS := $(wildcard tests/unit/mod_*.c)
TESTMOD_SOS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%.so,\
		$(TESTMOD_SRCS))
ALSA_PLUG  := $(BUILD)/tests/alsa/libasound_module_pcm_vslic.so
ALSA_CTL_PLUG := $(BUILD)/tests/alsa/libasound_module_ctl_vslic.so

.DEFAULT_GOAL := all

# per-module extra libraries (module.mk may add to NAME_LIBS)
-include $(wildcard modules/*/module.mk)
-include $(wildcard tests/*/tests.mk)

.PHONY: all deps run test test-unit test-asan test-asan-build \
	test-integration fuzz bench install clean ccheck unit-bins vslic

all: ataua atactl $(MOD_SOS)

# Modules export only `exports`; the core exports its API to them.
$(BUILD)/modules/%.o: VIS := -fvisibility=hidden

# `make V=1` shows the full command lines
Q := $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libatacore.a: $(CORE_OBJS)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

# The daemon exports the core API to modules: whole archive + -rdynamic.
ataua: $(BUILD)/core/main.o $(BUILD)/libatacore.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -rdynamic -o $@ $(BUILD)/core/main.o \
		-Wl,--whole-archive $(BUILD)/libatacore.a \
		-Wl,--no-whole-archive $(LIBS)

atactl: $(CLI_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

define module_rule
modules/$(1)/$(1).so: $(patsubst %.c,$(BUILD)/%.o,$(wildcard modules/$(1)/*.c))
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -shared -o $$@ $$^ $$($(subst -,_,$(1))_LIBS)
endef
$(foreach m,$(MODULES),$(eval $(call module_rule,$(m))))

# ---- tests ------------------------------------------------------------------
$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/libatacore.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -rdynamic -o $@ $< \
		-Wl,--whole-archive $(BUILD)/libatacore.a \
		-Wl,--no-whole-archive $(LIBS) -lcmocka

$(BUILD)/tests/unit/mod_%.so: $(BUILD)/tests/unit/mod_%.o
	$(Q)$(CC) $(ALL_LDFLAGS) -shared -o $@ $^

ALSA_SELFTEST_SRCS := $(wildcard tests/alsa/vslic_selftest*.c)
ALSA_PLUG_SRCS := $(filter-out $(ALSA_SELFTEST_SRCS) tests/alsa/vslic_ctl.c,\
		  $(wildcard tests/alsa/*.c))
ALSA_SELFTEST := $(BUILD)/tests/alsa/vslic_selftest

$(ALSA_PLUG): $(patsubst %.c,$(BUILD)/%.o,$(ALSA_PLUG_SRCS))
	$(CC) $(ALL_LDFLAGS) -shared -o $@ $^ -lasound -lm

$(ALSA_SELFTEST): $(patsubst %.c,$(BUILD)/%.o,$(ALSA_SELFTEST_SRCS))
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lasound -lm

# the hook/ring controls: an external control plugin of its own
$(ALSA_CTL_PLUG): $(BUILD)/tests/alsa/vslic_ctl.o
	$(CC) $(ALL_LDFLAGS) -shared -o $@ $^ -lasound

vslic: $(ALSA_PLUG) $(ALSA_SELFTEST) $(ALSA_CTL_PLUG)

unit-bins: $(UNIT_BINS) $(TESTMOD_SOS)

deps:
	@sh tests/deps.sh

run: deps all
	./tests/run-default.sh

test: deps
	$(MAKE) all unit-bins vslic
	sh tests/run.sh

test-unit: all unit-bins
	sh tests/run.sh unit

test-asan-build:
	$(MAKE) BUILD=build-asan \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" \
		unit-bins

test-asan: test-asan-build
	sh tests/run.sh asan

test-latency: all vslic
	LAT_SECS=60 bash tests/integration/test_latency.sh

test-integration: all unit-bins
	sh tests/run.sh integration

fuzz:
	bash tests/fuzz/run.sh long

bench: deps all vslic
	sh tests/bench/run.sh

ccheck:
	sh tests/ccheck.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/lib/ataua \
		$(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)/etc/ataua $(DESTDIR)/lib/systemd/system
	install -m 0755 ataua $(DESTDIR)$(PREFIX)/sbin/ataua
	install -m 0755 atactl $(DESTDIR)$(PREFIX)/bin/atactl
	for m in $(MODULES); do install -m 0644 modules/$$m/$$m.so \
		$(DESTDIR)$(PREFIX)/lib/ataua/$$m.so; done
	sed 's|^module_path: .*|module_path: $(PREFIX)/lib/ataua|' \
		conf/ataua.yaml > $(DESTDIR)/etc/ataua/ataua.yaml
	chmod 0600 $(DESTDIR)/etc/ataua/ataua.yaml
	install -m 0644 conf/ataua.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 conf/atactl.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 conf/ataua.yaml.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	sed 's|@PREFIX@|$(PREFIX)|g' conf/ataua.service \
		> $(DESTDIR)/lib/systemd/system/ataua.service

clean:
	rm -rf build build-asan build-fuzz ataua atactl $(MOD_SOS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
