#!/bin/sh
# autogen.sh: generates ./configure and the Makefile.in files from
# configure.ac and Makefile.am. Run once after a fresh checkout.
set -e
cd "$(dirname "$0")"
autoreconf --install --force --warnings=all
