import * as fs from 'node:fs';
import * as path from 'node:path';
import axe from 'axe-core';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';
import { ConformanceReport } from '../../../conformance/engine/report';
import { renderHtmlReport } from '../../../conformance/report/html-report';
import { checkResult, threeCloudReport } from '../../fixtures/reports';

/**
 * The HTML report in a real browser: Debian's Chromium, headless, driven by playwright-core. The
 * page is served from a made-up origin by request interception, so every other request the page
 * makes is seen (and refused) — the proof that it loads nothing. Screenshots at desktop and phone
 * widths go to attestgate-report/browser/ (git-ignored), for a person to look at.
 */

const CHROMIUM = '/usr/bin/chromium';
const PAGE_URL = 'https://report.attestgate.invalid/report.html';
const SCREENSHOTS = path.join(__dirname, '..', '..', '..', 'attestgate-report', 'browser');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** The fixture run, plus a gate whose name would load an image and run script if it were not escaped. */
function reportUnderTest(): ConformanceReport {
  const base = threeCloudReport();
  const hostile = `Stack/<img src="https://evil.invalid/x.png" onerror="alert('name')"><script>alert("gate")</script>`;
  const results = [...base.results, { ...checkResult(hostile, 'AGC-AWS-018', 'FAIL', `sessions last 12 hours <img src=https://evil.invalid/r.png>`), severity: 'medium' as const }];
  return { ...base, gates: [...base.gates, { id: hostile, cloud: 'aws', source: 'cdk.out/Stack.template.json', privilege: 'read-only', paths: [] }], results };
}

interface Visit {
  readonly page: Page;
  /** Every request the page made but the page itself. */
  readonly foreignRequests: string[];
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  readonly dialogs: string[];
}

let browser: Browser;
const contexts: BrowserContext[] = [];
const report = reportUnderTest();
const html = renderHtmlReport(report);
/** The gates as the page lists them: the report's, then those only results name (an endpoint). */
const gateIds = [...new Set([...report.gates.map((g) => g.id), ...report.results.map((r) => r.gate)])];
/** The results in the page's order: gate by gate. */
const results = gateIds.flatMap((id) => report.results.filter((r) => r.gate === id));

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the HTML report is tested in Debian's Chromium. Install it with: apt-get update && apt-get install -y chromium (.ci/run does this in CI)`);
  }
  // Root (a container) cannot use Chromium's sandbox; anyone else keeps it.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
});

async function visit(options: { viewport: { width: number; height: number }; javaScriptEnabled?: boolean }): Promise<Visit> {
  const context = await browser.newContext({ viewport: options.viewport, javaScriptEnabled: options.javaScriptEnabled ?? true });
  contexts.push(context);
  const visit: Visit = { page: await context.newPage(), foreignRequests: [], consoleErrors: [], pageErrors: [], dialogs: [] };
  await context.route('**/*', (route) => {
    if (route.request().url() === PAGE_URL) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    visit.foreignRequests.push(route.request().url());
    return route.abort();
  });
  visit.page.on('console', (m) => m.type() === 'error' && visit.consoleErrors.push(m.text()));
  visit.page.on('pageerror', (e) => visit.pageErrors.push(e.message));
  visit.page.on('dialog', (d) => {
    visit.dialogs.push(d.message());
    void d.dismiss();
  });
  await visit.page.goto(PAGE_URL, { waitUntil: 'load' });
  return visit;
}

const statusesShown = (page: Page) => page.$$eval('.result', (items) => items.filter((i) => (i as HTMLElement).offsetParent !== null).map((i) => i.getAttribute('data-status')!));

describe('report.html in Chromium', () => {
  test('desktop: every gate and every result with its verdict; no console or page error; no request but the page', async () => {
    const v = await visit({ viewport: DESKTOP });
    const gates = await v.page.$$eval('article.gate .gate-name', (names) => names.map((n) => n.textContent));
    expect(gates).toEqual(gateIds);
    for (const gate of gates) {
      const expected = report.results.filter((r) => r.gate === gate).map((r) => `${r.status} ${r.checkId}`);
      const shown = await v.page.$$eval('article.gate', (articles, name) => {
        const article = articles.find((a) => a.querySelector('.gate-name')!.textContent === name)!;
        return Array.from(article.querySelectorAll('.result')).map((r) => `${r.getAttribute('data-status')} ${r.querySelector('.result-head strong')!.textContent}`);
      }, gate);
      expect(shown).toEqual(expected);
    }
    // The verdict word is text, not only a colour.
    expect(await v.page.textContent('.verdict')).toContain('Verdict: OPEN');
    expect(await v.page.$$eval('.result .status', (s) => s.map((x) => x.textContent!.replace(/^\S+ /, '')))).toEqual(results.map((r) => r.status));
    await v.page.screenshot({ path: path.join(SCREENSHOTS, 'report-desktop.png'), fullPage: true });
    expect({ foreignRequests: v.foreignRequests, consoleErrors: v.consoleErrors, pageErrors: v.pageErrors, dialogs: v.dialogs }).toEqual({ foreignRequests: [], consoleErrors: [], pageErrors: [], dialogs: [] });
  });

  test('phone: nothing wider than the screen; the route diagram stacks', async () => {
    const v = await visit({ viewport: PHONE });
    const widths = await v.page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.viewport);
    // Stacked: each hop of a route starts below the one before it.
    const tops = await v.page.$$eval('ol.route', (routes) => Array.from(routes[0].querySelectorAll('.hop')).map((h) => h.getBoundingClientRect().top));
    for (let i = 1; i < tops.length; i++) expect(tops[i]).toBeGreaterThan(tops[i - 1]);
    await v.page.screenshot({ path: path.join(SCREENSHOTS, 'report-phone.png'), fullPage: true });
    expect([...v.foreignRequests, ...v.consoleErrors, ...v.pageErrors]).toEqual([]);
  });

  test('the filters: status and cloud hide and show the right results, and gates left with none', async () => {
    const v = await visit({ viewport: DESKTOP });
    const all = results.map((r) => r.status);
    expect(await statusesShown(v.page)).toEqual(all);
    expect(await v.page.textContent('#filter-count')).toBe(`Showing ${all.length} of ${all.length} results.`);

    await v.page.getByRole('checkbox', { name: 'PASS' }).uncheck();
    expect(await statusesShown(v.page)).toEqual(all.filter((s) => s !== 'PASS'));
    // The step-up endpoint had only a PASS: its gate goes too.
    expect(await v.page.isVisible('article.gate:has(.gate-name:text-is("POST https://tools.example/deploy"))')).toBe(false);

    await v.page.getByRole('checkbox', { name: 'aws' }).uncheck();
    expect(await statusesShown(v.page)).toEqual(results.filter((r) => r.status !== 'PASS' && r.cloud !== 'aws').map((r) => r.status));
    expect(await v.page.$$eval('article.gate', (a) => a.filter((x) => (x as HTMLElement).offsetParent !== null).map((x) => x.getAttribute('data-cloud')))).toEqual(['gcp', 'azure']);

    await v.page.getByRole('checkbox', { name: 'PASS' }).check();
    await v.page.getByRole('checkbox', { name: 'aws' }).check();
    expect(await statusesShown(v.page)).toEqual(all);
    expect(v.consoleErrors).toEqual([]);
  });

  test('without JavaScript: every result shows and the filters, which would do nothing, do not', async () => {
    const v = await visit({ viewport: DESKTOP, javaScriptEnabled: false });
    expect(await statusesShown(v.page)).toEqual(results.map((r) => r.status));
    expect(await v.page.isVisible('#filters')).toBe(false);
  });

  test('accessibility: axe-core finds no serious or critical violation', async () => {
    const v = await visit({ viewport: DESKTOP });
    // Evaluated through the DevTools protocol, not as a <script>: the page's CSP stays as it ships.
    await v.page.evaluate(axe.source);
    const results = await v.page.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] }));
    const describe = (list: typeof results.violations) => list.map((x) => `${x.impact} ${x.id}: ${x.help} (${x.nodes.length}: ${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')})`).join('\n');
    const blocking = results.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical');
    const lesser = results.violations.filter((x) => !blocking.includes(x));
    expect({ blocking: describe(blocking), lesser: describe(lesser) }).toEqual({ blocking: '', lesser: expect.any(String) });
    // Lesser ones are reported, not hidden: printed whenever there are any.
    if (lesser.length > 0) process.stdout.write(`axe-core, moderate and minor:\n${describe(lesser)}\n`);
  });
});
