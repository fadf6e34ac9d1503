#!/usr/bin/env node
// pods_page_test.mjs: drives steady-pods' joined page (steady-pods --serve) in headless
// Chromium (playwright-core) and checks what a user sees.
//
//   node pods_page_test.mjs --base http://127.0.0.1:PORT --pods N --nodes N --bridges N
//        --stop-cmd 'shell command that takes the bridges' server down' [--expect-3d 0|1]
//        [--shots DIR] [--node-modules DIR] [--chromium PATH]
//
// Checks: the page loads with no console error, failed request or CSP violation; the summary
// counts the pods and bridges; the 2-D view is an SVG with N actor nodes and one bridge edge;
// the bridge table says "up"; the 3-D view (three.js on WebGL) draws a layer per pod, every
// actor, the bridges, and keeps rendering frames; once the server is stopped the table, the
// 3-D view and the SVG say the bridge is down (red). Exit status: 0 pass, 1 fail, 77 skipped.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { SKIP, findChromium, loadPlaywright } from '../support/browser.mjs';

function parseArgs(argv) {
  const a = { nodeModules: [], expect3d: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      return argv[++i];
    };
    switch (k) {
      case '--base': a.base = v().replace(/\/+$/, ''); break;
      case '--pods': a.pods = Number(v()); break;
      case '--nodes': a.nodes = Number(v()); break;
      case '--bridges': a.bridges = Number(v()); break;
      case '--stop-cmd': a.stopCmd = v(); break;
      case '--expect-3d': a.expect3d = v() !== '0'; break;
      case '--shots': a.shots = v(); break;
      case '--node-modules': a.nodeModules.push(v()); break;
      case '--chromium': a.chromium = v(); break;
      default: throw new Error(`unknown argument ${k}`);
    }
  }
  if (!a.base || !a.stopCmd) throw new Error('--base and --stop-cmd are required');
  return a;
}

let failed = 0;
function check(name, ok, detail = '') {
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`);
  return ok;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const { pw, from, tried } = await loadPlaywright(a.nodeModules);
  if (!pw) {
    console.log(`SKIP: playwright-core not found (looked in ${tried.join(', ')})`);
    return SKIP;
  }
  const exe = findChromium(a.chromium);
  if (!exe) {
    console.log('SKIP: Chromium not found (Debian: apt-get install chromium)');
    return SKIP;
  }
  console.log(`pods page test: ${a.base} (playwright-core from ${from}, ${exe})`);
  if (a.shots) fs.mkdirSync(a.shots, { recursive: true });
  const shot = (page, name) => a.shots && page.screenshot({ path: path.join(a.shots, name) });
  // WebGL without a GPU: Chromium's software rasteriser (SwiftShader through ANGLE).
  const browser = await pw.chromium.launch({
    executablePath: exe,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(20000);
    const problems = [];
    let stopping = false;
    page.on('console', (m) => {
      if (m.type() === 'error' && !stopping) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    await page.addInitScript(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective));
    });
    const resp = await page.goto(a.base + '/', { waitUntil: 'load' });
    check('page loads', resp && resp.ok(), resp ? `HTTP ${resp.status()}` : 'no response');
    check('page has a Content-Security-Policy', !!resp.headers()['content-security-policy']);

    const want = `${a.pods} pods · ${a.bridges} bridges`;
    await page.waitForFunction((w) => document.getElementById('summary').textContent === w, want)
      .then(() => check(`summary says "${want}"`, true))
      .catch(async () => check(`summary says "${want}"`, false, await page.textContent('#summary')));
    await page.waitForFunction((n) => window.podsView.svgNodes === n, a.nodes).catch(() => {});
    const nodes = await page.locator('#graph svg g.node').count();
    check(`2-D view: an SVG of ${a.nodes} actors`, nodes === a.nodes, `${nodes}`);
    const clusters = await page.locator('#graph svg g.cluster').count();
    check(`2-D view: a cluster per pod (${a.pods})`, clusters === a.pods, `${clusters}`);
    const bridgeEdges = await page.locator('#graph svg g.edge.bridge').count();
    check(`2-D view: ${a.bridges} bridge edge(s)`, bridgeEdges === a.bridges, `${bridgeEdges}`);
    const state = await page.textContent('#bridges tbody tr td:nth-child(4)');
    check('bridge table: up', state === 'up', state);
    await shot(page, '01-pods-2d.png');

    await page.click('#show3d');
    await page.waitForFunction(() => window.podsView.view3d && window.podsView.view3d.frames > 10)
      .catch(() => {});
    const v3 = await page.evaluate(() => window.podsView.view3d);
    if (a.expect3d) {
      check('3-D view renders frames (WebGL)', v3 && v3.frames > 10, JSON.stringify(v3));
      check(`3-D view: ${a.pods} layers, ${a.nodes} actors, ${a.bridges} bridge(s)`,
        v3 && v3.layers === a.pods && v3.actors === a.nodes && v3.bridges === a.bridges,
        JSON.stringify(v3));
      const drawn = await page.evaluate(() => {
        const c = document.getElementById('scene');
        return c.width > 0 && c.height > 0;
      });
      check('3-D canvas has a size', drawn);
      await page.mouse.move(640, 300);
      await page.mouse.down();
      await page.mouse.move(740, 340);
      await page.mouse.up();
      await shot(page, '02-pods-3d.png');
    }

    stopping = true;
    await new Promise((resolve) => spawn('/bin/sh', ['-c', a.stopCmd], { stdio: 'inherit' }).on('exit', resolve));
    await page.waitForFunction(() => document.querySelector('#bridges tbody tr td.down') !== null, null, { timeout: 15000 })
      .then(() => check('bridge table: down once the server is gone', true))
      .catch(async () => check('bridge table: down once the server is gone', false,
        await page.textContent('#bridges tbody')));
    if (a.expect3d) {
      await page.waitForFunction(() => window.podsView.view3d.down >= 1).catch(() => {});
      check('3-D view: the bridge drawn red', (await page.evaluate(() => window.podsView.view3d.down)) >= 1);
      await shot(page, '03-pods-3d-down.png');
    }
    await page.click('#show2d');
    await page.waitForFunction(() => [...document.querySelectorAll('#graph svg g.node path, #graph svg g.node polygon')]
      .some((e) => e.getAttribute('stroke') === 'red')).catch(() => {});
    const red = await page.evaluate(() => [...document.querySelectorAll('#graph svg g.node path, #graph svg g.node polygon')]
      .filter((e) => e.getAttribute('stroke') === 'red').length);
    check('2-D view: the bridge actors outlined red', red >= 2, `${red}`);
    await shot(page, '04-pods-2d-down.png');
    const csp = await page.evaluate(() => window.__csp);
    check('no CSP violation', csp.length === 0, csp.join(', '));
    check('no console error, failed request or HTTP error', problems.length === 0, problems.join(' | '));
  } finally {
    await browser.close();
  }
  console.log(failed ? `pods page test: ${failed} check(s) failed` : 'pods page test: all checks passed');
  return failed ? 1 : 0;
}

main().then((rc) => process.exit(rc), (e) => {
  console.error(`pods page test: ${e.stack || e}`);
  process.exit(1);
});
