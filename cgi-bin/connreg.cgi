#!/bin/sh
# SPDX-License-Identifier: MIT
# CGI entry point for hosts that run only CGI programs. Copy this file
# into the host's cgi-bin directory, make it executable, and set the two
# paths below: the installed connreg-fcgi program and its configuration
# file. connreg-fcgi sees that its standard input is not a socket and
# serves the one request in its environment.
CONNREG_FCGI=/usr/local/bin/connreg-fcgi
CONNREG_CONFIG=/usr/local/etc/connreg/connreg.conf
export CONNREG_CONFIG
exec "$CONNREG_FCGI"
