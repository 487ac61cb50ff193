# roster build.
#
# One static library (lib/) under two programs: rosterd (hub/) and roster
# (node/).  The node is itself a library, node/core/ built as libnodecore.a
# (no main), under its three faces node/cli/, node/web/ and node/taxii/,
# which roster links together (docs/internals.md).  `make` builds an optimised tree in build/;
# `make SAN=1` builds the same sources with AddressSanitizer and
# UndefinedBehaviorSanitizer into build-san/, which is what the test suite
# runs.  Unit tests are one binary per tests/unit/test_*.c (test_node_*.c
# also link libnodecore.a); fuzz targets (clang + libFuzzer) are one binary
# per fuzz/fuzz_*.c; benchmarks one per bench/bench_*.c.  `make` also
# writes the manual pages (BUILD/man); `make install` puts the programs,
# pages and share folder under PREFIX.

PKGS     := libsodium sqlite3 libpq libmicrohttpd libcurl jansson libcrypto icu-uc icu-i18n
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -lpthread -lm

SAN ?= 0
ifeq ($(SAN),1)
BUILD    ?= build-san
OPT      := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDSAN    := -fsanitize=address,undefined
else
BUILD    ?= build
OPT      := -O2 -g
LDSAN    :=
endif

CC       ?= cc
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
SHARE_DIR ?= $(CURDIR)/share
CFLAGS   := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Ilib $(PKG_CFLAGS) \
            -DROSTER_SHARE_DIR='"$(SHARE_DIR)"' $(EXTRA_CFLAGS)
LDFLAGS  := $(LDSAN) $(EXTRA_LDFLAGS)

LIB_SRC  := $(wildcard lib/*.c)
HUB_SRC  := $(wildcard hub/*.c)
NODE_CORE_SRC := $(wildcard node/core/*.c)
NODE_FACE_SRC := $(wildcard node/cli/*.c node/web/*.c node/taxii/*.c)
TEST_SRC := $(wildcard tests/unit/test_*.c)
BENCH_SRC := $(wildcard bench/bench_*.c)

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
HUB_OBJ  := $(HUB_SRC:%.c=$(BUILD)/%.o)
NODE_CORE_OBJ := $(NODE_CORE_SRC:%.c=$(BUILD)/%.o)
NODE_FACE_OBJ := $(NODE_FACE_SRC:%.c=$(BUILD)/%.o)
LIBA     := $(BUILD)/libroster.a
NODECORE := $(BUILD)/libnodecore.a
NODE_H   := $(wildcard node/*/*.h)

TESTS    := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
NODE_TESTS := $(filter $(BUILD)/tests/test_node_%,$(TESTS))
# Helpers of the end-to-end tests: tests/tools/*.c are programs over lib/
# (tests/tools/forge.c signs what a hostile participant would), tests/shim/*.c
# LD_PRELOAD libraries, built without sanitizers so that they can be
# preloaded into either build (tests/shim/powercut.c cuts the power).
TOOLS    := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))
SHIMS    := $(patsubst tests/shim/%.c,$(BUILD)/tests/shim/%.so,$(wildcard tests/shim/*.c))
BENCHES  := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all tests benches fuzz clean man
all: $(BUILD)/rosterd $(BUILD)/roster man

# The manual pages, written by the programs from the same tables as their
# --help (lib/opts.h), so the two cannot drift (tests/e2e/test_cli.sh
# compares them): roster(1), roster-CMD(1), rosterd(1), rosterd-CMD(1).
man: $(BUILD)/man/roster.1
$(BUILD)/man/roster.1: $(BUILD)/roster $(BUILD)/rosterd
	rm -rf $(BUILD)/man
	$(BUILD)/roster help --man $(BUILD)/man
	$(BUILD)/rosterd help --man $(BUILD)/man

$(BUILD)/%.o: %.c $(wildcard lib/*.h hub/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# The node's objects see node/ too, so its files name their layer in every
# include: "core/store.h" from cli/ and web/, plain "store.h" within core/.
$(BUILD)/node/%.o: node/%.c $(wildcard lib/*.h) $(NODE_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Inode -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(NODECORE): $(NODE_CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/rosterd: $(HUB_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/roster: $(NODE_FACE_OBJ) $(NODECORE) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

tests: $(TESTS) $(TOOLS) $(SHIMS) all
$(NODE_TESTS): $(BUILD)/tests/%: tests/unit/%.c $(NODECORE) $(LIBA) $(NODE_H) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Inode $(LDFLAGS) -o $@ $< $(NODECORE) $(LIBA) $(PKG_LIBS) -lcmocka
$(BUILD)/tests/%: tests/unit/%.c $(LIBA) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(PKG_LIBS) -lcmocka
$(BUILD)/tests/tools/%: tests/tools/%.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(PKG_LIBS)
$(BUILD)/tests/shim/%.so: tests/shim/%.c $(wildcard tests/shim/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -fPIC -shared -o $@ $< -ldl -lpthread

benches: $(BENCHES)
# A bench_node_*.c measures the node's core (linked as for its unit tests);
# every other bench links the hub's objects.
# (and the TAXII server's objects, which bench_node_taxii serves from)
TAXII_OBJ := $(filter $(BUILD)/node/taxii/%,$(NODE_FACE_OBJ))
$(BUILD)/bench/bench_node_%: bench/bench_node_%.c $(TAXII_OBJ) $(NODECORE) $(LIBA) $(NODE_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Inode -o $@ $< $(TAXII_OBJ) $(NODECORE) $(LIBA) $(PKG_LIBS)
$(BUILD)/bench/%: bench/%.c $(LIBA) $(filter-out $(BUILD)/hub/main.o,$(HUB_OBJ))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Ihub -o $@ $< $(filter-out $(BUILD)/hub/main.o,$(HUB_OBJ)) $(LIBA) $(PKG_LIBS)

# libFuzzer targets: always clang, always with ASan+UBSan, own tree.  A
# target named fuzz_hub_*.c is also built with hub/*.c (without its main.c),
# one named fuzz_node_*.c with the node's core, web interface and TAXII
# server (never its command line, which holds main).
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_BUILD := build-fuzz
FUZZ_CC := clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Ilib $(PKG_CFLAGS)
FUZZ_HUB_SRC := $(filter-out hub/main.c,$(HUB_SRC))
FUZZ_NODE_SRC := $(NODE_CORE_SRC) $(wildcard node/web/*.c node/taxii/*.c)
fuzz: $(FUZZ_SRC:fuzz/%.c=$(FUZZ_BUILD)/%)
$(FUZZ_BUILD)/fuzz_hub_%: fuzz/fuzz_hub_%.c $(LIB_SRC) $(FUZZ_HUB_SRC) $(wildcard lib/*.h hub/*.h)
	@mkdir -p $(FUZZ_BUILD)
	$(FUZZ_CC) -Ihub -o $@ $< $(FUZZ_HUB_SRC) $(LIB_SRC) $(PKG_LIBS)
$(FUZZ_BUILD)/fuzz_node_%: fuzz/fuzz_node_%.c $(LIB_SRC) $(FUZZ_NODE_SRC) $(wildcard lib/*.h) $(NODE_H)
	@mkdir -p $(FUZZ_BUILD)
	$(FUZZ_CC) -Inode -o $@ $< $(FUZZ_NODE_SRC) $(LIB_SRC) $(PKG_LIBS)
$(FUZZ_BUILD)/%: fuzz/%.c $(LIB_SRC) $(wildcard lib/*.h)
	@mkdir -p $(FUZZ_BUILD)
	$(FUZZ_CC) -o $@ $< $(LIB_SRC) $(PKG_LIBS)

# make install: the programs, their manual pages, the share folder and the
# systemd units of contrib/systemd (docs/operations.md) under PREFIX
# (default /usr/local), staged under DESTDIR when it is given:
#   PREFIX/bin/rosterd, PREFIX/bin/roster
#   PREFIX/share/roster/       the web interface, catalogues, registries
#   PREFIX/share/man/man1/     roster(1), roster-CMD(1), rosterd(1), ...
#   UNITDIR/rosterd.service, roster.service; SYSUSERSDIR/rosterd.conf, roster.conf
# The programs find PREFIX/share/roster beside themselves (lib/share.c), so
# an installed roster needs nothing of the build folder (ROSTER_SHARE still
# overrides).  make SAN=1 install installs the sanitizer build instead.
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
UNITDIR  ?= /etc/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
.PHONY: install uninstall
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PREFIX)/share/roster \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 0755 $(BUILD)/rosterd $(BUILD)/roster $(DESTDIR)$(BINDIR)/
	install -m 0644 $(BUILD)/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	cp -R share/. $(DESTDIR)$(PREFIX)/share/roster/
	chmod -R u=rwX,go=rX $(DESTDIR)$(PREFIX)/share/roster
	for u in rosterd roster; do \
		sed 's|@BINDIR@|$(BINDIR)|g' contrib/systemd/$$u.service.in \
			>$(DESTDIR)$(UNITDIR)/$$u.service && \
		install -m 0644 contrib/systemd/$$u.sysusers $(DESTDIR)$(SYSUSERSDIR)/$$u.conf || exit 1; \
	done
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/rosterd $(DESTDIR)$(BINDIR)/roster
	rm -f $(DESTDIR)$(PREFIX)/share/man/man1/roster.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/roster-*.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/rosterd.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/rosterd-*.1
	rm -rf $(DESTDIR)$(PREFIX)/share/roster
	rm -f $(DESTDIR)$(UNITDIR)/rosterd.service $(DESTDIR)$(UNITDIR)/roster.service \
		$(DESTDIR)$(SYSUSERSDIR)/rosterd.conf $(DESTDIR)$(SYSUSERSDIR)/roster.conf

clean:
	rm -rf build build-san build-fuzz
