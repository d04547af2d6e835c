# plausid -- build, test, demo, benchmark.
#
#   make            build build/plausid
#   make check      install missing Debian packages (as root), build, run every test,
#                   then the same suite again under AddressSanitizer + UBSan
#   make demo       build and check the sample export that ships in samples/
#   make bench      1M-record benchmark against a bare libcsv pass
#   make fuzz       run the fuzzers for FUZZ_SECONDS each (developers)
#   make mutate     the mutation check: each bug in tests/mutants.txt must fail a test

CC        ?= cc
CLANG     ?= clang
BUILD     ?= build
OPT       ?= -O2 -g
SAN       ?=
VERSION   := 0.1
PQ_INCLUDE := $(shell pkg-config --variable=includedir libpq 2>/dev/null || echo /usr/include/postgresql)
CFLAGS_ALL = -std=gnu11 -D_GNU_SOURCE -DPLAUSID_VERSION='"$(VERSION)"' -Wall -Wextra -Werror \
             -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers \
             -Iinclude -Idaemon -I$(PQ_INCLUDE) -MMD -MP $(OPT) $(SAN) $(CFLAGS)
LIBS       = -lcsv -lyaml -lxxhash -lpq -lcrypto -lsystemd -pthread
FUZZ_SECONDS ?= 60

# One folder per pipeline stage (daemon/README.md: "Where a change goes"); a new .c file in
# a folder is built without touching this file.
STAGES     = util input engine store report service
DAEMON_SRC = $(foreach d,$(STAGES),$(wildcard daemon/$(d)/*.c))
DAEMON_OBJ = $(DAEMON_SRC:daemon/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/store/migrations.o
# The fuzz targets link what needs no database: reading, the rule engine, the configuration.
FUZZ_SRC   = $(wildcard daemon/util/*.c daemon/input/*.c daemon/engine/*.c) daemon/service/config.c
UNIT_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
FUZZERS    = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
TOOLS      = $(BUILD)/genhze $(BUILD)/csvbare $(BUILD)/csv2fixed $(BUILD)/fixedbare

.PHONY: all deps check check-suite check-asan demo bench fuzz clean mutate
all: $(BUILD)/plausid $(TOOLS)

deps:
	@scripts/deps.sh

$(BUILD)/obj/%.o: daemon/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# .incbin is invisible to -MMD: the migrations are listed as prerequisites by hand.
$(BUILD)/obj/store/migrations.o: daemon/store/migrations.S $(wildcard sql/*.sql)
	@mkdir -p $(@D)
	$(CC) -c $< -o $@

$(BUILD)/libplausid.a: $(DAEMON_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/plausid: $(BUILD)/obj/main.o $(BUILD)/obj/main_read.o $(BUILD)/libplausid.a
	$(CC) $(CFLAGS_ALL) $^ $(LIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libplausid.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $< $(BUILD)/libplausid.a $(LIBS) -lcmocka -o $@

# Tools are single files; they take the warnings but not the engine.
$(BUILD)/genhze: tools/genhze.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror $(OPT) $(SAN) $< -o $@

$(BUILD)/csvbare: tools/csvbare.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror $(OPT) $< -lcsv -o $@

# csv2fixed writes a CSV export in the pack's fixed-width layout: it needs the engine.
$(BUILD)/csv2fixed: tools/csv2fixed.c $(BUILD)/libplausid.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $< $(BUILD)/libplausid.a $(LIBS) -o $@

$(BUILD)/fixedbare: tools/fixedbare.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror $(OPT) $< -o $@

# Fuzz targets: clang's libFuzzer with ASan and UBSan, always in their own directory.
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_SRC) $(wildcard include/*.h daemon/*/*.h)
	@mkdir -p $(@D)
	$(CLANG) -std=gnu11 -D_GNU_SOURCE -g -O1 -Iinclude -Idaemon -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all $< $(FUZZ_SRC) $(LIBS) -o $@

check-suite: $(BUILD)/plausid $(TOOLS) $(UNIT_TESTS) $(FUZZERS)
	tests/run.sh $(BUILD)

check-asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" check-suite

check: deps
	$(MAKE) check-suite
	$(MAKE) check-asan

# The mutation check (README, "The mutation check"): every bug in tests/mutants.txt must
# fail a test. 15 minutes for the whole list; MUTANTS="L02 H01" picks some. Not in check.
mutate: all
	tests/mutate.sh --build $(BUILD) $(MUTANTS)

demo: deps all
	@scripts/demo.sh $(BUILD)

bench: deps all
	tests/bench.sh $(BUILD)

fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do \
	  n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
	  $$f -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/corpus-$$n tests/fuzz/corpus/$${n#fuzz_} || exit 1; \
	done

clean:
	rm -rf build build-asan

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/obj/*.d $(BUILD)/tests/*.d)

# ---- make install -----------------------------------------------------------------
#
#   make install [PREFIX=/usr/local] [DESTDIR=]
#
# Installs the binary, the rule packs, the systemd unit with its sysusers.d and tmpfiles.d
# files, the example configuration and the man pages. The unit in systemd/ names
# /usr/bin/plausid; its ExecStart is rewritten to $(BINDIR) on the way. With DESTDIR empty,
# as root, it also creates the user and directories and tells systemd about the unit, so
# that `systemctl enable --now plausid` is all that is left. An existing
# $(SYSCONFDIR)/plausid/plausid.yaml is never overwritten.
PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      ?= $(PREFIX)/bin
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
DOCDIR      ?= $(DATADIR)/doc/plausid
RULESDIR    ?= $(DATADIR)/plausid/rules
# ConfigurationDirectory=plausid in the unit is always below /etc.
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
INSTALL     ?= install

.PHONY: install
install: $(BUILD)/plausid
	$(INSTALL) -D -m 0755 $(BUILD)/plausid $(DESTDIR)$(BINDIR)/plausid
	$(INSTALL) -D -m 0644 -t $(DESTDIR)$(RULESDIR) $(wildcard rules/*.yaml rules/*.views.sql)
	$(INSTALL) -D -m 0644 rules/README.md $(DESTDIR)$(DOCDIR)/rules.md
	$(INSTALL) -D -m 0644 config.example.yaml $(DESTDIR)$(DOCDIR)/config.example.yaml
	$(INSTALL) -D -m 0644 man/plausid.8 $(DESTDIR)$(MANDIR)/man8/plausid.8
	$(INSTALL) -D -m 0644 man/plausid.yaml.5 $(DESTDIR)$(MANDIR)/man5/plausid.yaml.5
	@mkdir -p $(BUILD)
	sed -e 's|/usr/bin/plausid|$(BINDIR)/plausid|' -e 's|/etc/plausid/|$(SYSCONFDIR)/plausid/|' \
	  systemd/plausid.service >$(BUILD)/plausid.service
	$(INSTALL) -D -m 0644 $(BUILD)/plausid.service $(DESTDIR)$(UNITDIR)/plausid.service
	$(INSTALL) -D -m 0644 systemd/plausid.sysusers $(DESTDIR)$(SYSUSERSDIR)/plausid.conf
	$(INSTALL) -D -m 0644 systemd/plausid.tmpfiles $(DESTDIR)$(TMPFILESDIR)/plausid.conf
	@# The example, with its relative rules paths pointing at the installed packs. No
	@# secrets in it (passwords belong in ~plausid/.pgpass), hence 0644.
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/plausid/plausid.yaml ]; then \
	  echo "keeping $(DESTDIR)$(SYSCONFDIR)/plausid/plausid.yaml"; \
	else \
	  echo "installing $(DESTDIR)$(SYSCONFDIR)/plausid/plausid.yaml"; \
	  sed 's|^\([[:space:]]*rules:[[:space:]]*\)rules/|\1$(RULESDIR)/|' config.example.yaml >$(BUILD)/plausid.yaml && \
	  $(INSTALL) -D -m 0644 $(BUILD)/plausid.yaml $(DESTDIR)$(SYSCONFDIR)/plausid/plausid.yaml; \
	fi
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	  echo "systemd-sysusers, systemd-tmpfiles --create, systemctl daemon-reload"; \
	  systemd-sysusers $(SYSUSERSDIR)/plausid.conf && \
	  systemd-tmpfiles --create $(TMPFILESDIR)/plausid.conf && \
	  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
	fi
