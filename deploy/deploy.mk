# deploy/deploy.mk — included by the top-level Makefile (`include deploy/deploy.mk`).
#   make install            binary + hardened unit + default config (systemd route)
#   make install DESTDIR=/tmp/pkg PREFIX=/usr
#   make deploy-check       all deploy checks (manifests, checkov, promtool, systemd-analyze, dashboard)
#   make deploy-deps        Debian packages the checks need (promtool, systemd-analyze, python3-venv)

PREFIX        ?= /usr/local
BINDIR        ?= $(PREFIX)/bin
SYSCONFDIR    ?= /etc
# /etc/systemd/system for a local install; packagers set UNITDIR=/lib/systemd/system.
UNITDIR       ?= $(SYSCONFDIR)/systemd/system
OOMWATCH_BIN  ?= .build/release/oomwatch
INSTALL       ?= install

.PHONY: install uninstall deploy-check deploy-deps

install:
	@test -x $(OOMWATCH_BIN) || { echo "$(OOMWATCH_BIN) missing: run 'make release' first"; exit 1; }
	$(INSTALL) -D -m 0755 $(OOMWATCH_BIN) $(DESTDIR)$(BINDIR)/oomwatch
	$(INSTALL) -d $(DESTDIR)$(UNITDIR)
	sed 's|^ExecStart=/usr/local/bin/oomwatch |ExecStart=$(BINDIR)/oomwatch |' systemd/oomwatch.service > $(DESTDIR)$(UNITDIR)/oomwatch.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/oomwatch.service
	@# Never overwrite an edited configuration.
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/default/oomwatch ]; then \
	  echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/default/oomwatch"; \
	else \
	  echo "$(INSTALL) -D -m 0644 systemd/oomwatch.env $(DESTDIR)$(SYSCONFDIR)/default/oomwatch"; \
	  $(INSTALL) -D -m 0644 systemd/oomwatch.env $(DESTDIR)$(SYSCONFDIR)/default/oomwatch; \
	fi
	@if [ -z "$(DESTDIR)" ]; then echo "now: systemctl daemon-reload && systemctl enable --now oomwatch"; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/oomwatch $(DESTDIR)$(UNITDIR)/oomwatch.service
	@echo "left $(DESTDIR)$(SYSCONFDIR)/default/oomwatch and /var/lib/oomwatch in place"

deploy-check:
	bash deploy/check.sh

deploy-deps:
	apt-get install -y --no-install-recommends prometheus systemd python3-venv
