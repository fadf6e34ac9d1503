/* telemetry/assets.h — the dashboard's files (web/), embedded in the library at build time.
 *
 * Generated: assets.c is written by the build (src/telemetry/web.cmake) from web/ and, when
 * npm was available at configure time, from @viz-js/viz's browser build. Without npm the table
 * holds the page without the layout engine (the dashboard then shows the DOT text).
 * Constant data: safe from any thread.
 * Private to libsteady-telemetry (never installed); steady-pods (tools/top) embeds its own page
 * with the same generator and this same table type. */
#ifndef STEADY_TELEMETRY_ASSETS_H
#define STEADY_TELEMETRY_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tm_asset {
    const char *path;         /* as requested: "/", "/app.js", "/viz/viz-standalone.js", ... */
    const char *content_type; /* "text/html; charset=utf-8", ... */
    const unsigned char *data;
    size_t len;
} tm_asset;

/* The asset served at `path` (exact match; "/" is the page), or NULL. */
const tm_asset *tm_asset_find(const char *path);
/* Whether the layout engine (@viz-js/viz) was embedded. */
bool tm_assets_have_viz(void);

#endif
