#!/usr/bin/env node
// dashboard_test.mjs: drives the telemetry dashboard in headless Chromium (playwright-core) and
// checks what a user sees. Works against the fixture server (fixture_server.py) or a real
// graph's telemetry server.
//
//   node dashboard_test.mjs --base http://127.0.0.1:PORT [--expect-nodes N] [--expect-edges N]
//        [--expect-bottleneck LABEL] [--expect-viz 0|1] [--shots DIR]
//        [--node-modules DIR] [--chromium PATH]
//        [--stop-url URL | --stop-cmd 'shell command' | --server-pid PID]
//
// Checks, in order: the page loads with no console error, no failed request and no CSP
// violation; the title turns "Live Telemetry"; the graph is an SVG with N nodes (or, without the
// layout engine, the DOT text); hovering a node and an edge shows the hover panel with figures;
// the bottleneck is marked and named in the header; clicking a channel draws its charts; zoom
// works; both downloads exist; once the server is stopped (the stop option) the title becomes
// "Snapshot at <time>" and the last diagram stays. Screenshots go to --shots.
//
// Exit status: 0 pass, 1 fail, 77 skipped (no playwright-core, no Chromium).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { SKIP, findChromium, loadPlaywright } from '../support/browser.mjs';

function parseArgs(argv) {
  const a = { expectViz: null, shots: null, nodeModules: [], chromium: null };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      return argv[++i];
    };
    switch (k) {
      case '--base': a.base = v().replace(/\/+$/, ''); break;
      case '--expect-nodes': a.nodes = Number(v()); break;
      case '--expect-edges': a.edges = Number(v()); break;
      case '--expect-bottleneck': a.bottleneck = v(); break;
      case '--expect-viz': a.expectViz = v() !== '0'; break;
      case '--shots': a.shots = v(); break;
      case '--node-modules': a.nodeModules.push(v()); break;
      case '--chromium': a.chromium = v(); break;
      case '--stop-url': a.stopUrl = v(); break;
      case '--stop-cmd': a.stopCmd = v(); break;
      case '--server-pid': a.serverPid = Number(v()); break;
      case '--timeout': a.timeout = Number(v()); break;
      case '-h': case '--help':
        console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 20).join('\n'));
        process.exit(0);
        break;
      default: throw new Error(`unknown argument ${k}`);
    }
  }
  if (!a.base) throw new Error('--base URL is required');
  return a;
}

const results = [];
let failed = 0;
function check(name, ok, detail = '') {
  results.push({ name, ok, detail });
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`);
  return ok;
}

async function stopServer(a) {
  if (a.stopUrl) {
    try {
      await fetch(a.stopUrl);
    } catch (e) { /* it may close before answering */ }
    return `GET ${a.stopUrl}`;
  }
  if (a.stopCmd) {
    await new Promise((resolve) => {
      const p = spawn('/bin/sh', ['-c', a.stopCmd], { stdio: 'inherit' });
      p.on('exit', resolve);
    });
    return `ran: ${a.stopCmd}`;
  }
  if (a.serverPid) {
    process.kill(a.serverPid, 'SIGTERM');
    return `SIGTERM to ${a.serverPid}`;
  }
  return null;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const { pw, from, tried } = await loadPlaywright(a.nodeModules);
  if (!pw) {
    console.log(`SKIP: playwright-core not found (looked in ${tried.join(', ')}); ` +
      'configure with npm available (npm ci into <build>/web-npm) or run `npm install` in web/');
    return SKIP;
  }
  const exe = findChromium(a.chromium);
  if (!exe) {
    console.log('SKIP: Chromium not found (Debian: apt-get install chromium)');
    return SKIP;
  }
  console.log(`dashboard test: ${a.base} (playwright-core from ${from}, ${exe})`);
  if (a.shots) fs.mkdirSync(a.shots, { recursive: true });
  const shot = async (page, name) => {
    if (!a.shots) return;
    await page.screenshot({ path: path.join(a.shots, name) });
    console.log(`     screenshot ${path.join(a.shots, name)}`);
  };

  const browser = await pw.chromium.launch({
    executablePath: exe,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 860 } });
    const page = await context.newPage();
    page.setDefaultTimeout((a.timeout || 20) * 1000);

    const problems = [];   // console errors, page errors, failed requests, CSP violations
    let stopped = false;
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) {
        if (!stopped) problems.push(`console ${m.type()}: ${m.text()}`);
      }
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => { if (!stopped) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`); });
    page.on('response', (r) => { if (!stopped && r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    await page.addInitScript(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
      });
    });

    const resp = await page.goto(a.base + '/', { waitUntil: 'load' });
    check('page loads', resp && resp.ok(), resp ? `HTTP ${resp.status()}` : 'no response');
    const csp = resp ? resp.headers()['content-security-policy'] : undefined;
    check('page has a Content-Security-Policy', !!csp, csp || 'none');

    await page.waitForFunction(() => document.getElementById('title')?.textContent === 'Live Telemetry')
      .then(() => check('title is "Live Telemetry"', true))
      .catch(async () => check('title is "Live Telemetry"', false, await page.textContent('#title')));

    const cfg = await (await fetch(a.base + '/config')).json().catch(() => ({}));
    const viz = a.expectViz ?? (cfg.have_viz !== false);
    if (viz) {
      await page.waitForSelector('#content svg g.node').catch(() => {});
      // a frame or two more: the graph is replaced every refresh
      await page.waitForTimeout(600);
      const n = await page.locator('#content svg g.node').count();
      check('graph is an SVG', n > 0, `${n} nodes`);
      if (Number.isFinite(a.nodes)) check(`graph has ${a.nodes} nodes`, n === a.nodes, `${n}`);
      const e = await page.locator('#content svg g.edge').count();
      if (Number.isFinite(a.edges)) check(`graph has ${a.edges} edges`, e === a.edges, `${e}`);
    } else {
      const t = await page.textContent('#dot-text');
      check('without the layout engine the DOT text is shown', /digraph/.test(t || ''), (t || '').slice(0, 40));
    }
    const total = await page.textContent('#total-rate');
    check('total rate shown', /Total rate: .*\d/.test(total || ''), total);
    await shot(page, '01-live.png');

    // Bottleneck
    const bnHeader = (await page.textContent('#bottleneck')) || '';
    const bnExpected = a.bottleneck ? bnHeader.includes(`Bottleneck: ${a.bottleneck}`) : /Bottleneck: \S/.test(bnHeader) && !/none/.test(bnHeader);
    check('header names the bottleneck', bnExpected, bnHeader.trim());
    if (viz) {
      const names = await page.$$eval('#content svg g.node.tm-bottleneck', (gs) => gs.map((g) => g.dataset.name));
      check('bottleneck node highlighted', names.length === 1 && (!a.bottleneck || names[0] === a.bottleneck), names.join(','));
      const bp = await page.locator('#content svg g.edge.tm-backpressure').count();
      if (/back-pressure from/.test(bnHeader)) check('back-pressure edge highlighted', bp >= 1, `${bp}`);
    }

    // Hover panel on a node, then an edge. The page redraws the SVG (and the lists) at every
    // refresh, so an element found a moment ago may be gone (detached, or mid-layout) when the
    // mouse arrives: find it again and retry, a few times, before calling it a failure.
    const soon = async (find, act) => {
      for (let i = 0; ; i++) {
        try {
          return await act(await find());
        } catch (e) {
          if (i >= 4) throw e;
          await page.waitForTimeout(200);
        }
      }
    };
    const hoverSoon = (find) => soon(find, (el) => el.hover({ force: true, timeout: 2000 }));
    const clickSoon = (find, force) => soon(find, (el) => el.click({ force, timeout: 2000 }));
    if (viz) {
      const node = a.bottleneck
        ? page.locator('#content svg g.node', { has: page.locator(`text:text-is("${a.bottleneck}")`) }).first()
        : page.locator('#content svg g.node').first();
      await hoverSoon(() => node.locator('polygon, ellipse, path').first());
      const ok = await page.waitForFunction(() => {
        const h = document.getElementById('hover');
        return h && !h.hidden && /mCPU/.test(h.textContent) && /\d/.test(h.textContent);
      }).then(() => true, () => false);
      check('hovering a node shows its figures', ok, ok ? (await page.textContent('#hover')).replace(/\s+/g, ' ').slice(0, 90) : '');
      await shot(page, '02-hover-node.png');
      const edgeText = page.locator('#content svg g.edge text').first();
      await hoverSoon(() => edgeText);
      const ok2 = await page.waitForFunction(() => {
        const h = document.getElementById('hover');
        return h && !h.hidden && /Channel/.test(h.textContent) && /rate/.test(h.textContent);
      }).then(() => true, () => false);
      check('hovering an edge shows its figures', ok2, ok2 ? (await page.textContent('#hover')).replace(/\s+/g, ' ').slice(0, 90) : '');
      await shot(page, '03-hover-edge.png');
    }

    // Select a channel: its charts. The graph is drawn anew at every refresh, so a click can
    // land on an element just replaced and select nothing (it failed so once in CI): click
    // again only when nothing was selected, since a second click on a selection clears it.
    for (let i = 0; i < 5; i++) {
      if (viz) {
        // the back-pressure edge if there is one, else the first
        await clickSoon(async () => {
          const bp = page.locator('#content svg g.edge.tm-backpressure text').first();
          return (await bp.count()) ? bp : page.locator('#content svg g.edge text').first();
        }, true);
      } else {
        await clickSoon(() => page.locator('#lists tr[data-kind="channel"]').first(), false);
      }
      const picked = await page.waitForFunction(
        () => /^Channel/.test(document.getElementById('sel-title')?.textContent || ''), null,
        { timeout: 1500 }).then(() => true, () => false);
      if (picked) break;
    }
    const sel = (await page.textContent('#sel-title')) || '';
    check('clicking a channel selects it', /^Channel/.test(sel), sel);
    await page.waitForTimeout(1200); // a few samples more
    const charts = await page.$$eval('#charts canvas.chart', (cs) => cs.map((c) => {
      const g = c.getContext('2d');
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let lit = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 200) lit++;
      return { name: c.dataset.name, samples: Number(c.dataset.samples || 0), lit };
    }));
    const drawn = charts.filter((c) => c.samples >= 2 && c.lit > 50);
    check('the channel\'s charts are drawn', drawn.length >= 2,
      charts.map((c) => `${c.name}: ${c.samples} samples`).join(', '));
    await page.mouse.move(5, 300);
    await shot(page, '04-channel-charts.png');

    // Zoom and pan
    if (viz) {
      const before = await page.$eval('#content', (e) => e.style.transform);
      await page.click('#zoom-in');
      const after = await page.$eval('#content', (e) => e.style.transform);
      const box = await page.locator('#stage').boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -300);
      const wheeled = await page.$eval('#content', (e) => e.style.transform);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 40, { steps: 5 });
      await page.mouse.up();
      const panned = await page.$eval('#content', (e) => e.style.transform);
      check('zoom (button, wheel) and pan move the graph', before !== after && after !== wheeled && wheeled !== panned, panned);
      await page.click('#zoom-fit');
    }

    // Downloads
    const dl = async (button, name, re) => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
      const to = path.join(a.shots || fs.mkdtempSync('/tmp/dash-'), d.suggestedFilename());
      await d.saveAs(to);
      const text = fs.readFileSync(to, 'utf8');
      check(`download ${name}`, re.test(text), `${d.suggestedFilename()}, ${text.length} bytes`);
    };
    await dl('#dl-dot', '.dot', /^\s*(strict\s+)?(di)?graph\b/);
    if (viz) await dl('#dl-svg', '.svg', /<svg[\s\S]*g[^>]*class="node"/);

    // Lints listed (only when the snapshot raises one)
    const lints = await page.$$eval('#lints li', (ls) => ls.map((l) => l.textContent));
    console.log(`     lints: ${lints.join(' | ')}`);

    const cspSeen = await page.evaluate(() => window.__csp || []);
    check('no CSP violation', cspSeen.length === 0, cspSeen.join('; '));
    check('no console error or failed request', problems.length === 0, problems.slice(0, 5).join('; '));

    // Server stops: the title says "Snapshot at ...", the diagram stays.
    const how = await stopServer(a);
    if (how) {
      stopped = true;
      console.log(`     stopping the server (${how})`);
      const ok = await page.waitForFunction(() => /^Snapshot at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(document.getElementById('title')?.textContent || ''),
        null, { timeout: 15000 }).then(() => true, () => false);
      check('after the server stops the title is "Snapshot at <time>"', ok, await page.textContent('#title'));
      if (viz) {
        const n = await page.locator('#content svg g.node').count();
        check('the last diagram stays', n > 0, `${n} nodes`);
      }
      await shot(page, '05-snapshot.png');
    } else {
      console.log('     (no --stop-url/--stop-cmd/--server-pid: the stopped-server check is skipped)');
    }
  } finally {
    await browser.close();
  }
  console.log(failed ? `FAILED: ${failed} of ${results.length} checks` : `PASSED: ${results.length} checks`);
  return failed ? 1 : 0;
}

main().then((rc) => process.exit(rc), (e) => {
  console.error(`dashboard test error: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
