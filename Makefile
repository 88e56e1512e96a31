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
# Where the systemd files go (distributions: /usr/lib/systemd/system)
UNITDIR     ?= /lib/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
TMPFILESDIR ?= /usr/lib/tmpfiles.d

# The version: `git describe` in a git checkout of this tree (the fixed
# version of core/base/version.h, then -gHASH, until the first tag), else the
# fixed one. `make ATAUA_VERSION=...` overrides it.
VERSION_BASE := $(shell sed -n \
	's/^\#define ATAUA_VERSION_BASE "\(.*\)"/\1/p' core/base/version.h)
ATAUA_VERSION ?= $(shell \
	if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ]; \
	then git describe --tags --dirty 2>/dev/null || \
	echo "$(VERSION_BASE)-g$$(git describe --always --dirty)"; \
	else echo "$(VERSION_BASE)"; fi)
MODULE_DIR := $(PREFIX)/lib/ataua

PKGS       := libre libsrtp2 yaml-0.1 alsa openssl miniupnpc
# libsrtp2 and libyaml are compiled against (their headers give the
# types) but opened with dlopen(): libsrtp2 on the first SRTP call
# (core/call/srtp_lib.c), libyaml for each config parse (core/conf/yaml_lib.c), to
# keep them out of memory during calls: see README "Memory".
# miniupnpc: only modules/upnp links it (its module.mk), and the tests
# that link the module archives
LINK_PKGS  := $(filter-out libsrtp2 yaml-0.1 miniupnpc,$(PKGS))

# libre 1.1.0 headers need the defines its re.mk sets on Linux.
RE_DEFS    := -DHAVE_INTTYPES_H -DHAVE_STDBOOL_H -DHAVE_INET6 \
	      -DHAVE_PTHREAD -DHAVE_GETIFADDRS -DHAVE_STRERROR_R \
	      -DHAVE_GETOPT -DHAVE_SYSLOG -DHAVE_DLFCN_H -DHAVE_EPOLL \
	      -DHAVE_PWD_H -DHAVE_POLL -DHAVE_SIGNAL -DHAVE_UNISTD_H \
	      -DHAVE_SELECT -DHAVE_FORK -DHAVE_INET_NTOP

# Read once, when make parses this file. `make run`, `test` and `bench`
# install packages first (deps) and then build in a second make, which
# reads them afresh: a first run on a bare machine must not build with
# the empty flags of packages that were not there yet.
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_OK     := $(.SHELLSTATUS)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(LINK_PKGS) 2>/dev/null)

CFLAGS     ?= -O2 -g
# -Werror for developers and CI; a packager with a newer compiler sets
# WERROR=0 and gets the warnings without a failed build
WERROR     ?= 1
CFLAGS     ?= -O2 -g
WARN       := -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) -Wshadow -Wstrict-prototypes \
	      -Wmissing-prototypes -Wno-unused-parameter
ALL_CFLAGS := -std=gnu11 $(WARN) -fPIC $(VIS) \
	      $(RE_DEFS) -Icore $(PKG_CFLAGS) $(CFLAGS) $(SAN)
ALL_LDFLAGS := $(LDFLAGS) $(SAN)
LIBS       := $(PKG_LIBS) -lm -lpthread -ldl

# ---- sources --------------------------------------------------------------
CORE_SRCS  := $(filter-out core/main.c,$(wildcard core/*.c) \
	      $(filter-out core/cli/%,$(wildcard core/*/*.c)))
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

.PHONY: all deps test-deps run test test-unit test-asan test-asan-build \
	test-integration fuzz bench install clean ccheck unit-bins vslic

all: ataua atactl $(MOD_SOS)

# Modules export only `exports`; the core exports its API to them.
$(BUILD)/modules/%.o: VIS := -fvisibility=hidden

# `make V=1` shows the full command lines
Q := $(if $(V),,@)

# A missing package is named by pkg-config itself, before any compiler
# stumbles over a missing header
.PHONY: pkgcheck
pkgcheck:
ifneq ($(PKG_OK),0)
	@$(PKG_CONFIG) --print-errors --exists $(PKGS) || \
	{ echo "ataua: build packages missing: run 'make deps' (as root)" \
		"or 'make run'" >&2; exit 1; }
endif

$(BUILD)/%.o: %.c | pkgcheck
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libatacore.a: $(CORE_OBJS)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

# The daemon exports the module API (core/ataua.h) and nothing else:
# the whole archive, so every API function is in, and only what
# core/ataua.map makes global in the dynamic symbol table.
EXPORTS := -rdynamic -Wl,--version-script=core/ataua.map
ataua: $(BUILD)/core/main.o $(BUILD)/libatacore.a core/ataua.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $(EXPORTS) -o $@ $(BUILD)/core/main.o \
		-Wl,--whole-archive $(BUILD)/libatacore.a \
		-Wl,--no-whole-archive $(LIBS)

# atactl reads control lines with the daemon's own reader (plain C)
CLI_SHARED := $(BUILD)/core/base/ctrl_record.o
atactl: $(CLI_OBJS) $(CLI_SHARED)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# A module is built twice from the same objects: the .so the daemon
# loads, and an archive the tests link (see MOD_ARCHIVES)
define module_rule
modules/$(1)/$(1).so: $(patsubst %.c,$(BUILD)/%.o,$(wildcard modules/$(1)/*.c))
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -shared -o $$@ $$^ $$($(subst -,_,$(1))_LIBS)

$(BUILD)/modules/$(1)/lib$(1).a: \
		$(patsubst %.c,$(BUILD)/%.o,$(wildcard modules/$(1)/*.c))
	@rm -f $$@
	$$(Q)$$(AR) rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call module_rule,$(m))))

# What the binaries compile in (core/base/version.h): the objects that use it
# are rebuilt when the version or PREFIX changes
BUILD_VARS_OBJS := $(BUILD)/core/main.o $(BUILD)/core/core_cmds.o \
		   $(BUILD)/core/conf/conf_schema.o $(BUILD)/core/cli/atactl.o \
		   $(BUILD)/tests/unit/test_config.o
$(BUILD_VARS_OBJS): ALL_CFLAGS += -DATAUA_VERSION='"$(ATAUA_VERSION)"' \
	-DATA_MODULE_DIR='"$(MODULE_DIR)"'
$(BUILD_VARS_OBJS): $(BUILD)/build-vars

$(BUILD)/build-vars: FORCE
	@mkdir -p $(dir $@)
	@echo '$(ATAUA_VERSION) $(MODULE_DIR)' >$@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv -f $@.new $@

.PHONY: FORCE
FORCE:

# ---- dlopen()ed sonames, the Debian package --------------------------------
# libsrtp2 and libyaml are opened by soname (core/call/srtp_lib.h,
# core/conf/yaml_lib.h): the SONAME of the lib*.so link in pkg-config's
# libdir, the library this build compiles against (a cross build's
# PKG_CONFIG and READELF answer for the target, or it sets
# SRTP_SONAME/YAML_SONAME). $(BUILD)/sonames records them: their objects
# are rebuilt when they change, the build stops when one cannot be read,
# and the package depends on them (conf/debian/rules).
READELF ?= readelf
soname_of = $(shell $(READELF) -d "$$($(PKG_CONFIG) --variable=libdir \
	$(1) 2>/dev/null)/$(2)" 2>/dev/null | \
	sed -n 's/.*(SONAME).*\[\(.*\)\]$$/\1/p')
ifeq ($(origin SRTP_SONAME),undefined)
SRTP_SONAME := $(call soname_of,libsrtp2,libsrtp2.so)
endif
ifeq ($(origin YAML_SONAME),undefined)
YAML_SONAME := $(call soname_of,yaml-0.1,libyaml.so)
endif
$(BUILD)/core/call/srtp_lib.o: ALL_CFLAGS += -DSRTP_LIB_FILE='"$(SRTP_SONAME)"'
$(BUILD)/core/conf/yaml_lib.o: ALL_CFLAGS += -DYAML_LIB_FILE='"$(YAML_SONAME)"'
$(BUILD)/core/call/srtp_lib.o $(BUILD)/core/conf/yaml_lib.o: $(BUILD)/sonames

$(BUILD)/sonames: FORCE | pkgcheck
	@mkdir -p $(dir $@)
	@[ -n "$(SRTP_SONAME)" ] && [ -n "$(YAML_SONAME)" ] || { echo \
		"ataua: no soname for libsrtp2 ('$(SRTP_SONAME)') or libyaml" \
		"('$(YAML_SONAME)'): set SRTP_SONAME and YAML_SONAME" >&2; \
		exit 1; }
	@printf 'SRTP_SONAME=%s\nYAML_SONAME=%s\n' '$(SRTP_SONAME)' \
		'$(YAML_SONAME)' >$@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv -f $@.new $@

# `make deb`: dpkg-buildpackage on a copy of the tree with conf/debian/
# as its debian/; the package lands in $(DEB_DIR) (README "Debian
# package")
DEB_DIR ?= $(BUILD)/deb
.PHONY: deb
deb:
	sh conf/debian/build.sh '$(DEB_DIR)' '$(ATAUA_VERSION)'

# ---- tests ------------------------------------------------------------------
# Unit tests link with the daemon's version script (core/ataua.map),
# exporting what the daemon does, so a test module (mod_*.c) that needs
# more than the API fails to load here first.
# Tests reach module code one way: every unit test links every module's
# archive (as tests/fuzz/run.sh does for the fuzz targets). The linker
# takes from an archive only the objects that define what the test
# calls, so a test of upnp_map.c gets upnp_map.o and what it needs, and
# a fake the test defines itself (upnp_submit) keeps the module's own
# object (upnp.o) out. A module's static functions are reached through
# the non-static ones, never by #include of its .c file.
MOD_ARCHIVES = $(foreach m,$(MODULES),$(BUILD)/modules/$(m)/lib$(m).a)
MOD_LIBS     = $(foreach m,$(MODULES),$($(subst -,_,$(m))_LIBS))

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/libatacore.a \
		$(MOD_ARCHIVES) core/ataua.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $(EXPORTS) -o $@ $(filter %.o,$^) \
		-Wl,--whole-archive $(BUILD)/libatacore.a \
		-Wl,--no-whole-archive $(MOD_ARCHIVES) $(LIBS) $(MOD_LIBS) \
		-lcmocka

# a unit test of atactl's parts links their objects too
$(BUILD)/tests/unit/test_action_env: $(BUILD)/core/cli/action_env.o

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

# deps: what building and running needs; test-deps: the test peers too.
# DEPS is the installer (tests/integration/test_first_run.sh stands in
# for apt-get with it).
DEPS ?= sh tests/deps.sh
deps:
	@$(DEPS) run

test-deps:
	@$(DEPS) test

# The build runs in a second make, which reads the pkg-config flags of
# the packages deps has just installed (see PKG_CFLAGS)
run: deps
	$(MAKE) all vslic
	./tests/run-default.sh

test: test-deps
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

bench: test-deps
	$(MAKE) all vslic
	sh tests/bench/run.sh

# ---- cross builds ---------------------------------------------------------
# `make cross ARCH=armhf` (or mipsel): ataua, atactl, the modules and the
# unit tests for an ATA's SoC with Debian's cross compiler, in
# build-cross/ARCH (BUILD), so the native build is untouched (the sysroot is
# build-cross/sysroot/ARCH, out of BUILD whose *.d are read). The libraries
# come from a sysroot of the target's Debian packages, unpacked by
# tests/cross/sysroot.sh without installing them (pkg-config reads its .pc
# files, the compiler and linker its headers and libraries). The products
# are build-cross/ARCH/ataua, atactl and modules/NAME/NAME.so (the rules
# below: the top-level ataua, atactl and modules/*/*.so stay native).
# `make test-cross` (part of `make test`, see tests/run.sh): toolchain,
# sysroot, build and the unit tests under qemu-user for every arch of
# CROSS_ARCHES; tests/cross/sizes.sh prints the stripped sizes.
CROSS_ARCHES  := armhf mipsel
CROSS_armhf   := arm-linux-gnueabihf
CROSS_mipsel  := mipsel-linux-gnu
CROSS_DIR     := build-cross/$(ARCH)
CROSS_SYSROOT := $(CURDIR)/build-cross/sysroot/$(ARCH)
CROSS_TRIPLET := $(CROSS_$(ARCH))
CROSS_PC_LIBDIR := $(CROSS_SYSROOT)/usr/lib/$(CROSS_TRIPLET)/pkgconfig:$\
		   $(CROSS_SYSROOT)/usr/share/pkgconfig
# 64-bit atomics (line_audio's counters) are calls into libatomic on
# 32-bit MIPS (`make cross ARCH=mipsel` failed to link without it);
# --as-needed records it only in a binary that calls it (none on amd64).
# Probed once, where the compiler has it.
ATOMIC_AS_NEEDED := -Wl,--push-state,--as-needed -latomic -Wl,--pop-state
ATOMIC_LIBS := $(if $(filter /%,$(shell $(CC) -print-file-name=libatomic.so \
	2>/dev/null)),$(ATOMIC_AS_NEEDED))
LIBS += $(ATOMIC_LIBS)
CROSS_PRODUCTS = $(BUILD)/ataua $(BUILD)/atactl \
		 $(foreach m,$(MODULES),$(BUILD)/modules/$(m)/$(m).so)

.PHONY: cross cross-bins test-cross clean-cross
cross:
	@[ -n "$(CROSS_TRIPLET)" ] || { echo "usage: make cross" \
		"ARCH=<$(subst $(eval) ,|,$(CROSS_ARCHES))>" >&2; exit 2; }
	@command -v $(CROSS_TRIPLET)-gcc >/dev/null || { echo "cross:" \
		"no $(CROSS_TRIPLET)-gcc: run 'sh tests/deps.sh cross'" >&2; \
		exit 1; }
	sh tests/cross/sysroot.sh $(ARCH) $(CROSS_SYSROOT)
	PKG_CONFIG_SYSROOT_DIR=$(CROSS_SYSROOT) PKG_CONFIG_PATH= \
	PKG_CONFIG_LIBDIR=$(CROSS_PC_LIBDIR) \
	$(MAKE) BUILD=$(CROSS_DIR) AR=$(CROSS_TRIPLET)-ar \
		CC="$(CROSS_TRIPLET)-gcc --sysroot=$(CROSS_SYSROOT)" cross-bins

# what `make cross` builds in the cross make (BUILD=build-cross/ARCH)
cross-bins: $(CROSS_PRODUCTS) $(UNIT_BINS) $(TESTMOD_SOS)

$(BUILD)/ataua: $(BUILD)/core/main.o $(BUILD)/libatacore.a core/ataua.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $(EXPORTS) -o $@ $(BUILD)/core/main.o \
		-Wl,--whole-archive $(BUILD)/libatacore.a \
		-Wl,--no-whole-archive $(LIBS)

$(BUILD)/atactl: $(CLI_OBJS) $(CLI_SHARED)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

define cross_module_rule
$(BUILD)/modules/$(1)/$(1).so: \
		$(patsubst %.c,$(BUILD)/%.o,$(wildcard modules/$(1)/*.c))
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -shared -o $$@ $$^ $$($(subst -,_,$(1))_LIBS)
endef
$(foreach m,$(MODULES),$(eval $(call cross_module_rule,$(m))))

test-cross:
	sh tests/cross/run.sh $(CROSS_ARCHES)

clean: clean-cross
clean-cross:
	rm -rf build-cross

# style, and the layers of core/ (core/LAYERS; the call checks read the
# objects of `make all`)
ccheck:
	sh tests/ccheck.sh
	python3 tests/layers.py

# A distribution package or an embedded image (DESTDIR set) gets the
# files only; its postinst, or systemd at boot, runs systemd-sysusers and
# systemd-tmpfiles on them. Installing to the real root does it here.
# An existing config is never replaced: the new one lands beside it as
# ataua.yaml.dist.
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(MODULE_DIR) \
		$(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)/etc/ataua $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	install -m 0755 ataua $(DESTDIR)$(PREFIX)/sbin/ataua
	install -m 0755 atactl $(DESTDIR)$(PREFIX)/bin/atactl
	for m in $(MODULES); do install -m 0644 modules/$$m/$$m.so \
		$(DESTDIR)$(MODULE_DIR)/$$m.so; done
	conf=$(DESTDIR)/etc/ataua/ataua.yaml; \
	[ -e "$$conf" ] && conf=$$conf.dist; \
	sed 's|^module_path: .*|module_path: $(MODULE_DIR)|' \
		conf/ataua.yaml >"$$conf.tmp" && \
	chmod 0600 "$$conf.tmp" && mv -f "$$conf.tmp" "$$conf" && \
	echo "installed $$conf"
	install -m 0644 conf/ataua.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 conf/atactl.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 conf/ataua.yaml.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	sed 's|@PREFIX@|$(PREFIX)|g' conf/ataua.service \
		> $(DESTDIR)$(UNITDIR)/ataua.service
	install -m 0644 conf/ataua.sysusers \
		$(DESTDIR)$(SYSUSERSDIR)/ataua.conf
	install -m 0644 conf/ataua.tmpfiles \
		$(DESTDIR)$(TMPFILESDIR)/ataua.conf
	@if [ -z "$(DESTDIR)" ]; then \
		if command -v systemd-sysusers >/dev/null; then \
			systemd-sysusers $(SYSUSERSDIR)/ataua.conf && \
			systemd-tmpfiles --create \
				$(TMPFILESDIR)/ataua.conf; \
		else \
			echo "note: create the system user ataua (group"; \
			echo "ataua, in group audio) and chgrp ataua"; \
			echo "/etc/ataua/ataua.yaml"; \
		fi; \
	fi

clean:
	rm -rf build build-asan build-fuzz ataua atactl $(MOD_SOS)

# (not the copy of the tree `make deb` builds in)
-include $(shell find $(BUILD) -path "$(DEB_DIR)" -prune -o -type f \
	-name '*.d' -print 2>/dev/null)
