# tests/deb/deb.mk — Debian packages built from the tree (included by the main Makefile).
#   make deb         build/deb/libslots1_*.deb and libslots-dev_*.deb (pkgconfig/deb/build-deb.sh)
#   make check-deb   build, lintian, apt install into this machine, use from C, remove
.PHONY: deb check-deb
deb: lib
	@bash pkgconfig/deb/build-deb.sh build/deb
check-deb: lib
	@tests/deb/check-deb.sh
EXTRA_CHECKS += check-deb
