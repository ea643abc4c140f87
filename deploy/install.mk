# `make install` and `make uninstall` for Bridgekeeper; the Makefile includes this file, and it also
# works alone: make -f deploy/install.mk install.
#
#   make install                         build the release binary and install everything
#   make install DESTDIR=/tmp/pkg        lay the files out under /tmp/pkg (packaging): no user is
#                                        created, no ownership changed, systemd is not told
#   make install BRIDGEKEEPER_BINARY=path  install that binary instead of building one
#
# It installs the binary, the systemd unit, a sysusers.d entry for the bridgekeeper user,
# /etc/bridgekeeper/{policy,bridgekeeper.env} (never over existing ones), the example policies in
# /etc/bridgekeeper/examples, /var/lib/bridgekeeper, and docs/operations.md.
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DOCDIR ?= $(PREFIX)/share/doc/bridgekeeper
CONFDIR ?= /etc/bridgekeeper
STATEDIR ?= /var/lib/bridgekeeper
BRIDGEKEEPER_USER ?= bridgekeeper
BRIDGEKEEPER_BINARY ?=
INSTALL ?= install

.PHONY: install uninstall install-binary install-files install-system

## install: binary, systemd unit, bridgekeeper user, /etc/bridgekeeper (existing files kept).
install: install-binary install-files install-system

install-binary:
	@set -e; binary="$(BRIDGEKEEPER_BINARY)"; \
	if [ -z "$$binary" ]; then \
		$(SWIFT) build -c release --product bridgekeeper; \
		binary="$$($(SWIFT) build -c release --show-bin-path)/bridgekeeper"; \
	fi; \
	[ -x "$$binary" ] || { echo "make install: no executable at $$binary" >&2; exit 1; }; \
	$(INSTALL) -d -m 0755 "$(DESTDIR)$(BINDIR)"; \
	$(INSTALL) -m 0755 "$$binary" "$(DESTDIR)$(BINDIR)/bridgekeeper"

install-files:
	@set -e; \
	$(INSTALL) -d -m 0755 "$(DESTDIR)$(UNITDIR)" "$(DESTDIR)$(SYSUSERSDIR)" "$(DESTDIR)$(DOCDIR)"; \
	sed -e 's|/usr/local/bin/|$(BINDIR)/|g' -e 's|/usr/local/share/doc/bridgekeeper/|$(DOCDIR)/|g' \
		-e 's|/etc/bridgekeeper/|$(CONFDIR)/|g' \
		-e 's|^User=bridgekeeper$$|User=$(BRIDGEKEEPER_USER)|' -e 's|^Group=bridgekeeper$$|Group=$(BRIDGEKEEPER_USER)|' \
		deploy/bridgekeeper.service > "$(DESTDIR)$(UNITDIR)/bridgekeeper.service"; \
	chmod 0644 "$(DESTDIR)$(UNITDIR)/bridgekeeper.service"; \
	sed -e 's|^u bridgekeeper |u $(BRIDGEKEEPER_USER) |' -e 's|/var/lib/bridgekeeper|$(STATEDIR)|' \
		deploy/bridgekeeper.sysusers > "$(DESTDIR)$(SYSUSERSDIR)/bridgekeeper.conf"; \
	chmod 0644 "$(DESTDIR)$(SYSUSERSDIR)/bridgekeeper.conf"; \
	$(INSTALL) -m 0644 docs/operations.md "$(DESTDIR)$(DOCDIR)/operations.md"; \
	$(INSTALL) -d -m 0755 "$(DESTDIR)$(CONFDIR)" "$(DESTDIR)$(CONFDIR)/examples"; \
	$(INSTALL) -m 0644 policies/*.policy "$(DESTDIR)$(CONFDIR)/examples/"; \
	if [ -e "$(DESTDIR)$(CONFDIR)/policy" ]; then \
		echo "make install: keeping the existing $(DESTDIR)$(CONFDIR)/policy"; \
	else \
		$(INSTALL) -m 0640 policies/default.policy "$(DESTDIR)$(CONFDIR)/policy"; \
	fi; \
	if [ -e "$(DESTDIR)$(CONFDIR)/bridgekeeper.env" ]; then \
		echo "make install: keeping the existing $(DESTDIR)$(CONFDIR)/bridgekeeper.env"; \
	else \
		sed -e 's|/etc/bridgekeeper/|$(CONFDIR)/|g' deploy/bridgekeeper.env > "$(DESTDIR)$(CONFDIR)/bridgekeeper.env"; \
		chmod 0644 "$(DESTDIR)$(CONFDIR)/bridgekeeper.env"; \
	fi; \
	$(INSTALL) -d -m 0750 "$(DESTDIR)$(STATEDIR)"

# On the real system only (no DESTDIR): the user, who owns what, and systemd told about the unit.
install-system:
	@set -e; \
	if [ -n "$(DESTDIR)" ]; then exit 0; fi; \
	if ! getent passwd $(BRIDGEKEEPER_USER) >/dev/null; then \
		if command -v systemd-sysusers >/dev/null; then \
			systemd-sysusers "$(SYSUSERSDIR)/bridgekeeper.conf"; \
		else \
			useradd --system --user-group --home-dir "$(STATEDIR)" --no-create-home \
				--shell /usr/sbin/nologin $(BRIDGEKEEPER_USER); \
		fi; \
		echo "make install: created the system user $(BRIDGEKEEPER_USER)"; \
	fi; \
	chown root:$(BRIDGEKEEPER_USER) "$(CONFDIR)" "$(CONFDIR)/policy"; \
	chmod 0750 "$(CONFDIR)"; \
	chmod 0640 "$(CONFDIR)/policy"; \
	chown $(BRIDGEKEEPER_USER):$(BRIDGEKEEPER_USER) "$(STATEDIR)"; \
	if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
	echo "make install: set the ports in $(CONFDIR)/bridgekeeper.env, then: systemctl enable --now bridgekeeper"

## uninstall: remove what install put in $(PREFIX); /etc/bridgekeeper, /var/lib/bridgekeeper and the user stay.
uninstall:
	@set -e; \
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ] && systemctl is-active --quiet bridgekeeper; then \
		echo "make uninstall: stop it first: systemctl disable --now bridgekeeper" >&2; exit 1; \
	fi; \
	rm -f "$(DESTDIR)$(BINDIR)/bridgekeeper" "$(DESTDIR)$(UNITDIR)/bridgekeeper.service" \
		"$(DESTDIR)$(SYSUSERSDIR)/bridgekeeper.conf" "$(DESTDIR)$(DOCDIR)/operations.md"; \
	rmdir "$(DESTDIR)$(DOCDIR)" 2>/dev/null || true; \
	rm -f $(addprefix "$(DESTDIR)$(CONFDIR)/examples/",$(notdir $(wildcard policies/*.policy))); \
	rmdir "$(DESTDIR)$(CONFDIR)/examples" 2>/dev/null || true; \
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
	echo "make uninstall: kept $(CONFDIR), $(STATEDIR) and the user $(BRIDGEKEEPER_USER); remove them by hand if you want"
