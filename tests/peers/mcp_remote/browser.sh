#!/bin/sh
# The "browser" of the mcp-remote e2e test (BROWSER=<this script>): mcp-remote opens the authorization URL through
# the `open` package -> xdg-open -> $BROWSER "<url>". Instead of opening anything, append the URL to
# $MCP_REMOTE_BROWSER_LOG; the test reads it and drives headless Chromium to the consent page.
printf '%s\n' "$1" >> "${MCP_REMOTE_BROWSER_LOG:?MCP_REMOTE_BROWSER_LOG is not set}"
