# bindings/node/node.mk — the Node.js binding (koffi), included by the main Makefile.
#   make check-node    install the pinned koffi (npm ci) if node_modules is missing, then `node --test`,
#                      then tsc over test/types (index.d.ts), then test/pack-install.sh: npm pack, make install PREFIX=<tmp>, npm install of the
#                      tarball into a fresh app, a script against the installed library
#   make bench-langs   one field read (slots_get_f64) in ns/op from C, Node and LuaJIT (tests/bench/)
# node and npm are required: a machine without them fails here, loudly, rather than skipping.
NODE ?= node
NPM ?= npm
NODE_DIR := bindings/node

.PHONY: check-node bench-langs

$(NODE_DIR)/node_modules/.package-lock.json: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	@command -v $(NODE) >/dev/null 2>&1 || { echo "check-node: '$(NODE)' not found: install Node.js >= 18 (Debian: nodejs npm)" >&2; exit 1; }
	@command -v $(NPM) >/dev/null 2>&1 || { echo "check-node: '$(NPM)' not found: install npm (Debian: npm)" >&2; exit 1; }
	cd $(NODE_DIR) && $(NPM) ci --no-audit --no-fund
	@touch $@

check-node: lib $(NODE_DIR)/node_modules/.package-lock.json
	@command -v $(NODE) >/dev/null 2>&1 || { echo "check-node: '$(NODE)' not found: install Node.js >= 18" >&2; exit 1; }
	cd $(NODE_DIR) && SLOTS_LIBRARY=$(abspath $(B)/$(SONAME)) $(NODE) --test test/
	cd $(NODE_DIR) && node_modules/.bin/tsc -p test/types
	NODE=$(NODE) NPM=$(NPM) MAKE=$(MAKE) sh $(NODE_DIR)/test/pack-install.sh

bench-langs: lib $(NODE_DIR)/node_modules/.package-lock.json
	@tests/bench/bench_langs.sh $(abspath $(B))

EXTRA_CHECKS += check-node
