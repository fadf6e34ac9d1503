// browser.mjs: what the browser tests share: playwright-core from a node_modules directory
// (the build's npm install, or web/node_modules) and Debian's Chromium. Exit code 77 is
// ctest's "skipped" for both tests when either is missing.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const SKIP = 77;
const here = path.dirname(fileURLToPath(import.meta.url));

// { pw, from } or { pw: null, tried }: playwright-core from the first directory that has it.
export async function loadPlaywright(dirs) {
  const candidates = [...dirs];
  if (process.env.STEADY_NODE_MODULES) candidates.push(process.env.STEADY_NODE_MODULES);
  candidates.push(path.resolve(here, '../../web/node_modules'));
  for (const d of candidates) {
    try {
      const req = createRequire(path.join(path.resolve(d), 'noop.js'));
      const p = req.resolve('playwright-core');
      const mod = await import(pathToFileURL(p).href);
      return { pw: mod.default || mod, from: d };
    } catch { /* next */ }
  }
  return { pw: null, tried: candidates };
}

// The Chromium to drive: want, else Debian's paths; null when none is installed.
export function findChromium(want) {
  const list = want ? [want] : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return list.find((p) => fs.existsSync(p)) || null;
}
